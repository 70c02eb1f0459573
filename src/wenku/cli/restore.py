"""``wenku restore SRC``: put a backup back (into this data folder and database)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

NAME = "restore"
HELP = "Restore a backup made by `wenku backup` into this site (stop the site first)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SRC", help="a folder written by `wenku backup`")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a site that already has documents",
    )
    parser.add_argument(
        "--reindex", action="store_true", help="rebuild the search index instead of restoring it"
    )


def handle(args: argparse.Namespace) -> int:
    from wenku.cli import backups

    source = Path(args.source).expanduser().resolve()
    try:
        manifest = backups.read_manifest(source)
        _refuse_a_running_or_used_site(args.force)
        _restore_database(source, manifest)
        _restore_files(source)
        _restore_secret(source)
        _restore_search(source, args.reindex)
        return _report(manifest)
    except backups.BackupError as exc:
        print(f"wenku restore: {exc}", file=sys.stderr)
        return 1


def _refuse_a_running_or_used_site(force: bool) -> None:
    from django.core.management import call_command
    from django.db import DatabaseError

    from wenku.cli.backups import BackupError
    from wenku.config import conf
    from wenku.library.models import Document
    from wenku.worker.models import Heartbeat

    call_command("migrate", interactive=False, verbosity=0)
    try:
        alive = Heartbeat.objects.alive(conf().worker_lease_seconds).exists()
        used = Document.objects.exists()
    except DatabaseError as exc:
        raise BackupError(f"the site's database cannot be read: {exc}") from exc
    if alive:
        raise BackupError("workers are running on this site: stop it (and its workers) first")
    if used and not force:
        raise BackupError(
            "this site already has documents; restoring replaces everything: add --force"
        )


def _restore_database(source: Path, manifest: dict) -> None:  # type: ignore[type-arg]
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, connections

    from wenku.cli import backups
    from wenku.core import dbcopy

    kind = manifest["database"]
    here = connection.vendor
    if kind == here == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        connections.close_all()
        backups.restore_sqlite_file(source / backups.SQLITE, target)
    elif kind == here == "postgresql":
        backups.restore_pgdump(source / backups.PGDUMP)
    elif kind == "sqlite" and here == "postgresql":
        dbcopy.add_database(
            "backup", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(source / backups.SQLITE)}
        )
        counts = dbcopy.copy_all("backup", "default")
        connections["backup"].close()
        bad = [c.table for c in counts if not c.same]
        if bad:
            raise backups.BackupError(f"tables copied incompletely: {', '.join(bad)}")
    else:
        raise backups.BackupError(
            f"a {kind} backup cannot be restored into {here}: restore it into a {kind} "
            "site, then move it with `wenku migrate-data`"
        )
    call_command("migrate", interactive=False, verbosity=0)  # a backup of an older Wenku
    cache.clear()  # pages and lists kept before the restore describe another database
    print(f"database: restored ({kind} → {here})")


def _restore_files(source: Path) -> None:
    from rich.progress import Progress

    from wenku.cli import backups

    with Progress(transient=not sys.stdout.isatty()) as progress:
        task = progress.add_task("files", total=None)
        copied, total = backups.copy_files_in(
            source, lambda _w, done, n: progress.update(task, completed=done, total=n)
        )
    print(f"files: {total} in the backup, {copied} put into storage")


def _restore_secret(source: Path) -> None:
    """The backup's secret key goes with its database: the sessions and signed links in
    the restored rows were signed with it (the key a new data folder made for itself on
    first start signs nothing there)."""
    from django.conf import settings

    from wenku.config import conf

    saved = source / "secret_key"
    here = Path(settings.DATA_DIR) / "secret_key"
    if not saved.is_file():
        return
    shutil.copyfile(saved, here)
    here.chmod(0o600)
    configured = conf().secret_key
    if configured and configured != saved.read_text().strip():
        print(
            "secret key: restored into the data folder, but WENKU_SECRET_KEY is set and "
            "wins: set it to the old site's key, or sessions and links signed there fail"
        )
        return
    print("secret key: restored")


def _restore_search(source: Path, reindex: bool) -> None:
    from django.conf import settings

    from wenku.cli import backups
    from wenku.config import conf
    from wenku.search import indexing
    from wenku.search.backends import get_backend, reset_backend
    from wenku.search.state import forget

    # The backup's index is put in place before this process opens one (opening it
    # creates the folder it would replace).
    reset_backend()
    name = conf().search_backend
    restored = (
        name == "tantivy" and not reindex and backups.restore_index(source, settings.DATA_DIR)
    )
    backend = get_backend()
    if reindex or (backend.name == "tantivy" and not restored):
        if backend.name == "tantivy":
            forget(backend.name)
        count = indexing.rebuild(backend)
        print(f"search: rebuilt ({count} documents)")
        return
    reset_backend()
    backend = get_backend()
    indexed = indexing.catch_up(backend)
    dropped = indexing.drop_orphans(backend)
    print(f"search: restored; {indexed} documents caught up, {dropped} dropped")


def _report(manifest: dict) -> int:  # type: ignore[type-arg]
    from wenku.cli import backups

    counts = backups.Counts.now()
    saved = manifest.get("counts", {})
    print(
        f"restored {counts.documents} documents ({saved.get('documents')} in the backup), "
        f"{counts.pages} pages ({saved.get('pages')}), {counts.ledger_entries} ledger entries "
        f"({saved.get('ledger_entries')})"
    )
    status = 0
    missing = backups.missing_files()
    if missing:
        print(f"MISSING: {len(missing)} files the database names, e.g. {missing[:3]}")
        status = 1
    unbalanced = backups.books_balance()
    if unbalanced:
        print(f"UNBALANCED: {len(unbalanced)} accounts differ from their ledger")
        status = 1
    fewer = [
        name
        for name in ("documents", "pages", "ledger_entries")
        if name in saved and getattr(counts, name) < saved[name]
    ]
    if fewer:
        print(f"FEWER rows than the backup recorded: {', '.join(fewer)}")
        status = 1
    return status
