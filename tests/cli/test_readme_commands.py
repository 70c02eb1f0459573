"""Every `wenku` command line the README and `wenku serve`'s banner print, run as printed.

``wenku manage createsuperuser --data DIR`` failed: argparse read ``--data`` as an
abbreviation of Django's ``--database`` (issue 12, item 5). ``--data`` now works wherever
it stands, for every command. The live test below reads the command lines out of
README.md and out of the banner of a real ``wenku serve``, and runs each one in a
terminal (createsuperuser asks its questions there) in a fresh folder, as a new operator
following the README would. The README's demo is then the check of issue 12, item 4:
every demo document has a related list of its own topic.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.factories.pdf import make_pdf
from wenku.cli import COMMANDS, build_parser, take_data_option

ROOT = Path(__file__).resolve().parents[2]
WENKU = Path(sys.executable).with_name("wenku")
NAMES = "|".join(COMMANDS)
COMMAND = re.compile(rf"(?:\.venv/bin/)?wenku (?:{NAMES})\b[^`\n)]*")
PASSWORD = "Plum blossoms in snow 1949"


# --- fast: the parser


@pytest.mark.parametrize("command", COMMANDS)
def test_data_is_taken_wherever_it_stands(command):
    rest = {
        "import": ["a.pdf"],
        "token": ["alice"],
        "geo": ["lookup", "1.2.3.4"],
        "backup": ["/srv/backup"],
        "restore": ["/srv/backup"],
        "migrate-data": ["--to", "postgresql://wenku@db/wenku"],
    }
    argv = [command, *rest.get(command, [])]
    for position in range(len(argv) + 1):
        for form in (["--data", "/srv/wenku"], ["--data=/srv/wenku"]):
            given = [*argv[:position], *form, *argv[position:]]
            data, remaining = take_data_option(given)
            assert (data, remaining) == ("/srv/wenku", argv)
            build_parser().parse_args(remaining)  # and the rest still parses


def test_data_among_a_management_commands_arguments_is_wenkus():
    data, rest = take_data_option(["manage", "createsuperuser", "--data", "d", "--noinput"])
    assert (data, rest) == ("d", ["manage", "createsuperuser", "--noinput"])
    assert take_data_option(["manage", "shell", "--", "--data", "x"]) == (
        None,
        ["manage", "shell", "--", "--data", "x"],
    )


# --- live: the command lines as printed


def readme_command_lines() -> list[str]:
    """`wenku …` command lines of README.md, in order, without the table of synopses."""
    lines = []
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            continue  # the table: synopses with placeholders, not command lines
        lines += [m.group(0).strip() for m in COMMAND.finditer(line)]
    return lines


def banner_command_lines(env: dict[str, str], cwd: Path) -> list[str]:
    """Start `wenku serve` on an empty data folder and read the commands its banner prints."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [WENKU, "serve", "--data", "wenku-data", "--port", str(port), "--no-worker"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    guard = threading.Timer(120, proc.kill)
    guard.start()
    out = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.append(line)
            if "press Ctrl-C" in line:
                break
    finally:
        guard.cancel()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
    return [m.group(0).strip() for line in out for m in COMMAND.finditer(line)]


def in_a_terminal(argv: list[str], env, cwd, answers: list[str], timeout=300):
    """Run ``argv`` on a pseudo-terminal (its controlling terminal: getpass reads there),
    giving the next of ``answers`` at each prompt (a last line ending with a colon, in
    whichever language the site speaks); (exit code, output)."""
    master, slave = pty.openpty()

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    output, pending, given = b"", "", 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            output += chunk
            pending += chunk.decode("utf-8", "replace")
            if pending.rstrip().endswith((":", "：")) and given < len(answers):
                os.write(master, answers[given].encode() + b"\n")
                given, pending = given + 1, ""
        else:
            proc.kill()
            raise AssertionError(f"{argv} did not finish: {output.decode()[-2000:]}")
        return proc.wait(timeout=30), output.decode("utf-8", "replace")
    finally:
        os.close(master)


SUPERUSERS = """
from django.contrib.auth import get_user_model
print(list(get_user_model().objects.filter(is_superuser=True).values_list("username", flat=True)))
"""
RELATED_REPORT = """
import json
from wenku.library.models import Document
from wenku.search.models import RelatedList
top = lambda c: (c.parent or c).pk if c else None
docs = {d.pk: d for d in Document.objects.select_related("category__parent")}
lists = dict(RelatedList.objects.values_list("document_id", "ids"))
print(json.dumps({pk: {"status": d.status, "topic": top(d.category),
    "ids": [i for i in lists.get(pk, []) if i in docs],
    "related": [top(docs[i].category) for i in lists.get(pk, []) if i in docs]}
    for pk, d in docs.items()}))
"""


@pytest.mark.live
@pytest.mark.skipif(
    bool(os.environ.get("WENKU_DATABASE_URL")),
    reason="the README's commands keep their data in ./wenku-data (SQLite): run once, "
    "in the SQLite pass",
)
def test_every_command_line_of_the_readme_and_the_banner_runs(tmp_path, browser):
    """Given a fresh folder and the README, When each `wenku` command line it prints, and
    each one the banner of `wenku serve` prints, runs as printed, Then each succeeds; and
    the demo library it builds has a related list of its own topic for every document."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WENKU_") and k != "DJANGO_SETTINGS_MODULE"  # the tests' own
    }
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "docs" / "年度报告.pdf").write_bytes(make_pdf(2, text="annual report"))
    env["HOME"] = str(home)
    banner = banner_command_lines(env, tmp_path)
    readme = readme_command_lines()
    assert any("createsuperuser --data" in line for line in readme)
    assert any("createsuperuser --data" in line for line in banner), banner
    assert any("demo --data" in line for line in banner), banner

    done: set[tuple[str, ...]] = set()
    answers = ["alice", "alice@example.com", PASSWORD, PASSWORD]  # createsuperuser asks
    for line in readme + banner:
        words = shlex.split(line.replace("~", str(home)))
        data, rest = take_data_option(words[1:])
        same = (*rest, str((tmp_path / (data or "wenku-data")).resolve()))
        if rest[0] == "serve" or same in done:
            continue  # serve ran above; the banner repeats the README's commands
        done.add(same)
        code, out = in_a_terminal([str(WENKU), *words[1:]], env, tmp_path, answers)
        assert code == 0, f"{line}\n{out[-3000:]}"
        if rest[:2] == ["manage", "createsuperuser"]:
            assert (
                "alice"
                in subprocess.run(
                    [WENKU, "manage", "shell", "--data", data or "", "-c", SUPERUSERS],
                    env=env,
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    timeout=120,
                ).stdout
            )
        if rest[0] == "token":
            assert re.search(r"^\S{20,}\s*$", out.strip().splitlines()[-1]), out[-500:]
    assert any(key[0] == "demo" for key in done) and any(key[0] == "import" for key in done)

    report = subprocess.run(
        [WENKU, "manage", "shell", "--data", "wenku-data", "-c", RELATED_REPORT],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert report.returncode == 0, report.stderr[-3000:]
    documents = json.loads(report.stdout.strip().splitlines()[-1])
    demo = {pk: d for pk, d in documents.items() if d["topic"] is not None}
    assert len(demo) >= 48 and all(d["status"] == "ready" for d in demo.values())
    assert all(d["related"] for d in demo.values()), "a demo document has no related list"
    topics = [d["topic"] for d in demo.values()]
    for pk, d in demo.items():
        if topics.count(d["topic"]) > 1:  # others of its topic exist: one is on its list
            assert d["topic"] in d["related"], (pk, d)
    listed = [t for d in demo.values() for t in d["related"]]
    same = sum(t == d["topic"] for d in demo.values() for t in d["related"])
    assert same / len(listed) >= 0.6
    in_the_browser(browser, env, tmp_path, demo)


def in_the_browser(browser: Any, env: dict[str, str], cwd: Path, demo: dict[str, dict]) -> None:
    """What the README's operator and first reader see, in Chromium on the site
    `wenku serve` runs on the README's data folder: the administrator made by
    `wenku manage createsuperuser --data wenku-data` logs in to the admin (item 5), and
    every demo document's page shows 您可能关注的文档, listing its stored list (item 4)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [WENKU, "serve", "--data", "wenku-data", "--port", str(port), "--no-worker"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        answering(f"{base}/robots.txt", seconds=120)
        context = browser.new_context(locale="zh-CN")
        try:
            page = context.new_page()
            page.goto(f"{base}/admin/login/?next=/admin/")
            page.fill("#id_username", "alice")
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"{base}/admin/")
            assert "alice" in page.locator("#user-tools").text_content()
            for pk, d in sorted(demo.items(), key=lambda item: int(item[0])):
                page.goto(f"{base}/d/{pk}/")
                titles = page.locator("section[aria-labelledby=related-title] a.title")
                shown = [h.split("/")[2] for h in titles.evaluate_all(HREFS)]
                assert shown and shown == [str(i) for i in d["ids"]][: len(shown)], (pk, shown)
        finally:
            context.close()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


HREFS = "links => links.map(a => a.getAttribute('href'))"


def answering(url: str, seconds: float) -> None:
    """Return once ``url`` answers (the server is ready), failing after ``seconds``."""
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer in {seconds} s") from None
            time.sleep(0.2)
