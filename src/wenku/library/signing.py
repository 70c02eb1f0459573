"""Short-lived signed URLs for page images.

A page URL carries its expiry and an HMAC of (document, page, expiry), so page
images cannot be enumerated by guessing URLs, and a copied URL stops working
within WENKU_PAGE_URL_SECONDS. The signature is not the paywall: who may see a
page is decided again on every request (library.access).

Expiries are rounded up to the next half-window, so the URLs of a page stay the
same for a while and browsers can cache the images.
"""

from __future__ import annotations

import re
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


# A page-image URL as pages hold it: in HTML (``&amp;``) or not, after any script prefix.
_PAGE_URL = re.compile(r"/d/(\d+)/p/(\d+)\.webp\?e=\d+(&amp;|&)s=[0-9a-f]{32}")


def renew_urls(html: str, now: float | None = None) -> str:
    """``html`` with every page-image URL in it signed anew for the current half-window
    (a kept page carried into it: ``core.pagecache``)."""
    expires = expiry(now)
    signed: dict[tuple[str, str], str] = {}

    def sign(found: re.Match[str]) -> str:
        pair = (found[1], found[2])
        if pair not in signed:
            signed[pair] = signature(int(found[1]), int(found[2]), expires)
        return f"/d/{found[1]}/p/{found[2]}.webp?e={expires}{found[3]}s={signed[pair]}"

    return _PAGE_URL.sub(sign, html)
