"""Logging: structured lines in the data folder, readable lines on standard output.

Every process (web, worker, commands) writes JSON lines — one object per record: time,
level, logger, message, process, the request's id when there is one, and the
traceback of an exception — to ``DATA_DIR/logs/wenku.log``, and the same records to
standard output as text (``WENKU_LOG_FORMAT=json`` makes that JSON too, for platforms
that collect standard output). The file is opened for appending by every process of the
machine and reopened when it is moved away, so ``logrotate`` can rotate it without
``copytruncate``.

Every record carries the id of the request it was written for (``core.requests``: the
``X-Request-ID`` a trusted proxy sends, else a new one; '-' outside a request), also the
traceback of an unhandled exception.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE_NAME = "wenku.log"
_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


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
        rid = getattr(record, "request_id", "-")
        if rid and rid != "-":
            entry["request_id"] = rid
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
        "filters": {"request_id": {"()": "wenku.core.requests.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
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
            # Refused hosts, CSRF failures; unhandled exceptions (500s) with their traceback.
            "django": {"handlers": handlers, "level": "WARNING", "propagate": False},
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
            "django_tasks_db": {"handlers": handlers, "level": "WARNING", "propagate": False},
        },
    }
