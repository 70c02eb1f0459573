"""Refresh docs/screenshots/: the home, document and category pages, on a desktop and a phone.

Run from the repository root (``make screenshots``): it fills a throw-away data folder
with ``wenku demo``, starts ``wenku serve`` on a free port, and photographs the pages
in Debian's Chromium through Playwright. Nothing is left running or on disk but the PNGs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WENKU = Path(sys.executable).with_name("wenku")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--no-first-run"]  # fmt: skip
SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def photograph(page: Page, base: str, screen: str) -> None:
    page.goto(f"{base}/")
    page.screenshot(path=OUT / f"home-{screen}.png")
    page.locator(".category-grid a.name").first.click()
    page.wait_for_load_state("load")
    page.screenshot(path=OUT / f"category-{screen}.png")
    page.locator(".doc-card a").first.click()
    page.wait_for_load_state("load")
    page.wait_for_function("document.querySelector('#p1 img').complete")
    page.screenshot(path=OUT / f"document-{screen}.png")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="wenku-screens-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENKU_")}
    data = work / "data"
    server = None
    try:
        subprocess.run([WENKU, "demo", "--data", data, "--seed", "2024"], env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [WENKU, "serve", "--data", data, "--port", str(port), "--no-worker"],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/robots.txt")
        with sync_playwright() as p:
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for screen, viewport in SCREENS.items():
                context = browser.new_context(viewport=viewport, locale="zh-CN",
                                              is_mobile=screen == "phone")  # fmt: skip
                photograph(context.new_page(), base, screen)
                context.close()
            browser.close()
        print(f"screenshots written to {OUT}")
        return 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
