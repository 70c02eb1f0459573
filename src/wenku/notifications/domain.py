"""Sending and reading notifications; other apps call ``notify``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from wenku.notifications.messages import MESSAGES
from wenku.notifications.models import Kind, Notification


def notify(
    user: Any,
    kind: Kind | str,
    *,
    text: str = "",
    code: str = "",
    params: dict[str, Any] | None = None,
    actor: Any = None,
    document: Any = None,
    url: str = "",
) -> Notification | None:
    """Tell ``user`` something happened. Nobody is told about their own actions.

    What the site says is a ``code`` of ``messages.MESSAGES`` with its ``params``, worded
    when read, in the reader's language; ``text`` is for people's own words (a comment).
    """
    if actor is not None and getattr(actor, "pk", None) == getattr(user, "pk", None):
        return None
    if not url and document is not None:
        url = document.get_absolute_url()
    if code and code not in MESSAGES:
        raise ValueError(f"unknown notification code {code!r}")
    return Notification.objects.create(
        user=user,
        kind=kind,
        text=text[:500],
        code=code,
        params=params or {},
        actor=actor,
        document=document,
        url=url[:500],
    )


def mark_all_read(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


def for_user(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("actor", "document")


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()
