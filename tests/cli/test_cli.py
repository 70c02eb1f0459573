"""The `wenku` command as an operator runs it: import, doctor, serve."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from tests.factories import documents as f
from tests.factories.pdf import make_pdf
from tests.processes import running
from wenku.library.models import Category, Document

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def run_env(child_env):
    return child_env


def wenku(env, *args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "wenku", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_import_a_folder_and_wait(tmp_path, run_env, user):
    Category.objects.create(name="工作总结", slug="zongjie")
    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    (folder / "年度总结.docx").write_bytes(f.make_docx(2))
    (folder / "sub" / "报表.pdf").write_bytes(make_pdf(3))
    (folder / "sub" / "旧稿.wpd").write_bytes(f.wp42(b"An old draft kept in WordPerfect. "))
    (folder / "sub" / "空.txt").write_bytes(b"")
    (folder / ".hidden.pdf").write_bytes(make_pdf(1))
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    result = wenku(
        run_env,
        "import",
        str(folder),
        "--owner",
        "alice",
        "--category",
        "工作总结",
        "--tags",
        "导入",
        "--wait",
    )
    assert result.returncode == 1, result.stderr  # one file failed
    docs = {d.original_name: d for d in Document.objects.all()}
    assert set(docs) == {"年度总结.docx", "报表.pdf", "旧稿.wpd", "空.txt"}
    assert docs["年度总结.docx"].status == "ready" and docs["报表.pdf"].page_count == 3
    assert docs["旧稿.wpd"].status == "ready" and docs["旧稿.wpd"].format == "wpd"
    assert docs["空.txt"].status == "failed"
    assert all(d.category.slug == "zongjie" and d.owner == user for d in docs.values())
    out = result.stdout
    assert "Import summary" in out and "ready" in out and "failed" in out


def test_import_everything_fine_exits_zero(tmp_path, run_env, user):
    path = tmp_path / "a.pdf"
    path.write_bytes(make_pdf(2))
    result = wenku(run_env, "import", str(path), "--owner", "alice", "--wait")
    assert result.returncode == 0, result.stdout + result.stderr
    assert Document.objects.get().status == "ready"


def test_import_without_an_owner_says_what_to_do(tmp_path, run_env, db):
    path = tmp_path / "a.pdf"
    path.write_bytes(make_pdf(1))
    result = wenku(run_env, "import", str(path))
    assert result.returncode == 2
    assert "--owner" in result.stdout and "createsuperuser" in result.stdout


def test_doctor_checks_everything_for_real(run_env):
    result = wenku(run_env, "doctor")
    assert result.returncode == 0, result.stdout
    for check in (
        "soffice.bin",
        "python3-uno",
        "bubblewrap",
        "Noto Sans CJK SC",
        "Chinese conversion",
        "public site: site URL",
        "public site: HTTPS",
    ):
        assert check in result.stdout
    assert re.search(r"OCR \(scanned pages\).*a rendered Chinese page read with", result.stdout)
    poppler = (
        r"\[ok  \] poppler \(repairs PDFs that only poppler reads\): pdftocairo redraws a page"
    )
    assert re.search(poppler, result.stdout)
    assert "All checks passed." in result.stdout


def test_doctor_fails_when_the_ocr_engine_cannot_read_a_page(run_env):
    """Given an OCR engine that cannot load (its memory limit below the models' size),
    then the doctor says so, with what to do, and fails."""
    result = wenku({**run_env, "WENKU_OCR_MEMORY_MB": "200"}, "doctor")
    assert result.returncode == 1, result.stdout
    [line] = [x for x in result.stdout.splitlines() if "OCR (scanned pages)" in x]
    assert "the engine failed on a Chinese page: engine stopped" in line
    assert "rapidocr" in result.stdout


def test_doctor_says_what_to_install(run_env):
    broken = {**run_env, "WENKU_SOFFICE": "/nonexistent/soffice.bin"}
    result = wenku(broken, "doctor")
    assert result.returncode == 1
    assert "apt-get install" in result.stdout and "libreoffice-writer-nogui" in result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_web_and_worker_and_stops_cleanly_on_ctrl_c(run_env, user, tmp_path):
    from wenku.accounts.models import ApiToken

    _, token = ApiToken.issue(user, "t")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wenku", "serve", "--port", str(port)],
        env=run_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/") as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "wenku serve did not answer"
                time.sleep(0.2)
        family = {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        names = _command_lines(family)
        assert "gunicorn" in names and "worker" in names
        # An upload through the API is processed by the worker serve started.
        import requests

        with requests.post(
            base + "/api/v1/documents",
            files={"file": ("a.pdf", make_pdf(2))},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ) as r:
            doc_id = r.json()["id"]
        deadline = time.monotonic() + 60
        while Document.objects.get(pk=doc_id).status != "ready":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        family |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert proc.wait(timeout=30) == 0
        time.sleep(0.5)
        left = [p for p in family if running(p)]
        assert left == [], "processes left running after Ctrl-C"
        assert "Wenku is running at" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()


def _command_lines(pids: set[int]) -> str:
    """The command lines of these processes, skipping any that end meanwhile (a
    short-lived helper can be a zombie for a moment: it has no command line)."""
    lines = []
    for pid in pids:
        try:
            lines.append(" ".join(psutil.Process(pid).cmdline()))
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return " ".join(lines)
