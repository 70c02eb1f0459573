"""`wenku backup` while the site runs, `wenku restore` into a new site, and `wenku
migrate-data` from SQLite into PostgreSQL — end to end, with real `wenku` processes, on
the database of each pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import requests
from bench.harness import reset_postgres
from django.db import connection

from tests.conftest import database_url
from tests.economy.conftest import give

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def wenku(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "wenku", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return result


@pytest.fixture
def library(publish, user, other_user, rules):  # type: ignore[no-untyped-def]
    """Two published documents (one priced), a paid download, a comment: rows in every
    area that a backup must keep."""
    from wenku.community import domain as community
    from wenku.economy import downloads

    free = publish(title="年度工作总结报告", pages=3, text="budget report for the year")
    priced = publish(title="数学期末试卷", pages=4, pricing="points", price=5, text="exam paper")
    give(other_user, 50)
    downloads.download(other_user, priced, "127.0.0.1")
    community.add_comment(other_user, free, "写得很好")
    return free, priced


@pytest.fixture
def rules(db):  # type: ignore[no-untyped-def]
    from wenku.economy.models import Rules

    rules = Rules.current()
    rules.redownload_window_hours = 0
    rules.save()
    return rules


def _other_site(tmp_path: Path, name: str) -> tuple[Path, str, str | None]:
    """A new data folder and database of the same kind as this pass's: (folder, URL,
    PostgreSQL URL to drop afterwards)."""
    folder = tmp_path / name
    folder.mkdir()
    if connection.vendor == "sqlite":
        return folder, f"sqlite://{folder / 'wenku.sqlite3'}", None
    base = connection.settings_dict["NAME"].removeprefix("test_")
    url = _pg_url(f"{base}_{name}")
    reset_postgres(url)
    return folder, url, url


def _pg_url(name: str) -> str:
    parts = urlsplit(database_url())
    return urlunsplit(parts._replace(path="/" + quote(name)))


def _drop(url: str | None) -> None:
    if url is None:
        return
    import psycopg
    from bench.harness import maintenance_url
    from psycopg import sql

    admin, name = maintenance_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_backup_while_the_site_runs_then_restore_into_a_new_site(
    library, wenku_server, child_env, tmp_path
):
    """Given a running site whose pages are being read (views written meanwhile), when
    it is backed up and the backup restored into a new data folder and database, then
    the new site serves the documents, their page images and search, with the same books."""
    free, priced = library
    server = wenku_server()
    stop = threading.Event()

    def read_while_backing_up() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                session.get(f"{server.url}/d/{free.pk}/", timeout=10)

    reader = threading.Thread(target=read_while_backing_up)
    reader.start()
    try:
        done = wenku(child_env, "backup", str(tmp_path / "backup"))
    finally:
        stop.set()
        reader.join()
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    database = next((tmp_path / "backup").glob("database.*"))
    for private in (tmp_path / "backup", database, tmp_path / "backup" / "secret_key"):
        assert private.stat().st_mode & 0o077 == 0, private  # Wenku's user's alone
    assert manifest["counts"]["documents"] == 2 and manifest["database"] == connection.vendor
    again = wenku(child_env, "backup", str(tmp_path / "backup"))  # into the same folder
    assert "0 copied" in again.stdout, again.stdout

    folder, url, to_drop = _other_site(tmp_path, "restored")
    try:
        env = {**child_env, "WENKU_DATA_DIR": str(folder), "WENKU_DATABASE_URL": url}
        restored = wenku(env, "restore", str(tmp_path / "backup"))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "MISSING" not in restored.stdout and "UNBALANCED" not in restored.stdout
        # The restored rows' sessions and signed links were signed with the old key.
        old_key = (Path(child_env["WENKU_DATA_DIR"]) / "secret_key").read_text()
        assert (folder / "secret_key").read_text() == old_key, restored.stdout
        refused = wenku(env, "restore", str(tmp_path / "backup"))
        assert refused.returncode == 1 and "--force" in refused.stderr
        _serve_and_check(env, folder, free, priced)
    finally:
        _drop(to_drop)


def _serve_and_check(env, folder, free, priced):  # type: ignore[no-untyped-def]
    from bench.harness import WenkuServer

    settings = {k: v for k, v in env.items() if k.startswith("WENKU_")}
    settings["DJANGO_SETTINGS_MODULE"] = "wenku.settings"
    with WenkuServer(folder, worker=False, env=settings) as site:
        page = requests.get(f"{site.url}/d/{free.pk}/", timeout=30)
        assert page.status_code == 200 and free.title in page.text
        urls = requests.get(f"{site.url}/d/{priced.pk}/pages.json", timeout=30).json()["pages"]
        image = requests.get(site.url + urls["1"], timeout=30)
        assert image.status_code == 200 and image.content[:4] == b"RIFF"
        found = requests.get(f"{site.url}/api/v1/search", params={"q": "budget"}, timeout=30)
        assert [hit["document"]["id"] for hit in found.json()["results"]] == [free.pk]


def test_migrate_data_moves_an_embedded_library_into_postgresql(library, child_env, tmp_path):
    """Given the embedded default (SQLite) with documents, pages, a paid download, ledger
    entries and a comment, when `wenku migrate-data --to postgresql://…` runs, then every
    table arrives whole and a site on the new database serves the same library."""
    if connection.vendor != "sqlite":
        pytest.skip("migrate-data moves the embedded default (this pass runs on PostgreSQL)")
    url = os.environ.get("WENKU_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/wenku")
    target = urlunsplit(urlsplit(url)._replace(path=f"{urlsplit(url).path}_migrated"))
    try:
        reset_postgres(target)
    except Exception as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no PostgreSQL to migrate into: {exc}")
    try:
        moved = wenku(child_env, "migrate-data", "--to", target)
        assert moved.returncode == 0, moved.stdout + moved.stderr
        assert "DIFFERS" not in moved.stdout
        again = wenku(child_env, "migrate-data", "--to", target)
        assert again.returncode == 1 and "--force" in again.stderr
        free, priced = library
        env = {**child_env, "WENKU_DATABASE_URL": target}
        _serve_and_check(env, Path(child_env["WENKU_DATA_DIR"]), free, priced)
        import psycopg

        with psycopg.connect(target) as conn:
            balance = conn.execute(
                "SELECT balance FROM economy_account a JOIN accounts_user u ON u.id = a.user_id "
                "WHERE u.username = 'bob'"
            ).fetchone()
            new_user = conn.execute(
                "INSERT INTO accounts_user (password, is_superuser, username, first_name, "
                "last_name, email, is_staff, is_active, date_joined, bio, avatar) VALUES "
                "('', false, 'after-move', '', '', 'x@example.com', false, true, now(), '', '') "
                "RETURNING id"
            ).fetchone()
        assert balance == (45,)  # 50 given, one 5-point download
        assert new_user[0] > other_ids()  # sequences moved past the copied keys
    finally:
        _drop(target)


def other_ids() -> int:
    from wenku.accounts.models import User

    return max(User.objects.values_list("pk", flat=True))
