"""The cache every process shares: chosen once from settings, never per process.

- ``WENKU_REDIS_URL`` set (scale mode): Redis. A Redis that stops answering is a cache
  miss, not an error page: reads return nothing and writes are dropped (with a warning
  at most every few seconds) until it answers again, within ``SOCKET_TIMEOUT``.
- PostgreSQL without Redis: a table in the database (``wenku_cache``), so every web
  node and worker sharing the database shares the cache.
- SQLite (the embedded default, one machine): files under ``DATA_DIR/cache``, shared by
  every process of the machine, without taking SQLite's one write lock.

Django's local-memory cache is never used: it is per process, so one process would show
a page another had already invalidated (the home page showed 0 documents on one request
and 48 on the next).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

from wenku.config import Config

log = logging.getLogger(__name__)
T = TypeVar("T")
SOCKET_TIMEOUT = 0.5  # seconds; a cache slower than this is worse than none
WARN_EVERY = 10.0
DEFAULT_SECONDS = 300
DB_TABLE = "wenku_cache"
# The file cache looks for entries over its limit once per this many writes of a process.
CULL_EVERY = 200


def cache_settings(config: Config, data_dir: Path, database_vendor: str) -> dict[str, Any]:
    """Django's CACHES['default'] for this site."""
    if config.redis_url:
        return {
            "BACKEND": "wenku.core.cache.ResilientRedisCache",
            "LOCATION": config.redis_url,
            "KEY_PREFIX": config.redis_prefix,
            "TIMEOUT": DEFAULT_SECONDS,
            "OPTIONS": {
                "socket_timeout": SOCKET_TIMEOUT,
                "socket_connect_timeout": SOCKET_TIMEOUT,
                "health_check_interval": 30,
            },
        }
    if database_vendor == "postgresql":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DB_TABLE,
            "TIMEOUT": DEFAULT_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": 50_000, "CULL_FREQUENCY": 4},
        }
    return {
        "BACKEND": "wenku.core.cache.FileCache",
        "LOCATION": str(data_dir / "cache"),
        "TIMEOUT": DEFAULT_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 4},
    }


@functools.cache
def redis_client() -> Any:
    """This process's Redis client for WENKU_REDIS_URL (rate limits; the cache has its own)."""
    import redis

    from wenku.config import conf

    return redis.Redis.from_url(
        conf().redis_url,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        health_check_interval=30,
    )


class _Warnings:
    """At most one warning every WARN_EVERY seconds per process, however many failures."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0
        self.failures = 0

    def failed(self, operation: str, exc: Exception) -> None:
        with self._lock:
            self.failures += 1
            now = time.monotonic()
            if now < self._next:
                return
            self._next = now + WARN_EVERY
        log.warning("cache unavailable (%s: %s); serving without it", operation, exc)


_warnings = _Warnings()


def _redis_errors() -> tuple[type[Exception], ...]:
    from redis.exceptions import ConnectionError, TimeoutError

    return (ConnectionError, TimeoutError)


def _safely(operation: str, call: Callable[[], T], fallback: T) -> T:
    try:
        return call()
    except _redis_errors() as exc:
        _warnings.failed(operation, exc)
        return fallback


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, where an unreachable Redis is a miss (reads) or a no-op
    (writes) instead of an exception in the middle of a page."""

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return _safely(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return _safely(
            "get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return _safely(
            "has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False
        )

    def set(self, *args: Any, **kwargs: Any) -> None:
        _safely("set", lambda: super(ResilientRedisCache, self).set(*args, **kwargs), None)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return _safely("add", lambda: super(ResilientRedisCache, self).add(*args, **kwargs), False)

    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        return _safely(
            "set_many", lambda: super(ResilientRedisCache, self).set_many(*args, **kwargs), []
        )

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return _safely(
            "touch", lambda: super(ResilientRedisCache, self).touch(*args, **kwargs), False
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return _safely(
            "delete", lambda: super(ResilientRedisCache, self).delete(key, version), False
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        _safely(
            "delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def clear(self) -> None:
        """Delete this site's keys only (its KEY_PREFIX), never the whole Redis database."""

        def clear() -> None:
            client = self._cache.get_client(None, write=True)
            batch: list[bytes] = []
            for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.delete(*batch)
                    batch.clear()
            if batch:
                client.delete(*batch)

        _safely("clear", clear, None)


class FileCache(FileBasedCache):
    """Django's file cache, culling once per ``CULL_EVERY`` writes of a process instead of
    on every write: its cull lists the whole folder first, which with the document pages
    kept for guests (thousands of files) cost more than the write itself and held the
    page-cache warm pass of 10,000 pages to 80 pages/s. The folder may exceed
    MAX_ENTRIES by up to ``CULL_EVERY`` writes per process between two culls."""

    _writes = 0

    def _cull(self) -> None:
        FileCache._writes += 1  # per process; a lost count between threads delays a cull
        if FileCache._writes % CULL_EVERY == 1:
            super()._cull()  # type: ignore[misc]  # a private method of Django's
