"""Where Wenku keeps file bytes: one interface, one backend chosen once from settings.

Keys are slash-separated relative paths such as ``originals/ab/cd/<sha256>``.
Writes are atomic: a reader sees either the whole old file, the whole new one, or none.
The backend is the data folder's ``files/`` (the embedded default), or an S3-compatible
object store when ``WENKU_STORAGE_URL`` is set (``s3.py``).
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from wenku.core.storage.base import Storage, StorageUnavailable
from wenku.core.storage.local import LocalStorage

__all__ = ["LocalStorage", "Storage", "StorageUnavailable", "get_storage", "reset_storage"]


@cache
def get_storage() -> Storage:
    from wenku.config import conf

    url = conf().storage_url
    if url:
        from wenku.core.storage.s3 import S3Location, S3Storage

        return S3Storage(S3Location.parse(url), cache_dir=settings.DATA_DIR / "cache" / "objects")
    return LocalStorage(settings.DATA_DIR / "files")


def reset_storage() -> None:
    """Forget the configured backend (tests that change the data folder)."""
    get_storage.cache_clear()
