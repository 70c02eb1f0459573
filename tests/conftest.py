"""Shared fixtures. Every test gets its own data folder; LibreOffice is started once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

# tests/settings.py made this folder for the session (it holds the test database).
_SESSION_DIR = Path(django_settings.DATA_DIR)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings, request) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A fresh data folder (files, tmp) and an empty cache for each test."""
    from wenku.core.storage import reset_storage
    from wenku.search.backends import reset_backend

    folder = tmp_path / "data"
    for sub in ("files", "tmp"):
        (folder / sub).mkdir(parents=True)
    settings.DATA_DIR = folder
    settings.WENKU = settings.WENKU.replace(data_dir=folder)
    reset_storage()
    reset_backend()  # a Tantivy index lives in the data folder: this test's own
    if _may_use_cache(request):
        _database_first(request)
        cache.clear()  # cached pages and category maps belong to one test
    yield folder
    reset_storage()


def _database_first(request: pytest.FixtureRequest) -> None:
    """A test given the database through another fixture (``backend`` asks for ``db``)
    gets it only after this autouse fixture: on PostgreSQL, whose cache is a table, set
    it up now, before the cache is cleared."""
    if "DatabaseCache" not in django_settings.CACHES["default"]["BACKEND"]:
        return
    if request.node.get_closest_marker("django_db") is not None:
        return  # pytest-django's own autouse fixture has given it already
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            return


def _may_use_cache(request: pytest.FixtureRequest) -> bool:
    """On PostgreSQL the cache is a table: only tests given the database may touch it."""
    if "DatabaseCache" not in django_settings.CACHES["default"]["BACKEND"]:
        return True
    uses = set(request.fixturenames)
    return bool(uses & {"db", "transactional_db"}) or (
        request.node.get_closest_marker("django_db") is not None
    )


def database_url() -> str:
    """WENKU_DATABASE_URL for child processes: the test database this test is using."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite://{db['NAME']}"
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def child_env(data_dir) -> dict[str, str]:
    """Environment for `wenku …` child processes sharing this test's database and data folder."""
    import os

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wenku.settings",
        "WENKU_DATA_DIR": str(data_dir),
        "WENKU_DATABASE_URL": database_url(),
        "WENKU_WORKER_POLL_SECONDS": "0.05",
    }


@pytest.fixture
def wenku_server(child_env, data_dir, tmp_path):  # type: ignore[no-untyped-def]
    """wenku_server(worker=False, processes=None, threads=None, **env) → a started
    ``wenku serve`` (bench.harness.WenkuServer: ``.url``, ``.log()``, ``.tree()``) on this
    test's database and data folder, stopped with Ctrl-C at the end of the test."""
    from bench.harness import WenkuServer

    servers: list[WenkuServer] = []

    def start(worker: bool = False, processes=None, threads=None, **env: str):  # type: ignore[no-untyped-def]
        settings = {k: v for k, v in child_env.items() if k.startswith("WENKU_")}
        settings.update(DJANGO_SETTINGS_MODULE="wenku.settings", **env)
        server = WenkuServer(
            data_dir,
            worker=worker,
            processes=processes,
            threads=threads,
            env=settings,
            log_path=tmp_path / f"serve-{len(servers)}.log",
        )
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private redis-server on a free port for this session (WENKU_TEST_REDIS_URL instead,
    if set); tests give their keys a prefix of their own and never flush it."""
    import os
    import subprocess
    import time

    from bench.harness import free_port

    given = os.environ.get("WENKU_TEST_REDIS_URL")
    if given:
        yield given
        return
    port = free_port()
    folder = _SESSION_DIR / "redis"
    folder.mkdir(exist_ok=True)
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/3"
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server process (moto's standalone server) on a free port of
    127.0.0.1, for this session; tests make buckets of their own."""
    import subprocess
    import sys
    import time

    import requests
    from bench.harness import free_port

    port = free_port()
    log = open(_SESSION_DIR / "moto.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "/moto-api/", timeout=1)
            break
        except requests.RequestException:
            assert proc.poll() is None and time.monotonic() < deadline, "moto did not start"
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def s3_url(s3_endpoint: str) -> str:
    """WENKU_STORAGE_URL of a new, empty bucket on the session's S3 server."""
    import secrets

    import boto3

    bucket = f"wenku-test-{secrets.token_hex(6)}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    return f"s3://test:test@{bucket}/site?endpoint={s3_endpoint}&region=us-east-1&addressing=path"


@pytest.fixture
def s3_site(settings, s3_url):  # type: ignore[no-untyped-def]
    """This test's site keeps its files in object storage (request it before ``publish``)."""
    from wenku.core.storage import get_storage, reset_storage

    settings.WENKU = settings.WENKU.replace(storage_url=s3_url)
    reset_storage()
    yield get_storage()
    reset_storage()


@pytest.fixture(scope="session")
def office() -> Iterator[object]:
    """One warm, sandboxed LibreOffice for the whole session."""
    from django.conf import settings

    from wenku.ingest.office.client import OfficeConverter, OfficeSettings

    workdir = _SESSION_DIR / "office"
    workdir.mkdir(exist_ok=True)
    base = OfficeSettings.from_django()
    converter = OfficeConverter(OfficeSettings(**{**base.__dict__, "workdir": workdir}))
    converter.start()
    assert settings.WENKU.office_sandbox == "bwrap"
    yield converter
    converter.close()


class _OfficeWhenLive:
    """The converter of jobs run by tests: PDFs never reach it; a test marked ``live`` gets
    the session's real LibreOffice on its first conversion, any other test fails loudly
    (the fast tier never starts LibreOffice behind its back)."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request

    def convert(self, *args: object, **kwargs: object) -> None:
        if self.request.node.get_closest_marker("live") is None:
            raise AssertionError("this test converts with LibreOffice: mark it live")
        self.request.getfixturevalue("office").convert(*args, **kwargs)

    def close(self) -> None:
        pass


@pytest.fixture
def job_context(monkeypatch, request, data_dir):  # type: ignore[no-untyped-def]
    """Publishing jobs run in this process, with this test's data folder."""
    from wenku.ingest.pipeline import Context
    from wenku.publishing import jobs

    context = Context.from_django(_OfficeWhenLive(request))  # type: ignore[arg-type]
    monkeypatch.setattr(jobs, "get_context", lambda: context)
    return context


@pytest.fixture
def ingest(office, monkeypatch):  # type: ignore[no-untyped-def]
    """Publishing jobs run here, with the session's LibreOffice and this test's data folder."""
    from wenku.ingest.pipeline import Context
    from wenku.publishing import jobs

    context = Context.from_django(office)
    monkeypatch.setattr(jobs, "get_context", lambda: context)
    return context


@pytest.fixture
def user(db):  # type: ignore[no-untyped-def]
    from wenku.accounts.models import User

    return User.objects.create_user("alice", "alice@example.com", "correct horse battery")


@pytest.fixture
def other_user(db):  # type: ignore[no-untyped-def]
    from wenku.accounts.models import User

    return User.objects.create_user("bob", "bob@example.com", "correct horse battery")


@pytest.fixture
def upload(user):  # type: ignore[no-untyped-def]
    """upload(name, data, owner=user, **details) → a queued Document."""
    from tests.factories import published

    def _upload(name: str, data: bytes, **fields: object):  # type: ignore[no-untyped-def]
        return published.upload(fields.pop("owner", user), name, data, **fields)

    return _upload


@pytest.fixture
def ingested(upload, job_context):  # type: ignore[no-untyped-def]
    """ingested(name, data, **details) → the Document after its publishing job ran here
    (LibreOffice, once per session, only for tests marked live)."""
    from wenku.publishing.jobs import process

    def _ingested(name: str, data: bytes, **fields: object):  # type: ignore[no-untyped-def]
        doc = upload(name, data, **fields)
        process(doc.pk)
        doc.refresh_from_db()
        return doc

    return _ingested


@pytest.fixture
def publish(user, job_context):  # type: ignore[no-untyped-def]
    """publish(owner=user, pricing="free", price=0, pages=3, text=…, title=…, **details)
    → a ready Document, published by the real job from a generated PDF."""
    from tests.factories import published

    def _publish(owner=None, **fields):  # type: ignore[no-untyped-def]
        return published.upload_and_publish(owner or user, **fields)

    return _publish


@pytest.fixture
def make_doc(user):  # type: ignore[no-untyped-def]
    """make_doc(title, pages=[text, …], **fields) → the rows of a ready Document (not
    indexed, no files)."""
    from tests.factories import published

    def _make(title: str, pages: list[str] | None = None, **fields: object):  # type: ignore[no-untyped-def]
        return published.document_rows(fields.pop("owner", user), title, pages, **fields)

    return _make


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the whole session, for tests/browser and any other test that
    drives it: Playwright's sync API may run only once at a time in a thread (a second
    ``sync_playwright()`` while this one lives fails "inside the asyncio loop")."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARGS, CHROMIUM

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(autouse=True)
def _no_ingest_context_outlives_its_test():  # type: ignore[no-untyped-def]
    """A test that runs a job without ``job_context`` makes this process's real ingest
    context, bound to its own data folder; the next test's jobs would read their files
    from there (a worker test failed so in CI). Drop it when the test ends."""
    yield
    from wenku.ingest import runtime

    if runtime._context is not None:
        runtime.reset_context()
