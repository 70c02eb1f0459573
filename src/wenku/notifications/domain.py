"""Sending and reading notifications; other apps call ``notify``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Value
from django.utils import timezone

from wenku.core.prepared import INT, Prepared
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
    """The header's count, on every page a signed-in user opens (``core.prepared``)."""
    found = _UNREAD.row(user.pk)
    return int(found[0]) if found else 0


_UNREAD = Prepared(
    lambda user_id: (
        Notification.objects.filter(user_id=user_id, read_at=None)
        .order_by()
        .annotate(one=Value(1))
        .values("one")  # no grouping: one count
        .annotate(n=Count("pk"))
        .values_list("n")
    ),
    INT,
)
