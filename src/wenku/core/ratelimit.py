"""Rate limits shared by every web-server process: at most N hits per key in any period.

Callers name a scope, a key and a rate (``Rate`` or the ``(count, seconds)`` a
``WENKU_RATE_*`` setting holds; ``None`` means no limit)::

    decision = ratelimit.hit("comment", str(user.pk), conf().rate_comment)
    if not decision.allowed:
        ...  # decision.message(), decision.retry_after (seconds)

``enforce`` does the same and raises ``RateLimited``; a view wrapped in ``@responds``
turns that into HTTP 429 with words and a ``Retry-After`` header.

Every attempt counts, refused ones included: whoever keeps hammering stays limited.
Counting is a sliding window estimated from two fixed windows (previous × the part of
it still inside the period + current), so there is no double burst at a window's edge.

The embedded backend keeps the counters in a database table (``core_ratecounter``),
one atomic upsert per hit (``INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1
RETURNING hits``, SQLite ≥ 3.35 and PostgreSQL): every process and thread of every
web node sees one count. Django's local-memory cache would not do: it is per process,
so `wenku serve`'s processes would each allow the full rate. Keys are stored as an
HMAC under the site's secret. Rows of windows that no longer matter are deleted at
most once a minute per process.

With ``WENKU_REDIS_URL`` set (scale mode) the counters live in Redis instead (one hash per
scope and key, ``HINCRBY`` and ``EXPIRE`` in one transaction): no database writes per
attempt. Should Redis stop answering, counting goes on in the database table until it
answers again, so a limit never silently lapses; the counts of the two places are not
added up, so a client can get up to twice its limit across such an outage.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenku.core.ip import client_ip

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


RateLike = Rate | tuple[int, int] | None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until an attempt would be allowed again

    def message(self) -> str:
        return _("Too many attempts. Please try again in %(wait)s.") % {
            "wait": wait_text(self.retry_after)
        }


ALLOWED = Decision(True)


class RateLimited(Exception):
    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.message())
        self.decision = decision

    @property
    def retry_after(self) -> int:
        return self.decision.retry_after


class Backend(Protocol):
    def incr(self, scope: str, key_hash: str, bucket: int, expires: int) -> int:
        """Add one hit to the window starting at bucket; return its hits (atomically)."""

    def get(self, scope: str, key_hash: str, bucket: int) -> int:
        """Hits of a window (0 if none)."""

    def clear(self, scope: str, key_hash: str) -> None:
        """Forget every window of a key."""

    def prune(self, now: int) -> None:
        """Drop windows that expired before now."""


class DatabaseBackend:
    """Counters in core_ratecounter: correct across processes and machines sharing one DB."""

    def _table(self) -> str:
        from wenku.core.models import RateCounter

        return connection.ops.quote_name(RateCounter._meta.db_table)

    def incr(self, scope: str, key_hash: str, bucket: int, expires: int) -> int:
        table = self._table()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (scope, key_hash, bucket, hits, expires) "
                "VALUES (%s, %s, %s, 1, %s) ON CONFLICT (scope, key_hash, bucket) "
                f"DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
                [scope, key_hash, bucket, expires],
            )
            return int(cursor.fetchone()[0])

    def get(self, scope: str, key_hash: str, bucket: int) -> int:
        from wenku.core.models import RateCounter

        row = (
            RateCounter.objects.filter(scope=scope, key_hash=key_hash, bucket=bucket)
            .values_list("hits", flat=True)
            .first()
        )
        return row or 0

    def clear(self, scope: str, key_hash: str) -> None:
        from wenku.core.models import RateCounter

        RateCounter.objects.filter(scope=scope, key_hash=key_hash).delete()

    def prune(self, now: int) -> None:
        from wenku.core.models import RateCounter

        RateCounter.objects.filter(expires__lt=now).delete()


class RedisBackend:
    """Counters in Redis, one hash per scope and key (its fields are the windows), expiring
    with the last window; the database backend counts whenever Redis does not answer."""

    def __init__(self, client: Any, prefix: str, fallback: Backend) -> None:
        self.client = client
        self.prefix = prefix
        self.fallback = fallback

    def _key(self, scope: str, key_hash: str) -> str:
        return f"{self.prefix}:rl:{scope}:{key_hash}"

    def _failed(self, exc: Exception) -> None:
        log.warning("rate limits: Redis unavailable (%s); counting in the database", exc)

    def incr(self, scope: str, key_hash: str, bucket: int, expires: int) -> int:
        from redis.exceptions import RedisError

        name = self._key(scope, key_hash)
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.hincrby(name, str(bucket), 1)
            pipe.expireat(name, expires)
            hits, _ = pipe.execute()
            return int(hits)
        except RedisError as exc:
            self._failed(exc)
            return self.fallback.incr(scope, key_hash, bucket, expires)

    def get(self, scope: str, key_hash: str, bucket: int) -> int:
        from redis.exceptions import RedisError

        try:
            return int(self.client.hget(self._key(scope, key_hash), str(bucket)) or 0)
        except RedisError as exc:
            self._failed(exc)
            return self.fallback.get(scope, key_hash, bucket)

    def clear(self, scope: str, key_hash: str) -> None:
        from redis.exceptions import RedisError

        try:
            self.client.delete(self._key(scope, key_hash))
        except RedisError as exc:
            self._failed(exc)
        self.fallback.clear(scope, key_hash)

    def prune(self, now: int) -> None:
        self.fallback.prune(now)  # Redis expires its own; the fallback's rows may remain


_prune_lock = threading.Lock()
_next_prune = [0.0]
PRUNE_EVERY = 60.0


@functools.cache
def get_backend() -> Backend:
    """The counters' backend, chosen once from settings (Redis when WENKU_REDIS_URL is set)."""
    from wenku.config import conf
    from wenku.core.cache import redis_client

    database = DatabaseBackend()
    if conf().redis_url:
        return RedisBackend(redis_client(), conf().redis_prefix, database)
    return database


def reset_backend() -> None:
    """Forget the chosen backend (tests that change the settings)."""
    get_backend.cache_clear()


def _hash(scope: str, key: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{scope}\0{key}".encode(), hashlib.sha256).hexdigest()[:32]


def hit(scope: str, key: str, rate: RateLike, *, now: float | None = None) -> Decision:
    """Count one attempt of key in scope; say whether it is within the rate."""
    if rate is None:
        return ALLOWED
    limit = rate if isinstance(rate, Rate) else Rate(*rate)
    now = time.time() if now is None else now
    period = limit.seconds
    bucket = int(now // period) * period
    key_hash = _hash(scope, key)
    backend = get_backend()
    current = backend.incr(scope, key_hash, bucket, expires=bucket + 2 * period)
    previous = backend.get(scope, key_hash, bucket - period)
    elapsed = now - bucket
    weight = 1 - elapsed / period
    _maybe_prune(now)
    if previous * weight + current <= limit.count:
        return ALLOWED
    return Decision(False, _retry_after(limit, previous, current, elapsed))


def _retry_after(limit: Rate, previous: int, current: int, elapsed: float) -> int:
    """Seconds until one more attempt fits: the estimate decays as the period slides."""
    period = limit.seconds
    if current + 1 <= limit.count and previous:
        # The previous window's share must shrink: previous·(1 − (e+t)/P) + current + 1 ≤ N.
        wait = period * (1 - (limit.count - current - 1) / previous) - elapsed
    else:
        # Only the next window helps: current·(1 − t/P) + 1 ≤ N, t counted from its start.
        wait = (period - elapsed) + period * (1 - (limit.count - 1) / current)
    return max(1, math.ceil(wait))


def _maybe_prune(now: float) -> None:
    if now < _next_prune[0] or not _prune_lock.acquire(blocking=False):
        return
    try:
        _next_prune[0] = now + PRUNE_EVERY
        get_backend().prune(int(now))
    finally:
        _prune_lock.release()


def enforce(scope: str, key: str, rate: RateLike) -> None:
    """Count one attempt; raise RateLimited if it is over the rate."""
    decision = hit(scope, key, rate)
    if not decision.allowed:
        raise RateLimited(decision)


def reset(scope: str, key: str) -> None:
    """Forget a key's attempts (a successful log-in clears its account's failures)."""
    get_backend().clear(scope, _hash(scope, key))


def client_key(request: HttpRequest) -> str:
    """What to limit a client by: its address, IPv6 by its /64 (one customer's whole block)."""
    raw = client_ip(request)
    if raw is None:
        return "unknown"
    address = ipaddress.ip_address(raw)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return raw


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = math.ceil(seconds / 3600)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def too_many(request: HttpRequest, decision: Decision) -> HttpResponse:
    """HTTP 429 with words and Retry-After."""
    response = render(request, "core/ratelimited.html", {"message": decision.message()}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


def responds(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view so RateLimited raised inside it becomes a 429 page, not an error."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RateLimited as exc:
            return too_many(request, exc.decision)

    return wrapper
