"""The search backend, chosen once from WENKU_SEARCH_BACKEND (one interface per backend,
chosen once from settings).

``get_backend()`` returns this process's backend; ``get_backend("postgres")`` a named
one (``wenku reindex --backend``); ``reset_backend()`` forgets them (tests, settings
changes).
"""

from __future__ import annotations

import threading

from wenku.config import conf
from wenku.search.backends.base import SearchBackend

BACKENDS = ("tantivy", "postgres")
_lock = threading.Lock()
_backends: dict[str, SearchBackend] = {}


def get_backend(name: str | None = None) -> SearchBackend:
    name = name or conf().search_backend
    with _lock:
        if name not in _backends:
            _backends[name] = _create(name)
        return _backends[name]


def _create(name: str) -> SearchBackend:
    from django.conf import settings

    if name == "tantivy":
        from wenku.search.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(settings.DATA_DIR / "search")
    if name == "postgres":
        from wenku.search.backends.postgres_backend import PostgresBackend

        return PostgresBackend()
    raise ValueError(f"unknown search backend {name!r} (choose from {', '.join(BACKENDS)})")


def reset_backend() -> None:
    with _lock:
        _backends.clear()


__all__ = ["BACKENDS", "SearchBackend", "get_backend", "reset_backend"]
