"""Many simultaneous downloads from one account at a real `wenku serve` (gunicorn, several
processes × threads), on the database the suite runs on (SQLite, then PostgreSQL in the
second pass of scripts/test.sh): the balance never goes negative, nothing is charged
twice, and the books balance exactly.

The overdraw test is itself tested: the same scenario against the same server with a
read-then-write ledger (moredoc's way: read the balance, check it, write the new one, no
row lock) must fail it on PostgreSQL — otherwise the test could not tell a correct ledger
from a broken one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.db.models import Sum

from tests.cli.test_cli import free_port
from tests.economy.conftest import give
from wenku.accounts.models import ApiToken
from wenku.economy import queries
from wenku.economy.models import Download, LedgerEntry

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
CLIENTS = 40
REPO = Path(__file__).resolve().parents[2]


def start_server(env: dict[str, str], log: Path, argv: list[str]):  # type: ignore[no-untyped-def]
    """Start a web server (its own process group); return (process, base URL) once it answers."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    port = argv[argv.index("--port") + 1] if "--port" in argv else argv[-1].rsplit(":", 1)[1]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(base + "/api/v1/vip/plans", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the server did not answer"
        time.sleep(0.2)


def stop_server(proc, log: Path, *, ours: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Stop the server's process group; kill it if it has not stopped within 30 s, so no
    process outlives the test (a stray one fails a later test with a ResourceWarning).
    Wenku's own server must stop by itself; the naive ledger's plain gunicorn may be killed
    (its master waits up to 30 s for workers on a quick shutdown)."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
        stopped = True
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        stopped = False
    assert stopped or not ours, "wenku serve did not stop within 30 s of Ctrl-C\n" + log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture
def server(child_env, tmp_path):
    env = {**child_env, "WENKU_WEB_PROCESSES": "3", "WENKU_WEB_THREADS": "8"}
    log = tmp_path / "serve.log"
    argv = [sys.executable, "-m", "wenku", "serve", "--no-worker", "--port", str(free_port())]
    proc, base = start_server(env, log, argv)
    yield base
    stop_server(proc, log)


@pytest.fixture
def naive_server(child_env, tmp_path):
    """The same web server (gunicorn, 3 processes × 8 threads) running a read-then-write
    ledger (tests/economy/naive_ledger.py)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's writers take turns (BEGIN IMMEDIATE): no ledger can race there")
    log = tmp_path / "naive.log"
    argv = [
        sys.executable, "-m", "gunicorn", "tests.economy.naive_ledger:application",
        "--worker-class", "gthread", "--workers", "3", "--threads", "8",
        "--bind", f"127.0.0.1:{free_port()}",
    ]  # fmt: skip
    proc, base = start_server({**child_env, "PYTHONPATH": str(REPO)}, log, argv)
    yield base
    stop_server(proc, log, ours=False)


def fire(base, token, document_id, keys):
    """POST one download per key, all released at the same instant, each from its own
    address (behind the trusted local proxy), so nothing but the account serialises them;
    the status codes."""
    barrier = threading.Barrier(len(keys))

    def one(numbered):
        number, key = numbered
        with requests.Session() as session:
            headers = {
                "Authorization": f"Bearer {token}",
                "X-Forwarded-For": f"198.51.100.{number + 1}",
            }
            if key:
                headers["Idempotency-Key"] = key
            barrier.wait()
            return session.post(
                f"{base}/api/v1/documents/{document_id}/download", headers=headers, timeout=120
            ).status_code

    with ThreadPoolExecutor(len(keys)) as pool:
        return Counter(pool.map(one, enumerate(keys)))


def books_balance(*users):
    for user in users:
        total = LedgerEntry.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or 0
        assert queries.balance(user) == total >= 0
        last = LedgerEntry.objects.filter(user=user).order_by("-pk").first()
        assert last is None or last.balance_after == total


def no_overdraw(base, publish, rules, reader, user):  # type: ignore[no-untyped-def]
    """Given 100 points and a 10-point document with no free re-download,
    when 40 downloads arrive at once, then exactly 10 are granted and 30 get 402, and the
    books balance."""
    rules.redownload_window_hours = 0
    rules.uploader_share_percent = 70
    rules.save()
    doc = publish(pricing="points", price=10)
    give(reader, 100)
    _, token = ApiToken.issue(reader, "load")
    codes = fire(base, token, doc.pk, [""] * CLIENTS)
    assert codes == Counter({200: 10, 402: 30})
    assert queries.balance(reader) == 0
    assert Download.objects.filter(user=reader).count() == 10
    assert queries.balance(user) == 70  # the uploader's share of exactly 10 sales
    books_balance(reader, user)
    doc.refresh_from_db()
    assert doc.download_count == 10


def test_simultaneous_paid_downloads_never_overdraw(server, publish, rules, reader, user):
    no_overdraw(server, publish, rules, reader, user)


def test_the_overdraw_test_fails_a_read_then_write_ledger(
    naive_server, publish, rules, reader, user
):
    """Given the same server with moredoc's ledger (read, check, write; no lock), when the
    overdraw test runs against it, then it fails: more than 10 downloads are granted."""
    with pytest.raises(AssertionError, match="200"):
        no_overdraw(naive_server, publish, rules, reader, user)
    assert Download.objects.filter(user=reader).count() > 10


def test_simultaneous_downloads_of_one_document_charge_once_within_the_window(
    server, publish, rules, reader
):
    rules.redownload_window_hours = 72
    rules.save()
    doc = publish(pricing="points", price=10)
    give(reader, 100)
    _, token = ApiToken.issue(reader, "load")
    codes = fire(server, token, doc.pk, [""] * CLIENTS)
    assert codes == Counter({200: CLIENTS})
    assert queries.balance(reader) == 90
    basis = Counter(Download.objects.values_list("basis", flat=True))
    assert basis == Counter({"paid": 1, "redownload": CLIENTS - 1})
    books_balance(reader)


def test_simultaneous_replays_of_one_request_are_charged_once(server, publish, rules, reader):
    rules.redownload_window_hours = 0
    rules.save()
    doc = publish(pricing="points", price=10)
    give(reader, 100)
    _, token = ApiToken.issue(reader, "load")
    codes = fire(server, token, doc.pk, ["the-same-click"] * 20)
    assert codes == Counter({200: 20})
    assert queries.balance(reader) == 90 and Download.objects.count() == 1
    books_balance(reader)
