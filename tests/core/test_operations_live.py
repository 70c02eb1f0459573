"""Operations through a real `wenku serve`: /metrics sums every web process, the log is
JSON lines in the data folder, and workers split by queue."""

from __future__ import annotations

import json
import re

import pytest
import requests

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_metrics_count_the_requests_of_every_web_process_and_logs_go_to_the_data_folder(
    wenku_server, data_dir
):
    server = wenku_server(processes=3, threads=1)
    with requests.Session() as session:
        for _ in range(40):
            assert session.get(server.url + "/healthz", timeout=10).ok
    pids = {p.pid for p in server.tree() if "gunicorn" in " ".join(p.cmdline())}
    assert len(pids) >= 4  # the master and three workers
    text = requests.get(server.url + "/metrics", timeout=10).text
    found = re.search(
        r'wenku_http_requests_total\{method="GET",route="healthz",status="2xx"\} (\S+)', text
    )
    assert found and float(found[1]) == 40.0, text[:2000]
    assert "wenku_queue_depth" in text or "wenku_workers_alive" in text
    lines = (data_dir / "logs" / "wenku.log").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert any(e["logger"] == "wenku.serve" and "serving on" in e["message"] for e in entries)


def test_ready_and_healthy_through_the_server(wenku_server):
    server = wenku_server()
    assert requests.get(server.url + "/healthz", timeout=10).text == "ok\n"
    report = requests.get(server.url + "/readyz", timeout=10).json()
    assert report["ready"] is True and report["checks"]["database"]["state"] == "ok"
