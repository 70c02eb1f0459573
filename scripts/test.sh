#!/usr/bin/env bash
# The whole test suite: once on SQLite (the embedded default), then again on PostgreSQL
# (scale mode) when a server answers at WENKU_TEST_POSTGRES_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${WENKU_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/wenku}"

echo "== tests on SQLite"
env -u WENKU_DATABASE_URL "$BIN/pytest" "$@"

if "$BIN/python" - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable ({exc.__class__.__name__}): skipping the PostgreSQL pass")
    sys.exit(1)
PY
then
  echo "== tests on PostgreSQL ($PG_URL)"
  WENKU_DATABASE_URL="$PG_URL" "$BIN/pytest" "$@"
fi
