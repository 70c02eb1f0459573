"""The stages of a publish: ingest's conversion stages, then two of publishing's own."""

from __future__ import annotations

from wenku.ingest.pipeline import Context, Job, Stage
from wenku.ingest.stages import CONVERSION_STAGES
from wenku.publishing import decisions
from wenku.search import fingerprint


class Fingerprint:
    """SHA-256 of the normalised text and its MinHash, for near-duplicate detection."""

    name = "fingerprint"

    def run(self, job: Job, ctx: Context) -> None:
        text = "\n".join(p.text for p in job.pages)
        fingerprint.store(job.conversion, fingerprint.fingerprint_text(text))


class Publish:
    """Every document waiting on the conversion is reviewed (``review.decide``: published,
    held or refused), and the conversion becomes ready with them, in one transaction: a
    document is never half published, nor public before it was decided. What follows
    happens after the commit (``reactions``)."""

    name = "publish"

    def run(self, job: Job, ctx: Context) -> None:
        decisions.settle(job.conversion, mark_ready=True)


STAGES: tuple[Stage, ...] = (*CONVERSION_STAGES, Fingerprint(), Publish())
