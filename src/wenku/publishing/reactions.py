"""What follows a decision about documents: explicit, ordered sequences, each run after
its decision has committed (``decisions``), never wired by signals.

``published`` — after a conversion's documents are settled (converted now, or an
identical file's results reused), for those that are public, in this order (the steps
are ``steps``'s):

1. ``pages``: the cached pages the new documents change (the home page, their own pages),
   so every process shows them at once;
2. ``reward``: the upload reward — publishing without review is an approval — for the
   first upload of content new to the site with real content (the economy decides the
   amount and the caps; publishing tells it whether the text is known, which search's
   fingerprints know, and whether the review flagged it as junk);
3. ``index``: the documents into the search backend, then anything it missed before;
4. ``relate``: their related-document lists, and those of their nearest neighbours;
5. ``queue_ocr``: scanned pages waiting for their text get an OCR job (``ocr``: queue
   ``ocr``, behind every waiting upload), which later runs what follows new text.

The other sequences (``approved``, ``rejected``, ``taken_down`` …) are listed below,
each in its order. Each step stands alone: a failure is logged and the next step still
runs — the decision stands whatever happens here, and what failed is caught up later
(the next job indexes what is missing; an idle worker stores missing related lists).
What people are told is a notification code (``notifications.messages``), worded when
it is read, in the reader's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.urls import reverse

from wenku.config import conf
from wenku.core import pagecache
from wenku.economy import domain as economy
from wenku.ingest.models import OcrState, Page
from wenku.library.models import Document
from wenku.moderation.models import Notice
from wenku.notifications.domain import notify
from wenku.notifications.models import Kind
from wenku.publishing import ocr, steps
from wenku.publishing.steps import index, pages, relate, reward
from wenku.search import fingerprint, indexing

__all__ = ["REACTIONS", "index", "pages", "published", "queue_ocr", "relate", "reward"]
log = logging.getLogger(__name__)


def queue_ocr(conversion_id: int, document_ids: Sequence[int]) -> None:
    pending = Page.objects.filter(conversion_id=conversion_id, ocr=OcrState.PENDING)
    if document_ids and conf().ocr and pending.exists():
        ocr.recognise_pages.enqueue(conversion_id)


REACTIONS: tuple[steps.Step, ...] = (pages, reward, index, relate, queue_ocr)


def published(conversion_id: int) -> None:
    """Run every reaction, in order, for the public documents of ``conversion_id``."""
    steps.run(REACTIONS, conversion_id, "publishing")


# --- the sequences of the other decisions


def _run(name: str, sequence: Sequence[Callable[[], Any]]) -> None:
    for step in sequence:
        try:
            step()
        except Exception:
            log.exception("%s: %s failed", name, getattr(step, "__name__", step))


def _pages(document_id: int) -> Callable[[], None]:
    """The cached pages a decision about a document changes: every kept page, since other
    documents' pages list it (related lists, 最近下载) and a takedown must leave them at
    once; decisions are rare beside reads."""

    def drop_cached_pages() -> None:
        pagecache.invalidate_all()

    return drop_cached_pages


def _document(document_id: int) -> Document:
    return Document.objects.select_related("owner", "conversion").get(pk=document_id)


def _tell(doc: Document, kind: Kind, code: str, url: str = "", **params: Any) -> Callable[[], None]:
    def tell_uploader() -> None:
        notify(
            doc.owner, kind, code=code, params={"title": doc.title, **params}, document=doc, url=url
        )

    return tell_uploader


def _tell_reporter(notice: Notice, code: str, **params: Any) -> Callable[[], None]:
    def tell_reporter() -> None:
        if notice.reporter_id is None:
            return
        doc = Document.objects.get(pk=notice.document_id)
        notify(
            notice.reporter,
            Kind.NOTICE,
            code=code,
            params={"n": notice.pk, "title": doc.title, **params},
            document=doc,
        )

    return tell_reporter


# --- review


def approved(document_id: int) -> None:
    """cached pages, reward (approval pays it), index, relate, tell the uploader."""
    doc = _document(document_id)
    _run(
        "approved",
        [
            _pages(doc.pk),
            lambda: economy.reward_upload(
                doc,
                known_content=bool(fingerprint.similar_conversions(doc.conversion_id)),
                junk=steps.junk(doc),
            ),
            lambda: index(doc.conversion_id, [doc.pk]),
            lambda: relate(doc.conversion_id, [doc.pk]),
            _tell(doc, Kind.APPROVED, "doc_approved"),
        ],
    )


def rejected(document_id: int, reason: str) -> None:
    """cached pages, out of the index, tell the uploader why."""
    doc = _document(document_id)
    _run(
        "rejected",
        [
            _pages(doc.pk),
            lambda: indexing.index_documents([doc.pk]),
            _tell(doc, Kind.REJECTED, "doc_rejected", reason=reason),
        ],
    )


def refused(document_id: int, reason: str) -> None:
    """An upload refused when it was converted (an exact copy, blocked words): tell why."""
    doc = _document(document_id)
    _run("refused", [_tell(doc, Kind.REJECTED, "doc_refused", reason=reason)])


# --- notices


def taken_down(notice: Notice) -> None:
    """cached pages dropped, out of the index (pages, search, related lists, feeds,
    sitemaps and downloads read the status at once), tell the uploader with the notice and
    how to answer it, tell the claimant."""
    doc = _document(notice.document_id)
    counter_url = reverse("desk:counter_notice", args=[notice.pk])
    _run(
        "taken down",
        [
            _pages(doc.pk),
            lambda: indexing.index_documents([doc.pk]),
            _tell(
                doc,
                Kind.TAKEN_DOWN,
                "doc_taken_down_notice",
                counter_url,
                claimant=notice.claimant_name,
                work=notice.work[:200],
            ),
            _tell_reporter(notice, "notice_taken_down"),
        ],
    )


def countered(notice: Notice) -> None:
    """Forward the counter-notice to the claimant (art. 17)."""
    _run(
        "counter-notice",
        [_tell_reporter(notice, "notice_countered", statement=notice.counter_statement[:300])],
    )


def restored(notice: Notice) -> None:
    """cached pages, index, relate, tell the uploader and the claimant."""
    doc = _document(notice.document_id)
    _run(
        "restored",
        [
            _pages(doc.pk),
            lambda: index(doc.conversion_id, [doc.pk]),
            lambda: relate(doc.conversion_id, [doc.pk]),
            _tell(doc, Kind.RESTORED, "doc_restored"),
            _tell_reporter(notice, "notice_restored"),
        ],
    )


def dispute_ended(notice: Notice, *, kept: bool) -> None:
    """The uploader's held earnings on the document are paid (the document stays or comes
    back) or cancelled (the takedown stands); the claimant hears of a rejected notice."""
    doc = _document(notice.document_id)
    sequence: list[Callable[[], Any]] = []
    if not doc.disputed:
        sequence.append(
            (lambda: economy.release_held(doc)) if kept else (lambda: economy.forfeit_held(doc))
        )
    if notice.state == "rejected":
        sequence.append(_tell_reporter(notice, "notice_rejected"))
    _run("dispute ended", sequence)


# --- other removals and changes


def removed(document_id: int, note: str) -> None:
    """A reported document taken down by a moderator: out of the index, tell the uploader."""
    doc = _document(document_id)
    _run(
        "removed",
        [
            _pages(doc.pk),
            lambda: indexing.index_documents([doc.pk]),
            _tell(doc, Kind.TAKEN_DOWN, "doc_taken_down", reason=note),
        ],
    )


def withdrawn(document_id: int) -> None:
    """Deleted by its uploader: cached pages, out of the index."""
    _run("withdrawn", [_pages(document_id), lambda: indexing.index_documents([document_id])])


def edited(document_id: int) -> None:
    """New details: cached pages, indexed again (or dropped, if the edit sent it back to
    review)."""
    _run("edited", [_pages(document_id), lambda: indexing.index_documents([document_id])])
