"""Mixed load benchmark: the embedded default and scale mode side by side, then ingest with
one and two workers.

Run from the repository root: ``.venv/bin/python bench/load.py [--documents 10000]
[--seconds 30] [--rounds 2]``. It needs PostgreSQL (``--postgres``, default
postgresql://postgres@127.0.0.1:5432/wenku_load, dropped and recreated), Redis
(``--redis``, default redis://127.0.0.1:6379/3, emptied), wrk and LibreOffice.

The library: ``pages.build_library`` (the pages benchmark's), with short Word documents
(``--real`` imported through the pipeline, up to 12 pages, so that indexing 10,000 rows is
quick), the rest as rows sharing their conversions, indexed, related lists stored. Then
``wenku migrate-data`` copies it into PostgreSQL and ``wenku reindex`` fills PostgreSQL's
search tables, so both modes serve the same documents from the same files:

- embedded: SQLite (WAL), Tantivy, the file cache under the data folder;
- scale: PostgreSQL for data and search (``WENKU_SEARCH_BACKEND=postgres``), Redis for
  the cache, sessions and rate limits (``WENKU_REDIS_URL``).

Each mode is ``wenku serve --no-worker`` with its defaults (gunicorn, 2 processes x 2
threads) on its own free port; nothing is being converted. The bench site lifts the
limits that one client address would otherwise hit: page images and searches
(``WENKU_RATE_PAGE_IMAGE_IP``, ``WENKU_RATE_SEARCH_IP`` and their ``_USER`` twins
1000000/10m: the limiter still counts every request, in the database or in Redis) and
the economy's daily download caps (0, no limit).

The mix, for every request picked at random with these weights (``MIX``): document pages
70 % (random documents, anonymous readers with their visitor cookies), searches 20 % (the
search page, ``/search?q=`` with one or two words of the library's vocabulary), page
images 8 % (signed URLs of the free pages, read from ``/d/<id>/pages.json`` before the
run), downloads 2 % (the original file behind a download link that a signed-in reader got
from ``POST /api/v1/documents/<id>/download`` before the run). Before its first round each
mode gets a warm pass (every document page once, then every search of the mix once, as a
site that has been serving for a while has them); each round is ``--warmup`` seconds of
wrk, unmeasured, then ``--seconds`` measured, rounds alternating between the modes
(embedded, scale, embedded, ...) so that both see the same machine. The goals are read
from these rounds. Then each mode gets one more round right after its kept search pages
are dropped (as an index write drops them): every search of the mix is made anew while
pages are read, reported beside the goals (a "note" line), not as one of them. Until
2026-12-06 there was no search warm-up, and the first round of each mode was that case.
wrk (``-t2 -c16``) runs on the same CPUs; its CPU and the other processes' share of the
machine are reported, as by the pages benchmark. An error is a non-2xx/3xx response or a
socket error.

Ingest: the same batch of ``--batch`` generated uploads (``pages.build_real_files``:
Word, slides, PDFs, workbooks, text, Markdown) is queued with ``wenku import`` (no
worker running) on a fresh scale-mode site, then 1, and on another fresh site 2, ``wenku
worker`` processes are started (each its own command, as on separate machines, sharing
the PostgreSQL queue). Documents per minute = documents published / (last publish - the
workers' start); the ratio of the two is the scaling.

Goals (issue 13, 2 cores): >= 400 mixed requests/s at p99 <= 100 ms with no error, in
both modes; ingest with 2 workers >= 1.7x the documents per minute of 1.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import psutil
import requests

from corpus import OBJECTS, SUBJECTS, TOPICS
from harness import (
    WENKU,
    WenkuServer,
    clean_env,
    cpus,
    load_average,
    machine,
    new_site,
    reset_postgres,
    run_wenku,
    stats,
    table,
    verdict,
    work_folder,
)
from pages import (
    BROWSER_HEADERS,
    TAG_WORDS,
    Load,
    Visitor,
    build_library,
    build_real_files,
    run_wrk,
    warm_pages,
    wrk_version,
)

MIX = {"document page": 70, "search": 20, "page image": 8, "download": 2}
GOAL_RPS = 400.0
GOAL_P99_MS = 100.0
GOAL_INGEST_RATIO = 1.7
LOAD_DOCX_PAGES = (1, 2, 3, 4, 5, 6, 8, 10, 12)
INGEST_DOCX_PAGES = (2, 3, 4, 5, 6, 8)
VISITORS = 1000
IMAGE_DOCUMENTS = 200  # documents whose free pages' signed URLs the mix asks for
DOWNLOAD_LINKS = 20  # per round and mode
QUERIES = 300
PROBES = 20  # requests of each kind, one at a time, before the rounds
GENEROUS_RATE = "1000000/10m"
DOWNLOADER = "bench_downloader"
WORKER_STOP_SECONDS = 40.0
POLL_SECONDS = 0.5


# --- the two modes


@dataclass(frozen=True)
class Mode:
    name: str
    env: dict[str, str]


def site_limits() -> dict[str, str]:
    """Rate limits one client address would otherwise hit, lifted for the bench site."""
    return {
        "WENKU_RATE_PAGE_IMAGE_IP": GENEROUS_RATE,
        "WENKU_RATE_PAGE_IMAGE_USER": GENEROUS_RATE,
        "WENKU_RATE_SEARCH_IP": GENEROUS_RATE,
        "WENKU_RATE_SEARCH_USER": GENEROUS_RATE,
        "WENKU_RATE_UPLOAD_USER": GENEROUS_RATE,
        "WENKU_RATE_UPLOAD_IP": GENEROUS_RATE,
    }


def scale_env(postgres: str, redis: str, prefix: str) -> dict[str, str]:
    return {
        "WENKU_DATABASE_URL": postgres,
        "WENKU_SEARCH_BACKEND": "postgres",
        "WENKU_REDIS_URL": redis,
        "WENKU_REDIS_PREFIX": prefix,
    }


def modes(postgres: str, redis: str, prefix: str) -> list[Mode]:
    return [
        Mode("embedded", site_limits()),
        Mode("scale", {**site_limits(), **scale_env(postgres, redis, prefix)}),
    ]


def empty_redis(url: str) -> None:
    """Empty the Redis database ``url`` names (the bench's own: /3 by default)."""
    import redis

    redis.Redis.from_url(url).flushdb()


# --- what the mix asks for


def search_queries(rng: random.Random, count: int = QUERIES) -> list[str]:
    """Queries a reader would type: one word of the library's vocabulary, or two."""
    words = [*TOPICS, *OBJECTS, *SUBJECTS, *TAG_WORDS]
    queries = []
    for _ in range(count):
        query = rng.choice(words)
        if rng.random() < 0.3:
            query += " " + rng.choice(words)
        queries.append(query)
    return queries


def search_paths(queries: list[str]) -> list[str]:
    return [f"/search?q={quote(q)}" for q in queries]


def mix_slots(mix: dict[str, int]) -> list[str]:
    """One slot per percent: wrk picks a slot at random for every request."""
    if any(weight < 0 for weight in mix.values()) or sum(mix.values()) != 100:
        raise ValueError(f"the mix's weights must be >= 0 and add up to 100: {mix}")
    return [kind for kind, weight in mix.items() for _ in range(weight)]


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_list(values: list[str]) -> str:
    return "{" + ",".join(lua_string(v) for v in values) + "}"


def mixed_script(targets: dict[str, list[str]], visitors: list[Visitor]) -> str:
    """A wrk script: each request a kind picked by ``MIX``, then one of its paths at
    random; the statuses and kinds sent are counted and printed at the end."""
    missing = [kind for kind in MIX if not targets.get(kind)]
    if missing:
        raise ValueError(f"no paths for {', '.join(missing)}")
    headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in BROWSER_HEADERS.items())
    paths = ",\n  ".join(f"[{lua_string(kind)}] = {lua_list(targets[kind])}" for kind in MIX)
    return f"""
local slots = {lua_list(mix_slots(MIX))}
local paths = {{
  {paths}
}}
local cookies = {lua_list([v.cookie for v in visitors])}
local threads = {{}}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 100 + seed)
  statuses = {{}}
  sent = {{}}
end

function request()
  local kind = slots[math.random(#slots)]
  local list = paths[kind]
  sent[kind] = (sent[kind] or 0) + 1
  local headers = {{{headers}}}
  headers["Cookie"] = cookies[math.random(#cookies)]
  return wrk.format("GET", list[math.random(#list)], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {{}}
  local kinds = {{}}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do totals[code] = (totals[code] or 0) + n end
    for kind, n in pairs(thread:get("sent")) do kinds[kind] = (kinds[kind] or 0) + n end
  end
  for code, n in pairs(totals) do io.write(string.format("status %d %d\\n", code, n)) end
  for kind, n in pairs(kinds) do io.write(string.format("sent %s|%d\\n", kind, n)) end
end
"""


def parse_counts(output: str) -> tuple[dict[int, int], dict[str, int]]:
    """The statuses and kinds the script's ``done()`` printed."""
    statuses: dict[int, int] = {}
    sent: dict[str, int] = {}
    for line in output.splitlines():
        if line.startswith("status "):
            _, code, n = line.split()
            statuses[int(code)] = int(n)
        elif line.startswith("sent "):
            kind, n = line.removeprefix("sent ").rsplit("|", 1)
            sent[kind] = int(n)
    return statuses, sent


# --- preparing a round


def image_paths(url: str, ids: list[int]) -> list[str]:
    """The signed URLs of these documents' free pages, as the reader's page gets them."""
    paths = []
    for doc_id in ids:
        answer = requests.get(f"{url}/d/{doc_id}/pages.json", timeout=30)
        answer.raise_for_status()
        paths += [path_of(u) for u in answer.json()["pages"].values()]
    return paths


def download_paths(url: str, token: str, ids: list[int]) -> list[str]:
    """Download links a signed-in reader gets through the API (free documents)."""
    paths = []
    for doc_id in ids:
        answer = requests.post(
            f"{url}/api/v1/documents/{doc_id}/download",
            headers={"Authorization": f"Bearer {token}"},
            data={"idempotency_key": secrets.token_hex(16)},
            timeout=30,
        )
        if answer.status_code != 200:
            raise RuntimeError(f"download of {doc_id}: {answer.status_code} {answer.text[:300]}")
        paths.append(path_of(answer.json()["url"]))
    return paths


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def check_targets(url: str, targets: dict[str, list[str]], visitors: list[Visitor]) -> None:
    """One request of each kind before the load: each must answer 200."""
    for kind, paths in targets.items():
        headers = {**BROWSER_HEADERS, "Cookie": visitors[0].cookie}
        answer = requests.get(url + paths[0], headers=headers, timeout=30)
        if answer.status_code != 200:
            raise RuntimeError(f"{kind} {paths[0]} answered {answer.status_code}")


def make_targets(
    url: str, library: Library, queries: list[str], rng: random.Random
) -> dict[str, list[str]]:
    """The paths of each kind, with page-image URLs and download links made just now."""
    return {
        "document page": [f"/d/{i}/" for i in library.ids],
        "search": search_paths(queries),
        "page image": image_paths(url, rng.sample(library.ids, IMAGE_DOCUMENTS)),
        "download": download_paths(
            url, library.token, rng.sample(library.free_ids, DOWNLOAD_LINKS)
        ),
    }


def probe(
    url: str, targets: dict[str, list[str]], visitors: list[Visitor], rng: random.Random
) -> dict[str, list[float]]:
    """Each kind alone, one request at a time (``PROBES`` each): what wrk's mixed
    latencies cannot tell apart. Milliseconds per request, by kind."""
    session = requests.Session()
    times: dict[str, list[float]] = {}
    for kind, paths in targets.items():
        for _ in range(PROBES):
            headers = {**BROWSER_HEADERS, "Cookie": rng.choice(visitors).cookie}
            t0 = time.perf_counter()
            answer = session.get(url + rng.choice(paths), headers=headers, timeout=60)
            times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            if answer.status_code != 200:
                raise RuntimeError(f"{kind}: {answer.status_code} for {answer.url}")
    return times


# --- the load


@dataclass
class Round:
    mode: str
    number: int
    load: Load
    statuses: dict[int, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)
    load_average: str = ""
    cold: bool = False  # right after the kept search pages were dropped

    @property
    def errors(self) -> int:
        """Responses that are neither 2xx nor 3xx, and socket errors (wrk's counts)."""
        return self.load.non_2xx + socket_errors(self.load.errors)


def socket_errors(text: str) -> int:
    """The sum of wrk's "Socket errors: connect 0, read 1, write 0, timeout 2"."""
    return sum(int(n) for n in (part.split()[-1] for part in text.split(",") if part.strip()))


@dataclass
class Library:
    ids: list[int]
    free_ids: list[int]
    token: str


def drop_kept_searches(data_dir: Path, env: dict[str, str]) -> None:
    """Drop every kept search page of the site, as an index write does (at once: as the
    first write after a quiet WENKU_SEARCH_PAGE_STALE_SECONDS does)."""
    code = "from wenku.core import pagecache; pagecache.invalidate_search()"
    run_wenku(data_dir, "manage", "shell", "-c", code, **env, WENKU_SEARCH_PAGE_STALE_SECONDS="0")


def prepare_library(rng: random.Random) -> Library:
    """In this process's Django (the embedded database, before it is copied): a reader who
    downloads, its API token, no daily download caps; the documents to ask for."""
    from django.db import connection

    from wenku.accounts.models import ApiToken, User
    from wenku.economy.models import Rules
    from wenku.library.models import Document

    reader = User.objects.create_user(DOWNLOADER)
    _, token = ApiToken.issue(reader, "bench")
    Rules.objects.update_or_create(
        pk=1, defaults={"user_daily_downloads": 0, "ip_daily_downloads": 0}
    )
    ready = Document.objects.filter(status="ready")
    ids = list(ready.values_list("pk", flat=True))
    free_ids = list(ready.filter(pricing="free").values_list("pk", flat=True))
    connection.close()
    return Library(ids, free_ids, token)


def to_scale_mode(data_dir: Path, postgres: str, redis: str, prefix: str) -> dict[str, str]:
    """Copy the embedded library into PostgreSQL and index it there; the seconds taken."""
    reset_postgres(postgres)
    empty_redis(redis)
    t0 = time.perf_counter()
    run_wenku(data_dir, "migrate-data", "--to", postgres)
    t1 = time.perf_counter()
    run_wenku(data_dir, "reindex", **scale_env(postgres, redis, prefix))
    t2 = time.perf_counter()
    return {"migrate-data s": f"{t1 - t0:.0f}", "reindex (PostgreSQL search) s": f"{t2 - t1:.0f}"}


def run_round(
    server: WenkuServer,
    mode: str,
    number: int,
    library: Library,
    visitors: list[Visitor],
    queries: list[str],
    work: Path,
    args: argparse.Namespace,
    rng: random.Random,
    cold: bool = False,
) -> Round:
    url = server.url
    targets = make_targets(url, library, queries, rng)
    check_targets(url, targets, visitors)
    script = work / f"mixed-{mode}-{'cold' if cold else number}.lua"
    script.write_text(mixed_script(targets, visitors))
    run_wrk(url, server.process, mode, script, args, args.warmup)  # unmeasured
    before = load_average()
    load = run_wrk(url, server.process, mode, script, args, args.seconds)
    statuses, sent = parse_counts(load.raw)
    result = Round(mode, number, load, statuses, sent, f"{before} → {load_average()}", cold)
    print(
        f"  {mode} round {'cold' if cold else number}: {load.rps:.0f} requests/s, p50 "
        f"{(load.latency or {}).get('50', float('nan')):.1f} ms, p99 "
        f"{(load.latency or {}).get('99', float('nan')):.1f} ms, {result.errors} errors",
        flush=True,
    )
    return result


def measure_load(
    work: Path, args: argparse.Namespace, rng: random.Random, info: dict[str, str]
) -> tuple[dict[str, object], list[Round], dict[str, dict[str, list[float]]]]:
    data_dir, library_info = build_library(
        work, args.documents, args.real, rng, docx_pages=LOAD_DOCX_PAGES
    )
    library = prepare_library(rng)
    prefix = f"wenku-bench-load-{secrets.token_hex(4)}"
    print("scale mode: wenku migrate-data, then wenku reindex into PostgreSQL ...", flush=True)
    library_info.update(to_scale_mode(data_dir, args.postgres, args.redis, prefix))
    visitors = [Visitor.make(rng) for _ in range(VISITORS)]
    queries = search_queries(rng)
    servers = {
        mode.name: WenkuServer(
            data_dir, worker=False, env=mode.env, log_path=work / f"serve-{mode.name}.log"
        )
        for mode in modes(args.postgres, args.redis, prefix)
    }
    rounds: list[Round] = []
    probes: dict[str, dict[str, list[float]]] = {}
    try:
        for name, server in servers.items():
            server.start()
            if args.warm_pass:
                paths = [f"/d/{i}/" for i in library.ids]
                seconds, statuses = warm_pages(server.url, paths, visitors)
                library_info[f"warm pass, {name}"] = (
                    f"{len(paths)} document pages in {seconds:.0f} s, "
                    + ", ".join(f"{n}x {code}" for code, n in sorted(statuses.items()))
                )
                print(f"  warm pass, {name}: {library_info[f'warm pass, {name}']}", flush=True)
                searched = search_paths(list(dict.fromkeys(queries)))
                seconds, statuses = warm_pages(server.url, searched, visitors)
                library_info[f"warm pass, {name}, searches"] = (
                    f"{len(searched)} searches in {seconds:.0f} s, "
                    + ", ".join(f"{n}x {code}" for code, n in sorted(statuses.items()))
                )
            probes[name] = probe(
                server.url, make_targets(server.url, library, queries, rng), visitors, rng
            )
        for number in range(1, args.rounds + 1):
            for name, server in servers.items():
                rounds.append(
                    run_round(server, name, number, library, visitors, queries, work, args, rng)
                )
        for mode in modes(args.postgres, args.redis, prefix):  # searches made anew
            drop_kept_searches(data_dir, mode.env)
            rounds.append(
                run_round(
                    servers[mode.name], mode.name, args.rounds + 1, library, visitors,
                    queries, work, args, rng, cold=True,
                )
            )  # fmt: skip
    finally:
        for server in servers.values():
            server.stop()
    return library_info, rounds, probes


# --- ingest with one and two workers


@dataclass
class IngestRun:
    workers: int
    documents: int
    ready: int
    failed: int
    wall_seconds: float  # the workers' start to the last publish
    load_before: str
    load_after: str
    machine_cpu: float
    held: int = 0  # converted, then held (or rejected) by the review: near-copies in the batch

    @property
    def per_minute(self) -> float:
        return documents_per_minute(self.ready, self.wall_seconds)


def documents_per_minute(documents: int, seconds: float) -> float:
    if seconds <= 0:
        raise ValueError("no time elapsed")
    return documents * 60 / seconds


def start_workers(
    data_dir: Path, env: dict[str, str], count: int, log: Path
) -> list[subprocess.Popen[bytes]]:
    """``count`` separate ``wenku worker`` commands, as on separate machines."""
    procs = []
    with open(log, "ab") as out:
        for _ in range(count):
            procs.append(
                subprocess.Popen(
                    [str(WENKU), "worker", "--data", str(data_dir)],
                    env=clean_env(**env),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    """Ctrl-C each; kill the process group of any that has not stopped in time."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + WORKER_STOP_SECONDS
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def document_states(postgres: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(postgres) as conn:
        rows = conn.execute("SELECT status, count(*) FROM library_document GROUP BY status")
        return {status: n for status, n in rows}


def last_publish_seconds(postgres: str, since: float) -> float:
    """Seconds from ``since`` (a time.time()) to the last document's publishing."""
    import psycopg

    with psycopg.connect(postgres) as conn:
        (last,) = conn.execute(
            "SELECT extract(epoch FROM max(published_at)) FROM library_document "
            "WHERE status = 'ready'"
        ).fetchone()
    return float(last) - since


def ingest_once(
    work: Path, batch: Path, workers: int, args: argparse.Namespace, prefix: str
) -> IngestRun:
    data_dir = work / f"ingest-{workers}"
    env = {**site_limits(), **scale_env(args.postgres, args.redis, f"{prefix}-{workers}")}
    reset_postgres(args.postgres)
    empty_redis(args.redis)
    new_site(data_dir, **env)
    run_wenku(data_dir, "import", str(batch), **env)  # queued: no worker runs yet
    queued = sum(document_states(args.postgres).values())
    before = load_average()
    psutil.cpu_percent(None)
    started = time.time()
    procs = start_workers(data_dir, env, workers, work / f"ingest-{workers}.log")
    try:
        deadline = time.monotonic() + args.ingest_timeout
        while True:
            states = document_states(args.postgres)
            if not states.get("queued") and not states.get("processing"):
                break
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"a worker exited; see {work / f'ingest-{workers}.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"ingest not done after {args.ingest_timeout} s: {states}")
            time.sleep(POLL_SECONDS)
        machine_cpu = psutil.cpu_percent(None)
        wall = last_publish_seconds(args.postgres, started)
    finally:
        stop_workers(procs)
    return IngestRun(
        workers,
        queued,
        states.get("ready", 0),
        states.get("failed", 0),
        wall,
        before,
        load_average(),
        machine_cpu,
        states.get("held", 0) + states.get("rejected", 0),
    )


def measure_ingest(work: Path, args: argparse.Namespace, rng: random.Random) -> list[IngestRun]:
    batch = work / "batch"
    print(f"ingest: building {args.batch} uploads ...", flush=True)
    build_real_files(batch, args.batch, rng, docx_pages=INGEST_DOCX_PAGES)
    prefix = f"wenku-bench-ingest-{secrets.token_hex(4)}"
    runs = []
    for workers in args.workers:
        print(f"ingest: {args.batch} uploads, {workers} wenku worker process(es) ...", flush=True)
        run = ingest_once(work, batch, workers, args, prefix)
        print(f"  {run.per_minute:.1f} documents/minute ({run.wall_seconds:.0f} s)", flush=True)
        runs.append(run)
    return runs


# --- the report


def summary(rounds: list[Round]) -> dict[str, float]:
    """A mode's rounds together: requests/s over all of them, the median round's p50, the
    worst round's p99, and every error."""
    requests_ = sum(r.load.requests for r in rounds)
    seconds = sum(r.load.seconds for r in rounds)
    p50s = sorted((r.load.latency or {}).get("50", float("nan")) for r in rounds)
    return {
        "rps": requests_ / seconds if seconds else 0.0,
        "requests": requests_,
        "p50": p50s[len(p50s) // 2],
        "p99": max((r.load.latency or {}).get("99", float("nan")) for r in rounds),
        "errors": sum(r.errors for r in rounds),
    }


def rounds_section(rounds: list[Round]) -> str:
    rows = []
    for r in rounds:
        lat = r.load.latency or {}
        total = sum(r.sent.values()) or 1
        rows.append(
            [
                r.mode,
                "searches made anew" if r.cold else str(r.number),
                f"{r.load.rps:.0f}",
                str(r.load.requests),
                *(f"{lat.get(k, float('nan')):.1f}" for k in ("50", "90", "99", "max")),
                str(r.errors),
                ", ".join(f"{n}x {code}" for code, n in sorted(r.statuses.items())),
                " / ".join(f"{r.sent.get(k, 0) * 100 / total:.0f}" for k in MIX),
                f"{r.load.server_cpu_ms:.1f}",
                f"{r.load.wrk_cpu_s / max(r.load.seconds, 1e-9) * 100:.0f}",
                f"{r.load.machine_cpu:.0f}",
                f"{r.load.other_cpu:.0f}",
                f"{r.load.ceiling:.0f}",
                r.load_average,
            ]
        )
    header = ["mode", "round", "requests/s", "requests", "p50 ms", "p90 ms", "p99 ms", "max ms"]
    header += ["errors", "statuses", "mix sent % (" + " / ".join(MIX) + ")"]
    header += ["server CPU ms/request", "wrk CPU %", "machine CPU %", "other processes CPU %"]
    header += ["CPU-bound estimate req/s", "load average"]
    return table(header, rows)


def probes_section(probes: dict[str, dict[str, list[float]]]) -> str:
    rows = []
    for mode, kinds in probes.items():
        for kind, ms in kinds.items():
            s = stats(ms)
            rows.append([mode, kind, *(f"{s[k]:.1f}" for k in ("p50", "p90", "max"))])
    return table(["mode", "kind", "p50 ms", "p90 ms", "max ms"], rows)


def modes_section(rounds: list[Round]) -> tuple[str, list[str]]:
    rows, goals = [], []
    for mode in dict.fromkeys(r.mode for r in rounds):
        s = summary([r for r in rounds if r.mode == mode and not r.cold])
        rows.append(
            [mode, f"{s['rps']:.0f}", f"{s['requests']:.0f}", f"{s['p50']:.1f}",
             f"{s['p99']:.1f}", f"{s['errors']:.0f}"]
        )  # fmt: skip
        ok = s["rps"] >= GOAL_RPS and s["p99"] <= GOAL_P99_MS and s["errors"] == 0
        goals.append(
            f"{verdict(ok)}  {mode}: {s['rps']:.0f} mixed requests/s, p99 {s['p99']:.1f} ms, "
            f"{s['errors']:.0f} errors; goal >= {GOAL_RPS:.0f}/s at p99 <= {GOAL_P99_MS:.0f} ms, "
            "no error"
        )
    for r in (r for r in rounds if r.cold):  # a reading beside the goals, not one of them
        lat = r.load.latency or {}
        met = r.load.rps >= GOAL_RPS and lat.get("99", float("inf")) <= GOAL_P99_MS
        met = met and not r.errors
        goals.append(
            f"note  {r.mode}, searches made anew (the kept search pages dropped, as by an "
            f"index write): {r.load.rps:.0f} requests/s, p99 {lat.get('99', float('nan')):.1f} "
            f"ms, {r.errors} errors; the goal's figures {'met' if met else 'not met'}"
        )
    header = ["mode", "requests/s", "requests", "p50 ms (median round)", "p99 ms (worst round)"]
    return table([*header, "errors"], rows), goals


def ingest_section(runs: list[IngestRun]) -> tuple[str, list[str]]:
    rows = [
        [str(r.workers), str(r.documents), str(r.ready), str(r.held), str(r.failed),
         f"{r.wall_seconds:.1f}", f"{r.per_minute:.1f}", f"{r.machine_cpu:.0f}",
         f"{r.load_before} → {r.load_after}"]
        for r in runs
    ]  # fmt: skip
    header = ["wenku worker processes", "uploads", "published", "held by the review", "failed"]
    header += ["seconds (workers' start to last publish)", "documents/minute", "machine CPU %"]
    text = table([*header, "load average"], rows)
    goals = []
    by_workers = {r.workers: r for r in runs}
    if 1 in by_workers and 2 in by_workers:
        ratio = scaling(by_workers[1], by_workers[2])
        text += f"\n\n2 workers / 1 worker: {ratio:.2f}x"
        clean = all(r.failed == 0 and r.ready + r.held == r.documents for r in runs)
        goals.append(
            f"{verdict(ratio >= GOAL_INGEST_RATIO and clean)}  ingest, 1 -> 2 workers: "
            f"{ratio:.2f}x, goal >= {GOAL_INGEST_RATIO}x (every upload processed: published, "
            "or held by the review)"
        )
    return text, goals


def scaling(one: IngestRun, two: IngestRun) -> float:
    return two.per_minute / one.per_minute


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000, help="documents (10000)")
    parser.add_argument("--real", type=int, default=40, help="imported documents (40)")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per round")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds per round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per mode (2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--no-warm-pass", dest="warm_pass", action="store_false",
        help="skip requesting every document page once before the first round",
    )  # fmt: skip
    parser.add_argument("--batch", type=int, default=20, help="uploads in the ingest batch (20)")
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[1, 2],
        help="worker processes to ingest the batch with, in turn (1 2; none: skip ingest)",
    )  # fmt: skip
    parser.add_argument("--ingest-timeout", type=float, default=900, help="seconds (900)")
    parser.add_argument("--skip-load", action="store_true", help="ingest only")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/wenku_load",
        help="a PostgreSQL database to drop and recreate (wenku_load on 127.0.0.1)",
    )
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/3", help="a Redis database to empty (/3)"
    )
    parser.add_argument("--seed", type=int, help="random seed (default: a new one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.real < 1 or args.documents < max(args.real, IMAGE_DOCUMENTS):
        parser.error(f"need 1 <= --real <= --documents, and --documents >= {IMAGE_DOCUMENTS}")
    if args.rounds < 1 or args.seconds <= 0:
        parser.error("need --rounds >= 1 and --seconds > 0")
    if any(w < 1 for w in args.workers):
        parser.error("--workers takes counts of at least 1")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    seed = secrets.randbits(32) if args.seed is None else args.seed
    info = machine(wrk=wrk_version())
    info["seed"] = str(seed)
    info["rate limits"] = ", ".join(f"{k}={v}" for k, v in site_limits().items())
    info["economy rules"] = "daily download caps 0 (no limit), for the bench reader"
    rng = random.Random(seed)
    sections = []
    goals: list[str] = []
    with work_folder("wenku-bench-load-", keep=args.keep) as work:
        started = time.perf_counter()
        if not args.skip_load:
            library, rounds, probes = measure_load(work, args, rng, info)
            modes_text, goals = modes_section(rounds)
            sections += [
                "## Library\n\n" + "\n".join(f"- {k}: {v}" for k, v in library.items()),
                f"## Mixed load (wrk -t{args.wrk_threads} -c{args.connections}, "
                f"{args.seconds:g} s per round after {args.warmup:g} s unmeasured; mix "
                + ", ".join(f"{k} {v} %" for k, v in MIX.items())
                + ")\n\n"
                + modes_text,
                "## Each round\n\n" + rounds_section(rounds),
                f"## One request at a time ({PROBES} of each kind, before the rounds)\n\n"
                + probes_section(probes),
            ]
        if args.workers:
            runs = measure_ingest(work, args, rng)
            ingest_text, ingest_goals = ingest_section(runs)
            goals += ingest_goals
            sections.append(
                f"## Ingest (scale mode, {args.batch} uploads queued, then the workers)\n\n"
                + ingest_text
            )
        info["load average after"] = load_average()
        info["total seconds"] = f"{time.perf_counter() - started:.0f}"
    if cpus() != 2:
        goals.append(f"note: the goals are set for a 2-core machine; this one has {cpus()}.")
    sections.insert(0, "## Machine\n\n" + "\n".join(f"- {k}: {v}" for k, v in info.items()))
    sections.append("## Goals\n\n" + "\n".join(goals))
    print("\n\n" + "\n\n".join(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main())
