"""Keeping a search backend in step with the database (the source of truth).

Publishing indexes documents after their publish transaction has committed
(``index_documents``, then ``catch_up``); ``state`` records what each backend holds
and from which ``INDEX_VERSION``, so ``catch_up`` can index whatever was missed (a
worker killed between publishing and indexing, an index error) and drop what is no
longer public. ``rebuild`` (``wenku reindex``) starts from nothing.
Fingerprints (for near-duplicates and related documents) are made by the ingest
pipeline; ``backfill_fingerprints`` makes them for documents ingested before it had
that stage.

Searches never trust the index alone: ``state.hidden_ids`` lists documents the index
holds but the database no longer shows, and result pages are re-checked against the
database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from wenku.core import pagecache
from wenku.ingest.models import Page
from wenku.library.models import Document
from wenku.search import fingerprint, state
from wenku.search.backends import get_backend
from wenku.search.backends.base import IndexEntry, PageEntry, SearchBackend
from wenku.search.models import Fingerprint
from wenku.search.segment import segment

log = logging.getLogger(__name__)

BATCH = 50
REBUILD_BATCH = 500  # bigger batches: fewer commits (Tantivy segments) when rebuilding


def build_entry(document: Document) -> IndexEntry:
    """Segment a ready document's title, tags, description and pages."""
    pages = list(
        Page.objects.filter(conversion_id=document.conversion_id)
        .order_by("number")
        .values_list("number", "text")
    )
    title = segment(document.title)
    tags = segment(" ".join(t.name for t in document.tags.all()))
    described = segment(document.description)
    page_entries = []
    for number, text in pages:
        seg = segment(text)
        page_entries.append(PageEntry(number, seg.words, seg.subwords))
    body_words = described.words + [w for p in page_entries for w in p.words]
    body_sub = described.subwords + [w for p in page_entries for w in p.subwords]
    published = document.published_at or document.created_at
    return IndexEntry(
        document_id=document.pk,
        title_words=title.words,
        title_subwords=title.subwords,
        tags=tags.words + tags.subwords,
        body_words=body_words,
        body_subwords=body_sub,
        pages=page_entries,
        category_id=document.category_id,
        format=document.format,
        pricing=document.pricing,
        page_count=document.page_count or len(pages),
        published=int(published.timestamp()),
    )


def backfill_fingerprints(document_ids: Sequence[int] | None = None) -> int:
    """Fingerprint conversions made before the fingerprint stage existed; return how many."""
    docs = Document.objects.public().exclude(
        conversion_id__in=Fingerprint.objects.values("conversion_id")
    )
    if document_ids is not None:
        docs = docs.filter(pk__in=list(document_ids))
    done = 0
    for conversion in {d.conversion for d in docs.select_related("conversion")}:
        texts = Page.objects.filter(conversion=conversion).order_by("number")
        text = "\n".join(texts.values_list("text", flat=True))
        fingerprint.store(conversion, fingerprint.fingerprint_text(text))
        done += 1
    return done


def index_documents(document_ids: Iterable[int], backend: SearchBackend | None = None) -> int:
    """Index the ready ones among ``document_ids`` and drop the others; return how many
    were indexed."""
    backend = backend or get_backend()
    ids = list(document_ids)
    done = 0
    for start in range(0, len(ids), BATCH):
        done += _index_batch(ids[start : start + BATCH], backend)
    return done


def _index_batch(ids: Sequence[int], backend: SearchBackend) -> int:
    ready = list(
        Document.objects.public()
        .filter(pk__in=ids)
        .select_related("conversion")
        .prefetch_related("tags")
    )
    backend.index([build_entry(d) for d in ready])
    ready_ids = {d.pk for d in ready}
    backend.remove([i for i in ids if i not in ready_ids])
    state.record(backend.name, ids, ready_ids)
    pagecache.invalidate_search()  # kept search pages found what the index held before
    return len(ready)


def catch_up(backend: SearchBackend | None = None, limit: int | None = None) -> int:
    """Index what the backend missed and drop what is no longer public; return the
    number of documents indexed."""
    backend = backend or get_backend()
    gone = list(state.hidden_ids(backend.name))
    if gone:
        backend.remove(gone)
        state.forget(backend.name, gone)
        pagecache.invalidate_search()
    pending = state.pending_ids(backend.name)
    pending = pending[:limit] if limit else pending
    backfill_fingerprints(pending)
    return index_documents(pending, backend)


def rebuild(
    backend: SearchBackend | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Empty the backend and index every ready document; return how many."""
    backend = backend or get_backend()
    backend.clear()
    state.forget(backend.name)
    ids = list(Document.objects.public().order_by("pk").values_list("pk", flat=True))
    done = 0
    backend.begin_bulk()
    try:
        for start in range(0, len(ids), REBUILD_BATCH):
            done += _index_batch(ids[start : start + REBUILD_BATCH], backend)
            if progress:
                progress(min(start + REBUILD_BATCH, len(ids)), len(ids))
    finally:
        backend.end_bulk()
        pagecache.invalidate_search()  # what the bulk wrote is visible from here on
    return done


def drop_orphans(backend: SearchBackend | None = None) -> int:
    """Remove documents the backend holds that no longer exist at all (deleted rows)."""
    backend = backend or get_backend()
    held = sorted(backend.indexed_ids())
    existing: set[int] = set()
    for start in range(0, len(held), 5000):  # stay under SQLite's bound-parameter limit
        chunk = held[start : start + 5000]
        existing.update(Document.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    orphans = set(held) - existing
    backend.remove(orphans)
    return len(orphans)
