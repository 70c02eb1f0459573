"""The contract every search backend fulfils, and the data that crosses it.

A backend stores a copy of what the database says about ready documents and answers
queries with document ids; callers always re-check those ids against the database.
Tokens come from ``wenku.search.segment``: backends never segment text themselves,
so the same text gives the same tokens in every backend.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from wenku.search.query import ParsedQuery

Mode = Literal["all", "any"]
Sort = Literal["relevance", "newest", "downloads", "views"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "downloads", "views")
# Page-count buckets (key, first, last) and upload-date windows (key, days).
PAGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-10", 1, 10),
    ("11-50", 11, 50),
    ("51-200", 51, 200),
    ("201-", 201, None),
)
DATE_WINDOWS: tuple[tuple[str, int], ...] = (("week", 7), ("month", 30), ("year", 365))
# Sorting by a counter that changes every minute happens in the database, over at most
# this many of the best-matching documents.
COUNTER_SORT_CANDIDATES = 5000
# Counting stops here. A backend for which counting every match is costly (PostgreSQL:
# each match joined with its document row) reports at most this many, flagged as a
# lower bound; filter counts over more matches than this are counted among the best
# RESULT_CAP by relevance, and flagged as such. Like moredoc and DocHub, which show at
# most 1,000 results; Wenku shows at most 100 pages of 10.
RESULT_CAP = 1000


@dataclass(frozen=True)
class PageEntry:
    number: int
    words: list[str]
    subwords: list[str]


@dataclass(frozen=True)
class IndexEntry:
    """Everything a backend stores about one ready document."""

    document_id: int
    title_words: list[str]
    title_subwords: list[str]
    tags: list[str]
    body_words: list[str]  # description, then the text of every page
    body_subwords: list[str]
    pages: list[PageEntry]
    category_id: int | None
    format: str
    pricing: str
    page_count: int
    published: int  # seconds since the epoch


@dataclass(frozen=True)
class Filters:
    """Restrictions on matching documents; None means no restriction."""

    categories: frozenset[int] | None = None  # already expanded to descendants
    formats: frozenset[str] | None = None
    pricing: frozenset[str] | None = None  # raw Document.pricing values
    pages: tuple[int, int | None] | None = None  # inclusive range
    published_after: int | None = None  # seconds since the epoch


@dataclass(frozen=True)
class EngineQuery:
    query: ParsedQuery
    mode: Mode = "all"
    filters: Filters = field(default_factory=Filters)
    sort: Sort = "relevance"
    offset: int = 0
    limit: int = 10
    hidden: frozenset[int] = frozenset()  # ids that must not match (status changed)
    facets: bool = False
    now: int = 0  # seconds since the epoch, for the date windows
    cap: int = RESULT_CAP  # see RESULT_CAP
    # False: only the hits are wanted (the fold's further results, whose total the first
    # request gave); ``total`` is then a lower bound, not counted (exact False).
    count: bool = True


@dataclass
class Facets:
    """Hit counts: categories are *direct* (the caller rolls them up the tree).

    ``sample`` 0: counted over every match. Otherwise more than ``sample`` documents
    match and the counts are over the best ``sample`` of them by relevance: each count is
    a lower bound of the true one.
    """

    categories: dict[int | None, int] = field(default_factory=dict)
    formats: dict[str, int] = field(default_factory=dict)
    pricing: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    dates: dict[str, int] = field(default_factory=dict)  # cumulative: week ⊂ month ⊂ year
    sample: int = 0


@dataclass
class EngineResult:
    """``total`` is exact, or with ``exact`` False a lower bound: counting stopped at
    ``total`` (the query's cap) and more documents match."""

    total: int
    hits: list[tuple[int, float]]  # (document id, score), best first
    facets: Facets | None = None
    exact: bool = True


@runtime_checkable
class SearchBackend(Protocol):
    name: str
    live_status: bool  # True: search() itself applies the database's current status

    def index(self, entries: Sequence[IndexEntry]) -> None:
        """Add or replace these documents (and their pages)."""

    def remove(self, document_ids: Iterable[int]) -> None:
        """Forget these documents; unknown ids are ignored."""

    def clear(self) -> None:
        """Forget every document."""

    def begin_bulk(self) -> None:
        """Many writes follow (a rebuild): a backend may drop what slows inserts."""

    def end_bulk(self) -> None:
        """The bulk writes are done: rebuild whatever ``begin_bulk`` dropped."""

    def indexed_ids(self) -> set[int]:
        """Ids of every document held."""

    def search(self, request: EngineQuery) -> EngineResult:
        """Matching documents, ordered by ``request.sort``, and their total."""

    def best_pages(
        self,
        query: ParsedQuery,
        mode: Mode,
        document_ids: Sequence[int],
        within: Mapping[int, int] | None = None,
    ) -> dict[int, int]:
        """For each document, the number of its page that matches ``query`` best (if any).

        ``within`` names documents whose reader may see only their first N pages: for
        those, the best page among the first N when one matches, else the best of all."""

    def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]:
        """How many documents contain each term (backends may cap large counts)."""

    def num_docs(self) -> int:
        """How many documents are held."""

    def similar(
        self, keywords: Sequence[tuple[str, float]], limit: int, exclude: frozenset[int]
    ) -> list[tuple[int, float]]:
        """Documents sharing the weighted keywords, best first (more-like-this)."""


def date_windows(now: int) -> list[tuple[str, int]]:
    """(key, earliest publication second) of each upload-date window."""
    return [(key, now - days * 86400) for key, days in DATE_WINDOWS]


def cumulative_dates(disjoint: dict[str, int]) -> dict[str, int]:
    """Counts per disjoint window (week, month-but-not-week, …) made cumulative."""
    out: dict[str, int] = {}
    running = 0
    for key, _days in DATE_WINDOWS:
        running += disjoint.get(key, 0)
        out[key] = running
    return out


def count_facets(
    rows: Iterable[tuple[int | None, str, str, int | None, int | None]], now: int, sample: int = 0
) -> Facets:
    """Facets counted in Python from (category, format, pricing, page count, published
    second) rows: cheap for the few matches of a capped search."""
    categories: dict[int | None, int] = defaultdict(int)
    formats: dict[str, int] = defaultdict(int)
    pricing: dict[str, int] = defaultdict(int)
    pages: dict[str, int] = defaultdict(int)
    disjoint: dict[str, int] = defaultdict(int)
    windows = date_windows(now)  # newest first: the first window a row falls in
    for category, fmt, price, page_count, published in rows:
        categories[category] += 1
        if fmt:
            formats[fmt] += 1
        pricing[price] += 1
        bucket = page_bucket(page_count or 0)
        if bucket:
            pages[bucket] += 1
        for key, start in windows:
            if published is not None and published >= start:
                disjoint[key] += 1
                break
    return Facets(
        categories=dict(categories),
        formats=dict(formats),
        pricing=dict(pricing),
        pages=dict(pages),
        dates=cumulative_dates(disjoint),
        sample=sample,
    )


def page_bucket(pages: int) -> str:
    """The PAGE_BUCKETS key of a page count ('' for none: no pages)."""
    for key, first, last in PAGE_BUCKETS:
        if pages >= first and (last is None or pages <= last):
            return key
    return ""


def sort_by_counter(ids: Sequence[int], sort: Sort, offset: int, limit: int) -> list[int]:
    """Order candidate ids by a live counter from the database."""
    from wenku.library.models import Document

    column = {"downloads": "-download_count", "views": "-view_count"}[sort]
    return list(
        Document.objects.filter(pk__in=list(ids))
        .order_by(column, "-published_at", "-pk")
        .values_list("pk", flat=True)[offset : offset + limit]
    )
