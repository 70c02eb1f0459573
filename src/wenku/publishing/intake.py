"""Every upload comes in here, whichever door it used."""

from __future__ import annotations

from typing import IO, Any

from django.db import OperationalError, transaction

from wenku.config import conf
from wenku.ingest import conversions
from wenku.ingest.intake import StoredUpload, TooLarge, Unavailable, store_upload, unavailable
from wenku.ingest.models import Status
from wenku.library import domain
from wenku.library.details import UploadDetails
from wenku.library.models import Document
from wenku.publishing.tasks import publish_upload

__all__ = ["TooLarge", "Unavailable", "retry", "upload"]


def upload(
    *,
    owner: Any,
    stream: IO[bytes],
    original_name: str,
    details: UploadDetails,
    upload_ip: str | None = None,
) -> Document:
    """Store an upload and queue its job; the document starts ``queued``.

    The bytes are stored first (raising ``TooLarge``, with nothing kept, past the site's
    limit); then, in one transaction, the conversion of those bytes is found or made (an
    identical file reuses the earlier results), the document is created and its job is
    queued — so the job exists if and only if the document does. ``Unavailable`` (a full
    disk, object storage not answering) leaves no document and no job.
    """
    stored = store_upload(stream, conf().max_upload_mb * 1024 * 1024)
    try:
        return _record(owner, stored, original_name, details, upload_ip)
    except OperationalError as exc:
        if "full" in str(exc).lower():  # SQLite: "database or disk is full"
            raise unavailable(exc) from exc
        raise


def _record(
    owner: Any,
    stored: StoredUpload,
    original_name: str,
    details: UploadDetails,
    upload_ip: str | None,
) -> Document:
    with transaction.atomic():
        conversion = conversions.for_upload(stored)
        document = domain.create_document(
            owner=owner,
            conversion=conversion,
            original_name=original_name,
            size=stored.size,
            details=details,
            upload_ip=upload_ip,
        )
        publish_upload.enqueue(document.pk)
    return document


def retry(document_id: int) -> bool:
    """A failed document is tried again (staff's button): its conversion is queued afresh
    and a new job enqueued. False when the document has not failed."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status != Status.FAILED:
            return False
        conversions.requeue(document.conversion_id)
        domain.mark_document_queued(document_id)
        publish_upload.enqueue(document_id)
    return True
