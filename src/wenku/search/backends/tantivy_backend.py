"""The embedded search backend: a Tantivy index under DATA_DIR/search.

One index holds two kinds of entries: one per document (title, tags, description and
the whole body: BM25 ranks documents) and one per page (so a hit can name its page).
Text fields use a whitespace + lowercase analyzer over Wenku's pre-segmented tokens.
Nothing but ids and numbers is stored: snippets are cut from the database's page
text, where the paywall can be applied.

Writers in different processes take turns through a file lock; readers reload the
index before each query (cheap: it only checks for new segments).
"""

from __future__ import annotations

import fcntl
import itertools
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Document as TDoc
from tantivy import FieldType, Filter, Index, Occur, Query, SchemaBuilder

from wenku.search.backends.base import (
    COUNTER_SORT_CANDIDATES,
    PAGE_BUCKETS,
    EngineQuery,
    EngineResult,
    Facets,
    Filters,
    IndexEntry,
    Mode,
    cumulative_dates,
    date_windows,
    sort_by_counter,
)
from wenku.search.query import Clause, ParsedQuery
from wenku.search.segment import MAX_TOKEN_CHARS

SCHEMA_VERSION = 1
DOC, PAGE = 0, 1
# Field boosts: a word in the title or tags says more about a document than one in its body.
DOC_FIELDS = (("title", 3.0), ("title_sub", 1.5), ("tags", 2.0), ("body", 1.0), ("body_sub", 0.5))
DOC_PHRASE_FIELDS = (("title", 3.0), ("body", 1.0))
PAGE_FIELDS = (("ptext", 1.0), ("ptext_sub", 0.5))
PAGE_PHRASE_FIELDS = (("ptext", 1.0),)
WRITER_HEAP = 128_000_000


def build_schema() -> tantivy.Schema:
    sb = SchemaBuilder()
    sb.add_unsigned_field("kind", indexed=True, fast=True)
    sb.add_unsigned_field("doc_id", stored=True, indexed=True, fast=True)
    sb.add_unsigned_field("page", indexed=True, fast=True)
    for name in ("title", "body", "ptext"):
        sb.add_text_field(name, tokenizer_name="ws")
    for name in ("title_sub", "tags", "body_sub", "ptext_sub"):
        sb.add_text_field(name, tokenizer_name="ws", index_option="freq")
    sb.add_unsigned_field("category", indexed=True, fast=True)  # 0: none
    sb.add_text_field("format", tokenizer_name="raw", fast=True)
    sb.add_text_field("pricing", tokenizer_name="raw", fast=True)
    sb.add_unsigned_field("pages", indexed=True, fast=True)
    sb.add_integer_field("published", indexed=True, fast=True)
    return sb.build()


class TantivyBackend:
    name = "tantivy"
    live_status = False  # the caller passes ids whose status changed as ``hidden``

    def __init__(self, folder: Path) -> None:
        self.folder = folder / f"tantivy-v{SCHEMA_VERSION}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock_path = folder / "tantivy.lock"
        self.schema = build_schema()
        self._index = Index(self.schema, path=str(self.folder), reuse=True)
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
            .filter(Filter.lowercase())
            .filter(Filter.remove_long(MAX_TOKEN_CHARS * 4))  # bytes, not characters
            .build()
        )
        self._index.register_tokenizer("ws", analyzer)
        self._thread_lock = threading.Lock()

    # --- writing

    @contextmanager
    def _writer(self) -> Iterator[tantivy.IndexWriter]:
        """The one writer, across threads and processes; commits when the block ends."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
                try:
                    yield writer
                    writer.commit()
                except BaseException:
                    writer.rollback()
                    raise
                finally:
                    writer.wait_merging_threads()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        self._index.reload()

    def snapshot(self, destination: Path) -> None:
        """Copy the index into ``destination`` as of one commit: the writer lock is held
        while copying, so no process commits meanwhile (readers go on)."""
        import shutil

        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                shutil.copytree(self.folder, destination / self.folder.name, dirs_exist_ok=True)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def index(self, entries: Sequence[IndexEntry]) -> None:
        with self._writer() as writer:
            for entry in entries:
                writer.delete_documents_by_query(self._doc_id(entry.document_id))
                writer.add_document(self._doc_entry(entry))
                for page in entry.pages:
                    writer.add_document(self._page_entry(entry.document_id, page))

    def remove(self, document_ids: Iterable[int]) -> None:
        ids = list(document_ids)
        if not ids:
            return
        with self._writer() as writer:
            for doc_id in ids:
                writer.delete_documents_by_query(self._doc_id(doc_id))

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    def begin_bulk(self) -> None:
        """Nothing to drop: Tantivy writes whole segments anyway."""

    def end_bulk(self) -> None:
        """Nothing to rebuild."""

    @staticmethod
    def _doc_entry(e: IndexEntry) -> TDoc:
        doc = TDoc()
        doc.add_unsigned("kind", DOC)
        doc.add_unsigned("doc_id", e.document_id)
        doc.add_text("title", " ".join(e.title_words))
        doc.add_text("title_sub", " ".join(e.title_subwords))
        doc.add_text("tags", " ".join(e.tags))
        doc.add_text("body", " ".join(e.body_words))
        doc.add_text("body_sub", " ".join(e.body_subwords))
        doc.add_unsigned("category", e.category_id or 0)
        doc.add_text("format", e.format or "-")
        doc.add_text("pricing", e.pricing)
        doc.add_unsigned("pages", e.page_count)
        doc.add_integer("published", e.published)
        return doc

    @staticmethod
    def _page_entry(document_id: int, page: Any) -> TDoc:
        doc = TDoc()
        doc.add_unsigned("kind", PAGE)
        doc.add_unsigned("doc_id", document_id)
        doc.add_unsigned("page", page.number)
        doc.add_text("ptext", " ".join(page.words))
        doc.add_text("ptext_sub", " ".join(page.subwords))
        return doc

    # --- reading

    def _searcher(self) -> tantivy.Searcher:
        self._index.reload()
        return self._index.searcher()

    def indexed_ids(self) -> set[int]:
        searcher = self._searcher()
        total = _count(searcher.search(self._kind(DOC), 1))
        if not total:
            return set()
        hits = searcher.search(self._kind(DOC), total).hits
        return set(_ints(searcher.fast_field_values("doc_id", [a for _, a in hits])))

    def num_docs(self) -> int:
        return _count(self._searcher().search(self._kind(DOC), 1))

    def search(self, request: EngineQuery) -> EngineResult:
        query = self._document_query(request)
        searcher = self._searcher()
        if request.sort in ("downloads", "views"):
            found = searcher.search(query, COUNTER_SORT_CANDIDATES)
            ids = self._ids(searcher, found.hits)
            page = sort_by_counter(ids, request.sort, request.offset, request.limit)
            hits = [(i, 0.0) for i in page]
        else:
            order = "published" if request.sort == "newest" else None
            found = searcher.search(
                query, request.limit, offset=request.offset, order_by_field=order
            )
            ids = self._ids(searcher, found.hits)
            scores = [float(s) if request.sort == "relevance" else 0.0 for s, _ in found.hits]
            hits = list(zip(ids, scores, strict=True))
        facets = self._facets(searcher, query, request.now) if request.facets else None
        return EngineResult(total=_count(found), hits=hits, facets=facets)

    def best_pages(
        self,
        query: ParsedQuery,
        mode: Mode,
        document_ids: Sequence[int],
        within: Mapping[int, int] | None = None,
    ) -> dict[int, int]:
        searcher = self._searcher()
        found: dict[int, int] = {}
        for doc_id in document_ids:
            last = (within or {}).get(doc_id, 0)
            ranges = [(1, last), None] if last > 0 else [None]
            for pages, attempt in itertools.product(ranges, dict.fromkeys((mode, "any"))):
                words = self._text_query(query, attempt, PAGE_FIELDS, PAGE_PHRASE_FIELDS)
                scope = [
                    (Occur.Must, self._kind(PAGE)),
                    (Occur.Must, self._doc_id(doc_id)),
                ]
                if pages is not None:
                    scope.append(
                        (
                            Occur.Must,
                            Query.range_query(self.schema, "page", FieldType.Unsigned, *pages),
                        )
                    )
                hits = searcher.search(Query.boolean_query([*scope, *words]), 1).hits
                if hits:
                    found[doc_id] = _ints(searcher.fast_field_values("page", [hits[0][1]]))[0]
                    break
        return found

    def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]:
        searcher = self._searcher()
        return {t: int(searcher.doc_freq("body", t)) for t in terms}

    def similar(
        self, keywords: Sequence[tuple[str, float]], limit: int, exclude: frozenset[int]
    ) -> list[tuple[int, float]]:
        if not keywords:
            return []
        should = [
            (Occur.Should, Query.boost_query(Query.term_query(self.schema, field, term), w * b))
            for term, w in keywords
            for field, b in (("title", 2.0), ("body", 1.0))
        ]
        clauses = [(Occur.Must, self._kind(DOC)), (Occur.Must, Query.boolean_query(should))]
        if exclude:
            clauses.append(
                (Occur.MustNot, Query.term_set_query(self.schema, "doc_id", list(exclude)))
            )
        searcher = self._searcher()
        found = searcher.search(Query.boolean_query(clauses), limit).hits
        ids = self._ids(searcher, found)
        return [(i, float(s)) for i, (s, _) in zip(ids, found, strict=True)]

    # --- queries

    def _doc_id(self, doc_id: int) -> Query:
        # A term query, not delete_documents_by_term: that one takes a Python int as i64
        # and never matches this u64 field.
        return Query.term_query(self.schema, "doc_id", doc_id)

    def _kind(self, kind: int) -> Query:
        return Query.term_query(self.schema, "kind", kind)

    @staticmethod
    def _ids(searcher: tantivy.Searcher, hits: list[tuple[Any, Any]]) -> list[int]:
        if not hits:
            return []
        return _ints(searcher.fast_field_values("doc_id", [a for _, a in hits]))

    def _document_query(self, request: EngineQuery) -> Query:
        text = self._text_query(request.query, request.mode, DOC_FIELDS, DOC_PHRASE_FIELDS)
        clauses = [(Occur.Must, self._kind(DOC)), *text, *self._filters(request.filters)]
        if request.hidden:
            hidden = Query.term_set_query(self.schema, "doc_id", sorted(request.hidden))
            clauses.append((Occur.MustNot, hidden))
        return Query.boolean_query(clauses)

    def _text_query(
        self,
        query: ParsedQuery,
        mode: Mode,
        fields: tuple[tuple[str, float], ...],
        phrase_fields: tuple[tuple[str, float], ...],
    ) -> list[tuple[Occur, Query]]:
        positive = [self._clause(c, fields, phrase_fields) for c in query.positive]
        negative = [(Occur.MustNot, self._clause(c, fields, phrase_fields)) for c in query.negative]
        if mode == "all":
            return [*((Occur.Must, q) for q in positive), *negative]
        either = Query.boolean_query([(Occur.Should, q) for q in positive])
        return [(Occur.Must, either), *negative]

    def _clause(
        self,
        clause: Clause,
        fields: tuple[tuple[str, float], ...],
        phrase_fields: tuple[tuple[str, float], ...],
    ) -> Query:
        if clause.phrase:
            parts = [
                Query.boost_query(Query.phrase_query(self.schema, f, list(clause.tokens)), boost)
                for f, boost in phrase_fields
            ]
        else:
            (token,) = clause.tokens
            parts = [
                Query.boost_query(Query.term_query(self.schema, f, token), boost)
                for f, boost in fields
            ]
        return Query.boolean_query([(Occur.Should, p) for p in parts])

    def _filters(self, f: Filters) -> list[tuple[Occur, Query]]:
        out: list[Query] = []
        s = self.schema
        if f.categories is not None:
            out.append(Query.term_set_query(s, "category", sorted(f.categories)))
        if f.formats is not None:
            out.append(Query.term_set_query(s, "format", sorted(f.formats)))
        if f.pricing is not None:
            out.append(Query.term_set_query(s, "pricing", sorted(f.pricing)))
        if f.pages is not None:
            low, high = f.pages
            out.append(Query.range_query(s, "pages", FieldType.Unsigned, low, high or 2**31))
        if f.published_after is not None:
            out.append(
                Query.range_query(s, "published", FieldType.Integer, f.published_after, 2**62)
            )
        # Filters decide what matches, not how well: they must not change scores.
        return [(Occur.Must, Query.const_score_query(q, 0.0)) for q in out]

    def _facets(self, searcher: tantivy.Searcher, query: Query, now: int) -> Facets:
        windows = date_windows(now)
        date_ranges = [
            {"key": key, "from": start, **({"to": windows[i - 1][1]} if i else {})}
            for i, (key, start) in enumerate(windows)
        ]
        page_ranges = [
            {"key": key, "from": first, **({"to": last + 1} if last is not None else {})}
            for key, first, last in PAGE_BUCKETS
        ]
        aggs = {
            "category": {"terms": {"field": "category", "size": 100000}},
            "format": {"terms": {"field": "format", "size": 100}},
            "pricing": {"terms": {"field": "pricing", "size": 10}},
            "pages": {"range": {"field": "pages", "ranges": page_ranges}},
            "dates": {"range": {"field": "published", "ranges": date_ranges}},
        }
        raw = searcher.aggregate(query, aggs)

        def terms(name: str) -> dict[Any, int]:
            return {b["key"]: int(b["doc_count"]) for b in raw[name]["buckets"]}

        def ranges(name: str, keys: set[str]) -> dict[str, int]:
            """Our named, non-empty ranges (Tantivy adds empty ones, and one below the first)."""
            buckets = raw[name]["buckets"]
            return {
                b["key"]: int(b["doc_count"])
                for b in buckets
                if b.get("key") in keys and b["doc_count"]
            }

        categories = {(int(k) or None): n for k, n in terms("category").items()}
        return Facets(
            categories=categories,
            formats={k: n for k, n in terms("format").items() if k != "-"},
            pricing=terms("pricing"),
            pages=ranges("pages", {key for key, _, _ in PAGE_BUCKETS}),
            dates=cumulative_dates(ranges("dates", {key for key, _ in windows})),
        )


def _count(result: tantivy.SearchResult) -> int:
    """Total matches of a search run with count=True (missing from tantivy's type stubs)."""
    return int(getattr(result, "count", 0) or 0)


def _ints(values: list[int | float | bool | None]) -> list[int]:
    return [int(v or 0) for v in values]
