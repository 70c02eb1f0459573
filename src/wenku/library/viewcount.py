"""Counting document views: people, not reloads or crawlers, and never in the request's way.

A view is one visitor seeing one document on one day. The request only puts
(document, visitor, day) on an in-memory queue; a background thread of the same
process writes the queue in batches every few seconds:

- ``INSERT … ON CONFLICT DO NOTHING RETURNING`` into ``ViewMark`` keeps one row per
  visitor, document and day, and says which rows are new (the same SQL works on
  SQLite and PostgreSQL);
- only new rows add to ``Document.view_count`` and ``DailyStats.views``.

So a reload, a second tab or another web-server process never counts twice, and a
slow or locked database delays the counters, not the page. Visitors are the
account when logged in, else a cookie; clients that refuse cookies are keyed by a
hash of their address and browser, so they count once a day too. Known crawlers and
prefetches are not counted, nor uploaders viewing their own documents.

With WENKU_VIEW_FLUSH_SECONDS=0 views are written during the request instead.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import queue
import re
import threading
import time
from datetime import date, timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from wenku.config import conf
from wenku.core.ip import client_ip

log = logging.getLogger(__name__)

COOKIE = "wk_v"
_CRAWLERS = re.compile(
    r"bot\b|bot/|spider|crawl|slurp|archiver|facebookexternalhit|embedly|preview|"
    r"baidu|sogou|yisou|bytespider|petalbot|yandex|bingpreview|headless|phantomjs|"
    r"python-requests|python-urllib|aiohttp|httpx|curl/|wget/|go-http-client|java/|okhttp|"
    r"libwww|scrapy|feedfetcher|monitor|uptime|lighthouse",
    re.IGNORECASE,
)

_pending: queue.SimpleQueue[tuple[int, str, date]] = queue.SimpleQueue()
_flusher: threading.Thread | None = None
_flusher_lock = threading.Lock()


def is_crawler(request: HttpRequest) -> bool:
    agent = request.headers.get("User-Agent", "")
    if not agent or _CRAWLERS.search(agent):
        return True
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return "prefetch" in purpose.lower()


def visitor(request: HttpRequest) -> str:
    """A stable key for whoever is reading: account, else cookie, else address + browser."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    cookie = request.COOKIES.get(COOKIE, "")
    if re.fullmatch(r"[0-9a-f]{24}", cookie):
        return f"c{cookie}"
    return f"c{_fingerprint(request)}"


def _fingerprint(request: HttpRequest) -> str:
    raw = f"{settings.SECRET_KEY}|{client_ip(request) or ''}|"
    raw += request.headers.get("User-Agent", "")
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def record_view(request: HttpRequest, response: HttpResponse, document: object) -> None:
    """Count this request as a view of document, if it is a person's (called by the view)."""
    if request.method != "GET" or is_crawler(request):
        return
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk == document.owner_id:  # type: ignore[attr-defined]
        return
    if COOKIE not in request.COOKIES and not (user and user.is_authenticated):
        response.set_cookie(
            COOKIE, _fingerprint(request), max_age=365 * 86400, httponly=True, samesite="Lax"
        )
    _pending.put((document.pk, visitor(request), timezone.localdate()))  # type: ignore[attr-defined]
    if conf().view_flush_seconds == 0:
        flush()  # counted during the request: simple, for small sites and tests
    else:
        _ensure_flusher()


def _ensure_flusher() -> None:
    global _flusher
    if _flusher is not None and _flusher.is_alive():
        return
    with _flusher_lock:
        if _flusher is None or not _flusher.is_alive():
            _flusher = threading.Thread(target=_flush_forever, name="view-counter", daemon=True)
            _flusher.start()
            atexit.register(flush)


def _flush_forever() -> None:
    while True:
        time.sleep(conf().view_flush_seconds)
        try:
            flush()
        except Exception:  # keep counting after a bad moment; the views wait in the queue
            log.exception("could not write view counts")
        finally:
            connection.close()


def flush() -> int:
    """Write pending views now; return how many new views were counted."""
    batch: list[tuple[int, str, date]] = []
    while True:
        try:
            batch.append(_pending.get_nowait())
        except queue.Empty:
            break
    if not batch:
        return 0
    try:
        return _write(list(dict.fromkeys(batch)))
    except OperationalError:
        for item in batch:  # locked or disconnected: try again at the next flush
            _pending.put(item)
        raise


def _write(batch: list[tuple[int, str, date]]) -> int:
    from wenku.library import counters
    from wenku.library.models import Document, ViewMark

    marks = ViewMark._meta.db_table
    existing = set(
        Document.objects.filter(pk__in={row[0] for row in batch}).values_list("pk", flat=True)
    )
    batch = [row for row in batch if row[0] in existing]  # deleted since it was viewed
    new: dict[tuple[int, date], int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(batch), 300):
            chunk = batch[start : start + 300]
            cursor.execute(
                f"INSERT INTO {marks} (document_id, visitor, day) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (document_id, visitor, day) DO NOTHING RETURNING document_id, day",
                [value for row in chunk for value in row],
            )
            for document_id, day in cursor.fetchall():
                key = (document_id, day if isinstance(day, date) else date.fromisoformat(day))
                new[key] = new.get(key, 0) + 1
        counters.add_many({key: (count, 0) for key, count in new.items()})
    _prune()
    return sum(new.values())


_last_prune: list[date] = []


def _prune() -> None:
    """Marks older than yesterday can no longer stop a double count: drop them, daily."""
    from wenku.library.models import ViewMark

    today = timezone.localdate()
    if _last_prune and _last_prune[0] == today:
        return
    ViewMark.objects.filter(day__lt=today - timedelta(days=1)).delete()
    _last_prune[:] = [today]
