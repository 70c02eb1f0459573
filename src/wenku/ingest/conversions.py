"""The life of a ``Conversion``: created for stored bytes, claimed by one worker, then
ready or failed. Every write to the table happens here.

Conversions are shared by identical uploads, so a worker first claims one:
- already ready (from the current pipeline): nothing to run, results are reused;
- failed for a lasting reason: the same reason applies;
- being processed by a live worker: that worker finishes it;
- otherwise this worker takes it, counting an attempt. A conversion whose worker
  died WENKU_WORKER_MAX_ATTEMPTS times is failed rather than retried forever.
"""

from __future__ import annotations

import enum

from django.utils import timezone

from wenku.config import conf
from wenku.ingest.intake import StoredUpload
from wenku.ingest.models import Conversion, Status
from wenku.ingest.pipeline import PIPELINE_VERSION
from wenku.worker.liveness import is_alive

# Failures worth another try when the same file is uploaded again.
RETRYABLE_FAILURES = frozenset(
    {"convert_timeout", "convert_crashed", "converter_unavailable", "worker_lost", "internal"}
)


class Claim(enum.Enum):
    RUN = "run"  # this worker converts it now
    READY = "ready"  # converted already: reuse
    FAILED = "failed"  # failed for a lasting reason
    BUSY = "busy"  # a live worker is converting it


def for_upload(stored: StoredUpload) -> Conversion:
    """The conversion of these bytes, created if new; one that failed for a passing reason
    or was made by an older pipeline is queued again (call inside the upload's
    transaction)."""
    conversion, _ = Conversion.objects.get_or_create(
        sha256=stored.sha256, defaults={"size": stored.size}
    )
    stale = conversion.status in (Status.READY, Status.FAILED) and (
        conversion.pipeline_version < PIPELINE_VERSION
        or conversion.failure_code in RETRYABLE_FAILURES
    )
    if stale:
        Conversion.objects.filter(pk=conversion.pk).update(
            status=Status.QUEUED, attempts=0, worker_id=""
        )
        conversion.refresh_from_db()
    return conversion


def claim(conversion_id: int, worker: str) -> tuple[Claim, Conversion]:
    """Decide, under a row lock, who converts this conversion (see the module's docstring).
    Call inside a transaction that also marks its documents."""
    conversion = Conversion.objects.select_for_update().get(pk=conversion_id)
    current = conversion.pipeline_version >= PIPELINE_VERSION
    if conversion.status == Status.READY and current:
        return Claim.READY, conversion
    if conversion.status == Status.FAILED and current:
        return Claim.FAILED, conversion
    held_elsewhere = conversion.status == Status.PROCESSING and conversion.worker_id != worker
    if held_elsewhere and is_alive(conversion.worker_id):
        return Claim.BUSY, conversion
    if conversion.attempts >= conf().worker_max_attempts:
        fail(conversion, "worker", "worker_lost", {"attempts": conversion.attempts})
        return Claim.FAILED, conversion
    conversion.status = Status.PROCESSING
    conversion.worker_id = worker
    conversion.attempts += 1
    conversion.started_at = timezone.now()
    conversion.save(update_fields=["status", "worker_id", "attempts", "started_at"])
    return Claim.RUN, conversion


def requeue(conversion_id: int) -> None:
    """A failed conversion is queued afresh (a person asked to try it again)."""
    Conversion.objects.filter(pk=conversion_id, status=Status.FAILED).update(
        status=Status.QUEUED, attempts=0, worker_id=""
    )


def fail(conversion: Conversion, stage: str, code: str, params: dict) -> None:
    """Record a lasting failure, with the stage and a reason the uploader can read."""
    conversion.status = Status.FAILED
    conversion.failure_stage = stage
    conversion.failure_code = code
    conversion.failure_params = params
    conversion.worker_id = ""
    conversion.attempts = 0
    conversion.pipeline_version = PIPELINE_VERSION
    conversion.finished_at = timezone.now()
    conversion.save()


def mark_ready(conversion: Conversion) -> None:
    """The pipeline finished: the conversion is ready (call inside the publish transaction)."""
    Conversion.objects.filter(pk=conversion.pk).update(
        status=Status.READY,
        page_count=conversion.page_count,
        char_count=conversion.char_count,
        pipeline_version=PIPELINE_VERSION,
        failure_stage="",
        failure_code="",
        failure_params={},
        worker_id="",
        attempts=0,
        finished_at=timezone.now(),
    )
    conversion.refresh_from_db()


def release(conversion_id: int, worker: str) -> Conversion | None:
    """Hand back a conversion this worker holds (it is stopping cleanly): queued again, the
    attempt not counted. The conversion, or None when this worker did not hold it."""
    held = (
        Conversion.objects.select_for_update()
        .filter(pk=conversion_id, status=Status.PROCESSING, worker_id=worker)
        .first()
    )
    if held is None:
        return None
    held.status = Status.QUEUED
    held.worker_id = ""
    held.attempts = max(0, held.attempts - 1)
    held.save(update_fields=["status", "worker_id", "attempts"])
    return held
