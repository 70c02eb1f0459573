#!/usr/bin/env bash
# The whole test suite: once on SQLite (the embedded default), then again on PostgreSQL
# (scale mode) at WENKU_TEST_POSTGRES_URL.
#
# The PostgreSQL pass needs a server that lets the URL's role in and create databases.
# On a developer's machine without one it is skipped, loudly; with CI=true (or
# WENKU_TEST_REQUIRE_POSTGRES=1) a PostgreSQL pass that cannot run fails the run: the
# search backend, RUM and the row locks that keep the ledger exact are tested only there.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${WENKU_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/wenku}"
REQUIRED=0
if [ "${CI:-}" = "true" ] || [ "${WENKU_TEST_REQUIRE_POSTGRES:-0}" = "1" ]; then
  REQUIRED=1
fi

# pytest exits 5 when it collected nothing (a filter such as -k that matches only one
# pass's tests): that pass ran what there was to run.
run_pytest() {
  local status=0
  "$@" || status=$?
  [ "$status" -eq 5 ] && status=0
  return "$status"
}

echo "== tests on SQLite"
run_pytest env -u WENKU_DATABASE_URL "$BIN/pytest" "$@"

if ! "$BIN/python" - "$PG_URL" <<'PY'
import sys
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

url = sys.argv[1]
try:
    # The test database is created from the server's maintenance database, as Django does.
    params = conninfo_to_dict(url)
    params["dbname"] = "postgres"
    with psycopg.connect(make_conninfo(**params), connect_timeout=5) as conn:
        can = conn.execute(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        if not can or not can[0]:
            print("PostgreSQL: the role of WENKU_TEST_POSTGRES_URL may not create databases")
            sys.exit(1)
except psycopg.Error as exc:
    print(f"PostgreSQL not usable at {url.split('@')[-1]}: {exc.__class__.__name__}: {exc}")
    sys.exit(1)
PY
then
  if [ "$REQUIRED" = "1" ]; then
    echo "FAILED: the PostgreSQL pass cannot run (CI=true requires it)." >&2
    echo "Set WENKU_TEST_POSTGRES_URL to a role that may create databases (.ci/run makes one)." >&2
    exit 1
  fi
  echo "SKIPPED: the PostgreSQL pass (no usable server at WENKU_TEST_POSTGRES_URL);"
  echo "         about a hundred scale-mode tests did not run. CI=true makes this a failure."
  exit 0
fi

echo "== tests on PostgreSQL (${PG_URL##*@})"
WENKU_DATABASE_URL="$PG_URL" WENKU_TEST_REQUIRE_POSTGRES="$REQUIRED" run_pytest "$BIN/pytest" "$@"
