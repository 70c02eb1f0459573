"""`wenku demo` end to end: real generation, real LibreOffice, the real pipeline."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wenku.demo.catalogue import NOT_MADE
from wenku.ingest.sniff import SUPPORTED_FORMATS
from wenku.library.models import Category, Document

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def wenku(env, *args, timeout=600):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "wenku", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_demo_fills_the_library_with_every_format(child_env, django_user_model):
    """Given an empty site, when `wenku demo --count 15` runs, then the default tree exists,
    and every document is ready, uploaded by a demo account from a placeable address,
    in every supported format, with varied page counts."""
    result = wenku(child_env, "demo", "--count", "15", "--seed", "3")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    docs = list(Document.objects.select_related("owner", "category"))
    assert len(docs) == 15
    assert all(d.status == "ready" for d in docs), [(d.title, d.failure_reason) for d in docs]
    assert {d.format for d in docs} == SUPPORTED_FORMATS - NOT_MADE
    pages = [d.page_count for d in docs]
    assert min(pages) == 1 and max(pages) >= 8 and len(set(pages)) >= 5, pages
    assert all(d.category and d.category.parent for d in docs)
    assert all(not d.owner.has_usable_password() for d in docs)
    assert len({d.owner.username for d in docs}) >= 5
    assert len({d.upload_ip for d in docs}) == 15
    assert any(d.title.isascii() for d in docs) and sum(not d.title.isascii() for d in docs) > 10
    assert "15 of 15 documents ready" in result.stdout and "seed 3" in result.stdout
    # The economy at once: priced and VIP documents, plans, a reader with points.
    from wenku.economy.models import VipPlan
    from wenku.economy.queries import balance

    assert {d.pricing for d in docs} == {"free", "points", "vip_only", "vip_free"}
    assert all(d.price > 0 for d in docs if d.pricing in ("points", "vip_free"))
    assert VipPlan.objects.filter(active=True).count() == 2
    reader = django_user_model.objects.get(username="demo_reader")
    assert balance(reader) == 100 and reader.has_usable_password()
    assert "demo_reader" in result.stdout
    tree = Category.objects.count()

    # A second run adds documents but never a second tree.
    again = wenku(child_env, "demo", "--count", "2", "--seed", "4", "--no-wait")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert Category.objects.count() == tree
    assert Document.objects.count() == 17
    assert "already has a tree" in again.stdout


def test_demo_says_clearly_when_libreoffice_is_missing(child_env):
    broken = {**child_env, "WENKU_SOFFICE": "/nonexistent/program/soffice.bin"}
    result = wenku(broken, "demo", "--count", "5", "--seed", "1")
    assert result.returncode == 1
    assert "LibreOffice not found" in result.stdout and "apt-get install" in result.stdout
    assert Document.objects.count() == 0


def test_serve_suggests_the_demo_when_the_library_is_empty(child_env):
    import signal
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "wenku", "serve", "--port", str(port), "--no-worker"],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    import threading

    guard = threading.Timer(120, proc.kill)  # never hang the suite if serve never starts
    guard.start()
    try:
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "press Ctrl-C" in line:
                break
        out = "".join(lines)
        assert "the library is empty" in out and "wenku demo --data" in out, out
    finally:
        guard.cancel()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
