"""Search inside one document: every page where a phrase occurs, paywall applied."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.fixture
def book(make_doc):
    pages = [
        "第一章 总则\n本办法所称个人所得税，",
        "第二章 申报\n纳税人应当按月申报个人\n所得税。",  # the phrase breaks across a line
        "第三章 附则",
        "第四章 罚则：未按期申报个人所得税的，处以罚款。",
    ]
    return make_doc("个人所得税管理办法", pages, preview_pages=3)


def test_every_page_with_the_phrase(client, book, user):
    data = client.get(reverse("api:document_search", args=[book.pk]), {"q": "个人所得税"}).json()
    assert data["mode"] == "phrase"
    assert [p["number"] for p in data["pages"]] == [1, 2]
    first, second = data["pages"]
    assert "<mark>个人所得税</mark>" in first["snippet_html"]
    assert "<mark>" in second["snippet_html"]  # found across the line break
    assert first["url"] == f"/d/{book.pk}/#p1"
    # Page 4 is past the free preview of 3: counted with the other locked pages, not named.
    assert data["locked_matches"] == 1
    client.force_login(user)  # the uploader reads every page
    data = client.get(reverse("api:document_search", args=[book.pk]), {"q": "个人所得税"}).json()
    assert [p["number"] for p in data["pages"]] == [1, 2, 4] and data["locked_matches"] == 0


def test_words_when_the_phrase_is_absent(client, book, user):
    client.force_login(user)
    data = client.get(reverse("api:document_search", args=[book.pk]), {"q": "罚款 申报"}).json()
    assert data["mode"] == "words" and [p["number"] for p in data["pages"]] == [4]


def test_page_and_fragment(client, book, user):
    url = reverse("search:document", args=[book.pk])
    html = client.get(url, {"q": "申报"}).content.decode()
    assert "<mark>申报</mark>" in html and f'href="/d/{book.pk}/#p2"' in html
    assert "<mark>申报</mark>" in html
    client.cookies["django_language"] = "en"
    fragment = client.get(url, {"q": "罚款", "fragment": "1"}).content.decode()
    assert "<html" not in fragment and "#p4" not in fragment and "<mark>" not in fragment
    assert "1 more match in the rest of the document, shown after download" in fragment
    client.force_login(user)  # the uploader reads every page
    fragment = client.get(url, {"q": "罚款", "fragment": "1"}).content.decode()
    assert "<mark>罚款</mark>" in fragment


def test_no_match_and_bad_input(client, book):
    url = reverse("api:document_search", args=[book.pk])
    assert client.get(url, {"q": "火星"}).json()["total"] == 0
    for q in ["", '"', "\x01", "期" * 10000, "<script>alert(1)</script>"]:
        assert client.get(url, {"q": q}).status_code == 200
    assert client.get(url, {"q": "\x00"}).status_code == 400  # NULs are refused everywhere
    html = client.get(reverse("search:document", args=[book.pk]), {"q": "<b>x</b>"})
    assert b"<b>x</b>" not in html.content


def test_unpublished_documents_are_not_searchable_by_others(client, book):
    from wenku.library.models import Document

    Document.objects.filter(pk=book.pk).update(status="failed")
    assert client.get(reverse("api:document_search", args=[book.pk]), {"q": "x"}).status_code == 404
    assert client.get(reverse("search:document", args=[book.pk]), {"q": "x"}).status_code == 404
