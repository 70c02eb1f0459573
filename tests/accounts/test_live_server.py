"""Against `wenku serve` (gunicorn, 2 processes × 4 threads): one rate limit for all of them,
and registration mails written as files under the data folder, verified, then a log-in."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import requests

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(child_env, data_dir):
    """`wenku serve --no-worker` on a free port, with tight log-in limits; yields its URL."""
    port = free_port()
    env = {
        **child_env,
        "WENKU_WEB_PROCESSES": "2",
        "WENKU_WEB_THREADS": "4",
        "WENKU_RATE_LOGIN_IP": "6/1h",
        "WENKU_EMAIL_BACKEND": "file",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "wenku", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(base + "/accounts/login/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # refused while it binds, slow while it warms
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        yield base, proc
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()


def form_session(base: str, path: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(base + path, timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    return session, token


def test_the_log_in_limit_holds_across_web_processes(server):
    """Given 2 gunicorn processes, When 12 log-ins arrive at once from one address,
    Then exactly 6 are answered and 6 refused with 429 and words."""
    base, proc = server
    workers = [
        p
        for p in psutil.Process(proc.pid).children(recursive=True)
        if "gunicorn" in " ".join(p.cmdline())
    ]
    assert len(workers) >= 3  # the arbiter and its 2 processes
    session, token = form_session(base, "/accounts/login/")

    def attempt(i: int) -> requests.Response:
        return session.post(
            base + "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": f"nobody{i}", "password": "x"},
            timeout=30,
        )

    with ThreadPoolExecutor(12) as pool:
        responses = list(pool.map(attempt, range(12)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 6 + [429] * 6, codes
    refused = next(r for r in responses if r.status_code == 429)
    assert int(refused.headers["Retry-After"]) > 0
    assert 'class="errorlist nonfield"' in refused.text
    assert attempt(99).status_code == 429  # and the next one too


def test_register_verify_from_the_mail_file_and_log_in_by_address(server, data_dir):
    base, _proc = server
    session, token = form_session(base, "/accounts/register/")
    password = "Seven swans a-swimming 7"
    response = session.post(
        base + "/accounts/register/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "wang_wu",
            "email": "wang.wu@example.com",
            "password1": password,
            "password2": password,
        },
        timeout=30,
    )
    assert response.status_code == 200 and "/accounts/register/sent/" in response.url
    mails = list(Path(data_dir, "mail").glob("*.log"))
    assert len(mails) == 1
    text = mails[0].read_text()
    assert "To: wang.wu@example.com" in text
    link = re.search(rf"{re.escape(base)}/accounts/verify/\S+/", text)[0]
    page = session.get(link, timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    verified = session.post(link, data={"csrfmiddlewaretoken": token}, timeout=30)
    assert verified.url.endswith("/accounts/login/")
    session, token = form_session(base, "/accounts/login/")
    logged_in = session.post(
        base + "/accounts/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "WANG.WU@example.com",
            "password": password,
        },
        timeout=30,
    )
    assert logged_in.history and logged_in.history[0].status_code == 302
    me = session.get(base + "/me/", timeout=10).text
    assert "wang_wu" in me
