"""Where Wenku keeps file bytes: one interface, one backend chosen once from settings.

Keys are slash-separated relative paths such as ``originals/ab/cd/<sha256>``.
Writes are atomic: a reader sees either the whole old file, the whole new one, or none.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from wenku.core.storage.base import Storage, StorageUnavailable
from wenku.core.storage.local import LocalStorage

__all__ = ["LocalStorage", "Storage", "StorageUnavailable", "get_storage", "reset_storage"]


@cache
def get_storage() -> Storage:
    return LocalStorage(settings.DATA_DIR / "files")


def reset_storage() -> None:
    """Forget the configured backend (tests that change the data folder)."""
    get_storage.cache_clear()
