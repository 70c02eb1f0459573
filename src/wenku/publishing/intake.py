"""Every upload comes in here, whichever door it used."""

from __future__ import annotations

from typing import IO, Any

from django.db import OperationalError, transaction
from django.utils.translation import gettext as _

from wenku.config import conf
from wenku.core import ratelimit
from wenku.ingest import conversions
from wenku.ingest.intake import StoredUpload, TooLarge, Unavailable, store_upload, unavailable
from wenku.ingest.models import Status
from wenku.library import domain
from wenku.library.details import UploadDetails
from wenku.library.models import Document, DocumentStatus
from wenku.moderation import domain as moderation
from wenku.moderation import penalties, words
from wenku.moderation.models import Policy, WordAction
from wenku.moderation.penalties import Penalised
from wenku.publishing.tasks import publish_upload

__all__ = ["Penalised", "Refused", "TooLarge", "Unavailable", "limit", "retry", "upload"]


class Refused(Exception):
    """The upload is not accepted; the message says why, ``original`` is the document it
    copies (when that is the reason)."""

    def __init__(self, message: str, original: Document | None = None) -> None:
        super().__init__(message)
        self.original = original


def upload(
    *,
    owner: Any,
    stream: IO[bytes],
    original_name: str,
    details: UploadDetails,
    upload_ip: str | None = None,
) -> Document:
    """Store an upload and queue its job; the document starts ``queued``.

    Refused at once (``Penalised``, ``Refused``), before anything is stored: an uploader
    under a penalty; details with blocked words; the very file of a document that was
    taken down, or that is published (the same uploader: "您已上传过该文档", with a link).
    The bytes are then stored (raising ``TooLarge``, with nothing kept, past the site's
    limit); then, in one transaction, the conversion of those bytes is found or made (an
    identical file reuses the earlier results), the document is created and its job is
    queued — so the job exists if and only if the document does. ``Unavailable`` (a full
    disk, object storage not answering) leaves no document and no job. Copies of the text
    in another file are found once it is converted (``review``).
    """
    penalties.check(owner, "upload")
    if words.find(details.title, details.description, " ".join(details.tags)).action == (
        WordAction.BLOCK
    ):
        raise Refused(_("The title, description or tags contain words that are not allowed."))
    stored = store_upload(stream, conf().max_upload_mb * 1024 * 1024)
    _refuse_known_file(owner, stored.sha256)
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


def _refuse_known_file(owner: Any, sha256: str) -> None:
    same = Document.objects.filter(conversion__sha256=sha256).order_by("published_at", "pk")
    if same.filter(status=DocumentStatus.TAKEN_DOWN).exists():
        raise Refused(
            _("This file was taken down after a copyright notice and cannot be uploaded again.")
        )
    mine = same.filter(owner=owner, status__in=[DocumentStatus.READY, DocumentStatus.HELD])
    if (found := mine.first()) is not None:
        raise Refused(_("You have already uploaded this document."), found)
    published = same.filter(status=DocumentStatus.READY).first()
    if published is not None and Policy.current().refuse_exact_copies:
        raise Refused(_("An identical document is already published."), published)


def limit(owner: Any, ip: str | None) -> None:
    """The site's and the API's upload rate limits, per user and per client address
    (``RateLimited``). ``wenku import`` and the demo are not limited."""
    ratelimit.enforce("upload", str(owner.pk), conf().rate_upload_user)
    if ip:
        ratelimit.enforce("upload-ip", ip, conf().rate_upload_ip)


def retry(document_id: int, actor: Any = None) -> bool:
    """A failed document is tried again (staff's button): its conversion is queued afresh
    and a new job enqueued, the step in the audit log. False when the document has not
    failed."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status != Status.FAILED:
            return False
        conversions.requeue(document.conversion_id)
        domain.mark_document_queued(document_id)
        publish_upload.enqueue(document_id)
        moderation.audit(actor, "retry", document=document_id)
    return True
