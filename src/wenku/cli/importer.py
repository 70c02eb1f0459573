from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wenku.library.details import UploadDetails

NAME = "import"
HELP = "Import documents from files and folders (folders recursively)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    parser.add_argument("--category", help="category name or slug for every document")
    parser.add_argument("--owner", help="username owning the documents (default: first admin)")
    parser.add_argument("--tags", default="", help="comma-separated tags for every document")
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait until every document is processed (runs the jobs here if no worker is running)",
    )


def collect(paths: Iterable[str]) -> Iterator[Path]:
    """Named files as given; folders recursively, keeping document files, skipping hidden ones."""
    from wenku.ingest.sniff import DOCUMENT_SUFFIXES  # the upload form's too

    suffixes = frozenset(DOCUMENT_SUFFIXES)
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in found.relative_to(path).parts)
                if found.is_file() and not hidden and found.suffix.lower() in suffixes:
                    yield found
        else:
            yield path


def handle(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console()
    from wenku.library.details import InvalidDetails, UploadDetails

    try:
        owner = _owner(args.owner)
        details = UploadDetails.build(category=args.category, tags=args.tags)
    except (LookupError, InvalidDetails) as exc:
        console.print(f"[red]wenku import: {exc}[/red]")
        return 2
    files = list(collect(args.paths))
    if not files:
        console.print("[yellow]No documents found.[/yellow]")
        return 1
    rows = _upload(console, files, owner, details)
    if args.wait:
        _wait(console, rows)
    _summary(console, rows)
    failed = [r for r in rows if r.status == "failed" or r.error]
    return 1 if failed else 0


class Row:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.document_id: int | None = None
        self.error = ""
        self.status = ""


def _owner(username: str | None) -> object:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise LookupError(f"no user named {username!r}")
        return user
    admin = users.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise LookupError(
            "no owner: pass --owner USER, or create an admin with `wenku manage createsuperuser`"
        )
    return admin


def _upload(console: object, files: list[Path], owner: object, details: UploadDetails) -> list[Row]:
    from rich.progress import Progress

    from wenku.publishing import intake

    rows = []
    with Progress(console=console) as progress:  # type: ignore[arg-type]
        bar = progress.add_task("Uploading", total=len(files))
        for path in files:
            row = Row(path)
            try:
                with open(path, "rb") as fh:
                    doc = intake.upload(
                        owner=owner, stream=fh, original_name=path.name, details=details
                    )
                row.document_id = doc.pk
                row.status = doc.status
            except (OSError, intake.TooLarge, intake.Refused, intake.Penalised) as exc:
                row.error = str(exc)
            rows.append(row)
            progress.advance(bar)
    return rows


def _wait(console: object, rows: list[Row]) -> None:
    from wenku.cli.waiting import wait_for_documents

    states = wait_for_documents(console, [r.document_id for r in rows if r.document_id])
    for row in rows:
        if row.document_id:
            row.status = states.get(row.document_id, row.status)


def _summary(console: object, rows: list[Row]) -> None:
    from rich.table import Table

    from wenku.ingest.counting import format_chars
    from wenku.library.models import Document

    table = Table(title="Import summary")
    for column in ("file", "id", "status", "pages", "字数", "reason"):
        table.add_column(column)
    docs = Document.objects.in_bulk([r.document_id for r in rows if r.document_id])
    for row in rows:
        doc = docs.get(row.document_id) if row.document_id else None
        status = doc.status if doc else "rejected"
        reason = row.error or (_reason(doc) if doc else "")
        style = {"ready": "green", "failed": "red", "rejected": "red"}.get(status, "yellow")
        table.add_row(
            str(row.path),
            str(row.document_id or ""),
            f"[{style}]{status}[/{style}]",
            str(doc.page_count or "") if doc else "",
            format_chars(doc.char_count) if doc and doc.char_count is not None else "",
            reason,
        )
    console.print(table)  # type: ignore[attr-defined]


def _reason(doc: Any) -> str:
    """Why a document is not published: its failure, or the review's reason."""
    review = getattr(doc, "review", None)
    return doc.failure_reason or (review.reason if review and doc.status != "ready" else "")
