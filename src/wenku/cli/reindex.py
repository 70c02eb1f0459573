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
    parser.add_argument(
        "--related",
        action="store_true",
        help="then compute every document's related documents now "
        "(otherwise an idle worker does, a few at a time)",
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
            return _related() if args.related else 0
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
    return _related() if args.related else 0


def _related() -> int:
    from rich.progress import track

    from wenku.library.models import Document
    from wenku.search import related

    ids = list(Document.objects.public().values_list("pk", flat=True))
    batches = [ids[i : i + 100] for i in range(0, len(ids), 100)]
    stored = sum(
        related.refresh(batch)
        for batch in track(batches, "related documents", transient=not sys.stdout.isatty())
    )
    print(f"stored the related documents of {stored} documents")
    return 0
