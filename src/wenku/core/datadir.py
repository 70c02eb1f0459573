"""The data folder: everything Wenku stores lives under one directory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

SUBDIRS = ("files", "tmp", "static", "logs", "cache")


def prepare_data_dir(data_dir: Path, configured_secret: str) -> str:
    """Create the data folder's layout and return the secret key.

    The secret is generated once and kept in DATA_DIR/secret_key (mode 0600), so
    it is never a default shipped in the code.
    """
    for sub in SUBDIRS:
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    if configured_secret:
        return configured_secret
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_settings(url: str, data_dir: Path) -> dict[str, Any]:
    """Django DATABASES['default'] for a WENKU_DATABASE_URL (empty: SQLite in WAL mode)."""
    if not url:
        return sqlite_settings(data_dir / "wenku.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    if parsed.scheme == "sqlite":
        return sqlite_settings(Path(unquote(parsed.path)))
    raise ValueError(f"WENKU_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


def sqlite_settings(path: Path) -> dict[str, Any]:
    # WAL lets readers run beside the one writer; IMMEDIATE makes every write
    # transaction take the write lock up front, so two writers queue on the
    # busy timeout instead of failing with "database is locked" mid-transaction.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Opening a SQLite connection costs about as much as a page's queries: keep them.
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA mmap_size=134217728;"
            ),
        },
        "TEST": {"NAME": str(path.with_name("test-" + path.name))},
    }
