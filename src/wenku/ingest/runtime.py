"""The per-process ingest context: one warm LibreOffice per worker process."""

from __future__ import annotations

import os
import threading
from functools import cache

from wenku.ingest.office.client import OfficeConverter, OfficeSettings
from wenku.ingest.pipeline import Context

_worker_id = threading.local()


@cache
def get_context() -> Context:
    return Context.from_django(OfficeConverter(OfficeSettings.from_django()))


def reset_context() -> None:
    if get_context.cache_info().currsize:
        get_context().office.close()
    get_context.cache_clear()


def set_worker_id(worker_id: str) -> None:
    _worker_id.value = worker_id


def worker_id() -> str:
    """The worker running this thread's job; 'inline-<pid>' outside a worker."""
    return getattr(_worker_id, "value", None) or f"inline-{os.getpid()}"
