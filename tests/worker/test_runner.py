"""The worker loop's error policy, in process (no LibreOffice needed)."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories.pdf import make_pdf
from wenku.publishing import jobs
from wenku.publishing.worker import HOOKS
from wenku.worker.runner import Worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    return Worker(poll_seconds=0.01, hooks=HOOKS)  # its on_start (LibreOffice) is not run


def test_a_database_error_retries_the_job_later(worker, upload, monkeypatch):
    doc = upload("a.pdf", make_pdf(1))
    monkeypatch.setattr(
        jobs,
        "process",
        lambda _id: (_ for _ in ()).throw(OperationalError("database is locked")),
    )
    assert worker.run_once()
    job = DBTaskResult.objects.get()
    assert job.status == "READY" and job.run_after > timezone.now()
    doc.refresh_from_db()
    assert doc.status == "queued"  # untouched, waiting for the retry
    assert not worker.run_once()  # not due yet


def test_an_unexpected_error_fails_the_document_instead_of_leaving_it_waiting(
    worker, upload, monkeypatch
):
    doc = upload("a.pdf", make_pdf(1))
    monkeypatch.setattr(jobs, "process", lambda _id: 1 / 0)
    assert worker.run_once()
    assert DBTaskResult.objects.get().status == "FAILED"
    doc.refresh_from_db()
    assert (doc.status, doc.failure_stage, doc.failure_code) == ("failed", "worker", "internal")
    assert doc.failure_reason


def test_an_idle_worker_finds_nothing(worker, db):
    assert not worker.run_once()


def test_an_idle_worker_stores_missing_related_lists_then_rests(worker, upload):
    """Given a published document without a stored related list, when the worker has no
    job, then it stores one; with nothing left to do it does not look again for a while."""
    from wenku.search.models import RelatedList

    doc = upload("a.pdf", make_pdf(2))
    assert worker.run_once()  # ingest: publishes, indexes, stores the list
    assert RelatedList.objects.filter(document_id=doc.pk).exists()
    RelatedList.objects.all().delete()
    assert worker._idle_work() is True
    assert RelatedList.objects.filter(document_id=doc.pk).exists()
    assert worker._idle_work() is False  # nothing due: rests IDLE_RECHECK_SECONDS
    RelatedList.objects.all().delete()
    assert worker._idle_work() is False  # still resting
