"""Short-lived signed download links.

A link names a recorded ``Download`` and carries a timestamped HMAC of it
(``django.core.signing``, salted), so the original file is never at a guessable URL
and a copied link stops working after WENKU_DOWNLOAD_URL_SECONDS. Whoever holds a link
may fetch it while it lasts (like a pre-signed object-store URL), so scripts can hand it
to any HTTP client; every fetch checks again that the document is still public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from wenku.config import conf

SALT = "wenku.economy.download-link"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def lifetime() -> timedelta:
    return timedelta(seconds=int(conf().download_url_seconds))


def token(download_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(download_id))


@dataclass(frozen=True)
class Link:
    token: str
    url: str  # a path on this site
    expires_at: datetime


def link(download: Any) -> Link:
    """A fresh link to the download's file."""
    value = token(download.pk)
    return Link(value, reverse("economy:file", args=[value]), timezone.now() + lifetime())


def verify(value: str) -> int:
    """The download id a link names; LinkExpired or LinkInvalid otherwise."""
    try:
        raw = signing.TimestampSigner(salt=SALT).unsign(value, max_age=lifetime())
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    try:
        return int(raw)
    except ValueError:
        raise LinkInvalid from None


def names(value: str) -> int | None:
    """The download id a genuine link names, however old (None if it is not genuine):
    who holds an expired link may still be told it expired."""
    try:
        return int(signing.TimestampSigner(salt=SALT).unsign(value))
    except (signing.BadSignature, ValueError):
        return None
