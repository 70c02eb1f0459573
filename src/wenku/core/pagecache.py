"""Whole pages kept for anonymous readers, in the cache every process shares, and dropped
by the writes that change them.

Only what every anonymous reader sees alike is kept (``cacheable``): a GET without a
query string by a visitor who is not signed in and has no flash message waiting, and a
200 response that sets no cookie but the view counter's and uses no CSRF token. The body
is kept, never headers or cookies; the view calls its per-visitor work (view counting)
on a hit as on a miss.

Pages are keyed by kind, object and the reader's language, and kept per host under that
key: a page holds absolute links made from the request's host (canonical, structured
data), so a request sent with ``Host: evil.example`` (possible where allowed hosts are
``*``) is kept for that host only and never served to readers of the real one; a key
holds at most ``MAX_HOSTS`` hosts. Pages carry signed page-image
URLs valid for ``WENKU_PAGE_URL_SECONDS`` from the half-window they were made in, so a
page is served in that half-window and no longer: every URL it holds is still valid for
at least half a window after it was served. A page kept in the
previous half-window is carried into the current one with those URLs signed anew
(``renew_with``: the library registers how), instead of being made again, at most
``RENEWALS`` times: what no invalidation names (download and view counts, 最近下载) is
then at most ``RENEWALS + 1`` half-windows old.

Invalidation is explicit and names what changed — ``invalidate_site()`` (lists that
every new or removed document changes: the home page) and ``invalidate_documents(ids)``
(a document's own page) — called by publishing, edits, comments and takedowns; and
``invalidate_all()`` for a decision that must leave every page at once (a takedown: the
document is listed on other documents' pages, in their related lists and 最近下载). It
moves a generation that every kept page carries, read with the page in one round trip;
the generation read at a miss is the one the page rendered after it is kept under, so a
render that straddles an invalidation is never served as new. Search pages are kept
``by_query`` (under their exact query string) and carry the search index's generation
too, which index writes move (``invalidate_search``: at once, or, within
``WENKU_SEARCH_PAGE_STALE_SECONDS`` of the last move, when that time is up).

Signed-in readers are served from the same entry (issue 13, item 7): beside the guests'
page it keeps ``shared`` versions of the page with holes for each reader's own parts
(``core/splice.py``), per host and per ``variant`` (what of the document the reader may
see: the document page's free preview or all of it), made and used only for requests
that are ``shareable``. So every invalidation above drops them with the guests' page.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from wenku.config import conf
from wenku.core import metrics, splice

SITE_PAGES = ("home",)
# Cookies a cached page may be served without (set per visitor on a hit as on a miss).
PER_VISITOR_COOKIES = frozenset({"wk_v"})
# Hosts kept per page (a site answers to a few names; more are someone trying names).
MAX_HOSTS = 4


RENEWALS = 2  # half-windows a kept page is carried into after the one it was made in
_renewers: list[Callable[[str], str]] = []

GENERATION = "wenku:page:generation"
SEARCH_GENERATION = "wenku:page:generation:search"
# Present while the search generation moved within WENKU_SEARCH_PAGE_STALE_SECONDS, and
# while index writes since are waiting for it to move again (``invalidate_search``).
SEARCH_MOVED = "wenku:page:generation:search:moved"
SEARCH_PENDING = "wenku:page:generation:search:pending"
_SEEN = "_wenku_page_generations"  # on the request: the generations read at a miss


@dataclass(frozen=True)
class Cached:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Kept:
    """One page's copies, per host, made in one generation: the guests' page, and the
    versions shared by signed-in readers, per variant and host (``_shared_key``)."""

    generation: str
    hosts: dict[str, Cached]
    shared: dict[str, object] = field(default_factory=dict)
    window: int = 0  # the half-window the page was made in (renewals keep it)


def _half_window() -> int:
    return max(1, int(conf().page_url_seconds) // 2)


def _now() -> float:
    return time.time()


def _window(now: float | None = None) -> int:
    return int(_now() if now is None else now) // _half_window()


def _key(kind: str, ident: object, language: str, window: int) -> str:
    return f"wenku:page3:{kind}:{ident}:{language}:{window}"  # 3: Kept has ``window``


def renew_with(renew: Callable[[str], str]) -> None:
    """Register how a kept page's time-bound parts are made anew for the current
    half-window (the library: its signed page-image URLs)."""
    if renew not in _renewers:
        _renewers.append(renew)


def _renew_text(text: str) -> str:
    for renew in _renewers:
        text = renew(text)
    return text


def _renewed(kept: Kept) -> Kept:
    """The page's copies with their time-bound parts made anew (the shared versions'
    text parts; a version of a kind this module does not know is left out)."""
    hosts = {  # kept pages are UTF-8 text; other bytes pass through as they are
        host: Cached(
            _renew_text(page.content.decode("utf-8", "surrogateescape")).encode(
                "utf-8", "surrogateescape"
            ),
            page.content_type,
        )
        for host, page in kept.hosts.items()
    }
    shared: dict[str, object] = {
        key: splice.Holed(
            tuple(_renew_text(part) if type(part) is str else part for part in holed.parts),
            holed.csrf,
            holed.holes,
        )
        for key, holed in kept.shared.items()
        if isinstance(holed, splice.Holed)
    }
    return Kept(kept.generation, hosts, shared, kept.window)


def shareable(request: HttpRequest, by_query: bool = False) -> bool:
    """Would every reader like this one (a guest, or a signed-in reader with the same
    rights) get the same page but for their own parts? Not for a method other than
    GET/HEAD, a visitor with a flash message waiting, or a URL with a query string (pages
    echo it: the header's search box, the log-in and language links' ``next``; one
    visitor's ``?q=`` must not reach the next visitor) — unless the page is kept
    ``by_query``, under its whole query string (``query_key``)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.META.get("QUERY_STRING") and not by_query:
        return False
    if getattr(request, "user", None) is None:
        return False
    return len(get_messages(request)) == 0


def cacheable(request: HttpRequest, by_query: bool = False) -> bool:
    """Would every anonymous reader get the same page as this request? ``shareable`` and
    not signed in. tests/library/test_page_cache_contract.py is what every kept page must
    pass."""
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    return shareable(request, by_query)


def query_key(request: HttpRequest) -> str:
    """The ident of a page kept ``by_query``: its raw query string, hashed (the page
    echoes it as it came, so only the very same query string may share it)."""
    raw = request.META.get("QUERY_STRING", "").encode("utf-8", "surrogateescape")
    return hashlib.sha256(raw).hexdigest()[:32]


def get(
    request: HttpRequest, kind: str, ident: object, by_query: bool = False
) -> HttpResponse | None:
    """The kept page for this anonymous reader, or None (also when it may not be kept)."""
    if not cacheable(request, by_query):
        return None
    kept = _current(request, kind, ident)
    found = kept.hosts.get(_host(request)) if kept is not None else None
    if not isinstance(found, Cached):
        metrics.PAGE_CACHE.labels(kind, "miss").inc()
        return None
    metrics.PAGE_CACHE.labels(kind, "hit").inc()
    response = HttpResponse(found.content, content_type=found.content_type)
    response["X-Page-Cache"] = "hit"
    return response


def get_shared(request: HttpRequest, kind: str, ident: object, variant: str) -> object | None:
    """The kept version of this page for readers of ``variant``, or None (also when this
    request may not use one)."""
    if not shareable(request):
        return None
    kept = _current(request, kind, ident)
    found = kept.shared.get(_shared_key(request, variant)) if kept is not None else None
    metrics.PAGE_CACHE.labels(f"{kind}_shared", "miss" if found is None else "hit").inc()
    return found


def _generations(kind: str) -> list[str]:
    """What a kept page of ``kind`` must be as new as: every page, the site's generation;
    a search page, the search index's as well."""
    return [GENERATION, SEARCH_GENERATION] if kind == "search" else [GENERATION]


def _current(request: HttpRequest, kind: str, ident: object) -> Kept | None:
    """The kept entry of this page in the current generation (read with it at once). The
    generation read is noted on the request: a page rendered after a miss is kept under
    it, so a page made from data older than an invalidation during its rendering is kept
    under the old generation, and never served."""
    now = _now()
    window = _window(now)
    key = _key(kind, ident, get_language(), window)
    names = _generations(kind)
    marks = [SEARCH_PENDING, SEARCH_MOVED] if kind == "search" else []
    found = cache.get_many([key, *names, *marks])
    if found.get(SEARCH_PENDING) and not found.get(SEARCH_MOVED) and _move_search_generation():
        # Index writes waited and their time is up: this read drops the kept search pages
        # (and misses, noting the new generation to keep its page under).
        request.__dict__.setdefault(_SEEN, {})[(kind, str(ident))] = _generation(kind)
        return None
    parts = [found.get(name) for name in names]
    generation = ":".join(str(p) for p in parts) if None not in parts else None
    if generation is None:
        return None
    request.__dict__.setdefault(_SEEN, {})[(kind, str(ident))] = generation
    kept = found.get(key)
    if isinstance(kept, Kept) and kept.generation == generation:
        return kept
    if not _renewers:
        return None
    # Only on a miss: a hit must not read (and unpickle) the previous half-window's copy.
    old = cache.get(_key(kind, ident, get_language(), window - 1))
    if isinstance(old, Kept) and old.generation == generation and window - old.window <= RENEWALS:
        kept = _renewed(old)
        cache.add(key, kept, _seconds_left(window, now))  # a page kept meanwhile stays
        metrics.PAGE_CACHE.labels(kind, "renewed").inc()
        return kept
    return None


def _seconds_left(window: int, now: float) -> int:
    """Until the end of the half-window after ``window``: an entry is served in its own
    half-window only, and read in the next one to be carried into it."""
    return max(1, (window + 2) * _half_window() - int(now))


def _shared_key(request: HttpRequest, variant: str) -> str:
    return f"{variant} {_host(request)}"


def store(
    request: HttpRequest,
    kind: str,
    ident: object,
    response: HttpResponse | None,
    by_query: bool = False,
    shared: Mapping[str, object] | None = None,
) -> None:
    """Keep the page for other anonymous readers, if it is the same for all of them, and
    beside it the versions with holes ``shared`` made with it (for signed-in readers of
    each variant, made for this request's host and language with nothing of its reader
    in them), in one write of the page's entry."""
    page = _keepable(request, response, by_query)
    hosts = {} if page is None else {_host(request): page}
    versions = {}
    if shared and shareable(request):
        versions = {_shared_key(request, variant): v for variant, v in shared.items()}
    if (hosts or versions) and _keep(request, kind, ident, hosts, versions) and hosts:
        response["X-Page-Cache"] = "miss"  # type: ignore[index]


def _keepable(request: HttpRequest, response: HttpResponse | None, by_query: bool) -> Cached | None:
    """The page as kept for other anonymous readers, or None if it is not the same for all
    of them."""
    if response is None or not cacheable(request, by_query):
        return None
    if response.status_code != 200 or response.streaming:
        return None
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return None  # the page holds this visitor's CSRF token
    if set(response.cookies) - PER_VISITOR_COOKIES:
        return None
    if len(get_messages(request)) != 0:  # the view queued a message for this visitor
        return None
    return Cached(response.content, response.get("Content-Type", "text/html; charset=utf-8"))


def _keep(
    request: HttpRequest,
    kind: str,
    ident: object,
    hosts: Mapping[str, Cached],
    shared: Mapping[str, object],
) -> bool:
    """Add the pages for ``hosts`` and the ``shared`` versions to the page's entry of the
    current generation and window (False: not kept, for a host too many). Two processes
    storing at once may keep one's additions only: the other misses once."""
    now = _now()
    window = _window(now)
    key = _key(kind, ident, get_language(), window)
    seen = request.__dict__.get(_SEEN, {}).get((kind, str(ident)))
    generation = seen or _generation(kind)
    found = cache.get(key)
    if isinstance(found, Kept) and found.generation == generation:
        kept = Kept(generation, dict(found.hosts), dict(found.shared), found.window)
    else:
        kept = Kept(generation, {}, {}, window)
    host = _host(request)
    known = set(kept.hosts) | {k.split(" ", 1)[1] for k in kept.shared}
    if host not in known and len(known) >= MAX_HOSTS:
        return False
    kept.hosts.update(hosts)
    kept.shared.update(shared)
    cache.set(key, kept, _seconds_left(window, now))
    return True


def _generation(kind: str) -> str:
    parts = []
    for name in _generations(kind):
        generation = cache.get(name)
        if generation is None:  # first use, or evicted: every page kept before is dropped
            cache.add(name, secrets.token_hex(8), None)
            generation = cache.get(name)
        parts.append(str(generation))
    return ":".join(parts)


def site_generation() -> str:
    """The generation every kept page carries (``invalidate_all`` moves it), for parts of
    pages kept apart from them (``web.cards``)."""
    return _generation("document")


def _host(request: HttpRequest) -> str:
    """The host the page's absolute links were made from (already allowed by Django)."""
    return f"{request.scheme}://{request.get_host()}"


def _keys(kind: str, idents: Iterable[object]) -> list[str]:
    window = _window()
    languages = [code for code, _name in settings.LANGUAGES]
    return [
        _key(kind, ident, language, w)
        for ident in idents
        for language in languages
        for w in (window - 1, window, window + 1)
    ]


def invalidate_site() -> None:
    """Drop the pages every published or removed document changes (the home page)."""
    cache.delete_many(_keys("site", SITE_PAGES))


def invalidate_documents(document_ids: Iterable[int]) -> None:
    """Drop these documents' own pages (an edit, a comment, a rating, a takedown)."""
    ids = list(document_ids)
    if ids:
        cache.delete_many(_keys("document", ids))


def invalidate_search() -> None:
    """Drop every kept search page (the index changed: what a search finds): at once, if
    none were dropped within ``WENKU_SEARCH_PAGE_STALE_SECONDS``; else the first search
    after that time drops them (``_current``). Each upload writes the index, and a site
    taking uploads all day would otherwise make every guest's search anew: a search page
    may miss what the index took in for that long, and a stream of writes drops the
    kept search pages at most once per that time. What leaves the site (a takedown, an
    edit) drops them at once, with every kept page (``invalidate_all``)."""
    if not _move_search_generation():
        cache.set(SEARCH_PENDING, 1, None)


def _move_search_generation() -> bool:
    """Move the search generation unless it moved within the stale time (False then)."""
    stale = int(conf().search_page_stale_seconds)
    if stale > 0 and not cache.add(SEARCH_MOVED, 1, stale):
        return False
    # The writes waiting are all in the index by now; one marked after this waits anew.
    cache.delete(SEARCH_PENDING)
    cache.set(SEARCH_GENERATION, secrets.token_hex(8), None)
    return True


def invalidate_all() -> None:
    """Drop every kept page at once (a document leaves the site: other pages list it)."""
    cache.set(GENERATION, secrets.token_hex(8), None)
