"""A LibreOffice that hangs mid-conversion: the job times out, its document fails with a
reason, LibreOffice is replaced and the worker goes on with the next upload."""

from __future__ import annotations

import os
import signal

import psutil
import pytest
import requests

from tests.factories import documents as f
from tests.faults.conftest import start_site, wait_until
from tests.processes import running

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_a_hung_libreoffice_times_out_and_the_worker_goes_on(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("one pass is enough: the hang is LibreOffice's, not the database's")
    site = start_site(tmp_path / "data", tmp_path / "serve.log", WENKU_OFFICE_TIMEOUT="6")
    try:
        with requests.Session() as session:

            def upload(name: str, data: bytes) -> int:
                response = session.post(site.url + "/api/v1/documents", headers=site.auth(),
                                        files={"file": (name, data)}, timeout=60)  # fmt: skip
                assert response.status_code == 201, response.text
                return int(response.json()["id"])

            def state(doc_id: int) -> dict:  # type: ignore[type-arg]
                return session.get(f"{site.url}/api/v1/documents/{doc_id}",
                                   headers=site.auth(), timeout=10).json()  # fmt: skip

            hung = upload("长文档.docx", f.make_docx(150, seed=11))
            wait_until(lambda: state(hung)["status"] == "processing", 60, "the conversion")
            stopped = _stop_libreoffice(site.server)
            assert stopped, "no soffice.bin to stop"
            wait_until(lambda: state(hung)["status"] == "failed", 60, "the timeout")
            assert "6 秒" in state(hung)["failure_reason"]  # the timeout, in words
            assert not any(running(p)
                           for p in stopped)  # fmt: skip
            after = upload("下一个.docx", f.make_docx(2, seed=12))
            wait_until(lambda: state(after)["status"] == "ready", 90, "the next upload")
    finally:
        site.server.stop()


def _stop_libreoffice(server) -> list[int]:  # type: ignore[no-untyped-def]
    """SIGSTOP every soffice.bin under the server: a LibreOffice that no longer answers."""
    stopped = []
    for proc in server.tree():
        try:
            if proc.name().startswith("soffice"):
                os.kill(proc.pid, signal.SIGSTOP)
                stopped.append(proc.pid)
        except psutil.NoSuchProcess:
            continue
    return stopped
