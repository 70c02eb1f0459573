"""Originality: is an upload a copy of another document, and where does it match?

Computed from search's fingerprints (``fingerprint``): exact copies by the file's hash
(the same conversion) and by the normalised text's hash (a docx and its PDF export), and
near-copies by MinHash/LSH candidates verified by their estimated Jaccard similarity.
The evidence a moderator (or the uploader) reads is ``passages``: the matching sentences
of the two documents side by side, with their pages.

``clusters`` gives, for the search results up to the page shown, each document's group
of near-copies, so ``fold`` can fold copies under the earliest published original.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wenku.ingest.models import Page
from wenku.library.models import Document, DocumentStatus
from wenku.search import fingerprint
from wenku.search.models import Fingerprint, LshBand

# Documents an upload is compared with: what readers see, what waits for review, and what
# was taken down (its fingerprint blocks re-uploads of the same content).
COMPARED = (DocumentStatus.READY, DocumentStatus.HELD, DocumentStatus.TAKEN_DOWN)
FILE, TEXT, NEAR = "file", "text", "near"
MAX_SENTENCES = 4000
MAX_PASSAGES = 20
_SPLIT = re.compile(r"(?<=[。！？!?；;])|\n|(?<=[.])\s+")
_DROP = re.compile(r"[\W_]+", re.UNICODE)
_SHINGLE = 4
_SENTENCE_MIN = 6


@dataclass(frozen=True)
class Match:
    document: Document
    similarity: float
    kind: str  # FILE: the same file; TEXT: the same text; NEAR: an edited copy

    @property
    def exact(self) -> bool:
        return self.kind in (FILE, TEXT)


@dataclass
class Originality:
    """An upload's matches among the compared documents, most similar (then oldest) first."""

    matches: list[Match] = field(default_factory=list)

    @property
    def best(self) -> float:
        return max((m.similarity for m in self.matches), default=0.0)

    def at_least(self, threshold: float) -> list[Match]:
        return [m for m in self.matches if m.similarity >= threshold]

    def as_rows(self) -> list[list[object]]:
        return [[m.document.pk, round(m.similarity, 4), m.kind] for m in self.matches]


def check(document: Document, threshold: float = fingerprint.EDITED_COPY) -> Originality:
    """``document``'s copies and near-copies (similarity ≥ ``threshold``) among the other
    documents that are published, held or taken down."""
    scores: dict[int, tuple[float, str]] = {}
    fp = Fingerprint.objects.filter(conversion_id=document.conversion_id).first()
    if fp is not None and bytes(fp.signature):
        same_text = (
            Fingerprint.objects.filter(text_sha256=fp.text_sha256)
            .exclude(conversion_id=document.conversion_id)
            .values_list("conversion_id", flat=True)
        )
        for cid in same_text:
            scores[cid] = (1.0, TEXT)
        for cid, score in fingerprint.similar_conversions(
            document.conversion_id, threshold
        ).items():
            scores.setdefault(cid, (score, NEAR))
    scores[document.conversion_id] = (1.0, FILE)
    others = (
        Document.objects.filter(conversion_id__in=list(scores), status__in=COMPARED)
        .exclude(pk=document.pk)
        .select_related("owner")
    )
    matches = [Match(d, *scores[d.conversion_id]) for d in others]
    matches.sort(key=lambda m: (-m.similarity, m.document.published_at is None, m.document.pk))
    return Originality(matches)


# --- matching passages


@dataclass(frozen=True)
class Sentence:
    page: int
    text: str
    key: str  # normalised: NFKC, lower case, no spaces or punctuation


@dataclass(frozen=True)
class Passage:
    """Sentences of one document that match sentences of the other, side by side."""

    page: int
    text: str
    other_page: int
    other_text: str


def sentences(conversion_id: int) -> list[Sentence]:
    found: list[Sentence] = []
    rows = Page.objects.filter(conversion_id=conversion_id).order_by("number")
    for number, text in rows.values_list("number", "text"):
        for piece in _SPLIT.split(text or ""):
            piece = " ".join(piece.split())
            key = _DROP.sub("", unicodedata.normalize("NFKC", piece).lower())
            if len(key) >= _SENTENCE_MIN:
                found.append(Sentence(number, piece, key))
                if len(found) >= MAX_SENTENCES:
                    return found
    return found


def _shingles(key: str) -> set[str]:
    if len(key) <= _SHINGLE:
        return {key}
    return {key[i : i + _SHINGLE] for i in range(len(key) - _SHINGLE + 1)}


def passages(document: Document, other: Document, limit: int = MAX_PASSAGES) -> list[Passage]:
    """Where ``document`` matches ``other``: each sentence of it found in the other (the
    same words, or at least 60 % of its 4-character pieces), runs of consecutive matches
    on one page of each joined into passages; the longest ``limit`` passages, in
    ``document``'s order."""
    mine, theirs = sentences(document.conversion_id), sentences(other.conversion_id)
    if not mine or not theirs:
        return []
    exact: dict[str, list[int]] = defaultdict(list)
    index: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(theirs):
        exact[s.key].append(i)
        for piece in _shingles(s.key):
            index[piece].append(i)
    pairs: list[tuple[int, int]] = []
    for i, s in enumerate(mine):
        # A sentence the other document repeats pairs with the next one after the last
        # pair (so repeated boilerplate keeps its order and its pages).
        after = pairs[-1][1] if pairs else -1
        same = exact.get(s.key)
        j = next((k for k in same if k > after), same[0]) if same else _closest(s.key, index)
        if j is not None:
            pairs.append((i, j))
    runs: list[list[tuple[int, int]]] = []
    for i, j in pairs:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and i == last[0] + 1
            and 0 < j - last[1] <= 2
            and mine[i].page == mine[last[0]].page
            and theirs[j].page == theirs[last[1]].page
        ):
            runs[-1].append((i, j))
        else:
            runs.append([(i, j)])
    runs.sort(key=lambda run: -sum(len(mine[i].key) for i, _j in run))
    chosen = sorted(runs[:limit], key=lambda run: run[0][0])
    return [
        Passage(
            page=mine[run[0][0]].page,
            text=" ".join(mine[i].text for i, _j in run),
            other_page=theirs[run[0][1]].page,
            other_text=" ".join(theirs[j].text for j in range(run[0][1], run[-1][1] + 1)),
        )
        for run in chosen
    ]


@dataclass(frozen=True)
class Evidence:
    """One match with its passages: what the review screen, the uploader's page and the
    API show for each similar document."""

    match: Match
    passages: list[Passage]


def evidence(
    document: Document, limit: int = 5, shown: Callable[[Document], bool] | None = None
) -> list[Evidence]:
    """The ``limit`` most similar documents to ``document`` (those ``shown`` allows), each
    with the matching passages side by side (``passages`` reads both texts: a few per
    page view)."""
    matches = [m for m in check(document).matches if shown is None or shown(m.document)]
    return [Evidence(m, passages(document, m.document)) for m in matches[:limit]]


def _closest(key: str, index: dict[str, list[int]]) -> int | None:
    pieces = _shingles(key)
    votes: Counter[int] = Counter()
    for piece in pieces:
        votes.update(set(index.get(piece, ())))
    if not votes:
        return None
    best, shared = votes.most_common(1)[0]
    return best if shared >= 0.6 * len(pieces) else None


# --- folding search results


def clusters(
    conversion_ids: Iterable[int], threshold: float = fingerprint.NEAR_DUPLICATE
) -> dict[int, set[int]]:
    """For each conversion, the other conversions whose text is a copy of it (≥ ``threshold``),
    found with one query for all their bands (the search results up to the page shown)."""
    wanted = list(dict.fromkeys(conversion_ids))
    fps = {
        cid: (sha, bytes(sig))
        for cid, sha, sig in Fingerprint.objects.filter(conversion_id__in=wanted).values_list(
            "conversion_id", "text_sha256", "signature"
        )
    }
    keys_of = {cid: fingerprint.band_keys(sig) for cid, (_sha, sig) in fps.items() if sig}
    all_keys = {k for keys in keys_of.values() for k in keys}
    candidates: dict[int, set[int]] = defaultdict(set)
    if all_keys:
        rows = LshBand.objects.filter(band_key__in=list(all_keys)).values_list(
            "band_key", "conversion_id"
        )
        by_key: dict[int, set[int]] = defaultdict(set)
        for key, cid in rows:
            by_key[key].add(cid)
        for cid, keys in keys_of.items():
            for key in keys:
                candidates[cid] |= by_key[key]
    shas = {sha for sha, sig in fps.values() if sig}
    same_text: dict[str, set[int]] = defaultdict(set)
    for cid, sha in Fingerprint.objects.filter(text_sha256__in=list(shas)).values_list(
        "conversion_id", "text_sha256"
    ):
        same_text[sha].add(cid)
    others = {c for cs in candidates.values() for c in cs}
    signatures = dict(
        Fingerprint.objects.filter(conversion_id__in=list(others)).values_list(
            "conversion_id", "signature"
        )
    )
    result: dict[int, set[int]] = {}
    for cid in wanted:
        sha, sig = fps.get(cid, ("", b""))
        group = set(same_text.get(sha, set())) if sig else set()
        for other in candidates.get(cid, ()):
            if fingerprint.similarity(sig, bytes(signatures.get(other, b""))) >= threshold:
                group.add(other)
        group.discard(cid)
        result[cid] = group
    return result


MAX_LISTED = 10  # copies named under an original in the results; the rest are counted


@dataclass(frozen=True)
class Family:
    """One place in the search results: the document shown and the copies folded under it
    (ids: the caller loads only the documents it shows)."""

    root: int  # the earliest published public document of the family
    copies: list[int]  # the next ones, earliest first, at most MAX_LISTED
    count: int  # every public copy under ``root``, listed or not
    hits: list[int]  # the documents given that folded into this family


def fold(documents: Sequence[tuple[int, int]], within: Q | None = None) -> list[Family]:
    """Search results (document id, conversion id; in rank order) with copies folded: for
    each document, the earliest published public document among it and its near-copies
    takes its place, once, with the other public copies of that family under it. A copy
    never outranks its original.

    ``within`` is the search's filters: only documents that pass them stand for a family
    or sit under one, so an original outside them gives way to its earliest copy inside.
    Each document is placed once (similarity is not transitive: a copy already listed
    under one original does not come back under another).

    A family is its conversions (documents sharing a conversion are the same file), so
    the database answers with the count of each conversion's documents and the first
    ``MAX_LISTED + 1`` of each, read from an index whatever the number of copies: a file
    uploaded a thousand times folds as fast as one uploaded twice."""
    groups = clusters(cid for _pk, cid in documents)
    conversions = {c for _pk, cid in documents for c in groups.get(cid, set()) | {cid}}
    public = Document.objects.public().filter(within or Q())
    counts = _counts(public, conversions)
    first: dict[int, list[tuple[object, int]]] = defaultdict(list)  # conversion: (date, id)
    for pk, cid, published in _first(public, counts):
        first[cid].append(((published is None, published), pk))
    given: dict[int, list[int]] = defaultdict(list)
    for pk, cid in documents:
        given[cid].append(pk)
    shown: list[Family] = []
    placed: set[int] = set()  # conversions
    for pk, cid in documents:
        if cid in placed:
            continue
        family = (groups.get(cid, set()) | {cid}) - placed
        members = [p for _date, p in sorted(m for c in family for m in first[c])] or [pk]
        total = sum(counts.get(c, 0) for c in family)
        hits = [p for c in family for p in given[c]]
        shown.append(Family(members[0], members[1 : 1 + MAX_LISTED], max(total - 1, 0), hits))
        placed |= family
    return shown


FIRST_PER_QUERY = 100  # conversions whose first documents one query reads (SQL stays small)


def _counts(public: QuerySet[Document], conversions: set[int]) -> dict[int, int]:
    rows = (
        public.filter(conversion_id__in=list(conversions))
        .order_by()
        .values_list("conversion_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def _first(
    public: QuerySet[Document], counts: dict[int, int]
) -> Iterator[tuple[int, int, datetime | None]]:
    """The first ``MAX_LISTED + 1`` documents of each conversion, by date then id: every
    document of the small ones, and of each large one, its own bounded index range."""
    columns = ("pk", "conversion_id", "published_at")
    small = [c for c, n in counts.items() if n <= MAX_LISTED + 1]
    if small:
        yield from public.filter(conversion_id__in=small).values_list(*columns)
    large = [c for c, n in counts.items() if n > MAX_LISTED + 1]
    if not large:
        return
    # One range query compiled once, its conversion swapped per range (building a
    # queryset per conversion cost more than the database's work).
    earliest = public.filter(conversion_id=_SENTINEL).order_by("published_at", "pk")
    sql, params = earliest.values("pk")[: MAX_LISTED + 1].query.sql_with_params()
    [slot] = [i for i, p in enumerate(params) if p == _SENTINEL]
    table = connection.ops.quote_name(Document._meta.db_table)
    for start in range(0, len(large), FIRST_PER_QUERY):
        chunk = large[start : start + FIRST_PER_QUERY]
        ranges = " OR ".join([f"id IN ({sql})"] * len(chunk))
        values: list[Any] = []
        for cid in chunk:
            values += [*params[:slot], cid, *params[slot + 1 :]]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, conversion_id, published_at FROM {table} WHERE {ranges}", values
            )
            for pk, cid, published in cursor.fetchall():
                yield pk, cid, _datetime(published)


_SENTINEL = -7_364_019  # no conversion has it: it marks the parameter to swap


def _datetime(value: object) -> datetime | None:
    """A date from a raw cursor as the ORM gives it (SQLite's are naive, in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return None
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
