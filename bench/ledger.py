"""Ledger benchmark: paid downloads per second through the real server, books checked exactly.

Run from the repository root: ``.venv/bin/python bench/ledger.py [--seconds 10]
[--clients 4] [--threads 8] [--pg postgresql://postgres@127.0.0.1:5432/wenku_bench_ledger]``.
``--pg`` names the PostgreSQL database the run drops, recreates and uses (never
``postgres``).

For SQLite (the embedded default) and PostgreSQL (scale mode), each on a fresh data
folder / database: ``wenku serve --no-worker`` with default settings (2 gunicorn
processes × 2 threads), 64 readers with API tokens, 20 documents priced 10 points,
every download charged (free re-download window 0, no daily caps), uploader's share 70 %,
documents spread over 10 uploaders (each sale locks its uploader's account too).
Clients are ``--clients`` processes × ``--threads`` threads, each with a keep-alive
session, on the same machine (they take CPU from the server: the figures are a floor).

1. *baseline*: ``GET /api/v1/documents/{id}`` (read-only API request, same auth) for the
   same time, as the ceiling of the stack on this machine;
2. *many accounts*: ``POST /api/v1/documents/{id}/download`` with a random reader and
   document (balances large enough never to run out);
3. *one account*: every client downloads from the same account, which holds exactly
   200 downloads' worth of points; the run goes on after it is empty (402s), so the
   hot row is contended as hard as it can be. "granted/s" counts up to the last grant
   (the rate while points lasted); "req/s" includes the refusals.

After each run the database is checked: every reader's balance equals its starting
balance minus 10 × the 200s the clients saw for it, equals the sum of its ledger
entries and the last entry's balance_after; the one account ends at exactly 0 with
exactly 200 downloads; the uploader holds exactly 7 × all downloads; no balance is
negative; each uploader holds exactly 7 × its documents' downloads. Any mismatch fails
the run.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from threading import Thread

from harness import (
    clean_env,
    machine_line,
    maintenance_url,
    percentile,
    reset_postgres,
    running_server,
    work_folder,
)

PYTHON = sys.executable
READERS, UPLOADERS, DOCUMENTS, PRICE, SHARE = 64, 10, 20, 10, 70
RICH = 10_000_000
HOT_DOWNLOADS = 200
PG_URL = "postgresql://postgres@127.0.0.1:5432/wenku_bench_ledger"


def env_for(data: Path, db_url: str) -> dict[str, str]:
    """The site's settings for the child processes that set it up and check its books."""
    return clean_env(
        WENKU_DATA_DIR=str(data),
        WENKU_DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="wenku.settings",
    )


# --- inside the site's environment (child processes): set up, check


def django_setup() -> None:
    import django

    django.setup()


def setup_site() -> dict:
    """Readers with tokens and points, priced documents (rows and original files)."""
    import hashlib

    from django.core.management import call_command

    django_setup()
    call_command("migrate", interactive=False, verbosity=0)
    from wenku.accounts.models import ApiToken, User
    from wenku.core.storage import get_storage
    from wenku.economy import domain
    from wenku.economy.models import Rules
    from wenku.ingest.models import Conversion, Status
    from wenku.library.models import Document

    Rules.objects.filter(pk=1).update(
        redownload_window_hours=0,
        user_daily_downloads=0,
        ip_daily_downloads=0,
        uploader_share_percent=SHARE,
        free_download_reward=0,
    )
    owners = [User.objects.create_user(f"uploader{n}") for n in range(UPLOADERS)]
    storage = get_storage()
    docs = []
    for n in range(DOCUMENTS):
        data = f"%PDF-1.4 bench document {n}\n".encode() * 200
        sha = hashlib.sha256(data).hexdigest()
        conversion = Conversion.objects.create(
            sha256=sha, size=len(data), format="pdf", status=Status.READY, page_count=1
        )
        storage.put_bytes(conversion.original_key, data)
        doc = Document.objects.create(
            title=f"基准文档{n}",
            owner=owners[n % UPLOADERS],
            conversion=conversion,
            original_name=f"doc{n}.pdf",
            size=len(data),
            format="pdf",
            page_count=1,
            status=Status.READY,
            pricing="points",
            price=PRICE,
        )
        docs.append(doc.pk)
    tokens = {}
    for n in range(READERS):
        user = User.objects.create_user(f"reader{n}")
        domain.adjust(user, RICH, note="bench")
        tokens[user.pk] = ApiToken.issue(user, "bench")[1]
    hot = User.objects.create_user("hot")
    domain.adjust(hot, PRICE * HOT_DOWNLOADS, note="bench")
    return {
        "docs": docs,
        "tokens": tokens,
        "hot": [hot.pk, ApiToken.issue(hot, "bench")[1]],
        "owners": [o.pk for o in owners],
    }


def check_books(expected: dict) -> dict:
    """Compare the database with what the clients saw; raise on any difference."""
    django_setup()
    from django.db.models import Min, Sum

    from wenku.economy.models import Account, Download, LedgerEntry

    problems = []
    for key, start in expected["start"].items():
        user_id, spent = int(key), expected["spent"].get(key, 0)
        balance = Account.objects.get(user_id=user_id).balance
        total = LedgerEntry.objects.filter(user_id=user_id).aggregate(s=Sum("amount"))["s"]
        last = LedgerEntry.objects.filter(user_id=user_id).order_by("-pk").first()
        count = Download.objects.filter(user_id=user_id).count()
        if not (balance == start - spent == total == (last.balance_after if last else 0)):
            problems.append(f"user {user_id}: {balance=} {start=} {spent=} {total=}")
        if count * PRICE != spent:
            problems.append(f"user {user_id}: {count} downloads recorded, {spent} points seen")
    owners = expected["owners"]
    owner = Account.objects.filter(user_id__in=owners).aggregate(s=Sum("balance"))["s"]
    all_downloads = Download.objects.count()
    if owner != all_downloads * PRICE * SHARE // 100:
        problems.append(f"uploaders hold {owner} for {all_downloads} downloads")
    for owner_id in owners:
        sold = Download.objects.filter(document__owner_id=owner_id).count()
        held = Account.objects.get(user_id=owner_id).balance
        if held != sold * PRICE * SHARE // 100:
            problems.append(f"uploader {owner_id} holds {held} for {sold} downloads")
    lowest = Account.objects.aggregate(m=Min("balance"))["m"]
    if lowest < 0:
        problems.append(f"a negative balance: {lowest}")
    if problems:
        raise SystemExit("BOOKS DO NOT BALANCE:\n" + "\n".join(problems))
    return {"downloads": all_downloads, "uploader": owner, "lowest_balance": lowest}


def child_main(mode: str) -> None:
    if mode == "setup":
        print(json.dumps(setup_site()))
    else:
        print(json.dumps(check_books(json.loads(sys.stdin.read()))))


def in_site(env: dict[str, str], mode: str, stdin: str = "") -> dict:
    out = subprocess.run(
        [PYTHON, __file__, "--child", mode],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stdout + out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- load (client processes)


def client(args: tuple) -> dict:
    """One client process: ``threads`` keep-alive sessions until the deadline."""
    import requests

    base, work, deadline, threads, seed = args
    results: list[dict] = []

    def run(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        seen: Counter = Counter()
        spent: Counter = Counter()
        latencies: list[float] = []
        granted_at: list[float] = []
        with requests.Session() as session:
            while time.monotonic() < deadline:
                method, path, user_id, token = work(rng)
                started = time.perf_counter()
                response = session.request(
                    method, base + path, headers={"Authorization": f"Bearer {token}"}, timeout=60
                )
                latencies.append(time.perf_counter() - started)
                seen[response.status_code] += 1
                if response.status_code == 200:
                    granted_at.append(time.monotonic())
                if method == "POST" and response.status_code == 200:
                    spent[user_id] += response.json()["cost"]
        results.append(
            {"seen": seen, "spent": spent, "latencies": latencies, "granted_at": granted_at}
        )

    pool = [Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    merged: dict = {"seen": Counter(), "spent": Counter(), "latencies": [], "granted_at": []}
    for r in results:
        merged["seen"].update(r["seen"])
        merged["spent"].update(r["spent"])
        merged["latencies"] += r["latencies"]
        merged["granted_at"] += r["granted_at"]
    return merged


class Work:
    """What each request is (picklable for the client processes)."""

    def __init__(self, kind: str, site: dict) -> None:
        self.kind, self.site = kind, site

    def __call__(self, rng: random.Random) -> tuple[str, str, int, str]:
        doc = rng.choice(self.site["docs"])
        if self.kind == "hot":
            user_id, token = self.site["hot"]
        else:
            user_id, token = rng.choice(list(self.site["tokens"].items()))
        if self.kind == "baseline":
            return "GET", f"/api/v1/documents/{doc}", int(user_id), token
        return "POST", f"/api/v1/documents/{doc}/download", int(user_id), token


def load(base: str, work: Work, seconds: float, clients: int, threads: int) -> dict:
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    with ProcessPoolExecutor(clients) as pool:
        parts = list(pool.map(client, [(base, work, deadline, threads, c) for c in range(clients)]))
    elapsed = time.monotonic() - started
    seen: Counter = Counter()
    spent: Counter = Counter()
    latencies: list[float] = []
    granted_at: list[float] = []
    for p in parts:
        seen.update(p["seen"])
        spent.update(p["spent"])
        latencies += p["latencies"]
        granted_at += p["granted_at"]
    # While points last: grants per second up to the last grant (the hot account runs dry).
    until_last = (max(granted_at) - started) if granted_at else elapsed
    return {
        "seen": dict(seen),
        "spent": {str(k): v for k, v in spent.items()},
        "seconds": elapsed,
        "per_second": sum(seen.values()) / elapsed,
        "ok_per_second": seen.get(200, 0) / max(until_last, 1e-9),
        "p50_ms": 1000 * percentile(latencies, 50),
        "p99_ms": 1000 * percentile(latencies, 99),
    }


# --- one backend


def run_backend(name: str, db_url: str, args: argparse.Namespace, folder: Path) -> dict:
    data = folder / name
    data.mkdir()
    env = env_for(data, db_url)
    site = in_site(env, "setup")
    results: dict = {}
    with running_server(
        data,
        worker=False,
        env={"WENKU_DATABASE_URL": db_url},
        log_path=folder / f"{name}-serve.log",
    ) as server:
        base = server.url
        load(base, Work("baseline", site), 2, 1, 2)  # warm-up: connections, caches
        start = {str(k): RICH for k in site["tokens"]}
        start[str(site["hot"][0])] = PRICE * HOT_DOWNLOADS
        spent: Counter = Counter()
        for kind in ("baseline", "many", "hot"):
            r = load(base, Work(kind, site), args.seconds, args.clients, args.threads)
            spent.update(r["spent"])
            results[kind] = r
            print(f"  {name:10} {kind:9} {summary(r)}", flush=True)
        expected = {"spent": dict(spent), "start": start, "owners": site["owners"]}
        books = in_site(env, "check", json.dumps(expected))
        hot, refused = (results["hot"]["seen"].get(code, 0) for code in (200, 402))
        if refused and hot != HOT_DOWNLOADS:
            raise SystemExit(f"the one account got {hot} downloads, not {HOT_DOWNLOADS}")
        if not refused:
            print(f"  {name:10} (the one account was not emptied: run longer)", flush=True)
        results["books"] = books
        print(f"  {name:10} books     exact: {books}", flush=True)
    return results


def summary(r: dict) -> str:
    return (
        f"{r['per_second']:7.1f} req/s, {r['ok_per_second']:7.1f} granted/s (until the last), "
        f"p50 {r['p50_ms']:6.1f} ms, p99 {r['p99_ms']:6.1f} ms, statuses {r['seen']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per client process")
    parser.add_argument(
        "--pg",
        default=PG_URL,
        help="PostgreSQL database to drop, recreate and use; never postgres (default %(default)s)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return 0
    try:
        maintenance_url(args.pg)  # refused before the SQLite run rather than after it
    except ValueError as exc:
        parser.error(str(exc))
    print("## Ledger benchmark")
    print(f"machine: {machine_line()}")
    print(
        f"clients: {args.clients} processes × {args.threads} threads, {args.seconds:g} s "
        f"per run; server: wenku serve defaults; {READERS} readers, {DOCUMENTS} documents "
        f"of {UPLOADERS} uploaders at {PRICE} points, uploader's share {SHARE} %"
    )
    with work_folder("wenku-bench-ledger-") as folder:
        run_backend("SQLite", "", args, folder)
        reset_postgres(args.pg)
        run_backend("PostgreSQL", args.pg, args, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
