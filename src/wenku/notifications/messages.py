"""What notifications say, by code: a notification stores a code and its parameters, and
is worded when it is read, in the reader's language (not in whatever language was active
when it was sent). Apps that send notifications add their codes here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MESSAGES: Mapping[str, Any] = {
    "welcome_bonus": _("Welcome! Sign-up bonus: +%(n)s points."),
    "signed_in": _("Daily sign-in: +%(n)s points."),
    "upload_reward": _("Upload reward for “%(title)s”: +%(n)s points."),
    "vip_until": _("You are a VIP member until %(end)s."),
    "points_added": _("The site added %(n)s points to your balance."),
    "downloaded": _("“%(title)s” was downloaded."),
    "downloaded_points": _("“%(title)s” was downloaded: +%(n)s points."),
}


def render(code: str, params: Mapping[str, Any]) -> str:
    """The message of ``code`` in the active language (an unknown code says so)."""
    template = MESSAGES.get(code)
    if template is None:
        return gettext("Notification (%(code)s)") % {"code": code}
    try:
        return str(template) % dict(params)
    except (KeyError, TypeError, ValueError):
        return str(template)
