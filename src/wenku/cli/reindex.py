"""``wenku reindex``: rebuild a search index from the database (the source of truth)."""

from __future__ import annotations

import argparse
import sys

NAME = "reindex"
HELP = "Rebuild the search index from the database (after a backend or dictionary change)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=("tantivy", "postgres"),
        help="backend to rebuild (default: WENKU_SEARCH_BACKEND)",
    )
    parser.add_argument(
        "--missing",
        action="store_true",
        help="only index what the backend lacks and drop what it should not hold",
    )


def handle(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from wenku.search import indexing
    from wenku.search.backends import get_backend

    try:
        backend = get_backend(args.backend)
        fingerprinted = indexing.backfill_fingerprints()
        if fingerprinted:
            print(f"fingerprinted {fingerprinted} documents ingested before fingerprints existed")
        if args.missing:
            indexed = indexing.catch_up(backend)
            dropped = indexing.drop_orphans(backend)
            print(f"{backend.name}: indexed {indexed} documents, dropped {dropped} deleted ones")
            return 0
        columns = (
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, transient=not sys.stdout.isatty()) as progress:
            task = progress.add_task(f"indexing into {backend.name}", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            count = indexing.rebuild(backend, advance)
    except RuntimeError as exc:  # e.g. the postgres backend on a SQLite database
        print(f"wenku: {exc}", file=sys.stderr)
        return 2
    print(f"{backend.name}: indexed {count} documents")
    return 0
