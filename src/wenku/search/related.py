"""Related documents ("您可能关注的文档"): content first, diverse, never a copy of itself.

Sources each propose scored candidates; their ranked lists are fused (weighted
reciprocal-rank fusion), so a co-download source can join once download records
exist (issue 5) by adding one entry to ``SOURCES``. Today there is one source:

- ``content``: BM25 more-like-this — the document's keywords (its most frequent body
  words and its title words, weighted by TF·IDF with the backend's document
  frequencies) as one weighted OR query over titles and bodies.

The document itself, its near-duplicates (MinHash, DESIGN §3 stage 6) and other
uploads of the same file are excluded; among the rest at most one per near-duplicate
cluster and per title stem, and at most ``PER_UPLOADER`` per uploader, are kept.
Lists are computed on demand (a few milliseconds on Tantivy) and cached for
WENKU_RELATED_CACHE_SECONDS; the database's current status is applied on every call.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from wenku.library.models import Document
from wenku.search import fingerprint
from wenku.search.backends import get_backend
from wenku.search.indexing import hidden_ids
from wenku.search.models import Fingerprint
from wenku.search.segment import words

QUERY_TERMS = 24
CANDIDATES = 60
PER_UPLOADER = 3
TITLE_WEIGHT = 3  # a title word counts like this many body occurrences
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
    return get_backend().similar(keywords(document), limit, exclude)


# Co-downloads ("readers who downloaded this also downloaded …") join here once issue 5
# records downloads; until then there is no such data, and nothing is faked.
SOURCES: list[Source] = [Source("content", 1.0, content_candidates)]


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


def related_documents(document: Document, limit: int = 10) -> list[Document]:
    """Up to ``limit`` ready documents related to ``document``, best first.

    Cached (ids only) for WENKU_RELATED_CACHE_SECONDS; the documents' current status
    is checked on every call, so a taken-down document never shows.
    """
    key = f"wenku:related:{get_backend().name}:{document.pk}:{limit}"
    ids = cache.get(key)
    if ids is None:
        ids = compute_related(document, limit)
        cache.set(key, ids, int(settings.WENKU["WENKU_RELATED_CACHE_SECONDS"]))
    docs = Document.objects.public().filter(pk__in=ids).select_related("owner", "category")
    by_id = {d.pk: d for d in docs}
    return [by_id[i] for i in ids if i in by_id]
