"""The scale-mode search backend: tsvectors in PostgreSQL (docs/architecture.md, "Search").

Wenku's own tokens are written as tsvector *literals* (never through a PostgreSQL
text-search parser, which would split 7714-2015 or drop 12.5%), so both backends see
the same tokens. Documents are ranked with RUM's ``<=>`` when the RUM index exists
(``postgresql-15-rum``), else with ``ts_rank`` over a GIN index (slower for very
common words). Queries join ``library_document``, so status and filters are always
the database's current ones.

Weights: title A (its words, then in a stream of their own its search-mode sub-words),
tags B, body D. The body's sub-words are lexemes without positions (they match words,
not phrases).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper

from wenku.search.backends import grams
from wenku.search.backends.base import (
    EngineQuery,
    EngineResult,
    Facets,
    Filters,
    IndexEntry,
    Mode,
    count_facets,
)
from wenku.search.query import Clause, ParsedQuery

MAX_POSITION = 16383  # PostgreSQL's limit; later tokens are stored without positions
MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEMES = 60000  # keeps a tsvector of a very long book under its 1 MB limit
DF_CAP = 1000  # document frequencies above this are all "common"
# A one-word query whose word is in at least this many documents is answered from the
# documents with the word in their title or tags first (PostgresBackend._title_first).
TITLE_FIRST_DF = 200
# RUM's score for one word is at least 0.4 / (π²/6) = 0.24 with the word in the title or
# tags, below 0.1 without (PostgresBackend._title_first): distances (1 / score) under
# this are title-or-tag matches.
TITLE_OR_TAG_DISTANCE = 5.0
# Planner settings off for the title-first path's queries and a phrase's count (_count_step).
FROM_THE_INDEX = ("enable_seqscan", "enable_bitmapscan", "enable_mergejoin", "enable_hashjoin")
# ... and for a count from the words index (_count_step): a bitmap of it, then each match
# looked up in library_document until the limit.
FROM_THE_WORDS = ("enable_seqscan", "enable_mergejoin", "enable_hashjoin")
# ... and for a query ordered by relevance. With RUM, PostgreSQL's estimate for a tsquery
# (500 rows, whatever the words) makes it prefer a bitmap scan that reads every match's
# whole tsvector to sort them: 121 ms for a word in 12,000 of 100,000 documents, against
# 27 ms for the best 1,001 read in order from the RUM index. Nor a sequential scan, which
# the same estimate can make look cheap for rare words (it does not count reading each
# document's tsvector): 955 ms for `审计学 | 敏` (494 matches), 8 ms from RUM.
RANKED = ("enable_bitmapscan", "enable_seqscan")
# How a statement read from an index (RUM in order, or the words index) joins its matches
# to their document rows: each match looks up its row. ``+ 0`` keeps the planner from
# driving the join from library_document instead (every ready document looked up by key
# and its tsvector tested, or the primary key read in order for a merge join), which it
# takes when its statistics are young.
MATCHES_FIRST = "JOIN library_document d ON d.id = s.document_id + 0"
JOINED = "JOIN library_document d ON d.id = s.document_id"
# The documents' words without positions, GIN-indexed beside RUM (migration 0004): what
# counting reads (_count_step).
WORDS_INDEX = "search_pg_document_words"
WORDS_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {WORDS_INDEX} ON search_pg_document USING gin (strip(tsv))"
)
DF_CACHE_SECONDS = 600.0
# How often a process asks whether every document is indexed with its common-word pairs
# (PostgresBackend.all_paired).
PAIRED_CHECK_SECONDS = 60.0
PHRASE = "<->"  # in a tsquery: words in this order
# A thread's last best-by-relevance list answers its next asks for hits only (the search
# fold's further results, moments later) for this long (PostgresBackend._remembered).
RANKED_SECONDS = 2.0
DF_CACHE_SIZE = 20000
# What facets count, per match (count_facets' row shape).
FACET_COLUMNS = (
    ", d.category_id, d.format, d.pricing, d.page_count, extract(epoch FROM d.published_at)::bigint"
)
# A shown hit's score, for the row whose id is ``{id}`` (ts_rank: it reads the whole tsvector,
# so only shown rows are scored).
SCORE = "(SELECT ts_rank(t.tsv, %s::tsquery) FROM search_pg_document t WHERE t.document_id = {id})"
ORDER = {
    "newest": "d.published_at DESC NULLS LAST, d.id DESC",
    "downloads": "d.download_count DESC, d.published_at DESC, d.id DESC",
    "views": "d.view_count DESC, d.published_at DESC, d.id DESC",
}


# A statement to run: the planner settings it needs off (with RUM), its SQL, its parameters.
Step = tuple[tuple[str, ...], str, list[Any]]


def quote(lexeme: str) -> str:
    """A lexeme as a quoted tsvector/tsquery literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(
    weighted: Sequence[tuple[Sequence[str], str]], extra: Iterable[str] = (), paired: bool = False
) -> str:
    """A tsvector literal: ``weighted`` streams get positions (and a weight letter),
    ``extra`` lexemes none. Streams are separated by a gap so no phrase spans two. With
    ``paired``, each stream's common-word pairs too (``grams``), at their first word's
    position, after every word (a vector cut at MAX_LEXEMES loses pairs first)."""
    positions: dict[str, list[str]] = defaultdict(list)
    pair_positions: dict[str, list[str]] = defaultdict(list)
    pos = 1
    for tokens, weight in weighted:
        suffix = "" if weight == "D" else weight
        for token in tokens:
            _place(positions, token, pos, suffix)
            pos += 1
        if paired:
            start = pos - len(tokens)
            for i, lexeme in grams.pairs(tokens):
                _place(pair_positions, lexeme, start + i, suffix)
        pos += 10
    for token in extra:
        positions.setdefault(token, [])
    for lexeme, slots in pair_positions.items():
        positions.setdefault(lexeme, slots)
    items = list(positions.items())[:MAX_LEXEMES]
    return " ".join(quote(t) + (":" + ",".join(p) if p else "") for t, p in items)


def _place(positions: dict[str, list[str]], lexeme: str, pos: int, suffix: str) -> None:
    """``lexeme`` at ``pos``: past PostgreSQL's last position it is kept without one."""
    if pos <= MAX_POSITION:
        slots = positions[lexeme]
        if len(slots) < MAX_POSITIONS_PER_LEXEME:
            slots.append(f"{pos}{suffix}")
    else:
        positions.setdefault(lexeme, [])


def tsquery(query: ParsedQuery, mode: Mode, paired: bool = False) -> str:
    """A tsquery literal for a parsed query ('' when nothing positive remains); with
    ``paired``, phrases asked by their common-word pairs (``grams.phrase``), for vectors
    that hold them."""
    positive = [_clause(c, paired) for c in query.positive]
    if not positive:
        return ""
    joined = " & ".join(positive) if mode == "all" else "(" + " | ".join(positive) + ")"
    negative = "".join(f" & !({_clause(c, paired)})" for c in query.negative)
    return joined + negative


def single_word(query: ParsedQuery) -> str | None:
    """The word of a query that is one word and nothing else (no phrase, no exclusion)."""
    if len(query.clauses) != 1:
        return None
    clause = query.clauses[0]
    return None if clause.negated or clause.phrase else clause.tokens[0]


def _clause(clause: Clause, paired: bool = False) -> str:
    if clause.phrase:
        units = grams.phrase(clause.tokens) if paired else clause.tokens
        return "(" + " <-> ".join(quote(t) for t in units) + ")"
    return quote(clause.tokens[0])


def _one_trip(cur: CursorWrapper) -> bool:
    """Can ``cur`` run several statements with parameters in one round trip? (psycopg 3's
    client-side binding cursor: Django's default.)"""
    try:
        from psycopg import ClientCursor
    except ImportError:  # psycopg2
        return False
    return isinstance(cur.cursor, ClientCursor)


class PostgresBackend:
    name = "postgres"
    live_status = True  # queries join library_document: status is always current

    def __init__(self) -> None:
        self._ranking: str | None = None
        self._words: bool | None = None
        self._num_docs: tuple[float, int] | None = None
        self._df_cache: dict[str, tuple[float, int]] = {}
        self._last = threading.local()  # this thread's last _best: (time, key, ids, all)
        self._paired = False
        self._paired_at = -PAIRED_CHECK_SECONDS

    def _check(self) -> None:
        if connection.vendor != "postgresql":
            raise RuntimeError(
                "WENKU_SEARCH_BACKEND=postgres needs WENKU_DATABASE_URL to be a PostgreSQL database"
            )

    def ranking(self) -> str:
        """'rum' when documents have a RUM index, else 'gin'."""
        if self._ranking is None:
            self._check()
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
                    "WHERE c.relname = 'search_pg_document_tsv'"
                )
                row = cur.fetchone()
            self._ranking = "rum" if row and row[0] == "rum" else "gin"
        return self._ranking

    def words_indexed(self) -> bool:
        """Is there the words index (with RUM: migration 0004) to count from?"""
        if self._words is None:
            self._check()
            with connection.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_class WHERE relname = %s", [WORDS_INDEX])
                self._words = cur.fetchone() is not None
        return self._words

    def all_paired(self) -> bool:
        """Do the vectors of every document hold its common-word pairs (``grams``)?
        Those indexed before pairs were (migration 0005) do not, until they are indexed
        again (``wenku reindex``, or the worker's catch-up): till then phrases are asked
        word by word, which finds the same documents, slower. Asked again every
        PAIRED_CHECK_SECONDS (a partial index answers at once), so a restored older
        backup is noticed too."""
        now = time.monotonic()
        if now - self._paired_at >= PAIRED_CHECK_SECONDS:
            self._check()
            with connection.cursor() as cur:
                cur.execute("SELECT NOT EXISTS (SELECT 1 FROM search_pg_document WHERE NOT paired)")
                self._paired = bool(cur.fetchone()[0])
            self._paired_at = now
        return self._paired

    # --- writing

    def index(self, entries: Sequence[IndexEntry]) -> None:
        self._check()
        docs = [(e.document_id, self._document_vector(e)) for e in entries]
        pages = [
            (e.document_id, p.number, tsvector([(p.words, "D")], p.subwords))
            for e in entries
            for p in e.pages
        ]
        ids = [e.document_id for e in entries]
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM search_pg_page WHERE document_id = ANY(%s)", [ids])
            cur.executemany(
                "INSERT INTO search_pg_document (document_id, tsv, paired) "
                "VALUES (%s, %s::tsvector, true) "
                "ON CONFLICT (document_id) DO UPDATE SET tsv = EXCLUDED.tsv, paired = true",
                docs,
            )
            if pages:
                cur.executemany(
                    "INSERT INTO search_pg_page (document_id, number, tsv) "
                    "VALUES (%s, %s, %s::tsvector)",
                    pages,
                )

    @staticmethod
    def _document_vector(e: IndexEntry) -> str:
        # A title's sub-words (预算 of 年度预算) weigh like its words: without a weight
        # of their own they would rank a title match below a short body's mention.
        streams = [
            (e.title_words, "A"),
            (e.title_subwords, "A"),
            (e.tags, "B"),
            (e.body_words, "D"),
        ]
        return tsvector(streams, e.body_subwords, paired=True)

    def remove(self, document_ids: Iterable[int]) -> None:
        ids = list(document_ids)
        if not ids:
            return
        self._check()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM search_pg_page WHERE document_id = ANY(%s)", [ids])
            cur.execute("DELETE FROM search_pg_document WHERE document_id = ANY(%s)", [ids])

    def clear(self) -> None:
        self._check()
        with connection.cursor() as cur:
            cur.execute("TRUNCATE search_pg_page, search_pg_document")

    def begin_bulk(self) -> None:
        """Drop the document index: building it once at the end is far faster than
        updating it row by row (RUM inserts are slow)."""
        self._check()
        self.ranking()  # remember which kinds to rebuild
        self.words_indexed()
        with connection.cursor() as cur:
            cur.execute("DROP INDEX IF EXISTS search_pg_document_tsv")
            cur.execute(f"DROP INDEX IF EXISTS {WORDS_INDEX}")

    def end_bulk(self) -> None:
        kind = "rum (tsv rum_tsvector_ops)" if self.ranking() == "rum" else "gin (tsv)"
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS search_pg_document_tsv "
                f"ON search_pg_document USING {kind}"
            )
            if self.words_indexed():
                cur.execute(WORDS_INDEX_SQL)
            cur.execute("ANALYZE search_pg_document")
            cur.execute("ANALYZE search_pg_page")

    # --- reading

    def indexed_ids(self) -> set[int]:
        self._check()
        with connection.cursor() as cur:
            cur.execute("SELECT document_id FROM search_pg_document")
            return {r[0] for r in cur.fetchall()}

    def num_docs(self) -> int:
        now = time.monotonic()
        if self._num_docs is None or now - self._num_docs[0] > 60:
            self._check()
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM search_pg_document")
                self._num_docs = (now, int(cur.fetchone()[0]))
        return self._num_docs[1]

    def search(self, request: EngineQuery) -> EngineResult:
        """The page of hits, the total and (if asked) the facets, counting at most
        ``request.cap`` matches.

        Counting every match means joining each with its document row: tens of
        thousands of rows for a common word. So at most ``cap + 1`` matches are read:
        with facets, the best ``cap + 1`` by relevance (RUM ranks inside the index; the
        scan stops at the LIMIT), whose facets are exact if there are no more, and else
        counted among the best ``cap``; without, the asked page by relevance, and the
        matches counted from the index in no order (``_count_step``), which with
        RUM costs a third of reading the best ``cap + 1`` in order (a three-word query
        with 690 matches: 6 + 6 ms against 22 ms). Either way a total over ``cap`` is
        reported as ``cap``, not exact. Statements that do not wait for another's rows
        go together, in one round trip (``_together``).
        """
        self._check()
        q = tsquery(request.query, request.mode, paired=self.all_paired())
        if not q:
            return EngineResult(0, [], Facets() if request.facets else None)
        where, params = self._where(q, request.filters, request.hidden)
        cap = max(1, request.cap)
        first, last = request.offset, request.offset + request.limit
        counted: int | None = None
        if request.sort == "relevance" and not request.facets:
            remembered = None if request.count else self._remembered(q, where, params, first, last)
            if remembered is not None:  # hits only, from the first ask's ranking
                return EngineResult(
                    first + len(remembered), self._scored(q, remembered), None, False
                )
            found, counted = self._title_first(request, q, where, params, cap)
            if found is not None:
                return found
        page = self._page_step(q, where, params, request.sort, first, request.limit)
        if not request.count and not request.facets:  # hits only: no count
            hits = self._hits(self._together([page])[0])
            return EngineResult(first + len(hits), hits, None, False)
        # The page ranked alone and the matches counted apart, but for a phrase by
        # relevance: RUM checks its positions in every document with its words to count
        # as to rank ("了一些发展": 71 ms for the page, 51 more for the count, 73 for the
        # best 1,001), so its page and total come from one ranking of the best cap + 1.
        if not request.facets and (
            request.sort != "relevance" or (self.ranking() == "rum" and PHRASE not in q)
        ):
            if counted is None:
                count_rows, shown = self._together(
                    [self._count_step(q, request, where, params, cap + 1), page]
                )
                counted = int(count_rows[0][0])
            else:  # counted by the title-first path, which did not apply
                shown = self._together([page])[0]
            return EngineResult(min(counted, cap), self._hits(shown), None, counted <= cap)
        rows = self._best(q, where, params, cap + 1, request.facets)
        total, exact = min(len(rows), cap), len(rows) <= cap
        if request.sort == "relevance" and (exact or last <= len(rows)):
            hits = self._scored(q, [int(r[0]) for r in rows[first:last]])
        else:
            hits = self._hits(self._together([page])[0])
        facets = None
        if request.facets:
            facet_rows = ((r[1], r[2], r[3], r[4], r[5]) for r in rows[:cap])
            facets = count_facets(facet_rows, request.now, sample=0 if exact else cap)
        return EngineResult(total, hits, facets, exact)

    def _title_first(
        self, request: EngineQuery, q: str, where: str, params: list[Any], cap: int
    ) -> tuple[EngineResult | None, int | None]:
        """A one-word query for a common word, by relevance: its best hits are read from
        the documents with the word in their title or tags. Returns the result, or None
        when the path does not apply; and the count it made, if it made one.

        RUM scores one word as the sum over its occurrences, in position order, of
        weight / n² / (π²/6), weights A 1.0, B 0.4, D 0.1. Titles (A) and tags (B) come
        before the body in every document's positions, so a document with the word in
        its title or tags scores at least 0.4 / (π²/6) = 0.24, and one with it in the body
        only less than 0.1. So if the title-or-tag matches fill the asked page, it is the
        page the whole ranking would give (ties aside, which neither orders), while the
        scan reads only them instead of every match (a common word is in thousands of
        bodies, in few titles). ``word:AB`` also matches the word's position-less
        entries (sub-words of the body), which score 0: the page counts only distances
        under TITLE_OR_TAG_DISTANCE. The total is then counted up to ``cap + 1`` in any
        order, which needs no ranking either (in the same round trip: the whole ranking
        would count the same way). Common means in at least TITLE_FIRST_DF documents (a
        cached count): for rarer words the whole ranking is cheap.
        """
        word = single_word(request.query)
        if word is None or self.ranking() != "rum" or self._df(word) < TITLE_FIRST_DF:
            return None, None
        strong = f"{quote(word)}:AB"
        strong_where, strong_params = self._where(strong, request.filters, request.hidden)
        # The page's rows only are scored: the offset's are skipped before, in a CTE of
        # their own (PostgreSQL computes the columns of the rows an OFFSET skips).
        sql = (
            "WITH best AS MATERIALIZED (SELECT d.id, s.tsv <=> %s::tsquery AS distance "
            f"FROM search_pg_document s {MATCHES_FIRST} "
            f"WHERE {strong_where} ORDER BY s.tsv <=> %s::tsquery LIMIT %s), "
            "shown AS MATERIALIZED (SELECT id, distance FROM best OFFSET %s) "
            f"SELECT id, {SCORE.format(id='shown.id')}, distance FROM shown"
        )
        # The RUM index, read in order (PostgreSQL does not count the cost of reading
        # tsvectors and may rather test each row's), then the count (_count_step).
        steps: list[Step] = [
            (
                FROM_THE_INDEX,
                sql,
                [q, *strong_params, q, request.offset + request.limit, request.offset, q],
            )
        ]
        if request.count:
            steps.append(self._count_step(q, request, where, params, cap + 1))
        found = self._together(steps)
        shown, counted = found[0], int(found[1][0][0]) if request.count else None
        # Distances come in order: the page is the title-or-tag matches' if its last is one.
        if len(shown) < request.limit or shown[-1][2] >= TITLE_OR_TAG_DISTANCE:
            return None, counted
        hits = self._hits(shown)
        total = request.offset + len(hits) if counted is None else counted
        return EngineResult(
            min(total, cap), hits, None, counted is not None and total <= cap
        ), counted

    def _df(self, word: str) -> int:
        """How many documents have ``word`` (up to DF_CAP), remembered for a while: it
        only chooses how to run a query, never what it finds."""
        now = time.monotonic()
        cached = self._df_cache.get(word)
        if cached is None or now - cached[0] > DF_CACHE_SECONDS:
            if len(self._df_cache) >= DF_CACHE_SIZE:
                self._df_cache.clear()
            cached = (now, self.doc_freqs([word])[word])
            self._df_cache[word] = cached
        return cached[1]

    def _order(self, sort: str) -> str:
        if sort != "relevance":
            return ORDER[sort]
        if self.ranking() == "rum":
            return "s.tsv <=> %s::tsquery"  # ranked inside the RUM index
        return "ts_rank(s.tsv, %s::tsquery) DESC"

    def _join(self, sort: str) -> str:
        """How a statement in ``sort`` order joins the documents (MATCHES_FIRST)."""
        return MATCHES_FIRST if sort == "relevance" and self.ranking() == "rum" else JOINED

    def _together(self, steps: Sequence[Step]) -> list[list[tuple[Any, ...]]]:
        """The rows of each step's statement, run with the step's planner settings off
        (with RUM only) and back on after it: all in one round trip.

        A search ran up to eight statements one after another (three for each planner-
        tuned one: SET, the statement, RESET), a round trip each. Django's psycopg 3
        cursor binds parameters on the client, so several statements can go as one
        simple query, which PostgreSQL runs in one transaction (the connection's, or an
        implicit one): if one fails, the settings are rolled back with it. Elsewhere
        (server-side binding, psycopg2) each step is a round trip of its own."""
        if not steps:
            return []
        rum = self.ranking() == "rum"
        with connection.cursor() as cur:
            if not _one_trip(cur):
                found = []
                for off, sql, params in steps:
                    with self._planner(*off) as each:
                        each.execute(sql, params)
                        found.append(list(each.fetchall()))
                return found
            statements: list[str] = []
            values: list[Any] = []
            for off, sql, params in steps:
                off = off if rum else ()
                statements += [f"SET {s} = off" for s in off]
                statements += [sql, *(f"RESET {s}" for s in off)]
                values += params
            cur.execute("; ".join(statements), values)
            found = []
            while True:
                if cur.description is not None:  # a statement's rows; SET and RESET have none
                    found.append(list(cur.fetchall()))
                if not cur.nextset():
                    return found

    @contextmanager
    def _planner(self, *off: str) -> Iterator[CursorWrapper]:
        """A cursor with the planner settings ``off`` turned off (with RUM only), and
        back on afterwards."""
        with connection.cursor() as cur:
            if self.ranking() != "rum" or not off:
                yield cur
                return
            # One round trip each way (statements without parameters may be several).
            cur.execute("; ".join(f"SET {setting} = off" for setting in off))
            try:
                yield cur
            finally:
                # In a failed transaction RESET fails too; the rollback resets it.
                with suppress(DatabaseError):
                    cur.execute("; ".join(f"RESET {setting}" for setting in off))

    def _best(
        self, q: str, where: str, params: list[Any], limit: int, facets: bool
    ) -> list[tuple[Any, ...]]:
        """The best ``limit`` matches by relevance: ids, and with ``facets`` the columns
        the facets count."""
        columns = FACET_COLUMNS if facets else ""
        sql = (
            f"SELECT d.id{columns} FROM search_pg_document s {self._join('relevance')} "
            f"WHERE {where} ORDER BY {self._order('relevance')} LIMIT %s"
        )
        rows = self._together([(RANKED, sql, [*params, q, limit])])[0]
        ids = [int(r[0]) for r in rows]
        self._last.best = (time.monotonic(), (q, where, repr(params)), ids, len(rows) < limit)
        return rows

    def _remembered(
        self, q: str, where: str, params: list[Any], first: int, last: int
    ) -> list[int] | None:
        """Ids ``first`` to ``last`` by relevance from this thread's last ``_best`` of the same
        query and filters, if it was read within RANKED_SECONDS and reaches ``last`` (or
        holds every match); else None. The search page's first ask reads the best
        ``cap + 1`` for its filter counts, and its fold then asks for further results:
        RUM would rank every match again for each (23 ms for a word in 1,000 of 2,000
        documents), the list has them in the same order."""
        found = getattr(self._last, "best", None)
        if found is None:
            return None
        at, key, ids, whole = found
        if key != (q, where, repr(params)) or time.monotonic() - at > RANKED_SECONDS:
            return None
        if last > len(ids) and not whole:
            return None
        return ids[first:last]

    def _page_step(
        self, q: str, where: str, params: list[Any], sort: str, offset: int, limit: int
    ) -> Step:
        """One page of matching ids in ``sort`` order, each with its score (``_hits``).

        The page is chosen in a CTE of its own, so only its rows are scored (PostgreSQL
        would compute a column for every row an OFFSET skips, or that a sort orders)."""
        order = self._order(sort)
        order_params = [q] if sort == "relevance" else []
        sql = (
            f"WITH page AS MATERIALIZED (SELECT d.id FROM search_pg_document s {self._join(sort)} "
            f"WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s) "
            f"SELECT id, {SCORE.format(id='page.id')} FROM page"
        )
        off = RANKED if sort == "relevance" else ()
        return off, sql, [*params, *order_params, limit, offset, q]

    @staticmethod
    def _hits(rows: list[tuple[Any, ...]]) -> list[tuple[int, float]]:
        """(id, score) of a page's rows, in their order (a CTE's rows come out in the
        order it made them)."""
        return [(int(r[0]), float(r[1] or 0.0)) for r in rows]

    @staticmethod
    def _scored(q: str, ids: list[int]) -> list[tuple[int, float]]:
        """The shown hits, in order, with their ts_rank (of them only: it reads each whole
        tsvector)."""
        if not ids:
            return []
        with connection.cursor() as cur:
            cur.execute(
                "SELECT document_id, ts_rank(tsv, %s::tsquery) FROM search_pg_document "
                "WHERE document_id = ANY(%s)",
                [q, ids],
            )
            scores = {int(i): float(r) for i, r in cur.fetchall()}
        return [(i, scores.get(i, 0.0)) for i in ids]

    @staticmethod
    def _where(
        q: str, f: Filters, hidden: frozenset[int], vector: str = "s.tsv"
    ) -> tuple[str, list[Any]]:
        parts = [f"{vector} @@ %s::tsquery", "d.status = 'ready'"]
        params: list[Any] = [q]
        if hidden:
            parts.append("NOT (d.id = ANY(%s))")
            params.append(sorted(hidden))
        if f.categories is not None:
            parts.append("d.category_id = ANY(%s)")
            params.append(sorted(f.categories))
        if f.formats is not None:
            parts.append("d.format = ANY(%s)")
            params.append(sorted(f.formats))
        if f.pricing is not None:
            parts.append("d.pricing = ANY(%s)")
            params.append(sorted(f.pricing))
        if f.pages is not None:
            parts.append("d.page_count >= %s")
            params.append(f.pages[0])
            if f.pages[1] is not None:
                parts.append("d.page_count <= %s")
                params.append(f.pages[1])
        if f.published_after is not None:
            parts.append("d.published_at >= %s")
            params.append(datetime.fromtimestamp(f.published_after, UTC))
        return " AND ".join(parts), params

    def _count_step(
        self, q: str, request: EngineQuery, where: str, params: list[Any], limit: int
    ) -> Step:
        """How many documents match ``q`` (its ``where`` and ``params``) and the request's
        filters, counting at most ``limit``.

        From the words index where it can answer: ``strip(tsv)``, the documents' words
        without positions or weights, which match a query without phrases exactly as
        ``tsv`` does. RUM, even unordered, collects and sorts every match of a word
        before it returns the first (30 ms for a word in 92,000 of 100,000 documents,
        spilling to disk), and so did every count; a GIN bitmap of the same matches
        takes 5 ms, and the count then looks up matches in library_document until
        ``limit`` are found (7 ms in all; FROM_THE_WORDS off).

        Phrases need positions: they are counted from RUM in no order. Left to itself
        the planner tests every row's tsvector (a sequential scan, or the primary key
        in order for a merge join; a bitmap scan rechecks them too): it reads every
        match's whole tsvector, 30 ms for 1,001 of 2,000 documents, against 2 ms from
        the index. So the matches come from the index (FROM_THE_INDEX off, and the join
        MATCHES_FIRST, which the primary key's order does not give), each
        looked up in library_document until ``limit`` are found. Without RUM (GIN),
        as the planner likes."""
        words = self.words_indexed() and PHRASE not in q
        if words:
            where, params = self._where(q, request.filters, request.hidden, vector="strip(s.tsv)")
        off = FROM_THE_WORDS if words else FROM_THE_INDEX
        join = MATCHES_FIRST if words or self.ranking() == "rum" else JOINED
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM search_pg_document s "
            f"{join} WHERE {where} LIMIT %s) m"
        )
        return off, sql, [*params, limit]

    def best_pages(
        self,
        query: ParsedQuery,
        mode: Mode,
        document_ids: Sequence[int],
        within: Mapping[int, int] | None = None,
    ) -> dict[int, int]:
        self._check()
        found: dict[int, int] = {}
        limited = {d: n for d, n in (within or {}).items() if n > 0 and d in document_ids}
        for attempt in dict.fromkeys((mode, "any")) if limited else ():
            missing = [d for d in limited if d not in found]
            q = tsquery(query, attempt)
            if not missing or not q:
                break
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT DISTINCT ON (p.document_id) p.document_id, p.number "
                    "FROM search_pg_page p "
                    "JOIN unnest(%s::int[], %s::int[]) AS l(doc, last) ON l.doc = p.document_id "
                    "WHERE p.number <= l.last AND p.tsv @@ %s::tsquery "
                    "ORDER BY p.document_id, ts_rank(p.tsv, %s::tsquery) DESC, p.number",
                    [missing, [limited[d] for d in missing], q, q],
                )
                found.update({int(d): int(n) for d, n in cur.fetchall()})
        for attempt in dict.fromkeys((mode, "any")):
            missing = [i for i in document_ids if i not in found]
            q = tsquery(query, attempt)
            if not missing or not q:
                break
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT DISTINCT ON (document_id) document_id, number FROM search_pg_page "
                    "WHERE document_id = ANY(%s) AND tsv @@ %s::tsquery "
                    "ORDER BY document_id, ts_rank(tsv, %s::tsquery) DESC, number",
                    [missing, q, q],
                )
                found.update({int(d): int(n) for d, n in cur.fetchall()})
        return found

    def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]:
        self._check()
        words = self.words_indexed()  # see _count_step
        vector = "strip(tsv)" if words else "tsv"
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM search_pg_document "
            f"WHERE {vector} @@ %s::tsquery LIMIT %s) x"
        )
        off = FROM_THE_WORDS if words else ()
        found = self._together([(off, sql, [quote(term), DF_CAP]) for term in terms])
        return {term: int(rows[0][0]) for term, rows in zip(terms, found, strict=True)}

    def similar(
        self, keywords: Sequence[tuple[str, float]], limit: int, exclude: frozenset[int]
    ) -> list[tuple[int, float]]:
        self._check()
        if not keywords:
            return []
        # tsquery has no per-term weights: the best-weighted terms are the ones asked for.
        q = " | ".join(quote(t) for t, _ in keywords)
        order = "s.tsv <=> %s::tsquery" if self.ranking() == "rum" else "rank DESC"
        sql = (
            "SELECT s.document_id, ts_rank(s.tsv, %s::tsquery) AS rank FROM search_pg_document s "
            "WHERE s.tsv @@ %s::tsquery AND NOT (s.document_id = ANY(%s)) "
            f"ORDER BY {order} LIMIT %s"
        )
        params: list[Any] = [q, q, sorted(exclude)]
        if self.ranking() == "rum":
            params.append(q)
        rows = self._together([(RANKED, sql, [*params, limit])])[0]
        return [(int(i), float(s)) for i, s in rows]
