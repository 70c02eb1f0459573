"""Real `wenku worker` processes: they ingest, survive kill -9, stop cleanly, give up on poison."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import psutil
import pytest
from django.conf import settings

from tests.factories import documents as f
from tests.processes import running
from wenku.ingest.models import Conversion
from wenku.library.models import Document

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
LEASE = 2.0


@pytest.fixture
def spawn_worker(data_dir, child_env) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `wenku worker` processes on this test's database and data folder."""
    procs: list[subprocess.Popen] = []
    log = open(data_dir / "worker.log", "ab")  # noqa: SIM115
    env = {**child_env, "WENKU_WORKER_LEASE_SECONDS": str(LEASE)}

    def spawn(*extra: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wenku", "worker", *extra],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        procs.append(proc)
        return proc

    yield spawn
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()
    print((data_dir / "worker.log").read_text(errors="replace")[-3000:])


def wait_for(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def status(doc: Document) -> str:
    return Document.objects.values_list("status", flat=True).get(pk=doc.pk)


def sandboxes_of(proc: subprocess.Popen) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def test_worker_ingests_an_upload(upload, spawn_worker):
    doc = upload("总结.docx", f.make_docx(3))
    spawn_worker()
    wait_for(lambda: status(doc) == "ready", 60, "the document to be ready")
    doc.refresh_from_db()
    assert doc.page_count == 3 and doc.char_count > 0


def test_concurrency_runs_several_workers(upload, spawn_worker):
    from wenku.worker.models import Heartbeat

    docs = [upload(f"{i}.docx", f.make_docx(2, seed=i)) for i in range(4)]
    spawn_worker("--concurrency", "2")
    wait_for(lambda: Heartbeat.objects.count() == 2, 30, "two workers")
    wait_for(lambda: all(status(d) == "ready" for d in docs), 90, "all documents ready")


def test_killed_worker_leaves_its_job_to_the_next(upload, spawn_worker):
    """Given a worker killed with SIGKILL mid-job, when another starts, then it finishes the job."""
    from django_tasks_db.models import DBTaskResult

    doc = upload("大文件.docx", f.make_docx(120))
    first = spawn_worker()
    wait_for(lambda: status(doc) == "processing", 60, "processing to start")
    sandbox = sandboxes_of(first)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    # LibreOffice dies with its worker (bubblewrap --die-with-parent): nothing orphaned.
    wait_for(
        lambda: not any(running(p) for p in sandbox),
        10,
        "the sandbox to go",
    )
    assert status(doc) == "processing"  # half done, not published
    spawn_worker()
    wait_for(lambda: status(doc) == "ready", 120, "the next worker to finish it")
    doc.refresh_from_db()
    assert doc.page_count == 120
    # The job ends a moment after publishing: the worker indexes the document for search.
    wait_for(lambda: DBTaskResult.objects.get().status == "SUCCESSFUL", 30, "the job to finish")
    (job,) = DBTaskResult.objects.all()
    assert job.status == "SUCCESSFUL" and len(job.worker_ids) == 2


def test_ctrl_c_hands_the_job_back(upload, spawn_worker):
    from django_tasks_db.models import DBTaskResult

    doc = upload("大文件.docx", f.make_docx(400, seed=3))  # a long conversion: Ctrl-C lands in it
    worker = spawn_worker()
    wait_for(lambda: status(doc) == "processing", 60, "processing to start")
    sandbox = sandboxes_of(worker)
    started = time.monotonic()
    worker.send_signal(signal.SIGINT)
    assert worker.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
    assert status(doc) == "queued"
    (job,) = DBTaskResult.objects.all()
    assert job.status == "READY"
    conversion = Conversion.objects.get(pk=doc.conversion_id)
    assert (conversion.status, conversion.attempts) == ("queued", 0)
    assert not [p for p in sandbox if running(p)]
    spawn_worker()
    wait_for(lambda: status(doc) == "ready", 120, "the job to finish later")


def test_a_document_that_keeps_killing_workers_fails_with_a_reason(upload, spawn_worker):
    doc = upload("毒药.docx", f.make_docx(120, seed=4))
    attempts = settings.WENKU.worker_max_attempts

    def taken(n: int) -> Callable[[], bool]:
        return lambda: (
            Conversion.objects.get(pk=doc.conversion_id).attempts == n
            and status(doc) == "processing"
        )

    for attempt in range(1, attempts + 1):
        worker = spawn_worker()
        wait_for(
            taken(attempt),
            60,
            f"attempt {attempt}",
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    spawn_worker()
    wait_for(lambda: status(doc) == "failed", 60, "the document to be given up")
    doc.refresh_from_db()
    assert doc.failure_code == "worker_lost"
    assert str(attempts) in doc.failure_reason


def test_queues_get_processes_of_their_own(upload, spawn_worker):
    """`wenku worker --queues ingest=1,default=1`: one process per queue, each taking only
    its own queue's jobs."""
    from wenku.worker.models import Heartbeat

    doc = upload("a.docx", f.make_docx(1))
    spawn_worker("--queues", "ingest=1,default=1")
    wait_for(lambda: Heartbeat.objects.count() == 2, 30, "two workers")
    wait_for(lambda: status(doc) == "ready", 60, "the document to be ready")
