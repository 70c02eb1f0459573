"""Short-lived signed URLs for page images.

A page URL carries its expiry and an HMAC of (document, page, expiry), so page
images cannot be enumerated by guessing URLs, and a copied URL stops working
within WENKU_PAGE_URL_SECONDS. The signature is not the paywall: who may see a
page is decided again on every request (library.access).

Expiries are rounded up to the next half-window, so the URLs of a page stay the
same for a while and browsers can cache the images.
"""

from __future__ import annotations

import time

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from wenku.config import conf

SALT = "wenku.library.page-image"


def _lifetime() -> int:
    return int(conf().page_url_seconds)


def expiry(now: float | None = None) -> int:
    half = max(1, _lifetime() // 2)
    now = time.time() if now is None else now
    return (int(now) // half + 2) * half


def signature(document_id: int, number: int, expires: int) -> str:
    return salted_hmac(SALT, f"{document_id}:{number}:{expires}", algorithm="sha256").hexdigest()[
        :32
    ]


def page_url(document_id: int, number: int, now: float | None = None) -> str:
    expires = expiry(now)
    path = reverse("library:page_image", args=[document_id, number])
    return f"{path}?e={expires}&s={signature(document_id, number, expires)}"


def verify(document_id: int, number: int, expires: str, sig: str, now: float | None = None) -> bool:
    """The URL was made by this site and has not expired."""
    try:
        when = int(expires)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if when < now or when > now + _lifetime() + 1:
        return False
    return constant_time_compare(sig or "", signature(document_id, number, when))
