"""The shared cache and the page cache: one cache for every process, pages kept only for
what every anonymous reader sees alike, and dropped by the writes that change them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import RequestFactory

from wenku.core import pagecache

pytestmark = pytest.mark.django_db


def test_the_cache_is_shared_by_every_process():
    """Local memory is per process: a page one process invalidated would live on in the
    others (the home page showed 0 documents on one request and 48 on the next)."""
    backend = settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend.lower() and "dummy" not in backend.lower()
    from django.db import connection

    expected = "DatabaseCache" if connection.vendor == "postgresql" else "FileCache"
    assert backend.endswith(expected)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_publishing_shows_on_the_cached_home_page_at_once(english, publish):
    """Given the anonymous home page cached with no documents, when a document is
    published, then the next anonymous request shows it."""
    first = english.get("/")
    assert first["X-Page-Cache"] == "miss" and "0 documents to search" in first.text
    assert english.get("/")["X-Page-Cache"] == "hit"
    doc = publish(title="新发布的述职报告")
    again = english.get("/")
    assert doc.title in again.text and "1 document to search" in again.text


def test_a_flash_message_is_never_kept_for_others(english, rf_session):
    """Given a visitor with a message waiting, when they open the home page, then it is
    neither served from the cache nor kept for the next visitor."""
    request = rf_session("/")
    from django.contrib import messages

    messages.info(request, "只给这位访客看的提示")
    assert not pagecache.cacheable(request)
    english.get("/")  # an ordinary visitor: kept
    assert pagecache.get(_anonymous("/"), "site", "home") is not None


def _anonymous(path: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


@pytest.fixture
def rf_session():  # type: ignore[no-untyped-def]
    return _anonymous


def test_pages_holding_a_csrf_token_or_cookies_are_not_kept():
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    request = _anonymous("/")
    get_token(request)  # the page would hold this visitor's token
    pagecache.store(request, "document", 1, HttpResponse("token"))
    assert pagecache.get(_anonymous("/"), "document", 1) is None
    request = _anonymous("/")
    response = HttpResponse("session")
    response.set_cookie("sessionid", "x")
    pagecache.store(request, "document", 1, response)
    assert pagecache.get(_anonymous("/"), "document", 1) is None
    request = _anonymous("/")
    response = HttpResponse("view counter only")
    response.set_cookie("wk_v", "y")
    pagecache.store(request, "document", 1, response)
    hit = pagecache.get(_anonymous("/"), "document", 1)
    assert hit is not None and hit.content == b"view counter only" and not hit.cookies


def test_signed_in_readers_get_their_own_pages(user):
    from django.http import HttpResponse

    request = _anonymous("/")
    request.user = user
    pagecache.store(request, "document", 2, HttpResponse("alice's page"))
    assert pagecache.get(_anonymous("/"), "document", 2) is None


def test_a_page_is_carried_into_the_next_half_windows_then_made_again(monkeypatch):
    """Pages are keyed by the half-window of WENKU_PAGE_URL_SECONDS they are served in; a
    page is carried into the next one with its time-bound parts made anew (what the
    registered renewers do), ``RENEWALS`` times at most after the one it was made in."""
    import time

    from django.http import HttpResponse

    clock = [float((int(time.time()) // 3600 + 1) * 3600)]  # the cache's expiries follow it
    monkeypatch.setattr(time, "time", lambda: clock[0])
    monkeypatch.setattr(pagecache, "_renewers", [lambda text: text.replace("old", "new")])
    half = settings.WENKU.page_url_seconds // 2
    clock[0] = (clock[0] // half) * half  # the start of a half-window
    pagecache.store(_anonymous("/"), "document", 3, HttpResponse(b"old \xff"))  # not UTF-8
    clock[0] += half - 1
    assert pagecache.get(_anonymous("/"), "document", 3).content == b"old \xff"
    for _carried in range(pagecache.RENEWALS):
        clock[0] += half
        assert pagecache.get(_anonymous("/"), "document", 3).content == b"new \xff"
    clock[0] += half
    assert pagecache.get(_anonymous("/"), "document", 3) is None


def test_invalidating_a_document_drops_its_pages_in_every_language():
    from django.http import HttpResponse
    from django.utils import translation

    for language in ("zh-hans", "en"):
        with translation.override(language):
            pagecache.store(_anonymous("/"), "document", 4, HttpResponse(language))
            pagecache.store(_anonymous("/"), "document", 5, HttpResponse(language))
    pagecache.invalidate_documents([4])
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert pagecache.get(_anonymous("/"), "document", 4) is None
            assert pagecache.get(_anonymous("/"), "document", 5) is not None


def test_messages_are_not_consumed_by_the_check():
    from django.contrib import messages

    request = _anonymous("/")
    messages.info(request, "still there")
    assert not pagecache.cacheable(request)
    assert [str(m) for m in get_messages(request)] == ["still there"]
    assert cache.get("nothing") is None


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_served_pages_share_one_cache_across_processes(wenku_server, data_dir, settings, publish):
    """Given `wenku serve` with 3 web processes and the default cache (files under the data
    folder on SQLite, the database on PostgreSQL), when a document is published (here, by
    this process, as a worker would), then every process shows it at once."""
    import requests

    from tests.core.test_redis import _assert_every_process_sees_new_documents

    if settings.CACHES["default"]["BACKEND"].endswith("FileCache"):
        # The server keeps its files in its data folder: share them with this process.
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": str(data_dir / "cache")}
        }
    server = wenku_server(processes=3, threads=2)
    _assert_every_process_sees_new_documents(server.url, publish, requests)


def test_the_file_cache_culls_once_per_so_many_writes(tmp_path, monkeypatch):
    """Django's file cache lists its whole folder on every write; ours every CULL_EVERY
    writes, and still keeps the folder near its limit."""
    from wenku.core import cache as wenku_cache

    monkeypatch.setattr(wenku_cache, "CULL_EVERY", 10)
    monkeypatch.setattr(wenku_cache.FileCache, "_writes", 0)
    files = wenku_cache.FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 20}})
    listed = []
    real = files._list_cache_files
    monkeypatch.setattr(files, "_list_cache_files", lambda: listed.append(1) or real())
    for i in range(100):
        files.set(f"k{i}", i)
    assert len(listed) == 10  # Django's own would have listed the folder 100 times
    assert len(list(tmp_path.glob("*.djcache"))) <= 20 + 10


def test_the_signed_in_readers_versions_are_carried_with_the_guests_page(user, monkeypatch):
    """The versions with holes kept beside a guests' page are carried into the next
    half-window with it, their text made anew and their holes kept."""
    import time

    from wenku.core import splice

    clock = [float((int(time.time()) // 3600 + 1) * 3600)]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    monkeypatch.setattr(pagecache, "_renewers", [lambda text: text.replace("old", "new")])
    request = _anonymous("/")
    request.user = user
    nonce = splice.nonce()
    holed = splice.cut(f"<p>old</p><!--wk:{nonce}:menu--><p>old again</p>", nonce)
    pagecache.store(request, "document", 4, None, shared={"preview": holed})
    clock[0] += settings.WENKU.page_url_seconds // 2
    carried = pagecache.get_shared(request, "document", 4, "preview")
    assert isinstance(carried, splice.Holed) and carried.holes == frozenset({"menu"})
    page = splice.fill(carried, {"menu": "<nav>alice</nav>"}, user.pk, lambda: "token")
    assert page == "<p>new</p><nav>alice</nav><p>new again</p>"
