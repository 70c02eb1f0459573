"""The worker loop: take the next queued job from the database, run it, repeat.

Built on django-tasks-db's table and claiming (row locks with SKIP LOCKED on
PostgreSQL, an exclusive transaction on SQLite), with what a document pipeline
needs on top:
- a heartbeat thread, so other workers can tell this one is alive, which also
  requeues jobs of workers that died (see ``liveness``);
- a clean stop: SIGINT/SIGTERM interrupts the running job, hands it back to the
  queue untouched, stops LibreOffice and exits;
- LibreOffice started at boot, so the first upload does not wait for it.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import FrameType

from django.db import DatabaseError, close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from wenku.ingest import runtime
from wenku.ingest.selftest import check_cjk
from wenku.worker import liveness

log = logging.getLogger(__name__)
QUEUES = ("ingest", "default")
DATABASE_RETRIES = 5
CATCH_UP_AT_START = 500
IDLE_BATCH = 25  # related lists refreshed between two looks for a job
IDLE_RECHECK_SECONDS = 60.0
RETRY_DELAY_SECONDS = 5


class WorkerStopping(BaseException):
    """Raised inside a running job when the worker is asked to stop."""


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


class Worker:
    def __init__(
        self,
        *,
        poll_seconds: float,
        worker_id: str | None = None,
        prewarm: bool = True,
        max_jobs: int | None = None,
    ) -> None:
        self.poll_seconds = poll_seconds
        self.worker_id = worker_id or new_worker_id()
        self.prewarm = prewarm
        self.max_jobs = max_jobs
        self.running = True
        self.current: DBTaskResult | None = None
        self._stop = threading.Event()
        self._done = 0
        self._idle_until = 0.0  # no idle work looked for before this (time.monotonic)

    # --- signals

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            return
        log.info("worker %s stopping (%s)", self.worker_id, signal.strsignal(signum))
        self.running = False
        self._stop.set()
        if self.current is not None:
            raise WorkerStopping()

    def stop(self) -> None:
        """Ask the loop to finish after the current job (from another thread)."""
        self.running = False
        self._stop.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    # --- main loop

    def run(self) -> None:
        runtime.set_worker_id(self.worker_id)
        liveness.beat(self.worker_id)
        heart = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        heart.start()
        if self.prewarm:
            # In this thread, not a helper thread: bubblewrap's --die-with-parent follows
            # the *thread* that started it, and would kill LibreOffice when a helper ends.
            self._prewarm()
        self._catch_up()
        log.info("worker %s started", self.worker_id)
        try:
            while self.running:
                if not self.run_once() and not self._idle_work():
                    self._stop.wait(self.poll_seconds)
                elif self.max_jobs is not None and self._done >= self.max_jobs:
                    break
        except WorkerStopping:
            pass
        finally:
            self._stop.set()
            heart.join(timeout=5)
            runtime.reset_context()
            close_old_connections()
            liveness.forget(self.worker_id)
            log.info("worker %s stopped", self.worker_id)

    def run_once(self) -> bool:
        """Run the next queued job, if there is one; say whether there was."""
        job = self._next_job()
        if job is None:
            return False
        self._run(job)
        return True

    def _catch_up(self) -> None:
        """Index what a stopped worker left unindexed (more follows with each job)."""
        from wenku.search.indexing import catch_up

        try:
            done = catch_up(limit=CATCH_UP_AT_START)
        except Exception:  # searching stays usable; the next job retries
            log.exception("search index catch-up failed")
            return
        if done:
            log.info("indexed %s documents a previous worker had missed", done)

    def _idle_work(self) -> bool:
        """With no job waiting: refresh a few stale related-document lists. Says whether
        there was any to do; after a look that finds none, waits IDLE_RECHECK_SECONDS
        before looking again (the look is a read, the write lock is taken only to store)."""
        if time.monotonic() < self._idle_until:
            return False
        from wenku.search.related import refresh_due

        try:
            done = refresh_due(IDLE_BATCH)
        except Exception:  # the page computes a missing list itself
            log.exception("refreshing related documents failed")
            done = 0
        if not done:
            self._idle_until = time.monotonic() + IDLE_RECHECK_SECONDS
        return bool(done)

    def _prewarm(self) -> None:
        """Start LibreOffice and check that Chinese renders with real glyphs."""
        context = runtime.get_context()
        try:
            context.office.start()
            with tempfile.TemporaryDirectory(dir=context.tmp_root) as tmp:
                result = check_cjk(context.office, Path(tmp))
        except Exception as exc:  # reported again, per document, when a conversion needs it
            log.error("LibreOffice could not be started: %s (run `wenku doctor`)", exc)
            return
        if not result.ok:
            log.error("self-test: %s (run `wenku doctor`)", result.detail)

    def _next_job(self) -> DBTaskResult | None:
        close_old_connections()
        ready = DBTaskResult.objects.ready().filter(queue_name__in=QUEUES)
        if not ready.exists():  # a plain read: idle workers never take the write lock
            return None
        try:
            with exclusive_transaction(ready.db):
                job = ready.get_locked()
                if job is not None:
                    job.claim(self.worker_id)
                return job
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def _run(self, job: DBTaskResult) -> None:
        self.current = job
        try:
            task = job.task
            args, kwargs = job.args_kwargs["args"], job.args_kwargs["kwargs"]
            value = task.call(*args, **kwargs)
            self.current = None
            job.set_successful(value)
        except WorkerStopping:
            self.current = None
            self._hand_back(job)
            raise
        except DatabaseError as exc:
            self.current = None
            self._retry_later(job, exc)
        except Exception as exc:
            self.current = None
            log.exception("job %s (%s) failed", job.id, job.task_path)
            job.set_failed(exc)
        finally:
            self.current = None
            self._done += 1

    def _retry_later(self, job: DBTaskResult, exc: DatabaseError) -> None:
        """A database hiccup (locked, connection lost) is not the job's fault: try again later."""
        connection.close()
        if len(job.worker_ids) >= DATABASE_RETRIES:
            log.error(
                "job %s failed %s times on database errors: %s", job.id, DATABASE_RETRIES, exc
            )
            job.set_failed(exc)
            return
        delay = RETRY_DELAY_SECONDS * len(job.worker_ids)
        log.warning("job %s hit a database error (%s); retrying in %ss", job.id, exc, delay)
        DBTaskResult.objects.filter(id=job.id).update(
            status="READY", started_at=None, run_after=timezone.now() + timedelta(seconds=delay)
        )

    def _hand_back(self, job: DBTaskResult) -> None:
        """Return an interrupted job to the queue as if it had never started."""
        connection.close()  # the interrupted statement may have left it mid-transaction
        from wenku.ingest.tasks import ingest_document

        if job.task_path == ingest_document.module_path:
            from wenku.ingest.jobs import release

            release(*job.args_kwargs["args"])
        DBTaskResult.objects.filter(id=job.id).update(status="READY", started_at=None)
        log.info("job %s handed back to the queue", job.id)

    def _heartbeat(self) -> None:
        lease = liveness.lease_seconds()
        last_reap = 0.0
        try:
            while not self._stop.wait(lease / 3):
                try:
                    current = str(self.current.id) if self.current is not None else ""
                    liveness.beat(self.worker_id, current)
                    if time.monotonic() - last_reap >= lease / 2:
                        liveness.requeue_orphans()
                        last_reap = time.monotonic()
                except OperationalError as exc:
                    log.warning("heartbeat failed: %s", exc)
        finally:
            connection.close()
