"""Writes to the library's tables that uploads, the pipeline and users cause (Zulip's
``do_*`` actions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.db.models.functions import Coalesce, Now

from wenku.ingest.models import Conversion, Status
from wenku.library.details import UploadDetails
from wenku.library.models import Document, DocumentStatus, Tag

WAITING = (DocumentStatus.QUEUED, DocumentStatus.PROCESSING)


def create_document(
    *,
    owner: Any,
    conversion: Conversion,
    original_name: str,
    size: int,
    details: UploadDetails,
    upload_ip: str | None = None,
) -> Document:
    """A new document for an upload of ``conversion``'s bytes; it starts ``queued``.

    Publishing calls this inside the upload's transaction, which also queues its job.
    """
    original_name = Path(original_name or "document").name[:255]
    document = Document.objects.create(
        title=details.title_for(original_name),
        description=details.description,
        owner=owner,
        category=details.category,
        conversion=conversion,
        original_name=original_name,
        size=size,
        upload_ip=upload_ip,
        preview_pages=details.preview_pages,
        pricing=details.pricing,
        price=details.price,
    )
    set_tags(document, list(details.tags))
    return document


def set_tags(document: Document, names: list[str]) -> None:
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    document.tags.set(tags)


def waiting_documents(conversion_id: int) -> list[Document]:
    """The documents waiting on a conversion, oldest upload first."""
    return list(
        Document.objects.filter(conversion_id=conversion_id, status__in=WAITING)
        .select_related("owner", "conversion")
        .prefetch_related("tags")
        .order_by("created_at", "pk")
    )


def settle_documents(conversion: Conversion, decisions: Mapping[int, str]) -> int:
    """Every document waiting on a ready conversion takes its counts and the status decided
    for it: ``ready`` (published now), ``held`` (for review) or ``rejected``. A waiting
    document without a decision is held: nothing is published undecided."""
    settled = 0
    waiting = Document.objects.filter(conversion=conversion, status__in=WAITING)
    for document_id in waiting.values_list("pk", flat=True):
        status = decisions.get(document_id, DocumentStatus.HELD)
        settled += waiting.filter(pk=document_id).update(
            status=status,
            format=conversion.format,
            page_count=conversion.page_count,
            char_count=conversion.char_count,
            failure_stage="",
            failure_code="",
            failure_params={},
            published_at=Now() if status == DocumentStatus.READY else None,
        )
    return settled


def transition(document_id: int, allowed: Iterable[str], to: str) -> bool:
    """Move a document to status ``to`` if it is in one of ``allowed`` now (one conditional
    update: two moderators deciding at once cannot both succeed). Published documents keep
    their first publication time."""
    changes: dict[str, Any] = {"status": to}
    if to == DocumentStatus.READY:
        changes["published_at"] = Coalesce("published_at", Now())
    return bool(Document.objects.filter(pk=document_id, status__in=list(allowed)).update(**changes))


def set_disputed(document_id: int, disputed: bool) -> None:
    Document.objects.filter(pk=document_id).update(disputed=disputed)


def update_details(document: Document, details: UploadDetails) -> None:
    """The uploader's edit of what they said about a document (validated ``details``)."""
    document.title = details.title or document.title
    document.description = details.description
    document.category = details.category
    document.preview_pages = details.preview_pages
    document.pricing = details.pricing
    document.price = details.price
    document.save(
        update_fields=["title", "description", "category", "preview_pages", "pricing", "price"]
    )
    set_tags(document, list(details.tags))


def update_char_count(conversion: Conversion) -> int:
    """The published documents of a conversion take its 字数 again (its pages' text changed:
    OCR recognised scanned pages)."""
    return Document.objects.filter(conversion=conversion, status=Status.READY).update(
        char_count=conversion.char_count
    )


def fail_documents(conversion: Conversion) -> int:
    """Every unfinished document of a failed conversion fails with its reason."""
    return Document.objects.filter(conversion=conversion, status__in=WAITING).update(
        status=Status.FAILED,
        format=conversion.format,
        failure_stage=conversion.failure_stage,
        failure_code=conversion.failure_code,
        failure_params=conversion.failure_params,
    )


def mark_document_queued(document_id: int) -> None:
    """A failed document waits for its conversion again (it is being tried again)."""
    Document.objects.filter(pk=document_id, status=Status.FAILED).update(
        status=Status.QUEUED, failure_stage="", failure_code="", failure_params={}
    )


def mark_processing(conversion: Conversion) -> None:
    Document.objects.filter(conversion=conversion, status=Status.QUEUED).update(
        status=Status.PROCESSING
    )


def mark_queued(conversion: Conversion) -> None:
    Document.objects.filter(conversion=conversion, status=Status.PROCESSING).update(
        status=Status.QUEUED
    )
