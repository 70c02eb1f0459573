"""``wenku demo``: fill a new library with realistic sample documents.

Seeds the default category tree (only if the site has no categories), creates the
demo uploaders, generates documents in every supported format (deterministic for
``--seed``), uploads them through the normal pipeline from addresses in several
provinces, waits for processing like ``wenku import --wait`` and prints a summary.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wenku.config import conf

NAME = "demo"
HELP = "Fill the library with sample documents in every format (for a first look or a demo)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wenku.demo.catalogue import DEFAULT_COUNT

    parser.add_argument(
        "--count",
        type=int,
        default=DEFAULT_COUNT,
        metavar="N",
        help=f"documents to add (default {DEFAULT_COUNT}; the first 14 cover every format)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="generate the same documents again for the same seed (default: a new seed)",
    )
    parser.add_argument(
        "--no-wait", action="store_true", help="upload and return without waiting for processing"
    )


@dataclass
class Row:
    title: str
    format: str
    category: str
    uploader: str
    upload_ip: str
    document_id: int | None = None
    error: str = ""


def handle(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from rich.console import Console

    from wenku.demo.categories import seed_categories
    from wenku.demo.economy import ensure_plans, ensure_reader
    from wenku.demo.office import ConversionFailed, OfficeMissing
    from wenku.demo.people import ensure_uploaders

    console = Console()
    if args.count < 1:
        console.print("[red]wenku demo: --count must be at least 1[/red]")
        return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 1_000_000)
    call_command("migrate", interactive=False, verbosity=0)
    seeded = seed_categories()
    console.print(
        "Categories: the site already has a tree; left as it is."
        if seeded.skipped
        else f"Categories: created the default tree ({seeded.created} categories)."
    )
    users = ensure_uploaders()
    plans = ensure_plans()
    reader, password = ensure_reader()
    settings.DATA_DIR.joinpath("tmp").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="demo-", dir=settings.DATA_DIR / "tmp") as tmp:
        try:
            files = _generate(console, Path(tmp), args.count, seed)
        except (OfficeMissing, ConversionFailed) as exc:
            console.print(f"[red]wenku demo: {exc}[/red]")
            return 1
        rows = _upload(console, files, users)
    ids = [r.document_id for r in rows if r.document_id]
    if not args.no_wait and ids:
        from wenku.cli.waiting import wait_for_documents

        wait_for_documents(console, ids)
    code = _summary(console, rows, seed, waited=not args.no_wait)
    if plans:
        console.print(f"VIP plans: created {plans} (edit them in the admin).")
    if password:
        console.print(
            f"A reader with points to spend: log in as [bold]{reader.username}[/bold] with "
            f"the password [bold]{password}[/bold] (shown once)."
        )
    return code


def _generate(console: Any, folder: Path, count: int, seed: int) -> list[Any]:
    from rich.progress import Progress

    from wenku.demo.catalogue import plan
    from wenku.demo.generate import SOURCE, generate

    targets = {s.format for s in plan(count) if SOURCE[s.format] != s.format}
    with Progress(console=console) as progress:
        bar = progress.add_task(f"Writing (seed {seed})", total=count + len(targets))
        return generate(
            folder,
            count,
            seed,
            soffice=conf().soffice,
            progress=lambda step: progress.advance(bar),
        )


def _upload(console: Any, files: list[Any], users: dict[str, Any]) -> list[Row]:
    from rich.progress import Progress

    from wenku.demo.categories import find_category
    from wenku.demo.economy import pricing_for
    from wenku.library.details import UploadDetails
    from wenku.publishing import intake

    rows = []
    with Progress(console=console) as progress:
        bar = progress.add_task("Uploading", total=len(files))
        for index, file in enumerate(files):
            row = Row(file.title, file.format, file.category, file.uploader, file.upload_ip)
            pricing, price = pricing_for(index)
            try:
                with open(file.path, "rb") as fh:
                    details = UploadDetails.build(
                        title=file.title,
                        description=file.description,
                        category=find_category(file.category),
                        tags=file.tags,
                        pricing=pricing,
                        price=price,
                    )
                    doc = intake.upload(
                        owner=users[file.uploader],
                        stream=fh,
                        original_name=file.original_name,
                        details=details,
                        upload_ip=file.upload_ip,
                    )
                row.document_id = doc.pk
            except (OSError, intake.TooLarge) as exc:
                row.error = str(exc)
            rows.append(row)
            progress.advance(bar)
    return rows


def _summary(console: Any, rows: list[Row], seed: int, waited: bool) -> int:
    from rich.table import Table

    from wenku.core.geo import province
    from wenku.ingest.counting import format_chars
    from wenku.library.models import Document

    docs = Document.objects.select_related("category").in_bulk(
        [r.document_id for r in rows if r.document_id]
    )
    table = Table(title=f"Demo documents (seed {seed})")
    columns = ("id", "title", "format", "category", "uploader", "place", "status", "pages", "字数")
    for column in columns:
        table.add_column(column)
    failed = 0
    for row in rows:
        doc = docs.get(row.document_id) if row.document_id else None
        status = doc.status if doc else "rejected"
        failed += status in ("failed", "rejected")
        style = {"ready": "green", "failed": "red", "rejected": "red"}.get(status, "yellow")
        reason = row.error or (doc.failure_reason if doc else "")
        table.add_row(
            str(row.document_id or ""),
            row.title,
            row.format,
            doc.category.name if doc and doc.category else "",
            row.uploader,
            province(row.upload_ip),
            f"[{style}]{status}[/{style}]" + (f" {reason}" if reason else ""),
            str(doc.page_count or "") if doc else "",
            format_chars(doc.char_count) if doc and doc.char_count is not None else "",
        )
    console.print(table)
    ready = sum(1 for d in docs.values() if d.status == "ready")
    console.print(
        f"{ready} of {len(rows)} documents ready"
        + ("" if waited else " (not waiting: a worker processes the rest)")
        + f". Same documents again: wenku demo --seed {seed} --count {len(rows)}"
    )
    return 1 if failed else 0
