"""bench/harness.py, the helpers every benchmark shares: fast, no server and no LibreOffice.

bench/ is not a package (its scripts run as ``python bench/NAME.py``), so the module is
loaded from its file. The one test that needs PostgreSQL drops and recreates throw-away
databases on 127.0.0.1:5432; it skips when no server answers there, except under CI,
where it fails.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import socket
from pathlib import Path

import pytest

HARNESS_PATH = Path(__file__).resolve().parents[2] / "bench" / "harness.py"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def _load_harness():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_harness", HARNESS_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = _load_harness()


# --- figures


def test_percentile_is_the_nearest_rank_of_the_sorted_values():
    values = list(range(101, 0, -1))  # 101 .. 1, unsorted on purpose

    assert harness.percentile(values, 0) == 1
    assert harness.percentile(values, 50) == 51
    assert harness.percentile(values, 90) == 91
    assert harness.percentile(values, 99) == 100
    assert harness.percentile(values, 100) == 101
    assert harness.percentile([15.0, 50.0, 20.0, 40.0, 35.0], 25) == 20.0
    assert harness.percentile([7.5], 99) == 7.5
    assert harness.percentile(range(1, 11), 99) == 10  # rank 8.91 rounds to 9, not down to 8


@pytest.mark.parametrize(("values", "p"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_no_values_and_ranks_outside_0_to_100(values, p):
    with pytest.raises(ValueError):
        harness.percentile(values, p)


def test_stats_summarises_n_mean_p50_p90_p99_max():
    assert harness.stats(list(range(1, 102))) == {
        "n": 101,
        "mean": 51.0,
        "p50": 51,
        "p90": 91,
        "p99": 100,
        "max": 101,
    }


def test_stats_rounds_every_figure_but_n_when_asked():
    summary = harness.stats([1.23456, 2.34567, 3.45678], digits=2)

    assert summary == {"n": 3, "mean": 2.35, "p50": 2.35, "p90": 3.46, "p99": 3.46, "max": 3.46}


def test_table_is_markdown_with_a_header_rule():
    text = harness.table(["format", "pages"], [["docx", "10"], ["PDF", "50"]])

    assert text == "| format | pages |\n|---|---|\n| docx | 10 |\n| PDF | 50 |"


def test_verdict():
    assert (harness.verdict(True), harness.verdict(False)) == ("PASS", "FAIL")


# --- child processes


def test_free_port_can_be_bound():
    port = harness.free_port()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
    assert 0 < port < 65536


def test_clean_env_drops_every_wenku_setting_and_adds_the_given_ones(monkeypatch):
    monkeypatch.setenv("WENKU_SEARCH_BACKEND", "postgres")
    monkeypatch.setenv("WENKU_DATABASE_URL", "postgresql://elsewhere/db")
    monkeypatch.setenv("BENCH_HARNESS_KEPT", "yes")

    env = harness.clean_env(WENKU_WEB_THREADS="8")

    assert env["BENCH_HARNESS_KEPT"] == "yes"
    assert {k: v for k, v in env.items() if k.startswith("WENKU_")} == {"WENKU_WEB_THREADS": "8"}
    assert os.environ["WENKU_SEARCH_BACKEND"] == "postgres"  # this process's is left alone


def test_server_options_become_settings_and_arguments(tmp_path, monkeypatch):
    """Given options for wenku serve, nothing is started: only the command and its env."""
    monkeypatch.setenv("WENKU_WEB_PROCESSES", "9")

    server = harness.WenkuServer(
        tmp_path / "data", worker=False, threads=3, env={"WENKU_DATABASE_URL": "x"}
    )

    assert server.argv()[1:] == [
        "serve", "--data", str(tmp_path / "data"), "--port", str(server.port), "--no-worker",
    ]  # fmt: skip
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server.log_path == tmp_path / "data.log"
    wenku = {k: v for k, v in server.env.items() if k.startswith("WENKU_")}
    assert wenku == {"WENKU_WEB_THREADS": "3", "WENKU_DATABASE_URL": "x"}
    server.stop()  # never started: nothing to stop


# --- PostgreSQL


def test_maintenance_url_is_the_postgres_database_of_the_same_server_and_credentials():
    url = "postgresql://bench:s%40cret@db.example:5433/wenku_bench_h?sslmode=require"

    assert harness.maintenance_url(url) == (
        "postgresql://bench:s%40cret@db.example:5433/postgres?sslmode=require",
        "wenku_bench_h",
    )


@pytest.mark.parametrize(
    "url",
    [
        f"{PG_SERVER}/postgres",
        f"{PG_SERVER}/",
        PG_SERVER,
        f"{PG_SERVER}/template1",
        "sqlite:///tmp/wenku.sqlite3",
    ],
)
def test_reset_postgres_refuses_before_connecting(url):
    """Port 1 answers nothing: a connection attempt would raise OperationalError instead."""
    unreachable = url.replace(":5432", ":1")

    with pytest.raises(ValueError):
        harness.reset_postgres(unreachable)


@pytest.fixture
def pg_server():
    """psycopg, once the server answers; skip (fail under CI) when it cannot be used."""
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[postgres]')")
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        _unavailable(f"PostgreSQL at {PG_SERVER} (user postgres, no password): {exc}")
    return psycopg


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def test_reset_postgres_drops_and_recreates_exactly_the_named_database(pg_server):
    """Given the named database and a neighbour, each with a table,
    when the named one is reset, then it is empty and the neighbour still has its table."""
    suffix = secrets.token_hex(4)  # test runs of other checkouts may share this server
    target, neighbour = f"wenku_harness_test_{suffix}", f"wenku_harness_keep_{suffix}"
    with pg_server.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        try:
            harness.reset_postgres(f"{PG_SERVER}/{target}")  # created: it did not exist
            harness.reset_postgres(f"{PG_SERVER}/{neighbour}")
            for name in (target, neighbour):
                with pg_server.connect(f"{PG_SERVER}/{name}") as conn:
                    conn.execute("CREATE TABLE marker (id int)")

            harness.reset_postgres(f"{PG_SERVER}/{target}")

            assert _tables(pg_server, target) == []
            assert _tables(pg_server, neighbour) == ["marker"]
        finally:
            for name in (target, neighbour):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _tables(psycopg, database: str) -> list[str]:
    with psycopg.connect(f"{PG_SERVER}/{database}") as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return [name for (name,) in rows]
