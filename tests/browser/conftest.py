"""Browser tests: Playwright (Python) driving Debian's Chromium against a live server.

Pages run under the site's Content-Security-Policy, which forbids eval: give
``wait_for_function`` a function (``"() => …"``), not an expression, which Playwright
would evaluate inside the page with eval and the browser would refuse.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# ``browser`` (one Chromium for the session) is in the root conftest: Playwright's sync
# API runs one event loop per thread, so every test that drives Chromium must share it.


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def inline_worker(ingest):
    """Process every queued document in a background thread while the test drives the browser."""
    import threading

    from django.db import connection

    from wenku.library.models import Document
    from wenku.publishing.jobs import process

    stop = threading.Event()

    def work() -> None:
        done: set[int] = set()
        while not stop.is_set():
            for pk in Document.objects.exclude(pk__in=done).values_list("pk", flat=True):
                process(pk)
                done.add(pk)
            stop.wait(0.1)
        connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=60)


def save_screenshot(page, name: str) -> None:
    """Into docs/screenshots/ when WENKU_SCREENSHOTS is set (`make screenshots`)."""
    import os
    from pathlib import Path

    folder = os.environ.get("WENKU_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


# Page n's top sits just below the sticky bars (the site header, on a desktop, and the
# reader's toolbar under it): not hidden under them, and not far below either.
BELOW_BARS = """n => {
  const top = document.getElementById('p' + n).getBoundingClientRect().top;
  const bars = Math.max(...['.site-header', '.reader-toolbar']
    .map(s => document.querySelector(s).getBoundingClientRect().bottom));
  return top >= bars - 1 && top <= bars + 40;
}"""
