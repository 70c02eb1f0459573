"""Health, readiness and metrics endpoints, for load balancers and Prometheus.

- ``/healthz``: the process answers (no dependency is asked): restart it if not.
- ``/readyz``: the node can serve — the database answers and its migrations are all
  applied — 200, else 503; the cache and the file storage are reported beside it but do
  not fail it (every node shares them: taking nodes out would not help).
- ``/metrics``: Prometheus's text format (``core.metrics``), only for clients in
  ``WENKU_METRICS_ALLOW`` (seen through trusted proxies) or bearing ``WENKU_METRICS_TOKEN``;
  anyone else gets a 404.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wenku.config import conf
from wenku.core import metrics
from wenku.core.ip import address_in, client_ip

log = logging.getLogger(__name__)
_migrated: list[bool] = []


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    if not _migrated:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "migrations not applied (run `wenku manage migrate`)"
        _migrated.append(True)
    return "ok"


def _cache() -> str:
    key = f"wenku:ready:{secrets.token_hex(4)}"
    cache.set(key, 1, 10)
    found = cache.get(key)
    cache.delete(key)
    return "ok" if found == 1 else "unavailable"


def _storage() -> str:
    from wenku.core.storage import get_storage

    get_storage().check()
    return "ok"


def _timed(check: Callable[[], str]) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        state = check()
    except Exception as exc:
        state = f"error: {exc.__class__.__name__}: {exc}"[:300]
    return state, round((time.perf_counter() - started) * 1000, 1)


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database, "cache": _cache, "storage": _storage}
    report = {}
    for name, check in checks.items():
        state, ms = _timed(check)
        report[name] = {"state": state, "ms": ms}
    ready = report["database"]["state"] == "ok"
    if not ready:
        log.warning("not ready: %s", report["database"]["state"])
    return JsonResponse({"ready": ready, "checks": report}, status=200 if ready else 503)


def _may_scrape(request: HttpRequest) -> bool:
    token = conf().metrics_token
    if token:
        given = request.headers.get("Authorization", "")
        if secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    return address_in(client_ip(request), conf().metrics_allow)


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _may_scrape(request):
        return HttpResponse(status=404)
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)
