"""Operations endpoints and logs: /healthz, /readyz, /metrics, request ids, JSON log lines."""

from __future__ import annotations

import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings

from wenku.core import logs, metrics

pytestmark = pytest.mark.django_db


def test_health_answers_without_asking_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_ready_reports_the_database_cache_and_storage(client):
    response = client.get("/readyz")
    report = response.json()
    assert response.status_code == 200 and report["ready"] is True
    assert {name: check["state"] for name, check in report["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
    }


def test_not_ready_while_migrations_are_missing(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    from wenku.core import health

    monkeypatch.setattr(health, "_migrated", [])
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["one"])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "migrations not applied" in response.json()["checks"]["database"]["state"]


def test_metrics_report_requests_queues_and_documents(client, make_doc):
    make_doc("一份文档")
    client.get("/")
    text = client.get("/metrics").content.decode()
    assert 'wenku_http_requests_total{method="GET",route="home",status="2xx"}' in text
    assert 'wenku_documents{status="ready"} 1.0' in text
    assert "wenku_http_request_seconds_bucket" in text
    assert "wenku_workers_alive 0.0" in text


def test_metrics_show_queue_depth_and_the_oldest_job(client, upload):
    from tests.factories.pdf import make_pdf

    upload("a.pdf", make_pdf(1))
    text = client.get("/metrics").content.decode()
    assert 'wenku_queue_depth{queue="ingest",state="ready"} 1.0' in text
    assert 'wenku_queue_oldest_seconds{queue="ingest"}' in text


def test_metrics_are_for_allowed_addresses_or_the_token(client, settings):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 404
    settings.WENKU = settings.WENKU.replace(metrics_token="s3cret-token")
    assert client.get("/metrics", **outside).status_code == 404
    bearer = {"HTTP_AUTHORIZATION": "Bearer s3cret-token"}
    assert client.get("/metrics", **outside, **bearer).status_code == 200
    # Behind the local proxy, the client's own address decides (not the proxy's).
    proxied = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.get("/metrics", **proxied).status_code == 404


@pytest.fixture
def json_logs(tmp_path):  # type: ignore[no-untyped-def]
    """The logging of a site whose data folder is tmp_path (restored afterwards)."""
    (tmp_path / "logs").mkdir()
    logging.config.dictConfig(logs.logging_settings(tmp_path, "INFO", "text"))
    yield tmp_path / "logs" / logs.FILE_NAME
    logging.config.dictConfig(django_settings.LOGGING)


def test_log_records_are_json_lines_in_the_data_folder_with_the_request_id(json_logs):
    from wenku.core import requests

    token = requests._current.set("req-1234abcd")
    try:
        logging.getLogger("wenku.test").info("转换完成 %s", "abc", extra={"pages": 12})
        try:
            raise ValueError("坏了")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: /x")
    finally:
        requests._current.reset(token)
    lines = [json.loads(line) for line in json_logs.read_text().splitlines()]
    info, error = lines
    assert info["message"] == "转换完成 abc" and info["pages"] == 12
    assert info["request_id"] == error["request_id"] == "req-1234abcd"
    assert error["level"] == "ERROR" and "ValueError: 坏了" in error["exception"]


def test_the_folder_of_counts_is_emptied_for_a_new_set_of_processes(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old counts")
    env = metrics.prepare_folder(folder)
    assert env == {metrics.ENV: str(folder)} and not list(folder.iterdir())


@pytest.mark.django_db(transaction=True)
def test_metrics_show_searches_conversions_stages_rendered_pages_and_jobs(
    client, upload, job_context
):
    """The series operators read (docs/operations.md, "Metrics") appear with their labels
    once a worker ran an upload's job and a reader searched."""
    from tests.factories.pdf import make_pdf
    from wenku.publishing.worker import HOOKS
    from wenku.worker.runner import Worker

    doc = upload("budget.pdf", make_pdf(2, text="budget execution review"))
    assert Worker(poll_seconds=0.01, hooks=HOOKS).run_once()
    doc.refresh_from_db()
    assert doc.status == "ready", doc.failure_reason
    assert client.get("/search", {"q": "budget"}).status_code == 200
    text = client.get("/metrics").content.decode()
    for series in (
        'wenku_search_seconds_count{backend="',
        'wenku_conversion_stage_seconds_count{stage="read"}',
        'wenku_conversions_total{outcome="',
        'wenku_pages_rendered_total{when="ingest"}',
        'wenku_jobs_total{outcome="succeeded",queue="ingest"}',
    ):
        assert series in text, series
