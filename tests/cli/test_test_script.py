"""scripts/test.sh, the README's test command: a PostgreSQL pass that cannot run is
skipped loudly on a developer's machine and fails the run in CI (issue 13, item 1: CI on
a fresh Debian server was green without running the scale-mode tests)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from bench.harness import free_port

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parents[2]
# The SQLite pass selects nothing (pytest exits 5, which the script takes as done), so
# only the decision about the PostgreSQL pass is left to see.
NOTHING = ["tests/test_config.py", "-q", "-p", "no:cacheprovider", "-k", "no_test_is_called_so"]


def run_script(**env: str) -> subprocess.CompletedProcess[str]:
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/wenku"
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CI", "WENKU_TEST_REQUIRE_POSTGRES", "WENKU_DATABASE_URL"}
    }
    return subprocess.run(
        ["scripts/test.sh", *NOTHING],
        cwd=ROOT,
        env={**base, "WENKU_TEST_POSTGRES_URL": unreachable, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_a_server_a_developer_run_skips_the_postgresql_pass_loudly():
    result = run_script()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIPPED: the PostgreSQL pass" in result.stdout
    assert "== tests on PostgreSQL" not in result.stdout


@pytest.mark.parametrize("env", [{"CI": "true"}, {"WENKU_TEST_REQUIRE_POSTGRES": "1"}])
def test_in_ci_a_postgresql_pass_that_cannot_run_fails_the_run(env):
    result = run_script(**env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED: the PostgreSQL pass cannot run" in result.stderr
    assert "SKIPPED" not in result.stdout
