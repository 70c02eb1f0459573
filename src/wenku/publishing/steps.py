"""The steps that follow a change to a published conversion, and their runner.

Each step takes the conversion and its public documents and stands alone: a failure is
logged and the next step still runs — the documents stay published whatever happens
here, and what failed is caught up later (the next job indexes what is missing; an idle
worker stores missing related lists). Two sequences are made of them: what follows a
publish (``reactions.REACTIONS``) and what follows new page text (``ocr.TEXT_CHANGED``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction

from wenku.core import pagecache
from wenku.economy import domain as economy
from wenku.ingest.models import Conversion, Page, Status
from wenku.library import domain as library
from wenku.library.models import Document, DocumentStatus
from wenku.moderation import domain as moderation
from wenku.moderation import flags as autoflags
from wenku.moderation.models import Review
from wenku.publishing import review
from wenku.search import fingerprint, indexing, related

log = logging.getLogger(__name__)
CATCH_UP_LIMIT = 200

Step = Callable[[int, Sequence[int]], None]


def pages(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The cached pages the documents change (the home page, their own pages), so every
    process shows them at once."""
    pagecache.invalidate_site()
    pagecache.invalidate_documents(document_ids)


def junk(document: Document) -> bool:
    """Did the review flag the document as junk (empty, tiny, text-less, only a table of
    contents)? Junk earns no upload reward."""
    review = Review.objects.filter(document=document).first()
    return bool(review and autoflags.is_junk(review.flags))


def reward(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The upload reward for the first upload of content new to the site — publishing
    without review is an approval — with real content (the economy decides the amount and
    the caps; search's fingerprints know whether the text is new, the review whether it is
    junk)."""
    first = (
        Document.objects.filter(conversion_id=conversion_id, status=Status.READY)
        .select_related("owner", "conversion")
        .order_by("created_at", "pk")
        .first()
    )
    if first is not None:
        known = bool(fingerprint.similar_conversions(conversion_id))
        economy.reward_upload(first, known_content=known, junk=junk(first))


def index(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The documents into the search backend, then anything it missed before."""
    indexing.index_documents(document_ids)
    indexing.catch_up(limit=CATCH_UP_LIMIT)


def relate(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The documents' related lists, then their nearest neighbours' lists, which may now
    name them (on a young site the first documents would otherwise never see the later
    ones until their lists age); the lists of the other documents they may now belong to
    are made due for the idle worker (``related.relatives``), which keeps publishing
    quick. The refreshed documents' kept pages show their new lists at once."""
    related.refresh(document_ids)
    nearest = related.neighbours(document_ids)
    related.refresh(nearest)
    related.make_due(set(related.relatives(document_ids)) - set(nearest))
    pagecache.invalidate_documents(nearest)


def recount(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The documents' 字数 from their conversion's pages."""
    library.update_char_count(Conversion.objects.get(pk=conversion_id))


def refingerprint(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The conversion's fingerprint from its pages' text (near-duplicates, related)."""
    texts = Page.objects.filter(conversion_id=conversion_id).order_by("number")
    text = "\n".join(texts.values_list("text", flat=True))
    conversion = Conversion.objects.get(pk=conversion_id)
    fingerprint.store(conversion, fingerprint.fingerprint_text(text))


def recheck(conversion_id: int, document_ids: Sequence[int]) -> None:
    """The review again, now that the text is known (``review.after_new_text``): a scan
    whose recognised text holds banned words, or copies an earlier document, goes back to
    review — out of search and the site's lists — with the reason in 我的上传 and the
    step in the audit log."""
    held = []
    for document in Document.objects.filter(pk__in=document_ids, status=DocumentStatus.READY):
        verdict = review.after_new_text(document)
        if verdict is None:
            continue
        with transaction.atomic():
            moved = library.transition(document.pk, [DocumentStatus.READY], DocumentStatus.HELD)
            if not moved:
                continue
            moderation.record_review(
                document,
                state=verdict.review_state,
                flags=verdict.flags,
                similarity=verdict.found.best,
                matches=verdict.found.as_rows(),
                reason=verdict.reason,
            )
            moderation.audit(None, "hold_after_ocr", document=document, note=verdict.reason)
        held.append(document.pk)
    if held:
        pagecache.invalidate_all()  # held: it leaves other documents' pages too
        indexing.index_documents(held)


def run(steps: Sequence[Step], conversion_id: int, after: str) -> None:
    """Every step, in order, for the public documents of ``conversion_id``."""
    document_ids = list(
        Document.objects.public().filter(conversion_id=conversion_id).values_list("pk", flat=True)
    )
    for step in steps:
        try:
            step(conversion_id, document_ids)
        except Exception:
            log.exception(
                "%s after %s of conversion %s failed", step.__name__, after, conversion_id
            )
