"""Restart PostgreSQL while clients upload and read: the server recovers, every
acknowledged upload exists and is published, the books balance."""

from __future__ import annotations

import time

import psycopg
import pytest
import requests

from tests.faults.conftest import Load, start_site, wait_until

pytestmark = [pytest.mark.live]


def test_a_postgresql_restart_loses_no_acknowledged_upload(private_postgres, tmp_path):
    site = start_site(tmp_path / "data", tmp_path / "serve.log",
                      WENKU_DATABASE_URL=private_postgres.url)  # fmt: skip
    try:
        load = Load(site)
        load.start(clients=3)
        time.sleep(4)
        before = dict(load.uploads)
        private_postgres.pg_ctl("restart", "-m", "immediate")  # as abrupt as a crash
        time.sleep(6)
        load.finish()
        print("clients were told:", dict(load.statuses), "uploads:", len(load.uploads))
        waited = time.monotonic()
        assert before, f"nothing was uploaded before the restart: {load.statuses}"
        assert len(load.uploads) > len(before), f"nothing after the restart: {load.statuses}"
        # Nothing but answers a client can act on: created, or a server error to retry.
        assert set(load.statuses) <= {"201", "500", "503", "no answer", "read 200", "read 500"}
        assert requests.get(site.url + "/readyz", timeout=10).status_code == 200
        with psycopg.connect(private_postgres.url, autocommit=True) as db:

            def published() -> bool:
                rows = db.execute(
                    "SELECT id, status FROM library_document WHERE id = ANY(%s)",
                    [list(load.uploads)],
                ).fetchall()
                return len(rows) == len(load.uploads) and all(s == "ready" for _, s in rows)

            wait_until(published, 120, "every acknowledged upload to be published")
            print(f"published {time.monotonic() - waited:.1f} s after the load ended")
            unbalanced = db.execute(
                "SELECT a.user_id FROM economy_account a LEFT JOIN ("
                " SELECT user_id, SUM(amount) AS total FROM economy_ledgerentry GROUP BY user_id"
                ") l ON l.user_id = a.user_id WHERE a.balance <> COALESCE(l.total, 0)"
            ).fetchall()
            assert unbalanced == []
            assert db.execute(
                "SELECT COUNT(*) FROM economy_account WHERE balance < 0"
            ).fetchone() == (0,)
    finally:
        site.server.stop()
        print(site.server.log()[-3000:])
