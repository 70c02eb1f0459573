"""Refresh docs/screenshots/: every main page, on a desktop and a phone.

Run from the repository root (``make screenshots``): it fills a throw-away data folder
with ``wenku demo``, starts ``wenku serve`` on a free port, and photographs the pages
in Debian's Chromium through Playwright — as a visitor (home, category, a document, the
end of a priced document's preview, search, a search with a typo) and as the demo's
reader (upload, personal centre, points, how to earn points, VIP) and as one of the
demo's uploaders (我的上传; demo accounts cannot log in, so this throw-away copy gives
that one a password). Nothing is left running or on disk but the PNGs.
"""

from __future__ import annotations

import os
import re
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
SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
READER = re.compile(r"log in as\s+(\S+)\s+with\s+the\s+password\s+(\S+)")
UPLOADER_PASSWORD = "screenshots only 2024"
# The demo's busiest uploader, given a password in the throw-away data folder.
UPLOADER = f"""
from django.db.models import Count
from wenku.accounts.models import User
user = User.objects.annotate(n=Count("documents")).order_by("-n", "pk")[0]
user.set_password({UPLOADER_PASSWORD!r})
user.save(update_fields=["password"])
print("uploader:", user.username)
"""


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


def shoot(page: Page, name: str, screen: str) -> None:
    page.wait_for_load_state("load")
    page.screenshot(path=OUT / f"{name}-{screen}.png")


def log_in(page: Page, base: str, account: tuple[str, str]) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", account[0])
    page.fill("#id_password", account[1])
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{base}/")


def photograph(page: Page, base: str, screen: str, reader: tuple[str, str]) -> None:
    page.goto(f"{base}/")
    shoot(page, "home", screen)
    page.locator(".category-grid a.name").first.click()
    shoot(page, "category", screen)
    page.locator(".doc-card:has(.price-tag.free) a").first.click()  # a free one: all its pages
    page.wait_for_url("**/d/*/")
    page.wait_for_function("() => document.querySelector('#p1 img')?.complete")
    shoot(page, "document", screen)
    page.goto(f"{base}/search?q=工作总结")
    shoot(page, "search", screen)
    page.goto(f"{base}/search?q=工作总洁")
    shoot(page, "search-typo", screen)
    page.goto(f"{base}/search?q=期末试卷&price=points")
    page.locator(".hit h2 a").first.click()
    page.wait_for_load_state("load")
    page.evaluate("() => { window.location.hash = '#p999'; }")
    page.wait_for_function(
        "() => { const r = document.getElementById('preview-end').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight / 2; }"
    )
    shoot(page, "end-of-preview", screen)
    page.goto(f"{base}/d/999999/")
    shoot(page, "not-found", screen)
    log_in(page, base, reader)
    for name, path in (
        ("upload", "/upload/"),
        ("personal-centre", "/me/"),
        ("points", "/me/points/"),
        ("earn-points", "/points/"),
        ("vip", "/me/vip/"),
    ):
        page.goto(f"{base}{path}")
        shoot(page, name, screen)


def photograph_uploads(page: Page, base: str, screen: str, uploader: tuple[str, str]) -> None:
    log_in(page, base, uploader)
    page.goto(f"{base}/me/uploads/")
    shoot(page, "my-uploads", screen)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="wenku-screens-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENKU_")}
    data = work / "data"
    server = None
    try:
        demo = subprocess.run(
            [WENKU, "demo", "--data", data, "--seed", "2024"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        found = READER.search(demo.stdout.replace("\n", " "))
        if found is None:
            raise SystemExit("wenku demo did not name its reader:\n" + demo.stdout[-2000:])
        reader = (found[1], found[2])
        made = subprocess.run(
            [WENKU, "manage", "shell", "--data", data, "-c", UPLOADER],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        uploader = (made.stdout.split("uploader:")[-1].strip(), UPLOADER_PASSWORD)
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
                photograph(context.new_page(), base, screen, reader)
                context.close()
                context = browser.new_context(viewport=viewport, locale="zh-CN",
                                              is_mobile=screen == "phone")  # fmt: skip
                photograph_uploads(context.new_page(), base, screen, uploader)
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
