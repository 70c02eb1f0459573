"""One upload's job: claim its conversion, run the stages, record how it ended.

Conversions are shared by identical uploads (``ingest.conversions``): a job whose
conversion is ready publishes at once (results reused), one whose conversion failed
for a lasting reason fails with the same reason, one whose conversion another live
worker is converting waits for that worker to publish it; otherwise this worker runs
the stages. Either way a publish is followed by the same ``reactions``.
"""

from __future__ import annotations

import logging

from django.db import transaction

from wenku.ingest import conversions, pipeline
from wenku.ingest.conversions import Claim
from wenku.ingest.models import Conversion, Status
from wenku.ingest.runtime import get_context
from wenku.library import domain
from wenku.library.models import Document
from wenku.publishing import decisions
from wenku.publishing.stages import STAGES
from wenku.worker import liveness

log = logging.getLogger(__name__)


def process(document_id: int) -> str:
    """Run the job of one document; say what became of it."""
    document = Document.objects.filter(pk=document_id).only("conversion", "original_name").first()
    if document is None:
        return "gone"
    with transaction.atomic():
        claim, conversion = conversions.claim(document.conversion_id, liveness.current())
        if claim is Claim.FAILED:
            domain.fail_documents(conversion)
        else:
            domain.mark_processing(conversion)
    if claim is Claim.READY:
        decisions.settle(conversion)
        return "reused"
    if claim is Claim.FAILED:
        return "failed"
    if claim is Claim.BUSY:
        return "waiting"
    outcome = pipeline.run(conversion, document.original_name, STAGES, get_context())
    if not outcome.ok:
        record_failure(conversion, outcome.stage, outcome.code, outcome.params)
        return "failed"
    return "ready"


def record_failure(conversion: Conversion, stage: str, code: str, params: dict) -> None:
    with transaction.atomic():
        conversions.fail(conversion, stage, code, params)
        domain.fail_documents(conversion)


def fail_unexpectedly(document_id: int) -> None:
    """A job crashed outside the pipeline's own error handling: fail, never hang."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return
    conversion = Conversion.objects.get(pk=document.conversion_id)
    if conversion.status != Status.READY:
        record_failure(conversion, "worker", "internal", {"stage": "worker"})


def release(document_id: int) -> None:
    """Hand an interrupted job back (the worker is stopping cleanly): the conversion and
    its documents are queued again and nothing counts as an attempt."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return
    with transaction.atomic():
        released = conversions.release(document.conversion_id, liveness.current())
        if released is not None:
            domain.mark_queued(released)
