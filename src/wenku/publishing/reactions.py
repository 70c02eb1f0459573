"""What follows a publish: one explicit sequence, run after the publish has committed.

The same on both paths — a file converted now, or an identical file's results reused —
and in this order:

1. ``pages``: the cached pages the new documents change (the home page, their own pages),
   so every process shows them at once;
2. ``reward``: the upload reward for the first upload of content new to the site
   (the economy decides the amount and the caps; publishing tells it whether the text is
   known, which search's fingerprints know);
3. ``index``: the documents into the search backend, then anything it missed before;
4. ``relate``: their related-document lists, and those of their nearest neighbours.

Each step stands alone: a failure is logged and the next step still runs — the documents
are published whatever happens here, and what failed is caught up later (the next job
indexes what is missing; an idle worker stores missing related lists).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from wenku.core import pagecache
from wenku.economy import domain as economy
from wenku.ingest.models import Status
from wenku.library.models import Document
from wenku.search import fingerprint, indexing, related

log = logging.getLogger(__name__)
CATCH_UP_LIMIT = 200


def pages(conversion_id: int, document_ids: Sequence[int]) -> None:
    pagecache.invalidate_site()
    pagecache.invalidate_documents(document_ids)


def reward(conversion_id: int, document_ids: Sequence[int]) -> None:
    first = (
        Document.objects.filter(conversion_id=conversion_id, status=Status.READY)
        .select_related("owner", "conversion")
        .order_by("created_at", "pk")
        .first()
    )
    if first is not None:
        known = bool(fingerprint.similar_conversions(conversion_id))
        economy.reward_upload(first, known_content=known)


def index(conversion_id: int, document_ids: Sequence[int]) -> None:
    indexing.index_documents(document_ids)
    indexing.catch_up(limit=CATCH_UP_LIMIT)


def relate(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The documents' related lists, then their nearest neighbours' lists, which may now
    name them (on a young site the first documents would otherwise never see the later
    ones until their lists age)."""
    related.refresh(document_ids)
    related.refresh(related.neighbours(document_ids))


Reaction = Callable[[int, Sequence[int]], None]
REACTIONS: tuple[Reaction, ...] = (pages, reward, index, relate)


def published(conversion_id: int) -> None:
    """Run every reaction, in order, for the public documents of ``conversion_id``."""
    document_ids = list(
        Document.objects.public().filter(conversion_id=conversion_id).values_list("pk", flat=True)
    )
    for reaction in REACTIONS:
        try:
            reaction(conversion_id, document_ids)
        except Exception:
            log.exception(
                "%s after publishing conversion %s failed", reaction.__name__, conversion_id
            )
