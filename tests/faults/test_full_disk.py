"""The data folder's disk fills up (a small tmpfs): uploads fail with words, nothing is
corrupted, and uploads work again once there is room."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess

import pytest
import requests

from tests.factories.pdf import make_pdf
from tests.faults.conftest import start_site, wait_until

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
SIZE_MB = 48


@pytest.fixture
def small_disk(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the embedded default keeps its database on the full disk: the harder case")
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    folder = tmp_path / "disk"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(folder)],
                   check=True)  # fmt: skip
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_refuses_uploads_with_words_and_corrupts_nothing(small_disk, tmp_path):
    site = start_site(small_disk / "data", tmp_path / "serve.log")
    ballast = small_disk / "ballast"
    try:
        with requests.Session() as session:
            ballast.write_bytes(b"\0" * 6 * 1024 * 1024)  # room we give back at the end
            accepted, refusal = {}, None
            for n in range(80):
                data = make_pdf(1, text=f"page {n}") + os.urandom(900_000)
                response = session.post(site.url + "/api/v1/documents", headers=site.auth(),
                                        files={"file": (f"{n}.pdf", data)}, timeout=60)  # fmt: skip
                assert response.status_code in (201, 503), response.text[:500]
                if response.status_code == 503:
                    refusal = response.json()["detail"]
                    break
                accepted[response.json()["id"]] = hashlib.sha256(data).hexdigest()
            assert refusal and ("空间" in refusal or "room" in refusal), refusal
            database = small_disk / "data" / "wenku.sqlite3"
            with sqlite3.connect(database) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                rows = dict(db.execute(
                    "SELECT d.id, c.sha256 FROM library_document d "
                    "JOIN ingest_conversion c ON c.id = d.conversion_id"
                ).fetchall())  # fmt: skip
            assert rows == accepted  # every acknowledged upload, and nothing else
            for sha in accepted.values():
                original = small_disk / "data" / "files" / "originals" / sha[:2] / sha[2:4] / sha
                assert hashlib.sha256(original.read_bytes()).hexdigest() == sha
            ballast.unlink()  # room again, as an operator would make it
            data = make_pdf(1, text="after the disk was freed")
            again = session.post(site.url + "/api/v1/documents", headers=site.auth(),
                                 files={"file": ("again.pdf", data)}, timeout=60)  # fmt: skip
            assert again.status_code == 201, again.text[:500]

            def published(doc_id: int) -> bool:
                status = session.get(f"{site.url}/api/v1/documents/{doc_id}",
                                     headers=site.auth(), timeout=10).json()["status"]  # fmt: skip
                return status == "ready"

            wait_until(lambda: published(again.json()["id"]), 120, "the new upload to publish")
    finally:
        site.server.stop()
