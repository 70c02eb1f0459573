"""Object storage down for 10 seconds while clients upload: uploads fail cleanly (503,
nothing kept) or go through; jobs that met the outage are retried; nothing is lost."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import boto3
import pytest
import requests

from tests.faults.conftest import Load, Relay, start_site, wait_until

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_ten_seconds_without_object_storage_lose_nothing(s3_url, tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("one pass is enough: the outage is the storage's, not the database's")
    endpoint = s3_url.split("endpoint=", 1)[1].split("&", 1)[0]
    relay = Relay(urlsplit(endpoint).port or 80)
    through_relay = s3_url.replace(endpoint, f"http://127.0.0.1:{relay.port}")
    site = start_site(tmp_path / "data", tmp_path / "serve.log",
                      WENKU_STORAGE_URL=through_relay, WENKU_WORKER_RETRY_SECONDS="1")  # fmt: skip
    try:
        load = Load(site)
        load.start(clients=3)
        time.sleep(4)
        relay.cut()
        time.sleep(10)
        during = dict(load.statuses)
        relay.mend()
        time.sleep(5)
        load.finish()
        print("clients were told:", dict(load.statuses), "uploads:", len(load.uploads))
        waited = time.monotonic()
        assert "503" in during, f"no upload met the outage: {load.statuses}"
        assert set(load.statuses) <= {"201", "503", "read 200"}, load.statuses
        docs = {}

        def published() -> bool:
            for doc_id in load.uploads:
                docs[doc_id] = requests.get(
                    f"{site.url}/api/v1/documents/{doc_id}", headers=site.auth(), timeout=10
                ).json()
            return all(d.get("status") == "ready" for d in docs.values())

        wait_until(published, 120, "every acknowledged upload to be published")
        print(f"published {time.monotonic() - waited:.1f} s after the load ended")
        bucket = urlsplit(s3_url).hostname
        s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")  # fmt: skip
        keys = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                for o in page.get("Contents", [])}  # fmt: skip
        originals = [k for k in keys if k.startswith("site/originals/")]
        pages = [k for k in keys if k.endswith("/pages/00001.webp")]
        assert len(originals) == len(pages) >= len(load.uploads)
    finally:
        site.server.stop()
        relay.cut()
