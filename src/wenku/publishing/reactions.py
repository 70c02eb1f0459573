"""What follows a publish: one explicit sequence, run after the publish has committed.

The same on both paths — a file converted now, or an identical file's results reused —
and in this order (the steps are ``steps``'s):

1. ``pages``: the cached pages the new documents change (the home page, their own pages),
   so every process shows them at once;
2. ``reward``: the upload reward for the first upload of content new to the site
   (the economy decides the amount and the caps; publishing tells it whether the text is
   known, which search's fingerprints know);
3. ``index``: the documents into the search backend, then anything it missed before;
4. ``relate``: their related-document lists, and those of their nearest neighbours;
5. ``queue_ocr``: scanned pages waiting for their text get an OCR job (``ocr``: queue
   ``ocr``, behind every waiting upload), which later runs what follows new text.

Each step stands alone: a failure is logged and the next step still runs — the documents
are published whatever happens here, and what failed is caught up later (the next job
indexes what is missing; an idle worker stores missing related lists).
"""

from __future__ import annotations

from collections.abc import Sequence

from wenku.config import conf
from wenku.ingest.models import OcrState, Page
from wenku.publishing import ocr, steps
from wenku.publishing.steps import index, pages, relate, reward

__all__ = ["REACTIONS", "index", "pages", "published", "queue_ocr", "relate", "reward"]


def queue_ocr(conversion_id: int, document_ids: Sequence[int]) -> None:
    pending = Page.objects.filter(conversion_id=conversion_id, ocr=OcrState.PENDING)
    if document_ids and conf().ocr and pending.exists():
        ocr.recognise_pages.enqueue(conversion_id)


REACTIONS: tuple[steps.Step, ...] = (pages, reward, index, relate, queue_ocr)


def published(conversion_id: int) -> None:
    """Run every reaction, in order, for the public documents of ``conversion_id``."""
    steps.run(REACTIONS, conversion_id, "publishing")
