"""The per-process ingest context: one warm LibreOffice per worker process."""

from __future__ import annotations

import os
import threading

from wenku.ingest.office.client import OfficeConverter, OfficeSettings
from wenku.ingest.pipeline import Context

_worker_id = threading.local()
_lock = threading.Lock()
_context: Context | None = None


def get_context() -> Context:
    """This process's context, created on first use (thread-safe: the worker prewarms it)."""
    global _context
    with _lock:
        if _context is None:
            _context = Context.from_django(OfficeConverter(OfficeSettings.from_django()))
        return _context


def reset_context() -> None:
    global _context
    with _lock:
        if _context is not None:
            _context.office.close()
        _context = None


def set_worker_id(worker_id: str) -> None:
    _worker_id.value = worker_id


def worker_id() -> str:
    """The worker running this thread's job; 'inline-<pid>' outside a worker."""
    return getattr(_worker_id, "value", None) or f"inline-{os.getpid()}"
