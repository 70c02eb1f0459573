"""Related documents ("您可能关注的文档"): content first, diverse, never a copy of itself.

Sources each propose scored candidates; their ranked lists are fused (weighted
reciprocal-rank fusion), each an entry of ``SOURCES``:

- ``content``: BM25 more-like-this — the document's keywords (its most frequent body
  words and its title words, weighted by TF·IDF with the backend's document
  frequencies) as one weighted OR query over titles and bodies;
- ``co-downloads``: documents that at least three of the document's signed-in
  downloaders also downloaded (``economy.queries.co_downloads``), interleaved with
  content by the fusion (a document both propose rises above either alone);
- ``category``: documents of its category, then of its parent's (weighted half), so
  the list stays on the document's topic on a young site.

The document itself, its near-duplicates (MinHash, ``fingerprint``) and other
uploads of the same file are excluded; among the rest at most one per near-duplicate
cluster and per title stem, and at most ``PER_UPLOADER`` per uploader, are kept.
Lists are stored (``RelatedList``, the first ``STORED`` ids) so that the document page
reads one row: the worker computes them after indexing, together with the lists of the
document's nearest neighbours (``neighbours``: a new document joins their lists at once);
the lists of the documents it may now belong to without their being on its own list
(``relatives``: its best candidates from every source, the relations being nearly
symmetric) are made due at once (``make_due``), and the worker, when idle, refreshes
due lists: missing, made due, then older than WENKU_RELATED_REFRESH_SECONDS
(``refresh_due``). A document without a list yet gets one computed on the spot (a few
milliseconds on Tantivy) and kept in the process's cache, never written from the request.
The documents' current status is applied on every call, so a taken-down document never
shows.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from wenku.config import conf
from wenku.core.prepared import INT, Prepared
from wenku.economy.queries import co_downloads
from wenku.library import categories
from wenku.library.models import Document
from wenku.search import fingerprint
from wenku.search.backends import get_backend
from wenku.search.models import Fingerprint, RelatedList
from wenku.search.segment import words
from wenku.search.state import hidden_ids

QUERY_TERMS = 24
STORED = 10  # ids kept per document: the page shows 10
UNSTORED_CACHE_SECONDS = 300  # a list computed on the spot, until the worker stores one
CANDIDATES = 60
RELATIVES = 10  # per source: the documents whose lists a new one may enter
# What ``make_due`` sets: older than any list's age, so made-due lists come first.
OUTDATED = datetime(2000, 1, 1, tzinfo=UTC)
PER_UPLOADER = 3
TITLE_WEIGHT = 3  # a title word counts like this many body occurrences
CONTENT_FLOOR = 0.2  # more-like-this candidates scoring under this share of the best
_STEM_NOISE = re.compile(
    r"[（(\[【][^）)\]】]{0,6}[）)\]】]"  # (一), （修订版）, 【精品】
    r"|第.{1,3}[章节课单元期版册]|[上下]册|[一二三四五六七八九十]+年级|[\d\s\W_]+"
)


@dataclass(frozen=True)
class Source:
    name: str
    weight: float
    candidates: Callable[[Document, int, frozenset[int]], list[tuple[int, float]]]


def keywords(document: Document) -> list[tuple[str, float]]:
    """The document's most telling words, weighted by TF·IDF (best first)."""
    fp = Fingerprint.objects.filter(conversion_id=document.conversion_id).first()
    counts: Counter[str] = Counter(dict(fp.keywords) if fp else {})
    for word in words(document.title):
        if len(word) > 1:
            counts[word] += TITLE_WEIGHT
    if not counts:
        return []
    backend = get_backend()
    total = max(1, backend.num_docs())
    df = backend.doc_freqs(list(counts))
    weighted = [
        (term, (1 + math.log(tf)) * math.log((total + 1) / (df.get(term, 0) + 0.5)))
        for term, tf in counts.items()
        # A word found nowhere else relates nothing; one found everywhere says nothing.
        if df.get(term, 0) > 1 or total < 3
    ]
    weighted.sort(key=lambda p: -p[1])
    return [(t, round(w, 4)) for t, w in weighted[:QUERY_TERMS] if w > 0]


def content_candidates(
    document: Document, limit: int, exclude: frozenset[int]
) -> list[tuple[int, float]]:
    """More-like-this, down to CONTENT_FLOOR of the best score: below it documents share
    only common words with this one (measured on the demo library: a tenth of the best
    score or less is another subject), and the category does better."""
    found = get_backend().similar(keywords(document), limit, exclude)
    if not found:
        return found
    floor = found[0][1] * CONTENT_FLOOR
    return [(doc_id, score) for doc_id, score in found if score >= floor]


def co_download_candidates(
    document: Document, limit: int, exclude: frozenset[int]
) -> list[tuple[int, float]]:
    return co_downloads(document.pk, limit, sorted(exclude))


def category_candidates(
    document: Document, limit: int, exclude: frozenset[int]
) -> list[tuple[int, float]]:
    """Documents of the same category, then of the rest of its topic (its parent's
    subtree; a top-level category's own subtree), most downloaded and newest first: a
    young site's lists stay on the document's topic even where few words are shared (an
    exam paper's reading passage is not its subject). Symmetric: a document in a
    category finds those of its parent category, and they find it."""
    if document.category_id is None:
        return []
    tree = categories.parents()
    nearby = [frozenset({document.category_id})]
    topic = tree.get(document.category_id) or document.category_id
    rest = categories.subtree(topic, tree) - nearby[0]
    if rest:
        nearby.append(rest)
    found: list[tuple[int, float]] = []
    for level, ids in enumerate(nearby):
        rows = (
            Document.objects.public()
            .filter(category_id__in=ids)
            .exclude(pk__in=exclude)
            .order_by("-download_count", "-published_at", "-pk")
            .values_list("pk", flat=True)[: limit - len(found)]
        )
        found += [(pk, 1.0 / (level + 1)) for pk in rows]
        if len(found) >= limit:
            break
    return found


# Co-downloads (readers who downloaded this also downloaded …) add what
# readers found useful together, once at least three readers share a download. The
# category weighs less than either: it orders what content proposes, and fills in.
SOURCES: list[Source] = [
    Source("content", 1.0, content_candidates),
    Source("co-downloads", 1.0, co_download_candidates),
    Source("category", 0.5, category_candidates),
]


def excluded_ids(document: Document) -> frozenset[int]:
    """The document, its near-duplicates and other uploads of the same file."""
    copies = {d.pk for d, _score in fingerprint.near_duplicates(document)}
    return frozenset({document.pk, *copies})


def fuse(ranked: Sequence[tuple[float, list[tuple[int, float]]]], k: int = 60) -> list[int]:
    """Weighted reciprocal-rank fusion of several (weight, [(id, score)…]) lists."""
    scores: dict[int, float] = {}
    for weight, items in ranked:
        for rank, (doc_id, _score) in enumerate(items):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank + 1)
    return sorted(scores, key=lambda i: -scores[i])


def title_stem(title: str) -> str:
    """A title without numbers, punctuation, volume and grade marks (2023年工作总结 ≈
    2024年工作总结)."""
    return _STEM_NOISE.sub("", title.lower())


def compute_related(document: Document, limit: int = 10) -> list[int]:
    """Ids of related documents, best first (uncached; see ``related_documents``)."""
    exclude = excluded_ids(document)
    backend = get_backend()
    if not getattr(backend, "live_status", False):
        exclude |= hidden_ids(backend.name)
    ranked = [(s.weight, s.candidates(document, CANDIDATES, exclude)) for s in SOURCES]
    return diversify(fuse(ranked), limit, exclude)


def diversify(ids: list[int], limit: int, exclude: frozenset[int]) -> list[int]:
    """Keep the order, but one per near-duplicate cluster and title stem, and at most
    PER_UPLOADER per uploader."""
    docs = {d.pk: d for d in Document.objects.public().filter(pk__in=ids).exclude(pk__in=exclude)}
    rows = Fingerprint.objects.filter(
        conversion_id__in={d.conversion_id for d in docs.values()}
    ).values_list("conversion_id", "signature")
    signatures = {cid: bytes(sig) for cid, sig in rows}
    chosen: list[Document] = []
    uploaders: Counter[int] = Counter()
    stems: set[str] = set()
    for doc_id in ids:
        doc = docs.get(doc_id)
        if doc is None or uploaders[doc.owner_id] >= PER_UPLOADER:
            continue
        stem = title_stem(doc.title)
        if (stem and stem in stems) or _copies_chosen(doc, chosen, signatures):
            continue
        chosen.append(doc)
        uploaders[doc.owner_id] += 1
        stems.add(stem)
        if len(chosen) >= limit:
            break
    return [d.pk for d in chosen]


def _copies_chosen(doc: Document, chosen: list[Document], signatures: dict[int, bytes]) -> bool:
    mine = bytes(signatures.get(doc.conversion_id, b""))
    for other in chosen:
        if other.conversion_id == doc.conversion_id:
            return True
        theirs = bytes(signatures.get(other.conversion_id, b""))
        if fingerprint.similarity(mine, theirs) >= fingerprint.NEAR_DUPLICATE:
            return True
    return False


def related_documents(document: Document, limit: int = STORED) -> list[Document]:
    """Up to ``limit`` ready documents related to ``document``, best first.

    From the stored list when there is one; else computed now and cached in this
    process for a few minutes. Current status is checked on every call.
    """
    ids: list[int] | None = None
    if limit <= STORED:
        stored = _STORED.row(document.pk)
        ids = None if stored is None else stored[0]
    if ids is None:
        key = f"wenku:related:{document.pk}:{limit}"
        ids = cache.get(key)
        if ids is None:
            ids = compute_related(document, max(limit, STORED))
            cache.set(key, ids, UNSTORED_CACHE_SECONDS)
    ids = ids[:limit]
    docs = Document.objects.public().filter(pk__in=ids).select_related("owner", "category")
    by_id = {d.pk: d for d in docs}
    return [by_id[i] for i in ids if i in by_id]


# Every document page made whole reads its stored list (``core.prepared``).
_STORED = Prepared(
    lambda document_id: RelatedList.objects.filter(pk=document_id).values_list("ids"), INT
)


def refresh(document_ids: Iterable[int]) -> int:
    """Compute and store the related lists of these documents (the public ones; the lists
    of the others are dropped); say how many were stored."""
    now = timezone.now()
    wanted = list(document_ids)
    rows = [
        RelatedList(document=doc, ids=compute_related(doc, STORED), computed_at=now)
        for doc in Document.objects.public().filter(pk__in=wanted)
    ]
    gone = set(wanted) - {row.document_id for row in rows}
    if gone:  # taken down or failed since: their lists would only wait to be refreshed
        RelatedList.objects.filter(pk__in=gone).delete()
    RelatedList.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["document"],
        update_fields=["ids", "computed_at"],
    )
    return len(rows)


def neighbours(document_ids: Iterable[int]) -> list[int]:
    """The documents on the stored lists of these ones (their nearest neighbours),
    nearest first, without these ones. Publishing refreshes their lists too, so a new
    document joins the lists of the documents it relates to at once, not a day later."""
    wanted = set(document_ids)
    lists = RelatedList.objects.filter(pk__in=wanted).values_list("ids", flat=True)
    found: dict[int, None] = {}
    for ids in lists:
        found.update(dict.fromkeys(i for i in ids if i not in wanted))
    return list(found)


def relatives(document_ids: Iterable[int], per_source: int = RELATIVES) -> list[int]:
    """The documents whose lists these ones may now enter, though not on these ones' own
    lists: each one's best ``per_source`` candidates from every source. Content, category
    and co-downloads relate both ways (a paper in a category that is another's parent
    ranks it by category as it ranks the paper), so a document's own best candidates are
    where it is most likely a candidate too."""
    wanted = set(document_ids)
    found: dict[int, None] = {}
    for document in Document.objects.public().filter(pk__in=wanted):
        exclude = frozenset(wanted) | excluded_ids(document)
        for source in SOURCES:
            found.update(
                dict.fromkeys(pk for pk, _ in source.candidates(document, per_source, exclude))
            )
    return list(found)


def make_due(document_ids: Iterable[int]) -> int:
    """Mark these documents' stored lists as due for the idle worker (before the lists
    that are only old); say how many were marked."""
    return RelatedList.objects.filter(pk__in=list(document_ids)).update(computed_at=OUTDATED)


def _missing() -> QuerySet[Document]:
    has_list = RelatedList.objects.filter(pk=OuterRef("pk"))
    return Document.objects.public().filter(~Exists(has_list))


def _stale() -> QuerySet[RelatedList]:
    age = timedelta(seconds=int(conf().related_refresh_seconds))
    return RelatedList.objects.filter(
        computed_at__lt=timezone.now() - age,
        document_id__in=Document.objects.public().values("pk"),
    )


def due_ids(limit: int, only_made_due: bool = False) -> list[int]:
    """Up to ``limit`` public documents whose list is missing (newest first), then those
    whose list is older than WENKU_RELATED_REFRESH_SECONDS (oldest first: ``make_due``'s
    first); with ``only_made_due``, only those ``make_due`` marked."""
    if only_made_due:
        marked = _stale().filter(computed_at__lte=OUTDATED).order_by("pk")
        return list(marked.values_list("pk", flat=True)[:limit])
    ids = list(_missing().order_by("-pk").values_list("pk", flat=True)[:limit])
    if len(ids) < limit:
        stale = _stale().order_by("computed_at").values_list("pk", flat=True)
        ids += stale[: limit - len(ids)]
    return ids


def still_due(document_ids: Iterable[int]) -> list[int]:
    """Those of ``document_ids`` that are due now, in the given order: what is left of a
    list of due documents read a moment ago, once another worker may have stored some."""
    wanted = list(document_ids)
    due = set(_missing().filter(pk__in=wanted).values_list("pk", flat=True))
    due |= set(_stale().filter(pk__in=wanted).values_list("pk", flat=True))
    return [pk for pk in wanted if pk in due]


def refresh_due(limit: int = 25) -> int:
    """Refresh up to ``limit`` missing or stale lists (the worker calls this when idle)."""
    ids = due_ids(limit)
    return refresh(ids) if ids else 0
