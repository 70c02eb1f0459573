"""The search page guests share: kept under its exact query string, dropped when the
index changes what a search finds (or any decision drops every kept page); the contract
every kept page passes is tests/library/test_page_cache_contract.py."""

from __future__ import annotations

import pytest
from django.test import Client

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def guest(address: str = "198.51.100.20") -> Client:
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)


def test_guests_share_a_search_page_until_the_index_changes(indexed, settings):
    settings.WENKU = settings.WENKU.replace(search_page_stale_seconds=0)
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


def test_a_stream_of_index_writes_drops_kept_searches_once_per_stale_time(indexed):
    """Uploads all day would make every guest's search anew: within the stale time of the
    last drop (WENKU_SEARCH_PAGE_STALE_SECONDS, 60 by default), index writes wait, and the
    first search after it drops the kept pages, with every write since in them."""
    from django.core.cache import cache

    from wenku.core import pagecache

    indexed("甲方案 考核办法", ["甲方案的考核办法全文"])  # a drop: none within the time
    first = guest().get("/search", {"q": "考核"})
    assert first["X-Page-Cache"] == "miss" and "甲方案" in first.content.decode()
    for name in ("乙", "丙", "丁"):
        indexed(f"{name}方案 考核细则", [f"{name}方案的考核细则全文"])  # they wait
    kept = guest().get("/search", {"q": "考核"})
    assert kept["X-Page-Cache"] == "hit" and "丁方案" not in kept.content.decode()
    cache.delete(pagecache.SEARCH_MOVED)  # the stale time is up (what its expiry does)
    after = guest().get("/search", {"q": "考核"})
    assert after["X-Page-Cache"] == "miss"
    assert all(f"{n}方案" in after.content.decode() for n in "甲乙丙丁")
    assert guest().get("/search", {"q": "考核"})["X-Page-Cache"] == "hit"  # kept anew
    indexed("戊方案 考核细则", ["戊方案的考核细则全文"])  # the last drop was just now
    assert guest().get("/search", {"q": "考核"})["X-Page-Cache"] == "hit"


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
