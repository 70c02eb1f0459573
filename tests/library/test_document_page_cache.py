"""The document page anonymous readers share (issue 13, item 7): kept once, served to the
next guest, dropped by what changes it; what every kept page must not leak is the
contract in test_page_cache_contract.py."""

from __future__ import annotations

import pytest
from django.test import Client

from wenku.library.models import Document

pytestmark = pytest.mark.django_db


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def guest(**headers: str) -> Client:
    """A new visitor in a browser (crawlers are not counted as views)."""
    return Client(HTTP_USER_AGENT=BROWSER, **headers)


def test_the_second_guest_gets_the_kept_page_and_is_counted(publish):
    doc = publish(title="公开的文档")
    first = guest().get(doc.get_absolute_url())
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    second = guest(REMOTE_ADDR="198.51.100.2").get(doc.get_absolute_url())  # another person
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "wk_v" in second.cookies  # the view counter's own cookie, per visitor
    assert Document.objects.get(pk=doc.pk).view_count == 2  # a hit is a view too


def test_a_signed_in_reader_is_never_served_the_kept_page(publish, other_user):
    doc = publish()
    guest().get(doc.get_absolute_url())
    member = Client()
    member.force_login(other_user)
    assert not member.get(doc.get_absolute_url()).has_header("X-Page-Cache")


def test_comments_and_ratings_reach_guests_at_once(publish, other_user):
    from wenku.community import domain

    doc = publish()
    url = doc.get_absolute_url()
    guest().get(url)
    with pytest.MonkeyPatch.context() as patch:  # committed at once, as in a request
        patch.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        comment = domain.add_comment(other_user, doc, "第一条评论，写得很好")
        page = guest().get(url)
        assert page["X-Page-Cache"] == "miss" and "第一条评论" in page.content.decode()
        domain.edit_comment(other_user, comment, "改过的评论")
        assert "改过的评论" in guest().get(url).content.decode()
        assert guest().get(url)["X-Page-Cache"] == "hit"
        domain.rate(other_user, doc, 4)
        assert guest().get(url)["X-Page-Cache"] == "miss"


def test_a_document_taken_down_is_gone_for_guests_at_once(publish):
    """Even if a decision forgot to drop the page, a kept page is served only while its
    document is public."""
    doc = publish()
    guest().get(doc.get_absolute_url())
    Document.objects.filter(pk=doc.pk).update(status="taken_down")  # no invalidation
    assert guest().get(doc.get_absolute_url()).status_code == 404


def test_a_page_made_for_another_host_is_never_served_to_this_one(publish, settings):
    """With allowed hosts ``*``, a request sent with ``Host: evil.example`` makes a page
    whose canonical link names evil.example: kept for that host only."""
    settings.ALLOWED_HOSTS = ["*"]
    doc = publish()
    poisoned = guest(HTTP_HOST="evil.example").get(doc.get_absolute_url())
    assert "evil.example" in poisoned.content.decode()
    page = guest().get(doc.get_absolute_url())
    assert page["X-Page-Cache"] == "miss" and "evil.example" not in page.content.decode()
    assert guest().get(doc.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_guest_past_the_daily_cap_of_their_address_sees_it_alone(publish, user):
    """The download box tells a guest their address reached the day's cap: that page is
    theirs, not the next guest's."""
    from wenku.economy.downloads import download
    from wenku.economy.models import Rules

    rules = Rules.current()
    rules.guests_may_download_free, rules.ip_daily_downloads = True, 1
    rules.save()
    doc, other = publish(), publish()
    download(None, other, "198.51.100.7")
    capped = guest(REMOTE_ADDR="198.51.100.7").get(doc.get_absolute_url())
    assert capped.status_code == 200 and not capped.has_header("X-Page-Cache")
    fresh = guest(REMOTE_ADDR="198.51.100.8").get(doc.get_absolute_url())
    assert fresh["X-Page-Cache"] == "miss"
    assert fresh.content != capped.content


def test_a_page_rendered_across_an_invalidation_is_not_kept_as_new(publish):
    """A page whose data was read before an invalidation, stored after it, is kept under
    the generation it was read in: the next guest misses instead of getting it."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory

    from wenku.core import pagecache

    doc = publish()

    def request():  # type: ignore[no-untyped-def]
        made = RequestFactory(HTTP_USER_AGENT=BROWSER).get(doc.get_absolute_url())
        made.user = AnonymousUser()
        return made

    pagecache.invalidate_all()  # nothing kept yet
    rendering = request()
    assert pagecache.get(rendering, "document", doc.pk) is None  # a miss: render it
    pagecache.invalidate_all()  # a decision while it renders
    pagecache.store(rendering, "document", doc.pk, HttpResponse("read before"))
    later = request()
    assert pagecache.get(later, "document", doc.pk) is None
    pagecache.store(later, "document", doc.pk, HttpResponse("read after"))
    kept = pagecache.get(request(), "document", doc.pk)
    assert kept is not None and kept.content == b"read after"


def test_a_kept_page_is_carried_into_the_next_half_windows_with_its_urls_signed_anew(
    publish, monkeypatch
):
    """Given a guest's kept page, When the half-window it was made in ends, Then the next
    guest gets it without a new rendering, its page-image URLs signed for the new window
    (valid then; the old ones would expire sooner); after ``RENEWALS`` such carries it is
    made again, and an invalidation leaves nothing to carry."""
    import re
    import time

    from wenku.core import pagecache
    from wenku.library import signing

    half = pagecache._half_window()
    start = (int(time.time()) // half + 1) * half + 1  # just after a window begins
    clock = {"now": float(start)}
    monkeypatch.setattr(time, "time", lambda: clock["now"])
    doc = publish(pages=3)
    url = doc.get_absolute_url()
    urls = re.compile(r"/d/(\d+)/p/(\d+)\.webp\?e=(\d+)&amp;s=([0-9a-f]{32})")

    first = guest().get(url)
    assert first["X-Page-Cache"] == "miss"
    made = urls.findall(first.content.decode())
    assert made and {int(e) for *_, e, _s in made} == {signing.expiry()}

    for carried in range(1, pagecache.RENEWALS + 1):
        clock["now"] = start + carried * half
        page = guest(REMOTE_ADDR=f"198.51.100.{carried}").get(url)
        assert page["X-Page-Cache"] == "hit"
        found = urls.findall(page.content.decode())
        assert len(found) == len(made)
        for doc_id, number, expires, sig in found:
            assert int(expires) == signing.expiry()
            assert signing.verify(int(doc_id), int(number), expires, sig)
        assert re.sub(urls, "", page.content.decode()) == re.sub(urls, "", first.content.decode())

    clock["now"] = start + (pagecache.RENEWALS + 1) * half
    assert guest(REMOTE_ADDR="198.51.100.9").get(url)["X-Page-Cache"] == "miss"  # made again
    assert guest(REMOTE_ADDR="198.51.100.10").get(url)["X-Page-Cache"] == "hit"
    pagecache.invalidate_documents([doc.pk])
    clock["now"] += half
    assert guest(REMOTE_ADDR="198.51.100.11").get(url)["X-Page-Cache"] == "miss"


def test_renewed_urls_keep_what_is_around_them():
    from wenku.library import signing

    html = (
        '<img src="/base/d/7/p/2.webp?e=100&amp;s=' + "a" * 32 + '" '
        'srcset="/base/d/7/p/2.webp?e=100&amp;s=' + "a" * 32 + '&amp;x=2 2000w">'
        '{"u": "/d/8/p/1.webp?e=100&s=' + "b" * 32 + '"} /d/9/p/1.webp?e=1&s=short'
    )
    renewed = signing.renew_urls(html, now=1_000_000)
    expires = signing.expiry(1_000_000)
    sig = signing.signature(7, 2, expires)
    assert renewed == (
        f'<img src="/base/d/7/p/2.webp?e={expires}&amp;s={sig}" '
        f'srcset="/base/d/7/p/2.webp?e={expires}&amp;s={sig}&amp;x=2 2000w">'
        f'{{"u": "/d/8/p/1.webp?e={expires}&s={signing.signature(8, 1, expires)}"}} '
        "/d/9/p/1.webp?e=1&s=short"
    )
