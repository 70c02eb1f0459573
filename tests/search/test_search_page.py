"""The search page and GET /api/v1/search: one data function, two renderers."""

from __future__ import annotations

import random
import string

import pytest
from django.urls import reverse

from wenku.ingest.models import Status


def api(client, **params):
    response = client.get(reverse("api:search"), params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def corpus(indexed):
    from wenku.library.models import Category

    edu = Category.objects.create(name="教育", slug="edu")
    papers = Category.objects.create(name="试卷", slug="papers", parent=edu)
    docs = {
        "math": indexed(
            "三年级数学期末试卷",
            # 9 pages: a priced document previews a third of them, so page 3 is free
            ["一、口算。", "二、应用题：小明买了3支铅笔。", "三、附加题：鸡兔同笼。"]
            + ["答题卡。"] * 6,
            category=papers,
            pricing="points",
            download_count=30,
        ),
        "chinese": indexed(
            "三年级语文期末试卷", ["一、看拼音写词语。"], category=papers, view_count=80
        ),
        "report": indexed(
            "2023年度述职报告",
            ["本人负责期末考试的组织工作。"] * 12,
            category=edu,
            pricing="vip_only",
        ),
        "english": indexed("Annual report on machine learning", ["Neural networks and data."]),
    }
    return docs


def test_page_renders_results_with_snippets_counts_and_time(client, corpus):
    response = client.get("/search", {"q": "鸡兔同笼"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "三年级数学期末试卷" in html and "<mark>鸡兔同笼</mark>" in html
    assert f'href="/d/{corpus["math"].pk}/#p3"' in html
    assert "毫秒）" in html or "ms)" in html  # time taken (Chinese by default)
    assert "第 3 页" in html or "Page 3" in html


def test_api_matches_the_page(client, corpus):
    data = api(client, q="期末")
    assert data["total"] == 3 and data["mode"] == "all"
    assert {r["document"]["id"] for r in data["results"]} == {
        corpus["math"].pk,
        corpus["chinese"].pk,
        corpus["report"].pk,
    }
    facets = {f["name"]: {o["key"]: o["count"] for o in f["options"]} for f in data["facets"]}
    assert facets["category"] == {"edu": 3, "papers": 2}  # a parent counts its children
    assert facets["price"] == {"free": 1, "points": 1, "vip": 1}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "edu"}, {"math", "chinese", "report"}),
        ({"category": "papers"}, {"math", "chinese"}),
        ({"price": "points"}, {"math"}),
        ({"price": "vip"}, {"report"}),
        ({"price": "free"}, {"chinese"}),
        ({"pages": "11-50"}, {"report"}),
        ({"format": "pdf"}, {"math", "chinese", "report"}),
        ({"date": "week"}, {"math", "chinese", "report"}),
        ({"category": "no-such-category"}, set()),
    ],
)
def test_filters(client, corpus, filters, expected):
    data = api(client, q="期末", **filters)
    assert {r["document"]["id"] for r in data["results"]} == {corpus[k].pk for k in expected}
    assert data["total"] == len(expected)


@pytest.mark.parametrize(
    ("sort", "first"), [("downloads", "math"), ("views", "chinese"), ("newest", "report")]
)
def test_sorts(client, corpus, sort, first):
    assert api(client, q="期末", sort=sort)["results"][0]["document"]["id"] == corpus[first].pk


def test_pagination(client, indexed, settings):
    settings.WENKU = settings.WENKU.replace(search_page_size=2)
    for i in range(5):
        indexed(f"工作总结{i}", ["年度工作总结"])
    pages = [api(client, q="工作总结", page=n) for n in (1, 2, 3)]
    assert [len(p["results"]) for p in pages] == [2, 2, 1]
    assert pages[0]["pages"] == 3
    ids = [r["document"]["id"] for p in pages for r in p["results"]]
    assert len(set(ids)) == 5
    html = client.get("/search", {"q": "工作总结", "page": 2}).content.decode()
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_phrase_and_fallbacks(client, corpus):
    assert api(client, q='"期末试卷"')["total"] == 2
    exact = api(client, q='"试卷期末"')  # no such phrase: its words instead, said so
    assert exact["mode"] == "relaxed" and exact["total"] == 2 and exact["notes"]
    some = api(client, q="鸡兔同笼 machine")  # no document has both
    assert some["mode"] == "any" and some["total"] == 2 and some["notes"]
    html = client.get("/search", {"q": "鸡兔同笼 machine"}).content.decode()
    assert "search-note" in html


def test_paywall_hides_snippets_past_the_free_preview(client, corpus, user, other_user):
    """Given a match on page 3 of a document whose free preview is 2 pages,
    when a reader searches, then they see that the document matches past its preview,
    but neither which page nor its text; the uploader sees page 3 and its text."""
    doc = corpus["math"]
    doc.preview_pages = 2
    doc.save()
    data = api(client, q="鸡兔同笼")
    (hit,) = data["results"]
    assert hit["page"] is None and hit["locked"] is True
    assert "鸡兔同笼" not in hit["snippet_html"]
    assert hit["url"].endswith("#preview-end")  # the reader opens at the end of the preview
    html = client.get("/search", {"q": "鸡兔同笼"}).content.decode()
    assert "<mark>鸡兔同笼</mark>" not in html and 'class="hit-locked"' in html
    assert "全文另有匹配，下载后可见" in html
    assert "#p3" not in html and "第 3 页" not in html
    client.force_login(other_user)
    hit = api(client, q="鸡兔同笼")["results"][0]
    assert hit["locked"] is True and hit["page"] is None
    client.force_login(user)  # the uploader may read every page
    hit = api(client, q="鸡兔同笼")["results"][0]
    assert hit["locked"] is False and "<mark>鸡兔同笼</mark>" in hit["snippet_html"]
    assert hit["page"] == 3 and hit["url"].endswith("#p3")
    html = client.get("/search", {"q": "鸡兔同笼"}).content.decode()
    assert "第 3 页" in html and "全文另有匹配" not in html


SECRET = "甲方应于次月支付尾款"


@pytest.fixture
def contract(indexed):
    """20 pages, 5 free; page 15 holds a phrase, page 12 its first half."""
    pages = [f"第{n}页 合同正文，双方约定事项。" for n in range(1, 21)]
    pages[14] = f"第15页 付款条件：{SECRET}，逾期按日计息。"
    pages[11] = f"第12页 补充：{SECRET[:4]}。"
    return indexed("采购合同", pages, pricing="points", preview_pages=5)


def test_site_search_names_no_locked_page(client, contract):
    """The reviewer's attack on site search: quote longer and longer phrases of a locked
    page and read, from each answer, on which page it occurs (before: page 15 or 12, in
    `page` and in the link). Now every answer says only "past the preview"."""
    for length in range(2, len(SECRET) + 1):
        phrase = f'"{SECRET[:length]}"'
        response = client.get(reverse("api:search"), {"q": phrase})
        assert response.status_code == 200
        (hit,) = response.json()["results"]
        assert (hit["page"], hit["locked"]) == (None, True), phrase
        assert hit["url"] == f"/d/{contract.pk}/#preview-end" and hit["snippet_html"] == ""
        assert "#p12" not in response.content.decode() and "#p15" not in response.content.decode()
        html = client.get("/search", {"q": phrase}).content.decode()
        assert "#p12" not in html and "#p15" not in html and "第 15 页" not in html
        assert "全文另有匹配，下载后可见" in html


def test_entitled_readers_see_the_locked_page_number(
    client, contract, user, other_user, django_user_model
):
    """The uploader, staff and a reader who bought the document may read every page:
    they are pointed at it."""
    from wenku.economy.models import Download

    staff = django_user_model.objects.create_user("mod", "m@example.com", "pw", is_staff=True)
    Download.objects.create(user=other_user, document=contract, basis="points", price=5)
    for reader in (user, staff, other_user):
        client.force_login(reader)
        (hit,) = api(client, q=f'"{SECRET}"')["results"]
        assert (hit["page"], hit["locked"]) == (15, False)
        assert hit["url"].endswith("#p15") and "<mark>" in hit["snippet_html"]


def test_a_hit_points_to_a_free_page_that_matches_before_a_locked_one(client, indexed, user):
    """Given a priced document where page 1 (free) mentions a word once and page 6
    (locked) many times, When a visitor searches for it, Then the hit shows page 1 with
    the word in its snippet (before: page 6, locked, no snippet); the uploader gets 6."""
    pages = ["目录。绿色金融概述。"] + ["无关内容。"] * 4 + ["绿色金融" * 20] + ["附录。"] * 3
    indexed("金融报告", pages, pricing="points")
    (hit,) = api(client, q="绿色金融")["results"]
    assert (hit["page"], hit["locked"]) == (1, False)
    assert "<mark>绿色</mark>" in hit["snippet_html"]
    client.force_login(user)
    assert api(client, q="绿色金融")["results"][0]["page"] == 6


def test_a_snippet_always_contains_a_query_term(client, indexed):
    """Given a document found by its title only, whose description does not mention the
    words, When it is a hit, Then no snippet is shown rather than an unrelated one."""
    indexed("施工组织设计方案", ["总体部署。"], description="本文件适用于住宅楼项目。")
    (hit,) = api(client, q="施工组织")["results"]
    assert hit["snippet_html"] == ""


def test_takedown_disappears_at_once(client, corpus):
    """Given indexed documents, when one is taken down or deleted in the database,
    then the next search no longer shows it, before any index update."""
    from wenku.library.models import Document

    Document.objects.filter(pk=corpus["math"].pk).update(status=Status.FAILED)
    data = api(client, q="期末")
    assert corpus["math"].pk not in {r["document"]["id"] for r in data["results"]}
    assert data["total"] == 2
    Document.objects.filter(pk=corpus["chinese"].pk).delete()
    data = api(client, q="期末")
    assert {r["document"]["id"] for r in data["results"]} == {corpus["report"].pk}


MALFORMED = [
    "",
    "   ",
    '"',
    '"期末',
    '期末"试卷',
    '"""',
    "((期末",
    "期末 AND OR NOT",
    "title:期末 body:* ~2 ^3 [a TO b] {x}",
    "'; DROP TABLE library_document; --",
    "期末' OR '1'='1",
    "%_\\",
    "a & b | !c <-> d :*",
    "\x00\x01\x1b[31m期末\x7f",
    "\x01\x1b[31m期末\x7f",
    "-",
    "--期末",
    "-期末",
    "期" * 10000,
    "试卷 " * 3000,
    "😀🚀 表情",
]


@pytest.mark.parametrize("q", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_queries_never_fail(client, corpus, q):
    """Every query is answered; one holding a NUL is refused as bad input (400, from the
    middleware that refuses NULs anywhere in a request), never a 500."""
    expected = 400 if "\x00" in q else 200
    assert client.get("/search", {"q": q}).status_code == expected
    if expected == 400:
        assert client.get("/api/v1/search", {"q": q}).status_code == 400
        return
    data = api(client, q=q)
    assert data["total"] >= 0


def test_random_queries_never_fail(client, corpus, backend):
    """Property-style: any mix of syntax characters, CJK and letters returns 200."""
    from wenku.search.service import SearchParams, run_search

    rng = random.Random(4)
    alphabet = string.printable + "期末试卷所得税“”「」（）！？、。" + '"' * 5 + "-" * 5
    for _ in range(300):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        result = run_search(SearchParams(q=q, sort=rng.choice(["relevance", "views"])), None)
        assert result.total >= 0


def test_long_query_says_it_was_cut(client, corpus):
    data = api(client, q="期末 " * 200)
    assert data["notes"] and data["total"] >= 1


def test_bad_parameters_fall_back_to_defaults(client, corpus):
    data = api(client, q="期末", page="abc", sort="drop table", price="gold", pages="1-99999")
    assert data["total"] == 3 and data["page"] == 1
    response = client.get("/search", {"q": "期末", "page": "-5", "sort": "x"})
    assert response.status_code == 200


def test_lone_surrogates_are_dropped(corpus):
    from wenku.search.service import SearchParams, run_search

    assert run_search(SearchParams(q="\ud800期末\udfff"), None).total == 3


def heading(html: str) -> str:
    return html.split('<h1 id="results-title">', 1)[1].split("</h1>", 1)[0]


def says_at_least(html: str, n: int) -> bool:
    """The heading gives ``n`` as a minimum: "n+ results" (English) or "n 条以上" (Chinese)."""
    h = heading(html).replace(",", "")
    return f"{n}+" in h or f"{n} 条以上" in h


def test_over_the_cap_the_page_says_n_plus(client, indexed, backend, monkeypatch):
    """Given more matches than the cap, when searching, then the best match comes first;
    on PostgreSQL (which stops counting) the page says "3+ results", the filter counts
    are marked as minimums (≥) and a note says why; Tantivy counts every match."""
    from wenku.search.backends import base

    monkeypatch.setattr(base, "RESULT_CAP", 3)
    for i in range(6):
        indexed(f"会议纪要{i}", [f"第{i}次会议讨论了预算。"])
    best = indexed("年度预算报告", ["预算编制说明。"])
    data = api(client, q="预算")
    assert data["results"][0]["document"]["id"] == best.pk
    html = client.get("/search", {"q": "预算"}).content.decode()
    if backend.name == "postgres":
        assert data["total"] == 3 and data["pages"] == 1 and len(data["notes"]) == 2
        assert all("3" in n for n in data["notes"])
        assert says_at_least(html, 3) and "≥ 3" in html
    else:
        assert data["total"] == 7 and not data["notes"]
        assert "7" in heading(html) and not says_at_least(html, 7) and "≥" not in html


def test_the_page_shows_a_capped_total_and_minimum_counts(client, make_doc, monkeypatch):
    """Whatever the backend: a total that is a minimum reads "1,000+", and counts
    among the best N read "≥ n", with notes saying so (the API gets the notes)."""
    from wenku.search import service
    from wenku.search.backends.base import EngineResult, Facets

    doc = make_doc("年度预算报告", ["预算编制说明。"])

    class Stopped:
        name, live_status = "stub", True

        def search(self, request):
            facets = Facets(pricing={"free": 412}, formats={"pdf": 380}, sample=1000)
            return EngineResult(1000, [(doc.pk, 1.0)], facets, exact=False)

        def best_pages(self, query, mode, ids, within=None):
            return {doc.pk: 1}

    monkeypatch.setattr(service, "get_backend", lambda: Stopped())
    html = client.get("/search", {"q": "预算"}).content.decode().replace(",", "")
    assert says_at_least(html, 1000) and "≥ 412" in html and "≥ 380" in html
    assert "<mark>预算</mark>" in html
    data = api(client, q="预算")
    assert data["total"] == 1000 and data["pages"] == 100
    notes = [n.replace(",", "") for n in data["notes"]]
    assert len(notes) == 2 and all("1000" in n for n in notes)  # total, then counts


def test_did_you_mean_from_the_library_s_own_words(client, indexed):
    """Given documents titled 工作总结, When someone searches 工作总洁 (a typo that finds
    nothing), Then the page and the API suggest 工作总结, which finds them."""
    from wenku.search import suggest

    for n in range(3):
        indexed(f"2024年度工作总结{n}", [f"本年度工作总结第{n}部分。"])
    indexed("教学计划", ["教学计划安排。"])
    suggest.reset()
    data = api(client, q="工作总洁")
    assert data["mode"] != "all" and data["suggestion"] == "工作总结"
    html = client.get("/search", {"q": "工作总洁"}).content.decode()
    assert 'href="?q=%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93"' in html  # 工作总结
    assert api(client, q="工作总结")["suggestion"] == ""  # nothing to correct
    assert api(client, q="教学计划")["suggestion"] == ""


def test_no_results_offer_popular_documents_or_dropping_the_filters(client, indexed):
    indexed("三年级数学期末试卷", ["口算。"], view_count=9)
    html = client.get("/search", {"q": "量子力学"}).content.decode()
    assert "三年级数学期末试卷" in html and 'id="popular-title"' in html
    filtered = client.get("/search", {"q": "量子力学", "format": "pdf"}).content.decode()
    assert 'id="popular-title"' not in filtered and 'href="?q=' in filtered


def test_a_one_page_priced_match_says_there_is_no_free_preview(client, indexed):
    """Given a one-page document for points (its preview is no page: never all of it),
    When its words are searched, Then the hit says it has no free preview (it read
    "past the free preview of 0 pages")."""
    from django.utils import translation

    indexed("元旦放假通知", ["元旦放假安排如下。"], pricing="points", price=8, page_count=1)
    with translation.override("zh-hans"):
        html = client.get("/search", {"q": "放假安排"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert 'class="hit-locked"' in text and "本文档没有免费预览" in text
    assert "超出了 0 页" not in text


def test_one_search_box_on_the_search_page(client, indexed):
    indexed("三年级数学期末试卷", ["口算。"])
    html = client.get("/search", {"q": "试卷"}).content.decode()
    assert html.count('type="search"') == 1
    assert 'id="search-filters"' in html  # folded under the results on a phone
    assert html.index('class="search-results"') < html.index('id="search-filters"')
    assert 'class="price-tag free"' in html and "/cover" in html  # price and thumbnail


def test_site_searches_are_limited_per_address_and_per_user(client, corpus, user, settings):
    """Given a limit of 3 searches, When one address searches a 4th time, in the page
    or the API, Then it gets 429 with Retry-After (another address still searches); a
    signed-in reader is limited on their own count, whatever their address; opening the
    search page without words is no search."""
    settings.WENKU = settings.WENKU.replace(rate_search_ip=(3, 60), rate_search_user=(2, 60))
    assert client.get("/search", {"q": "期末"}).status_code == 200
    assert client.get(reverse("api:search"), {"q": "期末"}).status_code == 200
    assert client.get("/search", {"q": "试卷"}).status_code == 200
    page = client.get("/search", {"q": "期末"})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "三年级数学期末试卷" not in page.content.decode()
    refused = client.get(reverse("api:search"), {"q": "期末"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "results" not in refused.json() and refused.json()["retry_after"] > 0
    assert client.get("/search").status_code == 200  # the empty box
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}
    assert client.get(reverse("api:search"), {"q": "期末"}, **elsewhere).status_code == 200
    client.force_login(user)
    for n, address in enumerate(["198.51.100.8", "198.51.100.9", "198.51.100.10"]):
        response = client.get(reverse("api:search"), {"q": "期末"}, REMOTE_ADDR=address)
        assert response.status_code == (200 if n < 2 else 429), n


def test_by_default_one_address_searches_60_times_a_minute(client, indexed):
    """The default limit, as shipped: the 61st search within a minute is refused."""
    indexed("年度工作总结", ["年度工作总结。"])
    answers = [client.get(reverse("api:search"), {"q": f"总结 {n}"}) for n in range(61)]
    assert {a.status_code for a in answers[:60]} == {200}
    assert answers[60].status_code == 429
