"""One ingest job: claim the document's conversion, run the pipeline, record the outcome.

Conversions are shared by identical uploads, so a job first claims the conversion:
- already ready: the document is published at once (results reused);
- failed for a lasting reason: the document fails with the same reason;
- being processed by a live worker: the document waits; that worker publishes it;
- otherwise this worker takes it, counting an attempt. A conversion whose worker
  died WENKU_WORKER_MAX_ATTEMPTS times is failed rather than retried forever.
"""

from __future__ import annotations

import enum
import logging

from django.db import transaction
from django.utils import timezone

from wenku.config import conf
from wenku.ingest import pipeline
from wenku.ingest.models import Conversion, Status
from wenku.ingest.runtime import get_context, worker_id
from wenku.ingest.stages import STAGES
from wenku.library import domain
from wenku.library.models import Document
from wenku.search.indexing import after_publish

log = logging.getLogger(__name__)


class Claim(enum.Enum):
    RUN = "run"
    READY = "ready"
    FAILED = "failed"
    BUSY = "busy"


def process_document(document_id: int) -> str:
    document = Document.objects.filter(pk=document_id).select_related("conversion").first()
    if document is None:
        return "gone"
    me = worker_id()
    claim = _claim(document.conversion_id, me)
    conversion = Conversion.objects.get(pk=document.conversion_id)
    if claim is Claim.READY:
        domain.publish_documents(conversion)
        after_publish(conversion.pk)
        return "reused"
    if claim is Claim.FAILED:
        domain.fail_documents(conversion)
        return "failed"
    if claim is Claim.BUSY:
        return "waiting"
    outcome = pipeline.run(conversion, document.original_name, STAGES, get_context())
    if not outcome.ok:
        record_failure(conversion, outcome.stage, outcome.code, outcome.params)
        return "failed"
    after_publish(conversion.pk)
    return "ready"


def _claim(conversion_id: int, me: str) -> Claim:
    from wenku.worker.liveness import is_alive

    max_attempts = conf().worker_max_attempts
    with transaction.atomic():
        conversion = Conversion.objects.select_for_update().get(pk=conversion_id)
        current = conversion.pipeline_version >= pipeline.PIPELINE_VERSION
        if conversion.status == Status.READY and current:
            return Claim.READY
        if conversion.status == Status.FAILED and current:
            return Claim.FAILED
        held_elsewhere = conversion.status == Status.PROCESSING and conversion.worker_id != me
        if held_elsewhere and is_alive(conversion.worker_id):
            domain.mark_processing(conversion)
            return Claim.BUSY
        if conversion.attempts >= max_attempts:
            conversion.failure_stage = "worker"
            _fail(conversion, "worker_lost", {"attempts": conversion.attempts})
            return Claim.FAILED
        conversion.status = Status.PROCESSING
        conversion.worker_id = me
        conversion.attempts += 1
        conversion.started_at = timezone.now()
        conversion.save(update_fields=["status", "worker_id", "attempts", "started_at"])
        domain.mark_processing(conversion)
        return Claim.RUN


def record_failure(conversion: Conversion, stage: str, code: str, params: dict) -> None:
    with transaction.atomic():
        conversion.failure_stage = stage
        _fail(conversion, code, params)
        domain.fail_documents(conversion)


def _fail(conversion: Conversion, code: str, params: dict) -> None:
    conversion.status = Status.FAILED
    conversion.failure_code = code
    conversion.failure_params = params
    conversion.worker_id = ""
    conversion.attempts = 0
    conversion.pipeline_version = pipeline.PIPELINE_VERSION
    conversion.finished_at = timezone.now()
    conversion.save()


def fail_unexpectedly(document_id: int) -> None:
    """A job crashed outside the pipeline's own error handling: fail, never hang."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return
    conversion = Conversion.objects.get(pk=document.conversion_id)
    if conversion.status != Status.READY:
        record_failure(conversion, "worker", "internal", {"stage": "worker"})


def release(document_id: int) -> None:
    """Hand an interrupted job back (worker stopping cleanly): nothing counts as an attempt."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return
    with transaction.atomic():
        updated = Conversion.objects.filter(
            pk=document.conversion_id, status=Status.PROCESSING, worker_id=worker_id()
        ).first()
        if updated is None:
            return
        updated.status = Status.QUEUED
        updated.worker_id = ""
        updated.attempts = max(0, updated.attempts - 1)
        updated.save(update_fields=["status", "worker_id", "attempts"])
        domain.mark_queued(updated)
