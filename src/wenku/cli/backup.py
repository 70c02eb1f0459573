"""``wenku backup DEST``: a consistent copy of the site while it runs (see ``backups``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "backup"
HELP = "Back up the database, files and search index into a folder, while the site runs."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("destination", metavar="DEST", help="backup folder (created if missing)")
    parser.add_argument(
        "--no-files",
        action="store_true",
        help="leave the stored files out (when object storage keeps its own copies)",
    )


def handle(args: argparse.Namespace) -> int:
    from django.conf import settings
    from rich.progress import Progress

    from wenku.cli import backups

    destination = Path(args.destination).expanduser().resolve()
    if not destination.exists():
        # It holds the database (password hashes, private documents) and the secret key.
        destination.mkdir(parents=True, mode=0o700)
    try:
        counts = backups.Counts.now()
        database = backups.dump_database(destination)
        database.chmod(0o600)
        print(f"database: {backups.database_kind()} snapshot → {database.name}")
        search = backups.snapshot_index(destination)
        print(f"search index: {search}")
        copied = stored = 0
        if not args.no_files:
            with Progress(transient=not sys.stdout.isatty()) as progress:
                task = progress.add_task("files", total=None)
                copied, stored = backups.copy_files_out(
                    destination, lambda _what, done, total: progress.update(
                        task, completed=done, total=total
                    )
                )  # fmt: skip
            print(f"files: {stored} in storage, {copied} copied (the rest were there already)")
        secret = Path(settings.DATA_DIR) / "secret_key"
        if secret.is_file():
            (destination / "secret_key").write_text(secret.read_text())
            (destination / "secret_key").chmod(0o600)
        manifest = backups.write_manifest(
            destination,
            database=backups.database_kind(),
            search=search,
            files=stored if not args.no_files else None,
            counts=counts.__dict__,
        )
    except backups.BackupError as exc:
        print(f"wenku backup: {exc}", file=sys.stderr)
        return 1
    print(
        f"backed up {counts.documents} documents, {counts.pages} pages and "
        f"{counts.ledger_entries} ledger entries into {destination} ({manifest['created']})"
    )
    return 0
