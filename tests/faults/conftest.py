"""What the fault tests share: a site of their own (``wenku serve`` on a fresh data folder,
with an administrator and an API token), clients that upload and download in a loop, a
private PostgreSQL they may restart, and a TCP relay they may cut. Loopback only, every
wait bounded."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from bench.harness import WenkuServer, free_port

from tests.factories.pdf import make_pdf

WENKU = Path(sys.executable).with_name("wenku")


def site_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENKU_")}
    env.update(
        DJANGO_SETTINGS_MODULE="wenku.settings",
        WENKU_DATA_DIR=str(data_dir),
        WENKU_WORKER_POLL_SECONDS="0.05",
        # the load is one user uploading in a loop: an hour's allowance goes in seconds
        WENKU_RATE_UPLOAD_USER="100000/1h",
        WENKU_RATE_UPLOAD_IP="100000/1h",
        **settings,
    )
    return env


def wenku(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(WENKU), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@dataclass
class Site:
    server: WenkuServer
    env: dict[str, str]
    token: str

    @property
    def url(self) -> str:
        return self.server.url

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def start_site(data_dir: Path, log: Path, **settings: str) -> Site:
    """A migrated site with an administrator and a token, served with a worker."""
    env = site_env(data_dir, **settings)
    wenku(env, "manage", "migrate", "--noinput", "-v0")
    env_admin = {**env, "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(12)}
    wenku(env_admin, "manage", "createsuperuser", "--noinput", "--username", "ops",
          "--email", "ops@example.com")  # fmt: skip
    token = wenku(env, "token", "ops").strip().splitlines()[-1]
    server = WenkuServer(
        data_dir, worker=True, processes=2, threads=4,
        env={k: v for k, v in env.items() if k.startswith(("WENKU_", "DJANGO_"))},
        log_path=log,
    )  # fmt: skip
    server.start()
    return Site(server, env, token)


@dataclass
class Load:
    """Clients uploading (and reading) in a loop until stopped; what they were told."""

    site: Site
    uploads: dict[int, int] = field(default_factory=dict)  # acknowledged: id → content seed
    statuses: Counter[str] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    seed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_seed(self) -> int:
        with self.lock:
            self.seed += 1
            return self.seed

    def upload_once(self, session: requests.Session) -> None:
        seed = self.next_seed()
        data = make_pdf(1, text=f"fault test upload {seed} {secrets.token_hex(8)}")
        try:
            response = session.post(
                self.site.url + "/api/v1/documents",
                headers=self.site.auth(),
                files={"file": (f"{seed}.pdf", data)},
                timeout=30,
            )
        except requests.RequestException:
            self.statuses["no answer"] += 1
            return
        self.statuses[str(response.status_code)] += 1
        if response.status_code == 201:
            with self.lock:
                self.uploads[response.json()["id"]] = seed

    def read_once(self, session: requests.Session) -> None:
        try:
            response = session.get(self.site.url + "/", timeout=30)
            self.statuses[f"read {response.status_code}"] += 1
        except requests.RequestException:
            self.statuses["read no answer"] += 1

    def start(self, clients: int = 3, pause: float = 0.3) -> None:
        """``clients`` threads, each uploading and reading, then resting ``pause`` seconds
        (a bounded load: the one worker keeps up, so the test's wait stays short)."""

        def loop() -> None:
            with requests.Session() as session:
                while not self.stop.is_set():
                    self.upload_once(session)
                    self.read_once(session)
                    self.stop.wait(pause)

        self.threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def wait_until(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.2)


# --- a TCP relay that can be cut


class Relay:
    """Forwards 127.0.0.1:port to a target; ``cut()`` refuses and drops every connection
    (the service is down), ``mend()`` forwards again on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.mend()

    def mend(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            for sock in list(self._open):
                self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        self._open.discard(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with self._lock:
                self._close(source)
                self._close(sink)


# --- a private PostgreSQL


@dataclass
class PrivatePostgres:
    folder: Path
    port: int
    bindir: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/wenku"

    def _as_owner(self, *argv: str) -> None:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # No pipes: a server started here would hold them open after its starter exits.
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)  # fmt: skip

    def pg_ctl(self, action: str, *args: str) -> None:
        """``pg_ctl ACTION`` on this server, waiting for it (start and restart log to a file)."""
        log = ["-l", str(self.folder / "server.log")] if action in ("start", "restart") else []
        self._as_owner(
            "pg_ctl", action, "-D", str(self.folder / "data"), "-w", "-t", "60", *log, *args
        )


def _bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL server of this test's own (initdb in a temporary folder, a free port,
    loopback only), so restarting it disturbs nobody else's tests. In the PostgreSQL pass
    only: it tests scale mode, and one run is enough."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("scale mode's fault: runs in the PostgreSQL pass, on a server of its own")
    bindir = _bindir()
    if bindir is None:
        pytest.fail("PostgreSQL's server binaries are not installed (postgresql-15)")
    folder = Path(tempfile.mkdtemp(prefix="wenku-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    pg = PrivatePostgres(folder, free_port(), bindir)
    pg._as_owner("initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
    options = f"-p {pg.port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=60"
    pg.pg_ctl("start", "-o", options)
    pg._as_owner("createdb", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "wenku")
    try:
        yield pg
    finally:
        try:
            pg.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
