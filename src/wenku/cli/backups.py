"""Backups of a site: what ``wenku backup`` writes and ``wenku restore`` reads.

A backup is a folder::

    manifest.json          what was saved, when, and its counts (checked by restore)
    database.sqlite3       SQLite's online backup: one consistent snapshot, or
    database.pgdump        pg_dump's custom format: one consistent snapshot
    files/…                every stored file, under its storage key
    search/tantivy-v1/     the Tantivy index as of one commit (absent on PostgreSQL search:
                           its index is in the database)
    secret_key             the site's secret (sessions, signed links)

Consistent while the site runs, because of the order: the database snapshot first, then
the index, then the files. Files are named by their content and written before any row
points at them, so every file the snapshot names existed when it was taken and is
copied after it; files added since are copied too and do no harm. The index is copied
under its writer lock; whatever it holds beyond or short of the snapshot is put right
by the catch-up that restore runs. Files are copied only when missing or of another
size, so backing up into the same folder again copies only what is new.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE = "database.sqlite3"
PGDUMP = "database.pgdump"
Progress = Callable[[str, int, int], None]


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- the database


def database_kind() -> str:
    from django.db import connection

    return connection.vendor


def _pg_env_and_args(settings_dict: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return env, args


def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)"
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{' '.join(argv[:1])} failed: {result.stderr.strip()[-2000:]}")


def dump_database(destination: Path) -> Path:
    """One consistent snapshot of the site's database into ``destination``."""
    from django.db import connection

    if connection.vendor == "sqlite":
        target = destination / SQLITE
        tmp = target.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        source = sqlite3.connect(str(connection.settings_dict["NAME"]))
        try:
            copy = sqlite3.connect(str(tmp))
            with copy:
                source.backup(copy)  # the online backup API: a snapshot, writers go on
            copy.close()
        finally:
            source.close()
        os.replace(tmp, target)
        return target
    if connection.vendor == "postgresql":
        target = destination / PGDUMP
        env, args = _pg_env_and_args(connection.settings_dict)
        tmp = target.with_suffix(".tmp")
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args,
             "-f", str(tmp), str(connection.settings_dict["NAME"])],
            env,
        )  # fmt: skip
        os.replace(tmp, target)
        return target
    raise BackupError(f"cannot back up a {connection.vendor} database")


def restore_sqlite_file(snapshot: Path, target: Path) -> None:
    """Replace the SQLite database at ``target`` with the snapshot (the site is stopped)."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source = sqlite3.connect(str(snapshot))
    try:
        copy = sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()


def restore_pgdump(dump: Path) -> None:
    """Load a pg_dump into the site's PostgreSQL database, replacing what is there.

    Extensions the database already has (RUM, made by a superuser for Wenku's own role)
    are left as they are: dropping and creating them again is for their owner alone, so
    a site whose role is not a superuser could not be restored otherwise."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        installed = {name for (name,) in cursor.fetchall()}
    connection.close()
    env, args = _pg_env_and_args(connection.settings_dict)
    listing = dump.with_name(f".{dump.name}.list")
    try:
        listing.write_text(_restorable(_pg_listing(dump, env), installed))
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "-L", str(listing), *args,
             "-d", str(connection.settings_dict["NAME"]), str(dump)],
            env,
        )  # fmt: skip
    finally:
        listing.unlink(missing_ok=True)


def _pg_listing(dump: Path, env: dict[str, str]) -> str:
    """The dump's table of contents (``pg_restore -l``)."""
    try:
        result = subprocess.run(
            ["pg_restore", "-l", str(dump)], env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            "pg_restore is not installed (Debian: apt-get install postgresql-client)"
        ) from None
    if result.returncode != 0:
        raise BackupError(f"pg_restore -l failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


_EXTENSION = re.compile(r"\b(?:COMMENT - )?EXTENSION (?:- )?(\S+)")


def _restorable(listing: str, installed: set[str]) -> str:
    """The table of contents without the extensions the target already has."""
    kept = []
    for line in listing.splitlines():
        found = None if line.startswith(";") else _EXTENSION.search(line)
        if found is None or found.group(1) not in installed:
            kept.append(line)
    return "\n".join(kept) + "\n"


# --- files


def copy_files_out(destination: Path, progress: Progress | None = None) -> tuple[int, int]:
    """Copy every stored file missing from (or of another size in) ``destination/files``;
    (files copied, files in storage)."""
    from wenku.core.storage import get_storage

    storage = get_storage()
    root = destination / "files"
    listed = list(storage.keys())
    copied = 0
    for done, (key, size) in enumerate(listed, 1):
        path = root / key
        if not (path.is_file() and path.stat().st_size == size):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{path.name}")
            try:
                storage.fetch(key, tmp)
            except FileNotFoundError:  # deleted since it was listed (a replaced avatar)
                continue
            os.replace(tmp, path)
            copied += 1
        if progress and (done % 200 == 0 or done == len(listed)):
            progress("files", done, len(listed))
    return copied, len(listed)


def backup_files(source: Path) -> Iterator[tuple[str, Path]]:
    root = source / "files"
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(".tmp-"):
            yield path.relative_to(root).as_posix(), path


def copy_files_in(source: Path, progress: Progress | None = None) -> tuple[int, int]:
    """Put every file of the backup into storage where it is missing; (copied, in backup)."""
    from wenku.core.storage import get_storage

    storage = get_storage()
    files = list(backup_files(source))
    copied = 0
    for done, (key, path) in enumerate(files, 1):
        if not storage.exists(key):
            storage.put_file(key, path)
            copied += 1
        if progress and (done % 200 == 0 or done == len(files)):
            progress("files", done, len(files))
    return copied, len(files)


# --- search


def snapshot_index(destination: Path) -> str:
    """Copy the search index if it lives outside the database; say where it lives."""
    from wenku.search.backends import get_backend

    backend = get_backend()
    snapshot = getattr(backend, "snapshot", None)
    if snapshot is None:
        return f"{backend.name}: in the database"
    folder = destination / "search"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    snapshot(folder)
    return f"{backend.name}: copied"


def restore_index(source: Path, data_dir: Path) -> bool:
    """Put the backup's index in place (the site is stopped); False when it has none."""
    saved = source / "search"
    if not saved.is_dir():
        return False
    target = data_dir / "search"
    target.mkdir(parents=True, exist_ok=True)
    for folder in saved.iterdir():
        # Copied beside the old one, then swapped in: whatever is in the old folder (an
        # index a backend opened, files its threads still write) is moved aside whole.
        incoming = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=target))
        if folder.is_dir():
            shutil.copytree(folder, incoming / folder.name)
        else:
            shutil.copy2(folder, incoming / folder.name)
        old = target / folder.name
        if old.exists() or old.is_symlink():
            old.rename(incoming / "replaced")
        (incoming / folder.name).rename(old)
        shutil.rmtree(incoming, ignore_errors=True)
    return True


# --- the manifest


@dataclass(frozen=True)
class Counts:
    documents: int
    ready_documents: int
    pages: int
    ledger_entries: int
    points: int  # the sum of every balance

    @classmethod
    def now(cls, using: str = "default") -> Counts:
        from django.db.models import Sum

        from wenku.economy.models import Account, LedgerEntry
        from wenku.ingest.models import Page
        from wenku.library.models import Document

        return cls(
            documents=Document.objects.using(using).count(),
            ready_documents=Document.objects.using(using).filter(status="ready").count(),
            pages=Page.objects.using(using).count(),
            ledger_entries=LedgerEntry.objects.using(using).count(),
            points=Account.objects.using(using).aggregate(s=Sum("balance"))["s"] or 0,
        )


def write_manifest(destination: Path, **fields: Any) -> dict[str, Any]:
    from wenku import __version__

    manifest = {
        "format": FORMAT,
        "wenku": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **fields,
    }
    tmp = destination / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, destination / MANIFEST)
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} is not a Wenku backup (no {MANIFEST})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def missing_files() -> list[str]:
    """Files the database names that storage lacks: originals of every conversion, and the
    PDFs of ready conversions made from other formats."""
    from wenku.core.storage import get_storage
    from wenku.ingest.models import Conversion

    storage = get_storage()
    missing = []
    rows = Conversion.objects.values_list("sha256", "format", "status").iterator()
    for sha, fmt, status in rows:
        conversion = Conversion(sha256=sha, format=fmt)
        wanted = [conversion.original_key]
        if status == "ready" and fmt != "pdf":
            wanted.append(conversion.pdf_key)
        missing += [key for key in wanted if not storage.exists(key)]
    return missing


def books_balance(using: str = "default") -> list[int]:
    """Users whose balance is not the sum of their ledger entries (none, when all is well)."""
    from django.db.models import Sum

    from wenku.economy.models import Account, LedgerEntry

    sums = dict(
        LedgerEntry.objects.using(using)
        .order_by()
        .values_list("user_id")
        .annotate(s=Sum("amount"))
        .values_list("user_id", "s")
    )
    return [
        user
        for user, balance in Account.objects.using(using).values_list("user_id", "balance")
        if balance != sums.get(user, 0)
    ]
