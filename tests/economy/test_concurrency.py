"""Many simultaneous downloads from one account at a real `wenku serve` (gunicorn, several
processes × threads), on the database the suite runs on (SQLite, then PostgreSQL in the
second pass of scripts/test.sh): the balance never goes negative, nothing is charged
twice, and the books balance exactly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db.models import Sum

from tests.cli.test_cli import free_port
from tests.economy.conftest import give
from wenku.accounts.models import ApiToken
from wenku.economy import queries
from wenku.economy.models import Download, LedgerEntry

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
CLIENTS = 40


@pytest.fixture
def server(child_env, tmp_path):
    env = {**child_env, "WENKU_WEB_PROCESSES": "3", "WENKU_WEB_THREADS": "8"}
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wenku", "serve", "--no-worker", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(base + "/api/v1/vip/plans", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "wenku serve did not answer"
        time.sleep(0.2)
    yield base
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=30)
    assert "Traceback" not in log.read_text(), log.read_text()


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


def test_simultaneous_paid_downloads_never_overdraw(server, publish, rules, reader, user):
    """Given 100 points and a 10-point document with no free re-download,
    when 40 downloads arrive at once, then exactly 10 are granted and 30 get 402."""
    rules.redownload_window_hours = 0
    rules.uploader_share_percent = 70
    rules.save()
    doc = publish(pricing="points", price=10)
    give(reader, 100)
    _, token = ApiToken.issue(reader, "load")
    codes = fire(server, token, doc.pk, [""] * CLIENTS)
    assert codes == Counter({200: 10, 402: 30})
    assert queries.balance(reader) == 0
    assert Download.objects.filter(user=reader).count() == 10
    assert queries.balance(user) == 70  # the uploader's share of exactly 10 sales
    books_balance(reader, user)
    doc.refresh_from_db()
    assert doc.download_count == 10


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
