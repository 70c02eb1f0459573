"""``wenku migrate-data --to postgresql://…``: move a library into scale mode's database.

Stop the site first. The target must be a new, empty PostgreSQL database (or one this
command filled before: ``--force`` fills it again). It is migrated, then every table is
copied row for row with its keys (``core.dbcopy``), and checked: the same rows in every
table, every account's balance equal to the sum of its ledger entries, the same pages.
Files stay where they are (the same data folder, or object storage); afterwards set
``WENKU_DATABASE_URL`` to the target and start Wenku.
"""

from __future__ import annotations

import argparse
import sys

NAME = "migrate-data"
HELP = "Copy this site's database into a new PostgreSQL database (moving to scale mode)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to", required=True, metavar="URL", help="postgresql://user:password@host:5432/dbname"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite a target that already holds documents"
    )


def handle(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from rich.progress import Progress

    from wenku.cli import backups
    from wenku.config import conf
    from wenku.core import dbcopy
    from wenku.core.datadir import database_settings
    from wenku.library.models import Document
    from wenku.worker.models import Heartbeat

    target = database_settings(args.to, settings.DATA_DIR)
    if target["ENGINE"] != "django.db.backends.postgresql":
        print("wenku migrate-data: --to must be a postgresql:// URL", file=sys.stderr)
        return 2
    if Heartbeat.objects.alive(conf().worker_lease_seconds).exists():
        print("wenku migrate-data: workers are running: stop the site first", file=sys.stderr)
        return 1
    dbcopy.add_database("target", {**target, "CONN_MAX_AGE": 0})
    try:
        call_command("migrate", database="target", interactive=False, verbosity=0)
        if Document.objects.using("target").exists() and not args.force:
            print(
                "wenku migrate-data: the target already holds documents (--force replaces them)",
                file=sys.stderr,
            )
            return 1
        with Progress(transient=not sys.stdout.isatty()) as progress:
            task = progress.add_task("copying", total=None)

            def advance(table: str, done: int, total: int) -> None:
                progress.update(task, description=table, completed=done, total=total)

            counts = dbcopy.copy_all("default", "target", advance)
        source, copied = backups.Counts.now(), backups.Counts.now("target")
        unbalanced = backups.books_balance("target")
    finally:
        connections["target"].close()
    bad = [c for c in counts if not c.same]
    for c in counts:
        if c.source:
            print(f"  {c.table:40} {c.source:>10} → {c.target:>10}{'' if c.same else '  DIFFERS'}")
    print(
        f"copied {copied.documents} documents ({copied.ready_documents} published), "
        f"{copied.pages} pages, {copied.ledger_entries} ledger entries, "
        f"{copied.points} points in balances"
    )
    if bad or unbalanced or copied != source:
        print("wenku migrate-data: the copy differs from the source (see above)", file=sys.stderr)
        return 1
    print(
        "Done. Now set WENKU_DATABASE_URL to the new database and start Wenku; to search in "
        "PostgreSQL too, set WENKU_SEARCH_BACKEND=postgres and run `wenku reindex`."
    )
    return 0
