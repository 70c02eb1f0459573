"""The per-process ingest context: one warm LibreOffice per worker process."""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path

from wenku.ingest.office.client import OfficeConverter, OfficeSettings
from wenku.ingest.pipeline import Context
from wenku.ingest.selftest import check_cjk

log = logging.getLogger(__name__)

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


def prewarm() -> None:
    """Start this process's LibreOffice and check that Chinese renders with real glyphs,
    so the first upload does not wait for it. Failures are logged, not raised: they are
    reported again, per document, when a conversion needs LibreOffice."""
    context = get_context()
    try:
        context.office.start()
        with tempfile.TemporaryDirectory(dir=context.tmp_root) as tmp:
            result = check_cjk(context.office, Path(tmp))
    except Exception as exc:
        log.error("LibreOffice could not be started: %s (run `wenku doctor`)", exc)
        return
    if not result.ok:
        log.error("self-test: %s (run `wenku doctor`)", result.detail)
