"""What the benchmarks in bench/ share: child processes, ``wenku serve``, the machine, figures.

The scripts run as ``.venv/bin/python bench/NAME.py`` from the repository root, so this
folder is on ``sys.path`` and they ``import harness``. Importing it imports nothing of
Wenku and starts no Django.

- Child processes: ``free_port()``, ``clean_env(**extra)`` (no inherited WENKU_* setting:
  a benchmark measures the defaults, and a setting it changes it passes in ``extra``),
  ``run_wenku(data_dir, command, *args, **env)`` and ``new_site(data_dir)``.
- ``WenkuServer`` / ``running_server(data_dir, ...)``: ``wenku serve`` on a free port,
  ready once it answers HTTP, stopped with Ctrl-C (SIGINT) and killed if it does not stop.
- Django in this process: ``setup_django(data_dir, migrate=..., **settings)``.
- PostgreSQL: ``reset_postgres(url)`` drops and recreates the database ``url`` names.
- The report: ``machine()``, ``machine_line()``, ``cpus()``, ``load_average()``,
  ``percentile(values, p)``, ``stats(values)``, ``table(header, rows)``, ``verdict(ok)``.
- ``work_folder(prefix, keep)``: a run's temporary folder.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import psutil
import requests

WENKU = Path(sys.executable).with_name("wenku")
READY_PATH = "/robots.txt"  # the cheapest Django view: it answers once gunicorn serves
START_SECONDS = 60.0
STOP_SECONDS = 40.0  # the supervisor's own grace period for its children is 20 s
POLL_SECONDS = 0.1
MAINTENANCE_DB = "postgres"
# Databases reset_postgres never drops: the maintenance database and the templates.
PROTECTED_DBS = frozenset({"", MAINTENANCE_DB, "template0", "template1"})


# --- child processes


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing was bound to when this was called."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without WENKU_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENKU_")}
    env.update(extra)
    return env


def run_wenku(data_dir: Path, command: str, *args: str, **env: str) -> str:
    """``wenku COMMAND --data DATA_DIR ARGS`` in ``clean_env(**env)``; its standard output.

    Raises RuntimeError, with what the command printed, if it fails.
    """
    result = subprocess.run(
        [str(WENKU), command, "--data", str(data_dir), *args],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"wenku {command} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def new_site(data_dir: Path, admin: str = "bench", **env: str) -> None:
    """A migrated site in ``data_dir`` with an administrator ``admin`` (random password);
    ``env`` holds its settings (WENKU_DATABASE_URL, ...), as for ``run_wenku``."""
    run_wenku(data_dir, "manage", "migrate", "--noinput", "-v0", **env)
    run_wenku(
        data_dir,
        "manage",
        *f"createsuperuser --noinput --username {admin} --email {admin}@example.com".split(),
        DJANGO_SUPERUSER_PASSWORD=secrets.token_urlsafe(16),
        **env,
    )


# --- wenku serve


class WenkuServer:
    """``wenku serve`` on its own data folder and a free port on 127.0.0.1.

    Used as a context manager (or through ``running_server``): entering starts it and
    returns once ``READY_PATH`` answers, leaving stops it; a start that fails stops what
    it started. ``worker=False`` passes ``--no-worker``; ``processes`` and ``threads``
    set gunicorn's WENKU_WEB_PROCESSES and WENKU_WEB_THREADS (serve's defaults
    otherwise); ``env`` holds further settings for it (WENKU_DATABASE_URL, ...). Its
    output goes to ``log_path``, by default DATA_DIR.log beside the data folder.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        worker: bool = True,
        processes: int | None = None,
        threads: int | None = None,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.with_worker = worker
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or self.data_dir.with_name(f"{self.data_dir.name}.log")
        settings = dict(env or {})
        if processes is not None:
            settings["WENKU_WEB_PROCESSES"] = str(processes)
        if threads is not None:
            settings["WENKU_WEB_THREADS"] = str(threads)
        self.env = clean_env(**settings)
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> WenkuServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def argv(self) -> list[str]:
        argv = [str(WENKU), "serve", "--data", str(self.data_dir), "--port", str(self.port)]
        return argv if self.with_worker else [*argv, "--no-worker"]

    def start(self, seconds: float = START_SECONDS) -> None:
        """Start it and wait until it answers HTTP (RuntimeError if it exits or never does)."""
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv(),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() kills only that
            )
        self.wait_until(self.answers, seconds, "the web server")

    def answers(self) -> bool:
        try:
            return requests.get(self.url + READY_PATH, timeout=2).ok
        except requests.RequestException:
            return False

    def wait_until(self, predicate: Callable[[], bool], seconds: float, what: str) -> None:
        """Poll ``predicate`` until it holds; RuntimeError with the log if the server exits
        or ``seconds`` pass first."""
        deadline = time.monotonic() + seconds
        while not predicate():
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"wenku serve exited ({self.proc.returncode}); its log:\n{self.log()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}; log:\n{self.log()[-3000:]}")
            time.sleep(POLL_SECONDS)

    def stop(self, seconds: float = STOP_SECONDS) -> None:
        """Ctrl-C, as a user would: the supervisor stops gunicorn and the worker cleanly;
        if it has not exited after ``seconds``, its whole process group is killed."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only what it started
            self.proc.wait()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    @property
    def process(self) -> psutil.Process:
        """The ``wenku serve`` process (the supervisor)."""
        assert self.proc is not None, "the server is not started"
        return psutil.Process(self.proc.pid)

    def tree(self) -> list[psutil.Process]:
        """The supervisor and every process below it (gunicorn, the worker, LibreOffice)."""
        root = self.process
        return [root, *root.children(recursive=True)]


def running_server(data_dir: Path, **options: Any) -> WenkuServer:
    """``WenkuServer(data_dir, **options)`` for a ``with`` block, which starts it and
    stops it: ``with running_server(folder, worker=False) as server: ... server.url``."""
    return WenkuServer(data_dir, **options)


# --- Django in this process


def setup_django(data_dir: Path, *, migrate: bool = False, **settings: str) -> None:
    """Start Django here on ``data_dir``, with no inherited WENKU_* setting but ``settings``."""
    for key in [k for k in os.environ if k.startswith("WENKU_")]:
        del os.environ[key]
    os.environ.update(settings, WENKU_DATA_DIR=str(data_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenku.settings"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


# --- PostgreSQL


def maintenance_url(url: str) -> tuple[str, str]:
    """The URL of the ``postgres`` database on ``url``'s server (same user, password, host,
    port and options), and the name of the database ``url`` names.

    Raises ValueError if ``url`` is not a PostgreSQL URL or names no database, the
    ``postgres`` database or a template.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    name = unquote(parts.path.removeprefix("/"))
    if name in PROTECTED_DBS or "/" in name:
        raise ValueError(f"refusing to drop the database {name!r} named by {url!r}")
    return urlunsplit(parts._replace(path=f"/{MAINTENANCE_DB}")), name


def reset_postgres(url: str) -> None:
    """Drop and recreate exactly the database ``url`` names, through the server's
    ``postgres`` database with the same credentials (ValueError: see maintenance_url)."""
    import psycopg
    from psycopg import sql

    admin, name = maintenance_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- the machine


def cpus() -> int:
    """CPUs this process may run on (nproc), which may be fewer than the machine has."""
    return len(os.sched_getaffinity(0))


def cpu_model() -> str:
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def load_average() -> str:
    """1-minute load: anything well above 0 means something else shared the CPUs."""
    return f"{os.getloadavg()[0]:.2f}"


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def wenku_commit() -> str:
    """The commit of the checkout the measured ``wenku`` package is imported from."""
    spec = importlib.util.find_spec("wenku")
    folder = Path(spec.origin).parent if spec and spec.origin else Path.cwd()

    def git(*args: str) -> str:
        command = ["git", "-C", str(folder), *args]
        return subprocess.run(command, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", ".")
    return f"commit {commit}" + (f" + uncommitted changes under {folder}" if dirty else "")


def machine(**extra: str) -> dict[str, str]:
    """What a run's figures depend on, for a report's Machine section; ``extra`` adds
    the versions of the tools a benchmark uses beside Wenku."""
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpus": f"{cpus()} (nproc)",
        "cpu": cpu_model(),
        "memory": f"{psutil.virtual_memory().total / 1024**3:.1f} GB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": package_version("django"),
        "gunicorn": package_version("gunicorn"),
        "psycopg": package_version("psycopg"),
        "sqlite": sqlite3.sqlite_version,
        **extra,
        "wenku": wenku_commit(),
        "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
        "load average before": load_average(),
    }


def machine_line() -> str:
    """The machine in one line, for the benchmarks that print one."""
    return (
        f"{cpus()} CPUs, {cpu_model()}, Python {platform.python_version()}, "
        f"load average {load_average()}"
    )


# --- figures


def percentile(values: Sequence[float], p: float) -> float:
    """The value of rank round(p/100 × (n-1)) in ascending order (nearest rank, no
    interpolation): percentile(v, 0) is the least, percentile(v, 100) the greatest."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is not within 0-100")
    ordered = sorted(values)
    return ordered[round(p / 100 * (len(ordered) - 1))]


def stats(values: Sequence[float], digits: int | None = None) -> dict[str, float]:
    """n, mean, p50, p90, p99 and max of ``values`` (rounded to ``digits`` if given)."""
    summary = {
        "mean": statistics.fmean(values),
        **{f"p{p}": percentile(values, p) for p in (50, 90, 99)},
        "max": max(values),
    }
    if digits is not None:
        summary = {key: round(value, digits) for key, value in summary.items()}
    return {"n": len(values), **summary}


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --- the run's folder


@contextmanager
def work_folder(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A new temporary folder, removed afterwards unless ``keep`` (then its path is printed)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"\n(kept {folder})")
        else:
            shutil.rmtree(folder, ignore_errors=True)
