"""Penalties: a moderator forbids a user uploading, commenting or downloading for a time.

Checked where those things happen — ``publishing.intake`` (uploads), ``community.domain``
(comments), ``economy.downloads`` (downloads) — so the web and API tokens alike are held
to them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wenku.core.prepared import DATETIME, INT, STR, Prepared
from wenku.moderation.models import Penalty, PenaltyKind


class Penalised(Exception):
    """The user is under a penalty; the message says which and until when."""

    def __init__(self, penalty: Penalty) -> None:
        self.penalty = penalty
        super().__init__(describe(penalty))


def active(user: Any, kind: str, now: datetime | None = None) -> Penalty | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    found = _ACTIVE.row(user.pk, kind, now or timezone.now())  # every document page asks
    return None if found is None else Penalty.objects.get(pk=found[0])


_ACTIVE = Prepared(
    lambda user_id, kind, now: (
        Penalty.objects.filter(user_id=user_id, kind=kind, until__gt=now, lifted_at=None)
        .order_by("-until")
        .values_list("pk")[:1]
    ),
    INT,
    STR,
    DATETIME,
)


def check(user: Any, kind: str) -> None:
    """Raise ``Penalised`` if ``user`` may not do ``kind`` now."""
    found = active(user, kind)
    if found is not None:
        raise Penalised(found)


def describe(penalty: Penalty) -> str:
    until = date_format(timezone.localtime(penalty.until), "Y-m-d H:i")
    what = {
        PenaltyKind.UPLOAD: _("You may not upload documents until %(until)s."),
        PenaltyKind.COMMENT: _("You may not comment until %(until)s."),
        PenaltyKind.DOWNLOAD: _("You may not download documents until %(until)s."),
    }[PenaltyKind(penalty.kind)] % {"until": until}
    if penalty.reason:
        what += " " + _("Reason: %(reason)s") % {"reason": penalty.reason}
    return what
