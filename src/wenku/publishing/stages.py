"""The stages of a publish: ingest's conversion stages, then two of publishing's own."""

from __future__ import annotations

from django.db import transaction

from wenku.ingest import conversions
from wenku.ingest.pipeline import Context, Job, Stage
from wenku.ingest.stages import CONVERSION_STAGES
from wenku.library import domain
from wenku.search import fingerprint


class Fingerprint:
    """SHA-256 of the normalised text and its MinHash, for near-duplicate detection."""

    name = "fingerprint"

    def run(self, job: Job, ctx: Context) -> None:
        text = "\n".join(p.text for p in job.pages)
        fingerprint.store(job.conversion, fingerprint.fingerprint_text(text))


class Publish:
    """The conversion becomes ready and every document waiting on it is published, in one
    transaction: a document is never half published. What follows a publish happens
    after the commit (``reactions``)."""

    name = "publish"

    def run(self, job: Job, ctx: Context) -> None:
        with transaction.atomic():
            conversions.mark_ready(job.conversion)
            domain.publish_documents(job.conversion)


STAGES: tuple[Stage, ...] = (*CONVERSION_STAGES, Fingerprint(), Publish())
