"""Short-lived URLs from which a browser fetches a stored file directly, when there are any.

- ``WENKU_CDN_URL`` set: the file's URL on the CDN (or an nginx) in front of the storage,
  signed so that it cannot be changed to name another file and expires with
  ``WENKU_STORAGE_URL_SECONDS``. Two signing styles: ``nginx`` (``secure_link``:
  ``?md5=…&expires=…``, md5 of "{expires}{path} {secret}") and ``type-a`` (the "type A"
  URL authentication of Alibaba Cloud and Tencent Cloud CDNs: ``?auth_key=…``, valid for
  as long as the CDN's own setting says; set it to ``WENKU_STORAGE_URL_SECONDS``).
- else object storage: a presigned URL of the bucket, valid as long.
- else (the local folder): None; Wenku serves the bytes itself.

Who may see the file is decided before any URL is made (the page-image route checks
the signature of its own URL and the reader's entitlement first), and the URL names one
file for a short time: the free-preview limit holds.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import quote

from wenku.config import conf
from wenku.core.storage import get_storage


def temporary_url(key: str, content_type: str = "", now: float | None = None) -> str | None:
    """A URL a browser may fetch ``key`` from for a short time, or None."""
    w = conf()
    seconds = int(w.storage_url_seconds)
    if w.cdn_url:
        return cdn_url(w.cdn_url, w.cdn_secret, w.cdn_signing, key, seconds, now)
    storage = get_storage()
    presign = getattr(storage, "temporary_url", None)
    if presign is None:
        return None
    return str(presign(key, seconds, content_type))


def cdn_url(
    base: str, secret: str, style: str, key: str, seconds: int, now: float | None = None
) -> str:
    now = time.time() if now is None else now
    expires = int(now) + seconds
    base = base.rstrip("/")
    path = base.split("://", 1)[-1]
    path = "/" + path.split("/", 1)[1] if "/" in path else ""
    uri = f"{path}/{quote(key)}"
    if style == "type-a":  # the CDN's own setting says how long after ``timestamp`` it is valid
        timestamp, rand = int(now), secrets.token_hex(8)
        digest = hashlib.md5(f"{uri}-{timestamp}-{rand}-0-{secret}".encode()).hexdigest()
        return f"{base}/{quote(key)}?auth_key={timestamp}-{rand}-0-{digest}"
    raw = hashlib.md5(f"{expires}{uri} {secret}".encode()).digest()
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{base}/{quote(key)}?md5={token}&expires={expires}"
