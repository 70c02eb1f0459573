"""Logging: structured lines in the data folder, readable lines on standard output.

Every process (web, worker, commands) writes JSON lines — one object per record: time,
level, logger, message, process, the request's id when there is one, and the
traceback of an exception — to ``DATA_DIR/logs/wenku.log``, and the same records to
standard output as text (``WENKU_LOG_FORMAT=json`` makes that JSON too, for platforms
that collect standard output). The file is opened for appending by every process of the
machine and reopened when it is moved away, so ``logrotate`` can rotate it without
``copytruncate``.

``request_id`` is set per request by ``core.middleware.request_context`` (the
``X-Request-ID`` a trusted proxy sends, else a new one) and appears on every record
logged while that request runs, including the traceback of an unhandled exception.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
FILE_NAME = "wenku.log"
_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; fields passed with ``extra=`` are kept."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if getattr(record, "request_id", ""):
            entry["request_id"] = record.request_id  # type: ignore[attr-defined]
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_settings(data_dir: Path, level: str, stdout_format: str) -> dict[str, Any]:
    """Django's LOGGING: JSON lines in DATA_DIR/logs, text (or JSON) on standard output."""
    handlers = ["console", "file"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "wenku.core.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "wenku.core.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if stdout_format == "json" else "plain",
                "filters": ["request_id"],
            },
            "file": {
                "class": "logging.handlers.WatchedFileHandler",
                "filename": str(data_dir / "logs" / FILE_NAME),
                "formatter": "json",
                "filters": ["request_id"],
                "delay": True,
                "encoding": "utf-8",
            },
        },
        "root": {"handlers": handlers, "level": "WARNING"},
        "loggers": {
            "wenku": {"handlers": handlers, "level": level, "propagate": False},
            # Unhandled exceptions in views (500s), with their traceback.
            "django.request": {"handlers": handlers, "level": "ERROR", "propagate": False},
            "django_tasks_db": {"handlers": handlers, "level": "WARNING", "propagate": False},
        },
    }
