"""The worker loop's error policy, in process (no LibreOffice needed)."""

from __future__ import annotations

import pytest
from django.conf import settings
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


def test_a_passing_trouble_is_tried_again_with_a_growing_pause(worker, upload, monkeypatch):
    """Given object storage that does not answer, when the job runs, then it goes back to
    the queue for later (its document untouched) and each try waits twice as long."""
    from datetime import timedelta

    from wenku.core.storage import StorageUnavailable

    doc = upload("a.pdf", make_pdf(1))

    def unavailable(_id):
        raise StorageUnavailable("connection refused")

    monkeypatch.setattr(jobs, "process", unavailable)
    pauses = []
    for _ in range(3):
        DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
        before = timezone.now()
        assert worker.run_once()
        job = DBTaskResult.objects.get()
        assert job.status == "READY"
        pauses.append((job.run_after - before).total_seconds())
    base = settings.WENKU.worker_retry_seconds
    for n, pause in enumerate(pauses):  # 1×, 2×, 4× the base, ±20 % jitter
        assert 0.8 * base * 2**n - 1 <= pause <= 1.2 * base * 2**n + 1
    doc.refresh_from_db()
    assert doc.status == "queued"


def test_a_job_that_keeps_meeting_trouble_fails_its_document(worker, upload, monkeypatch, settings):
    from datetime import timedelta

    from wenku.worker.runner import RetryLater

    settings.WENKU = settings.WENKU.replace(worker_retries=2)
    doc = upload("a.pdf", make_pdf(1))
    monkeypatch.setattr(jobs, "process", lambda _id: (_ for _ in ()).throw(RetryLater("down")))
    for _ in range(3):
        DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
        assert worker.run_once()
    assert DBTaskResult.objects.get().status == "FAILED"
    doc.refresh_from_db()
    assert (doc.status, doc.failure_code) == ("failed", "internal")


def test_backoff_doubles_up_to_a_ceiling_with_jitter():
    import random

    from wenku.worker.runner import MAX_DELAY, backoff

    rng = random.Random(1)
    delays = [backoff(n, 5, rng) for n in range(1, 12)]
    assert all(0.8 * min(MAX_DELAY, 5 * 2 ** (n - 1)) <= d for n, d in enumerate(delays, 1))
    assert all(d <= 1.2 * min(MAX_DELAY, 5 * 2 ** (n - 1)) for n, d in enumerate(delays, 1))
    assert max(delays) <= 1.2 * MAX_DELAY


def test_a_worker_takes_jobs_only_from_its_queues(upload):
    upload("a.pdf", make_pdf(1))  # a job on the ingest queue
    other = Worker(poll_seconds=0.01, hooks=HOOKS, queues=("default",))
    assert not other.run_once()
    mine = Worker(poll_seconds=0.01, hooks=HOOKS, queues=("ingest",))
    assert mine.run_once()


def test_idle_workers_never_refresh_the_same_related_list(upload, job_context, monkeypatch):
    """Given three documents due a related list and another worker holding two of them,
    when this worker is idle, then it refreshes only the third."""
    from wenku.publishing import worker as hooks
    from wenku.search import related
    from wenku.search.models import RelatedList
    from wenku.worker import leases, liveness

    docs = [upload(f"{i}.pdf", make_pdf(1, text=f"document number {i}")) for i in range(3)]
    w = Worker(poll_seconds=0.01, hooks=HOOKS)
    while w.run_once():
        pass
    RelatedList.objects.all().delete()
    held = [f"related:{docs[0].pk}", f"related:{docs[1].pk}"]
    assert leases.claim(held, "another-worker", 300) == held
    refreshed: list[int] = []
    monkeypatch.setattr(related, "refresh", lambda ids: refreshed.extend(ids))
    liveness.set_current("this-worker")
    assert hooks.when_idle() is True
    assert refreshed == [docs[2].pk]
    assert leases.claim(held, "this-worker", 300) == []  # still the other worker's


def test_an_idle_worker_does_not_redo_a_list_another_finished_meanwhile(
    upload, job_context, monkeypatch
):
    """Given two idle workers that both read the same stale list as due, when the second
    refreshes and releases it between the first's reading and claiming, then the first
    does not compute it again (the claim is free by then; the list is fresh)."""
    from wenku.publishing import worker as hooks
    from wenku.search import related
    from wenku.search.models import RelatedList
    from wenku.worker import liveness

    doc = upload("a.pdf", make_pdf(1, text="the only document"))
    w = Worker(poll_seconds=0.01, hooks=HOOKS)
    while w.run_once():
        pass
    RelatedList.objects.all().delete()
    computed: list[tuple[str, int]] = []
    refresh, due_ids = related.refresh, related.due_ids

    def counted(ids):  # type: ignore[no-untyped-def]
        ids = list(ids)
        computed.extend((liveness.current(), pk) for pk in ids)
        return refresh(ids)

    def first_reads_then_other_runs(limit, **options):  # type: ignore[no-untyped-def]
        due = due_ids(limit, **options)
        monkeypatch.setattr(related, "due_ids", due_ids)
        liveness.set_current("other-worker")
        assert hooks.when_idle() is True  # the other one refreshes it all, start to end
        liveness.set_current("first-worker")
        return due

    monkeypatch.setattr(related, "refresh", counted)
    monkeypatch.setattr(related, "due_ids", first_reads_then_other_runs)
    liveness.set_current("first-worker")
    hooks.when_idle()
    assert computed == [("other-worker", doc.pk)]


def test_a_lease_can_be_taken_once_it_runs_out():
    from wenku.worker import leases

    assert leases.claim(["x"], "a", 300) == ["x"]
    assert leases.claim(["x"], "b", 300) == []
    assert leases.claim(["x"], "a", 300) == ["x"]  # its holder may renew it
    assert leases.claim(["y"], "b", -1) == ["y"]  # already run out
    assert leases.claim(["y"], "a", 300) == ["y"]
    leases.release(["x"], "a")
    assert leases.claim(["x"], "b", 300, limit=1) == ["x"]
