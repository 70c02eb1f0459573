"""The same hit/miss table, with Chinese rows, against every search backend."""

from __future__ import annotations

import pytest

from wenku.search.backends import SearchBackend
from wenku.search.backends.base import EngineQuery, Filters
from wenku.search.query import parse

LIBRARY = {
    "tax": (
        "个人所得税法解读",
        ["中华人民共和国个人所得税法修正案全文。", "第二页：营业收入21.05亿元。"],
    ),
    "exam": ("小学三年级数学期末试卷", ["一、填空题。二、计算题。期末考试 人教版"]),
    "report": ("2022年度述职报告", ["本人在疫情常态化防控期间，认真履行岗位职责。"]),
    "standard": ("参考文献著录规则", ["本标准即 GB/T 7714-2015，规定了著录项目。"]),
    "covid": ("COVID-19 vaccine study", ["We measured antibody response after vaccination."]),
    "ml": ("Machine Learning notes", ["Gradient descent and neural networks, 12.5% error."]),
}

# (query, documents that must match, documents that must not)
CASES = [
    ("所得税", {"tax"}, {"exam", "report"}),  # sub-word inside 个人所得税法
    ("个人所得税法", {"tax"}, set()),
    ("期末", {"exam"}, {"tax"}),  # sub-word inside 期末试卷
    ("期末试卷", {"exam"}, set()),
    ("数学 人教版", {"exam"}, {"tax"}),  # AND across title and body
    ("述职报告", {"report"}, set()),
    ("常态化", {"report"}, set()),
    ("21.05", {"tax"}, set()),  # numbers whole
    ("亿元", {"tax"}, set()),
    ("GB/T 7714-2015", {"standard"}, set()),
    ("7714-2015", {"standard"}, set()),
    ("covid-19", {"covid"}, set()),
    ("COVID", {"covid"}, set()),  # part of a code
    ("vaccine", {"covid"}, {"ml"}),
    ("machine learning", {"ml"}, {"covid"}),
    ("NEURAL", {"ml"}, set()),  # case-insensitive
    ("12.5%", {"ml"}, set()),
    ('"gradient descent"', {"ml"}, set()),
    ('"descent gradient"', set(), {"ml"}),  # a phrase keeps its order
    ('"修正案全文"', {"tax"}, set()),
    ("vaccine -antibody", set(), {"covid"}),  # exclusion
    ("期末 -数学", set(), {"exam"}),
    ("火星殖民", set(), {"tax", "exam", "report", "standard", "covid", "ml"}),
]


@pytest.fixture
def library(indexed):
    return {key: indexed(title, pages).pk for key, (title, pages) in LIBRARY.items()}


def matches(backend: SearchBackend, text: str, **kwargs) -> set[int]:
    result = backend.search(EngineQuery(parse(text), limit=50, **kwargs))
    assert result.total == len(result.hits)
    return {doc_id for doc_id, _ in result.hits}


@pytest.mark.parametrize(("query", "hit", "miss"), CASES, ids=[c[0] for c in CASES])
def test_hits_and_misses(backend, library, query, hit, miss):
    found = matches(backend, query)
    assert {library[k] for k in hit} <= found
    assert not {library[k] for k in miss} & found


def test_title_ranks_above_body(backend, indexed):
    body = indexed("会议纪要", ["会议讨论了预算。" * 3 + "附：招标文件清单。"])
    title = indexed("招标文件范本", ["第一章 总则。"])
    hits = backend.search(EngineQuery(parse("招标文件"))).hits
    assert [d for d, _ in hits] == [title.pk, body.pk]


def test_any_mode_when_not_all_words_match(backend, library):
    assert matches(backend, "vaccine 期末试卷") == set()
    assert matches(backend, "vaccine 期末试卷", mode="any") == {library["covid"], library["exam"]}


def test_hidden_ids_do_not_match(backend, library):
    found = matches(backend, "期末", hidden=frozenset({library["exam"]}))
    assert library["exam"] not in found


def test_filters_and_facets(backend, indexed):
    from wenku.library.models import Category

    root = Category.objects.create(name="教育", slug="edu")
    child = Category.objects.create(name="试卷", slug="papers", parent=root)
    a = indexed("语文期末试卷", ["期末"], category=child, pricing="points", format="docx")
    b = indexed("数学期末试卷", ["期末"] * 1, category=root, pricing="vip_only")
    c = indexed("期末总结", ["期末"] * 60, pricing="free")
    q = parse("期末")
    assert matches(backend, "期末", filters=Filters(formats=frozenset({"docx"}))) == {a.pk}
    cats = Filters(categories=frozenset({root.pk, child.pk}))
    assert matches(backend, "期末", filters=cats) == {a.pk, b.pk}
    assert matches(backend, "期末", filters=Filters(pages=(11, None))) == {c.pk}
    result = backend.search(EngineQuery(q, facets=True, now=2**31))
    assert result.total == 3
    f = result.facets
    assert f.categories == {child.pk: 1, root.pk: 1, None: 1}
    assert f.formats == {"docx": 1, "pdf": 2}
    assert f.pricing == {"points": 1, "vip_only": 1, "free": 1}
    assert f.pages["1-10"] == 2 and f.pages["51-200"] == 1


def test_sorts(backend, indexed):
    from django.utils import timezone

    old = indexed("期末试卷 旧", ["期末"], download_count=50, view_count=1)
    old.published_at = timezone.now() - timezone.timedelta(days=30)
    old.save()
    from wenku.search.indexing import index_documents

    index_documents([old.pk], backend)
    new = indexed("期末试卷 新", ["期末"], download_count=1, view_count=99)
    order = {
        s: [d for d, _ in backend.search(EngineQuery(parse("期末"), sort=s)).hits]
        for s in ("newest", "downloads", "views")
    }
    assert order == {
        "newest": [new.pk, old.pk],
        "downloads": [old.pk, new.pk],
        "views": [new.pk, old.pk],
    }


def test_pagination(backend, indexed):
    docs = [indexed(f"报告{i}", ["年度报告"]) for i in range(7)]
    first = backend.search(EngineQuery(parse("报告"), offset=0, limit=5))
    second = backend.search(EngineQuery(parse("报告"), offset=5, limit=5))
    assert first.total == second.total == 7
    ids = [d for d, _ in first.hits + second.hits]
    assert sorted(ids) == sorted(d.pk for d in docs)


def test_best_pages(backend, indexed):
    doc = indexed("长文档", ["第一页 总则", "第二页 财务报表 营业收入", "第三页 附录"])
    assert backend.best_pages(parse("营业收入"), "all", [doc.pk]) == {doc.pk: 2}
    # words on different pages: the page with any of them
    assert backend.best_pages(parse("附录 总则"), "all", [doc.pk])[doc.pk] in (1, 3)


def test_remove_and_clear(backend, library):
    backend.remove([library["exam"]])
    assert matches(backend, "期末") == set()
    assert library["exam"] not in backend.indexed_ids()
    backend.clear()
    assert backend.indexed_ids() == set() and backend.num_docs() == 0


def test_similar_and_doc_freqs(backend, indexed):
    a = indexed("水稻种植技术", ["水稻 插秧 施肥 灌溉 病虫害 水稻 产量"])
    b = indexed("水稻高产栽培", ["水稻 施肥 灌溉 产量 品种"])
    c = indexed("汽车维修手册", ["发动机 变速箱 刹车 轮胎"])
    assert backend.doc_freqs(["水稻", "发动机"]) == {"水稻": 2, "发动机": 1}
    found = [d for d, _ in backend.similar([("水稻", 2.0), ("施肥", 1.0)], 10, frozenset({a.pk}))]
    assert found == [b.pk] and c.pk not in found


@pytest.fixture
def many(indexed):
    """Seven documents with 预算; the one with it in its title ranks first."""
    others = [indexed(f"会议纪要{i}", [f"第{i}次会议讨论了预算。"]) for i in range(6)]
    best = indexed("年度预算报告", ["预算编制说明。"])
    return best, others


def test_counting_stops_at_the_cap(backend, many):
    """Given more matches than the cap, when searching, then the best match still comes
    first, and a backend that stops counting (PostgreSQL) says the total is a minimum and
    counts the facets among the best ``cap``; Tantivy counts everything, exactly."""
    best, _others = many
    result = backend.search(EngineQuery(parse("预算"), limit=2, cap=3, facets=True, now=2**31))
    assert result.hits[0][0] == best.pk and len(result.hits) == 2
    if backend.name == "postgres":
        assert (result.total, result.exact, result.facets.sample) == (3, False, 3)
        assert sum(result.facets.pricing.values()) == 3  # among the best 3
    else:
        assert (result.total, result.exact, result.facets.sample) == (7, True, 0)
    under = backend.search(EngineQuery(parse("预算"), cap=7, facets=True, now=2**31))
    assert (under.total, under.exact, under.facets.sample) == (7, True, 0)
    assert under.facets.pricing == {"free": 7} and under.facets.pages == {"1-10": 7}


@pytest.mark.parametrize("sort", ["relevance", "newest", "views"])
def test_pages_past_the_cap_still_come(backend, many, sort):
    """Paging on past the cap shows every match once, in a stable order (ties too)."""
    best, others = many
    seen = []
    for offset in range(0, 8, 2):
        request = EngineQuery(parse("预算"), sort=sort, offset=offset, limit=2, cap=3)
        seen += [d for d, _ in backend.search(request).hits]
    assert sorted(seen) == sorted(d.pk for d in [best, *others])


@pytest.mark.parametrize("cap", [3, 10])
def test_a_phrase_is_counted_and_paged_by_relevance(backend, many, cap):
    """A phrase by relevance: its total (a minimum over the cap) and every match once over
    the pages; on PostgreSQL with RUM, the first page and its total from one ranking (no
    count statement: counting a phrase in RUM ranks it again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, others = many
    phrase = parse('"讨论了预算"')  # in the six minutes, not in the report
    with CaptureQueriesContext(connection) as captured:
        first = backend.search(EngineQuery(phrase, limit=2, cap=cap))
    capped = backend.name == "postgres" and cap == 3  # Tantivy counts every match
    assert (first.total, first.exact) == ((3, False) if capped else (6, True))
    if backend.name == "postgres" and backend.ranking() == "rum":
        assert not [q for q in captured.captured_queries if "count(*)" in q["sql"]]
    seen = []
    for offset in range(0, 8, 2):
        seen += [
            d for d, _ in backend.search(EngineQuery(phrase, offset=offset, limit=2, cap=cap)).hits
        ]
    assert sorted(seen) == sorted(d.pk for d in others) and best.pk not in seen


def test_ranked_queries_leave_the_planner_as_they_found_it(backend, many):
    """PostgreSQL with RUM: relevance queries turn bitmap scans off for themselves only."""
    if backend.name != "postgres" or backend.ranking() != "rum":
        pytest.skip("only PostgreSQL with RUM changes a planner setting")
    from django.db import connection

    best, _others = many
    assert backend.search(EngineQuery(parse("预算"), limit=2, cap=3)).hits[0][0] == best.pk
    with connection.cursor() as cur:
        cur.execute("SHOW enable_bitmapscan")
        assert cur.fetchone()[0] == "on"


# (ask, statements without the title-first path, with it): a search sends one statement
# unless it waits for rows: a phrase by relevance or the filter counts read the best
# cap + 1, then score the page; a title-first path that does not fill the page (预算 is
# in one title) leaves the page to the whole ranking, and its count to reuse.
ROUND_TRIPS = [
    (EngineQuery(parse("预算"), limit=1, cap=3), 1, 1),  # the page and the count
    (EngineQuery(parse("预算"), limit=2, cap=3), 1, 2),
    (EngineQuery(parse("会议 预算"), limit=2, cap=3, sort="newest"), 1, 1),
    (EngineQuery(parse("纪要"), offset=2, limit=2, count=False), 1, 1),  # hits only
    (EngineQuery(parse('"讨论了预算"'), limit=2, cap=3), 2, 2),
    (EngineQuery(parse("预算"), limit=2, cap=3, facets=True, now=2**31), 2, 2),
]


@pytest.mark.parametrize(("ask", "alone", "first"), ROUND_TRIPS)
@pytest.mark.parametrize("title_first", [False, True])
def test_a_search_is_one_round_trip_to_postgresql(
    backend, many, monkeypatch, ask, alone, first, title_first
):
    """PostgreSQL with RUM: the statements of a search that do not wait for another's rows
    go in one round trip, their planner settings (SET, RESET) with them, and leave the
    planner as they found it; the hits and totals are those of one statement at a time."""
    if backend.name != "postgres" or backend.ranking() != "rum":
        pytest.skip("only PostgreSQL with RUM tunes the planner per statement")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wenku.search.backends import postgres_backend

    monkeypatch.setattr(postgres_backend, "TITLE_FIRST_DF", 1 if title_first else 10**9)
    backend.search(ask)  # the backend's first reads: its index kinds, the word's count
    backend._last.best = None  # no list remembered from the first ask
    with CaptureQueriesContext(connection) as captured:
        together = backend.search(ask)
    assert len(captured.captured_queries) == (first if title_first else alone)
    with connection.cursor() as cur:
        for setting in {*postgres_backend.FROM_THE_INDEX, *postgres_backend.FROM_THE_WORDS}:
            cur.execute(f"SHOW {setting}")
            assert cur.fetchone()[0] == "on", setting
    monkeypatch.setattr(postgres_backend, "_one_trip", lambda cur: False)  # as with psycopg2
    backend._last.best = None
    apart = backend.search(ask)
    assert (apart.total, apart.exact, apart.hits) == (together.total, together.exact, together.hits)
    assert together.hits and all(score > 0 for _, score in together.hits)


def test_a_failed_statement_in_a_round_trip_leaves_the_planner_as_it_found_it(backend):
    """The settings a round trip turns off come back on when one of its statements fails."""
    if backend.name != "postgres" or backend.ranking() != "rum":
        pytest.skip("only PostgreSQL with RUM tunes the planner per statement")
    from django.db import DatabaseError, connection, transaction

    from wenku.search.backends.postgres_backend import RANKED

    with pytest.raises(DatabaseError), transaction.atomic():
        backend._together([(RANKED, "SELECT 1", []), (RANKED, "SELECT 1 / %s", [0])])
    with connection.cursor() as cur:
        cur.execute("SHOW enable_bitmapscan")
        assert cur.fetchone()[0] == "on"


@pytest.mark.parametrize("cap", [2, 1000])
def test_counts_from_the_words_index_are_those_from_rum(backend, library, many, cap):
    """PostgreSQL with RUM counts matches from the words index (``strip(tsv)``, migration
    0004) unless the query has a phrase: the same totals as counting from RUM, for words,
    sub-words, either mode, exclusions, hidden documents and filters, under and over the
    cap; and a count statement that reads the words index."""
    if backend.name != "postgres" or backend.ranking() != "rum":
        pytest.skip("the words index is PostgreSQL's with RUM")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert backend.words_indexed()
    asks = [
        *[EngineQuery(parse(text), cap=cap) for text, _hit, _miss in CASES],
        EngineQuery(parse("预算"), cap=cap),
        EngineQuery(parse("预算"), cap=cap, sort="newest"),
        EngineQuery(parse("vaccine 期末试卷"), mode="any", cap=cap),
        EngineQuery(parse("预算 -年度"), cap=cap),
        EngineQuery(parse("预算"), cap=cap, hidden=frozenset({many[0].pk})),
        EngineQuery(parse("期末"), cap=cap, filters=Filters(formats=frozenset({"docx"}))),
    ]
    with CaptureQueriesContext(connection) as captured:
        by_words = [(r.total, r.exact) for r in map(backend.search, asks)]
    assert any("strip(s.tsv) @@" in q["sql"] for q in captured.captured_queries)
    backend._words = False  # as on a site without the index
    try:
        by_rum = [(r.total, r.exact) for r in map(backend.search, asks)]
    finally:
        backend._words = None
    assert by_words == by_rum
    assert ((cap, False) in by_words) == (cap == 2) and (1, True) in by_words  # over, under


def test_the_required_postgresql_pass_ranks_with_rum(backend):
    """CI (WENKU_TEST_REQUIRE_POSTGRES=1, set by scripts/test.sh under CI=true) installs
    postgresql-15-rum: its PostgreSQL pass must test RUM, not fall back to GIN unnoticed."""
    import os

    if backend.name != "postgres" or os.environ.get("WENKU_TEST_REQUIRE_POSTGRES") != "1":
        pytest.skip("only the PostgreSQL pass that CI requires insists on RUM")
    assert backend.ranking() == "rum" and backend.words_indexed()


def test_doctor_says_whether_postgresql_ranks_through_rum(backend):
    """`wenku doctor` names the backend; on PostgreSQL it warns, with the SQL that fixes
    it, when documents are indexed with GIN (a role that could not create the RUM
    extension gets GIN without a word)."""
    from django.db import connection

    from wenku.cli import doctor
    from wenku.search.backends import get_backend, reset_backend

    (found,) = doctor.check_search()
    assert found.ok and backend.name in found.detail
    if backend.name != "postgres" or backend.ranking() != "rum":
        return
    with connection.cursor() as cur:  # undone with the test's transaction
        cur.execute("DROP INDEX search_pg_document_tsv")
        cur.execute("CREATE INDEX search_pg_document_tsv ON search_pg_document USING gin (tsv)")
    reset_backend()
    assert get_backend().ranking() == "gin"
    (found,) = doctor.check_search()
    assert not found.ok and found.optional and "GIN" in found.detail
    assert "USING rum (tsv rum_tsvector_ops)" in found.fix


def test_doctor_says_whether_postgresql_counts_from_the_words_index(backend):
    """With RUM and without the words index (a site switched to RUM by hand), `wenku
    doctor` warns, with the SQL that makes it; with both it says nothing more."""
    if backend.name != "postgres" or backend.ranking() != "rum":
        pytest.skip("the words index is PostgreSQL's with RUM")
    from django.db import connection

    from wenku.cli import doctor
    from wenku.search.backends import get_backend, reset_backend
    from wenku.search.backends.postgres_backend import WORDS_INDEX_SQL

    assert [f.name for f in doctor.check_search()] == ["search"]
    with connection.cursor() as cur:  # undone with the test's transaction
        cur.execute("DROP INDEX search_pg_document_words")
    reset_backend()
    assert not get_backend().words_indexed()
    _search, counts = doctor.check_search()
    assert not counts.ok and counts.optional and WORDS_INDEX_SQL in counts.fix


@pytest.fixture
def budget(backend, indexed, monkeypatch):
    """PostgreSQL with RUM, its title-first path on for any word (TITLE_FIRST_DF 1), and
    ten documents with 预算: three with it in the title, six with it only in the body (6
    down to 1 times, so ranked in that order), one with it only inside 预算法 (a
    sub-word of the body: no position, RUM score 0, so last)."""
    if backend.name != "postgres" or backend.ranking() != "rum":
        pytest.skip("the title-first path is PostgreSQL's with RUM")
    from django.db import connection

    from wenku.search.backends import postgres_backend

    monkeypatch.setattr(postgres_backend, "TITLE_FIRST_DF", 1)
    with connection.cursor() as cur:
        # As with a real library's thousands of rows, the RUM index, not the table, is read
        # (it and a table scan differ: ``word:AB`` matches a position-less entry in one).
        cur.execute("SET enable_seqscan = off")
    titles = [
        indexed("年度预算报告", ["本年度的预算和预算执行。"]),
        indexed("部门预算说明", ["说明了预算。"]),
        indexed("预算编制手册", ["编制方法。"]),
    ]
    bodies = [indexed(f"会议纪要{n}", ["会议讨论了预算。" * n]) for n in range(6, 0, -1)]
    subword = indexed("法规汇编", ["预算法规定了程序。"])
    yield titles, bodies, subword
    with connection.cursor() as cur:
        cur.execute("RESET enable_seqscan")


def title_first_and_whole(backend, request):
    """The request answered with the title-first path on (and whether that path answered
    it), then with the whole ranking only."""
    from wenku.search.backends import postgres_backend

    taken = []
    original = backend._title_first

    def spy(*args):
        found, counted = original(*args)
        taken.append(found is not None)
        return found, counted

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backend, "_title_first", spy)
        fast = backend.search(request)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postgres_backend, "TITLE_FIRST_DF", 10**9)
        whole = backend.search(request)
    return fast, taken == [True], whole


@pytest.mark.parametrize(
    ("offset", "limit", "cap", "taken"),
    [
        (0, 1, 1000, True),
        (0, 3, 1000, True),
        (1, 2, 1000, True),
        (0, 2, 5, True),  # more matches than the cap: "5+", counted from the index
        (0, 4, 1000, False),  # three title matches cannot fill four places (预算法 scores 0)
        (2, 3, 1000, False),
    ],
)
def test_title_first_gives_the_whole_rankings_page(backend, budget, offset, limit, cap, taken):
    """Given a common word, when a page of it is asked for by relevance, then the
    title-first path answers it when the title matches fill it, and its page, order,
    total and exactness are the whole ranking's."""
    titles, bodies, subword = budget
    _, _, everything = title_first_and_whole(backend, EngineQuery(parse("预算"), limit=10))
    ranking = [d for d, _ in everything.hits]
    assert set(ranking[:3]) == {d.pk for d in titles}
    assert ranking[3:] == [*(d.pk for d in bodies), subword.pk]
    request = EngineQuery(parse("预算"), offset=offset, limit=limit, cap=cap)
    fast, was_taken, whole = title_first_and_whole(backend, request)
    assert was_taken == taken
    assert [d for d, _ in fast.hits] == [d for d, _ in whole.hits]
    assert [d for d, _ in fast.hits] == ranking[offset : offset + limit]
    assert (fast.total, fast.exact) == (whole.total, whole.exact)
    assert (fast.total, fast.exact) == ((10, True) if cap > 10 else (cap, False))


@pytest.mark.parametrize(
    ("offset", "limit", "cap"), [(0, 3, 1000), (2, 3, 1000), (0, 2, 4), (4, 3, 1000)]
)
def test_a_page_without_filter_counts_is_the_page_with_them(backend, budget, offset, limit, cap):
    """Given two words (no title-first path), when a page is asked for by relevance
    without filter counts (its matches counted from the index, the page ranked alone),
    then its page, order, total and exactness are those of the same page asked for with
    them (the best ``cap + 1`` read in order)."""
    _titles, bodies, _subword = budget
    ask = {"offset": offset, "limit": limit, "cap": cap}
    plain = backend.search(EngineQuery(parse("会议 预算"), **ask))
    counted = backend.search(EngineQuery(parse("会议 预算"), facets=True, now=1, **ask))
    assert plain.facets is None and counted.facets is not None
    assert [d for d, _ in plain.hits] == [d for d, _ in counted.hits]
    assert [d for d, _ in plain.hits] == [d.pk for d in bodies][offset : offset + limit]
    assert (plain.total, plain.exact) == (counted.total, counted.exact)
    assert (plain.total, plain.exact) == ((6, True) if cap > 6 else (cap, False))


@pytest.mark.parametrize("query", ["会议 预算", "预算"])  # the whole ranking; title first
@pytest.mark.parametrize("sort", ["relevance", "newest"])
@pytest.mark.parametrize(("offset", "limit"), [(0, 3), (2, 3), (4, 3)])
def test_hits_asked_for_without_a_count_are_the_counted_ones(
    backend, budget, query, sort, offset, limit
):
    """Given a request for hits only (``count=False``: the fold's further results), its
    hits and their order are the counted request's; its total is no more than the
    counted one and not called exact."""
    ask = {"offset": offset, "limit": limit, "sort": sort}
    counted = backend.search(EngineQuery(parse(query), **ask))
    hits_only = backend.search(EngineQuery(parse(query), count=False, **ask))
    assert [d for d, _ in hits_only.hits] == [d for d, _ in counted.hits]
    assert hits_only.total <= counted.total
    assert hits_only.exact is False or hits_only.total == counted.total


def test_the_fold_s_further_asks_follow_the_first_ask_s_ranking(backend, budget):
    """Given a first ask with filter counts (PostgreSQL reads the best ``cap + 1`` by
    relevance for them), when further results of the same query are asked for hits only
    (the search fold's next asks), then they are the ranking's next hits, read from that
    list without ranking every match again; other filters or hidden documents are not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = parse("会议 预算")
    backend.search(EngineQuery(query, limit=2, facets=True, now=1))
    with CaptureQueriesContext(connection) as sql:
        further = backend.search(EngineQuery(query, offset=2, limit=3, count=False))
    assert not [q for q in sql.captured_queries if "ORDER BY" in q["sql"]]  # no ranking
    again = backend.search(EngineQuery(query, offset=2, limit=3))
    assert [d for d, _ in further.hits] == [d for d, _ in again.hits]
    assert [d for d, _ in further.hits] == [d.pk for d in budget[1]][2:5]
    backend.search(EngineQuery(query, limit=2, facets=True, now=1))
    first = budget[1][0].pk
    hidden = backend.search(EngineQuery(query, limit=3, count=False, hidden=frozenset({first})))
    assert first not in [d for d, _ in hidden.hits] and len(hidden.hits) == 3


def test_title_first_leaves_out_hidden_documents(backend, budget):
    titles, _bodies, _subword = budget
    hidden = frozenset({titles[0].pk})
    request = EngineQuery(parse("预算"), limit=2, hidden=hidden)
    fast, was_taken, whole = title_first_and_whole(backend, request)
    assert was_taken and {d for d, _ in fast.hits} == {titles[1].pk, titles[2].pk}
    assert [d for d, _ in whole.hits] == [d for d, _ in fast.hits] and fast.total == 9


def test_title_first_is_for_one_word_by_relevance(backend, budget):
    """Two words, a phrase, an exclusion, another order or filter counts: the whole
    ranking answers (the title-first bound holds for one word's score only)."""
    for request in [
        EngineQuery(parse("预算 会议"), limit=1),
        EngineQuery(parse('"讨论了预算"'), limit=1),
        EngineQuery(parse("预算 -会议"), limit=1),
        EngineQuery(parse("预算"), limit=1, sort="newest"),
        EngineQuery(parse("预算"), limit=1, facets=True, now=2**31),
    ]:
        fast, was_taken, whole = title_first_and_whole(backend, request)
        assert not was_taken, request.query.text
        assert [d for d, _ in fast.hits] == [d for d, _ in whole.hits]


def test_title_first_leaves_the_planner_as_it_found_it(backend, budget):
    from django.db import connection

    from wenku.search.backends import postgres_backend

    titles, _bodies, _subword = budget
    assert backend.search(EngineQuery(parse("预算"), limit=1)).hits[0][0] in {d.pk for d in titles}
    with connection.cursor() as cur:
        for setting in postgres_backend.FROM_THE_INDEX:
            cur.execute(f"SHOW {setting}")
            assert cur.fetchone()[0] == "on"


# Phrases with common words where they start, end, stand between rare ones, or are
# alone, and where they are not; each in some documents and not in others.
PHRASED = {
    "reform": ("改革纪要", ["我们坚持在改革的道路上前进。经济的发展很快。"]),
    "apart": ("会议纪要", ["在会上讨论改革。改革在进行。"]),  # both words, never 在改革
    "some": ("发展报告", ["取得了一些发展成果，这是确定的。"]),
    "other": ("发展规划", ["一些发展了，另一些没有。"]),  # 了一些发展 nowhere in a row
    "title": ("在改革", ["正文没有这几个字。"]),  # in the title only
    "english": ("State of the art", ["The state of the art in search."]),
    "mixed": ("经济报告", ["各地讨论改革在进行中的问题。"]),  # rare words beside pairs
}
PHRASES = [
    '"在改革"',
    '"改革在"',
    '"确定的"',
    '"了一些发展"',
    '"一些发展"',
    '"经济的发展"',
    '"state of the art"',
    '"of the"',
    '"the state"',
    '"在改革" -经济',
    '"在改革" 前进',
    '"改革的道路"',
    '"会议纪要"',
    '"讨论改革在"',
    '"各地讨论改革在进行"',
]


@pytest.mark.parametrize("text", PHRASES)
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_phrases_asked_by_their_pairs_find_what_their_words_find(
    backend, indexed, monkeypatch, text, sort
):
    """PostgreSQL: a phrase asked through the common-word pairs finds the same documents,
    in the same number, as the same phrase asked word by word (every document indexed
    before pairs were), and the pairs are what it asks for."""
    if backend.name != "postgres":
        pytest.skip("only the PostgreSQL backend stores common-word pairs")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    library = {key: indexed(title, pages).pk for key, (title, pages) in PHRASED.items()}
    ask = EngineQuery(parse(text), sort=sort, limit=50, cap=1000)
    assert backend.all_paired()
    with CaptureQueriesContext(connection) as captured:
        paired = backend.search(ask)
    monkeypatch.setattr(backend, "all_paired", lambda: False)
    worded = backend.search(ask)
    assert (paired.total, paired.exact) == (worded.total, worded.exact)
    assert {d for d, _ in paired.hits} == {d for d, _ in worded.hits}
    if text == '"在改革"':
        assert {d for d, _ in paired.hits} == {library["reform"], library["title"]}
        assert "'在 改革'" in captured.captured_queries[-1]["sql"]


def test_documents_indexed_before_pairs_are_found_until_indexed_again(backend, indexed):
    """PostgreSQL: while some documents' vectors lack pairs (indexed before migration
    0005), phrases are asked word by word and find them; indexed again, every document
    has its pairs and phrases go through them."""
    if backend.name != "postgres":
        pytest.skip("only the PostgreSQL backend stores common-word pairs")
    from django.db import connection

    from wenku.search import indexing
    from wenku.search.backends import get_backend, reset_backend
    from wenku.search.backends.postgres_backend import tsvector

    old = indexed("改革纪要", ["我们坚持在改革的道路上前进。"])
    new = indexed("改革报告", ["企业在改革，在发展。"])
    with connection.cursor() as cur:  # as an older Wenku stored it: words only
        cur.execute(
            "UPDATE search_pg_document SET tsv = %s::tsvector, paired = false "
            "WHERE document_id = %s",
            [tsvector([(["我们", "坚持", "在", "改革", "的", "道路", "上", "前进"], "D")]), old.pk],
        )
    reset_backend()
    backend = get_backend()
    assert not backend.all_paired()
    found = backend.search(EngineQuery(parse('"在改革"')))
    assert {d for d, _ in found.hits} == {old.pk, new.pk}
    indexing.index_documents([old.pk], backend)
    reset_backend()
    backend = get_backend()
    assert backend.all_paired()
    found = backend.search(EngineQuery(parse('"在改革"')))
    assert {d for d, _ in found.hits} == {old.pk, new.pk}


def test_doctor_says_when_documents_lack_their_pairs(backend, indexed):
    """`wenku doctor` warns while documents are indexed without their common-word pairs,
    and names the command that indexes them again."""
    if backend.name != "postgres" or backend.ranking() != "rum":
        pytest.skip("the pairs are PostgreSQL's")
    from django.db import connection

    from wenku.cli import doctor
    from wenku.search.backends import reset_backend

    doc = indexed("改革纪要", ["我们坚持在改革的道路上前进。"])
    assert [f.name for f in doctor.check_search()] == ["search"]
    with connection.cursor() as cur:
        cur.execute("UPDATE search_pg_document SET paired = false WHERE document_id = %s", [doc.pk])
    reset_backend()
    _search, phrases = doctor.check_search()
    assert phrases.name == "search phrases" and not phrases.ok and phrases.optional
    assert "wenku reindex --missing" in phrases.fix


@pytest.mark.parametrize(
    "ask",
    [
        EngineQuery(parse("审计 敏感"), mode="any", limit=2, cap=3, facets=True, now=2**31),
        EngineQuery(parse("审计 敏感"), mode="any", limit=2, cap=3),
        EngineQuery(parse("审计"), limit=2, cap=3),
    ],
    ids=["filter counts", "page", "one word"],
)
def test_ranked_queries_read_rum_not_every_document(backend, indexed, monkeypatch, ask):
    """PostgreSQL with RUM: a statement ranked by relevance reads its matches from the RUM
    index, never every document's vector one by one: the planner's estimate for a tsquery
    made a sequential scan look cheap for rare words (955 ms on 100,000 documents for
    an any-word search page that RUM answers in 8 ms)."""
    if backend.name != "postgres" or backend.ranking() != "rum":
        pytest.skip("only PostgreSQL with RUM tunes the planner per statement")
    from django.db import connection

    from wenku.search.backends import postgres_backend

    for i in range(40):
        indexed(f"会议纪要{i}", ["审计报告。" if i % 5 == 0 else "第一章 总则。"])
    plans: list[str] = []
    together = postgres_backend.PostgresBackend._together

    def explained(self, steps):  # type: ignore[no-untyped-def]
        for off, sql, params in steps:
            with connection.cursor() as cur:
                for setting in off:
                    cur.execute(f"SET {setting} = off")
                cur.execute("EXPLAIN " + sql, params)
                plans.append("\n".join(r[0] for r in cur.fetchall()))
                for setting in off:
                    cur.execute(f"RESET {setting}")
        return together(self, steps)

    monkeypatch.setattr(postgres_backend, "TITLE_FIRST_DF", 10**9)
    monkeypatch.setattr(postgres_backend.PostgresBackend, "_together", explained)
    assert backend.search(ask).hits
    ranked = [p for p in plans if "<=>" in p]
    assert ranked and all("search_pg_document_tsv" in p for p in ranked), ranked
    assert not [p for p in ranked if "Seq Scan on search_pg_document" in p], ranked
