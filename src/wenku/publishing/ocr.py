"""Scanned pages get their text after the publish: the OCR job and what follows new text.

The document is readable from its publish on. ``reactions.queue_ocr`` queues
``recognise_pages`` (queue ``ocr``, priority below every upload's job) for a conversion
with pages waiting; each job recognises the next ``WENKU_OCR_PAGES_PER_JOB`` of them
(``ingest.ocr``: a child process with memory and time limits), runs what follows new
text, and queues the next job if pages remain — so a 300-page scan goes a few pages at a
time, with every upload that arrives meanwhile taken first.

What follows new text (``TEXT_CHANGED``), in order: ``recount`` (the documents' 字数),
``refingerprint`` (near-duplicates), ``recheck`` (the review looks again: banned words in
the new text, or a copy of an earlier document, send it back to review), then ``pages``
(cached pages show the new text and 字数), ``index`` and ``relate`` — the very steps that
follow a publish.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_tasks import task

from wenku.config import conf
from wenku.ingest import ocr
from wenku.ingest.models import Conversion, Status
from wenku.publishing import steps
from wenku.publishing.steps import index, pages, recheck, recount, refingerprint, relate

OCR_PRIORITY = -10  # after every waiting upload: the queue is ordered by priority first
TEXT_CHANGED: tuple[steps.Step, ...] = (recount, refingerprint, recheck, pages, index, relate)


def text_changed(conversion_id: int) -> None:
    """Run what follows new page text, in order, for the conversion's public documents."""
    steps.run(TEXT_CHANGED, conversion_id, "new text")


@dataclass(frozen=True)
class Outcome:
    summary: str
    more: bool = False  # pages still wait: queue another job


def process(conversion_id: int) -> Outcome:
    """Recognise the next few waiting pages of a ready conversion; say what was done."""
    conversion = Conversion.objects.filter(pk=conversion_id, status=Status.READY).first()
    if conversion is None:
        return Outcome("gone")
    numbers = ocr.pending_pages(conversion, conf().ocr_pages_per_job)
    if not numbers:
        return Outcome("nothing to recognise")
    results = ocr.recognise_pages(conversion, numbers)
    text_changed(conversion_id)
    failed = sum(1 for r in results if r.error)
    more = bool(ocr.pending_pages(conversion, 1))
    return Outcome(f"{len(results) - failed} pages recognised, {failed} failed", more)


@task(queue_name="ocr", priority=OCR_PRIORITY)
def recognise_pages(conversion_id: int) -> str:
    """One OCR job (see the module's docstring); queues the next one while pages wait."""
    outcome = process(conversion_id)
    if outcome.more:
        recognise_pages.enqueue(conversion_id)
    return outcome.summary
