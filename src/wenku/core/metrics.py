"""Prometheus metrics: what every process counts, and what the database knows at scrape time.

Processes count into ``prometheus_client`` metrics declared here. ``wenku serve`` and
``wenku worker`` give their children one folder (``PROMETHEUS_MULTIPROC_DIR``, under the
data folder's ``tmp/``), emptied when they start, where each process keeps its counts,
so ``/metrics`` on any web process reports the whole machine: every gunicorn process
and the workers beside it. A worker on another machine serves its own figures with
``wenku worker --metrics-port``.

Figures that live in the database — queue depth and job ages per queue, failed jobs,
documents by status, live workers — are read when ``/metrics`` is scraped, through
gatherers that the packages owning those tables register (``add_gatherer``); core
knows none of them.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)
ENV = "PROMETHEUS_MULTIPROC_DIR"
FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

REQUESTS = Counter(
    "wenku_http_requests_total",
    "HTTP requests answered, by route name, method and status class.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "wenku_http_request_seconds",
    "Time to answer an HTTP request, by route name.",
    ["route"],
    buckets=FAST,
)
PAGE_CACHE = Counter(
    "wenku_page_cache_total", "Page cache lookups, by kind of page and result.", ["kind", "result"]
)
SEARCH_SECONDS = Histogram(
    "wenku_search_seconds", "Time of one search (engine and database), by backend.", ["backend"],
    buckets=FAST,
)  # fmt: skip
STAGE_SECONDS = Histogram(
    "wenku_conversion_stage_seconds",
    "Time of each stage of a conversion (fetch, preflight, normalise, read, …).",
    ["stage"],
    buckets=SLOW,
)
CONVERSIONS = Counter(
    "wenku_conversions_total", "Conversions run to the end, by outcome.", ["outcome"]
)
PAGES_RENDERED = Counter(
    "wenku_pages_rendered_total",
    "Page images rendered: during ingest, or on a reader's first request.",
    ["when"],
)
JOBS = Counter(
    "wenku_jobs_total",
    "Queued jobs run by workers, by queue and outcome (succeeded, failed, retried, handed back).",
    ["queue", "outcome"],
)

Gatherer = Callable[[], Iterable[Metric]]
_gatherers: list[Gatherer] = []


def add_gatherer(gatherer: Gatherer) -> None:
    """Add figures read at scrape time (queue depth, documents by status …)."""
    if gatherer not in _gatherers:
        _gatherers.append(gatherer)


class _Gathered(Collector):
    def collect(self) -> Iterable[Metric]:
        for gatherer in list(_gatherers):
            try:
                yield from gatherer()
            except Exception:  # a scrape reports what it can
                log.exception("metrics gatherer %s failed", getattr(gatherer, "__name__", "?"))


def registry(*, gathered: bool = True, folder: str | None = None) -> CollectorRegistry:
    """What a scrape reports: the counts of every process sharing ``folder`` (by default
    the one this process was given: the whole ``wenku serve`` or ``wenku worker``; else
    this process's alone), and the database's figures."""
    reg = CollectorRegistry()
    folder = folder or os.environ.get(ENV)
    if folder:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(reg, path=folder)
    else:
        from prometheus_client import REGISTRY

        for collector in list(REGISTRY._collector_to_names):
            reg.register(collector)
    if gathered:
        reg.register(_Gathered())
    return reg


def exposition(*, gathered: bool = True, folder: str | None = None) -> tuple[bytes, str]:
    """The text a Prometheus scrape reads, and its content type."""
    return generate_latest(registry(gathered=gathered, folder=folder)), CONTENT_TYPE_LATEST


def serve_http(port: int, folder: str | None, host: str = "0.0.0.0") -> None:
    """Serve ``/metrics`` of the processes sharing ``folder`` on ``port``, in a thread (for
    ``wenku worker --metrics-port`` on machines without a web server). The database's
    figures are left to the web nodes' ``/metrics``."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] != "/metrics":
                self.send_error(404)
                return
            body, content_type = exposition(gathered=False, folder=folder)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()


def prepare_folder(folder: Path) -> dict[str, str]:
    """An empty folder for the counts of a new set of processes; the environment entry
    that points children at it (call before they start)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return {ENV: str(folder)}


def process_exited(pid: int) -> None:
    """Forget a dead process's live gauges (gunicorn calls this when a worker exits)."""
    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
