"""The search page guests share: kept under its exact query string, dropped when the
index changes what a search finds (or any decision drops every kept page); the contract
every kept page passes is tests/library/test_page_cache_contract.py."""

from __future__ import annotations

import pytest
from django.test import Client

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def guest(address: str = "198.51.100.20") -> Client:
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)


def test_guests_share_a_search_page_until_the_index_changes(indexed):
    indexed("甲方案 考核办法", ["甲方案的考核办法全文"])
    first = guest().get("/search", {"q": "考核"})
    assert first["X-Page-Cache"] == "miss" and "甲方案" in first.content.decode()
    again = guest("198.51.100.21").get("/search", {"q": "考核"})
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    # Another query string is another page (it echoes its own query and sort).
    newest = guest().get("/search", {"q": "考核", "sort": "newest"})
    assert newest["X-Page-Cache"] == "miss"
    indexed("乙方案 考核细则", ["乙方案的考核细则全文"])  # indexing drops kept searches
    after = guest().get("/search", {"q": "考核"})
    assert after["X-Page-Cache"] == "miss" and "乙方案" in after.content.decode()


def test_a_signed_in_reader_gets_their_own_search_page(indexed, user):
    indexed("丙方案 考核办法", ["丙方案的考核办法全文"])
    guest().get("/search", {"q": "考核"})
    member = Client(HTTP_USER_AGENT=BROWSER)
    member.force_login(user)
    page = member.get("/search", {"q": "考核"})
    assert not page.has_header("X-Page-Cache") and user.username in page.content.decode()


@pytest.mark.parametrize("decision", ["take down", "edit"])
def test_a_decision_drops_kept_searches_at_once(indexed, decision):
    """A document taken down (or edited) leaves the kept search pages with it."""
    from wenku.core import pagecache

    doc = indexed("丁方案 考核办法", ["丁方案的考核办法全文"])
    assert "丁方案" in guest().get("/search", {"q": "考核"}).content.decode()
    doc.status = "taken_down" if decision == "take down" else doc.status
    doc.title = "戊方案 考核办法" if decision == "edit" else doc.title
    doc.save()
    pagecache.invalidate_all()  # what every decision's reactions do (publishing.reactions)
    page = guest().get("/search", {"q": "考核"}).content.decode()
    if decision == "take down":
        assert "丁方案" not in page
    else:
        assert "戊方案 考核办法" in page  # the new title (the page text still says 丁方案)
