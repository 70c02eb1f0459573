"""The worker loop: take the next queued job from the database, run it, repeat.

Built on django-tasks-db's table and claiming (row locks with SKIP LOCKED on
PostgreSQL, an exclusive transaction on SQLite), with what a document pipeline
needs on top:
- a heartbeat thread, so other workers can tell this one is alive, which also
  requeues jobs of workers that died (see ``liveness``);
- a clean stop: SIGINT/SIGTERM interrupts the running job, hands it back to the
  queue untouched and exits;
- queues: a worker takes jobs only from the queues it is given (all by default), so
  ``wenku worker --queues ingest=2,ocr=1`` runs separate processes per queue, each
  with its own limit;
- retries with back-off: a job that meets a passing trouble (a database error, a
  ``RetryLater`` such as object storage not answering) goes back to the queue to run
  again after 1×, 2×, 4× … ``WENKU_WORKER_RETRY_SECONDS`` (at most ``MAX_DELAY``,
  with jitter so that failed jobs do not return together), and fails after
  ``WENKU_WORKER_RETRIES`` retries;
- ``Hooks`` for what the jobs' owner wants done around them: at start (start
  LibreOffice, catch up on indexing), when idle (refresh related lists), when a job is
  handed back, when one is given up, at the end. The loop knows no job of its own:
  ``wenku worker`` passes publishing's hooks (``wenku.publishing.worker.HOOKS``).
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from django.db import DatabaseError, close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from wenku.config import conf
from wenku.core import metrics
from wenku.worker import liveness

log = logging.getLogger(__name__)
IDLE_RECHECK_SECONDS = 60.0
MAX_DELAY = 600.0  # seconds: the longest back-off between two tries of a job


class RetryLater(Exception):
    """A job met a passing trouble (a service not answering): run it again later."""


def default_queues() -> tuple[str, ...]:
    """Every queue the site declares (settings.TASKS), in order."""
    from django.conf import settings

    return tuple(settings.TASKS["default"].get("QUEUES") or ["default"])


def backoff(attempt: int, base: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before try ``attempt + 1``: base, 2×base, 4×base … up to MAX_DELAY,
    ±20 % so that jobs failed together do not all come back together."""
    delay = min(MAX_DELAY, base * 2 ** max(0, attempt - 1))
    return delay * (rng or random).uniform(0.8, 1.2)


def _nothing() -> None:
    return None


def _no_idle_work() -> bool:
    return False


def _no_hand_back(job: DBTaskResult) -> None:
    return None


def _no_failure_record(job: DBTaskResult, exc: BaseException) -> None:
    return None


@dataclass(frozen=True)
class Hooks:
    """What the worker does besides running jobs. Each runs in the worker's main thread."""

    on_start: Callable[[], None] = _nothing  # before the first job
    when_idle: Callable[[], bool] = _no_idle_work  # no job waiting: did it find work?
    hand_back: Callable[[DBTaskResult], None] = _no_hand_back  # interrupted, or to retry
    on_given_up: Callable[[DBTaskResult, BaseException], None] = _no_failure_record
    on_stop: Callable[[], None] = _nothing  # after the last job


class WorkerStopping(BaseException):
    """Raised inside a running job when the worker is asked to stop."""


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


class Worker:
    def __init__(
        self,
        *,
        poll_seconds: float,
        hooks: Hooks = Hooks(),
        worker_id: str | None = None,
        max_jobs: int | None = None,
        queues: Sequence[str] | None = None,
    ) -> None:
        self.poll_seconds = poll_seconds
        self.hooks = hooks
        self.queues = tuple(queues or default_queues())
        self.worker_id = worker_id or new_worker_id()
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
        liveness.set_current(self.worker_id)
        liveness.beat(self.worker_id)
        heart = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        heart.start()
        # In this thread, not a helper thread: bubblewrap's --die-with-parent follows the
        # *thread* that started it, and would kill LibreOffice when a helper ends.
        self.hooks.on_start()
        log.info("worker %s started (queues: %s)", self.worker_id, ", ".join(self.queues))
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
            self.hooks.on_stop()
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

    def _idle_work(self) -> bool:
        """With no job waiting: the hooks' idle work. Says whether there was any; after a
        look that finds none, waits IDLE_RECHECK_SECONDS before looking again."""
        if time.monotonic() < self._idle_until:
            return False
        try:
            done = self.hooks.when_idle()
        except Exception:
            log.exception("idle work failed")
            done = False
        if not done:
            self._idle_until = time.monotonic() + IDLE_RECHECK_SECONDS
        return done

    def _next_job(self) -> DBTaskResult | None:
        close_old_connections()
        ready = DBTaskResult.objects.ready().filter(queue_name__in=self.queues)
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
            metrics.JOBS.labels(job.queue_name, "succeeded").inc()
        except WorkerStopping:
            self.current = None
            self._hand_back(job)
            raise
        except (DatabaseError, RetryLater) as exc:
            self.current = None
            self._retry_later(job, exc)
        except Exception as exc:
            self.current = None
            log.exception("job %s (%s) failed", job.id, job.task_path)
            job.set_failed(exc)
            metrics.JOBS.labels(job.queue_name, "failed").inc()
        finally:
            self.current = None
            self._done += 1

    def _retry_later(self, job: DBTaskResult, exc: Exception) -> None:
        """A passing trouble (the database locked or gone, a service not answering) is not
        the job's fault: hand it back and run it again after a back-off; give it up after
        WENKU_WORKER_RETRIES retries."""
        connection.close()  # it may be broken, or mid-transaction
        tries = len(job.worker_ids)
        if tries > conf().worker_retries:
            log.error("job %s given up after %s tries: %s", job.id, tries, exc)
            self._give_up(job, exc)
            return
        delay = backoff(tries, conf().worker_retry_seconds)
        log.warning("job %s: %s; try %s again in %.1f s", job.id, exc, tries + 1, delay)
        self._release(job)
        DBTaskResult.objects.filter(id=job.id).update(
            status="READY", started_at=None, run_after=timezone.now() + timedelta(seconds=delay)
        )
        metrics.JOBS.labels(job.queue_name, "retried").inc()

    def _give_up(self, job: DBTaskResult, exc: Exception) -> None:
        try:
            self.hooks.on_given_up(job, exc)
        except Exception:
            log.exception("recording the failure of job %s failed", job.id)
        job.set_failed(exc)
        metrics.JOBS.labels(job.queue_name, "failed").inc()

    def _release(self, job: DBTaskResult) -> None:
        try:
            self.hooks.hand_back(job)
        except DatabaseError:
            log.warning("job %s: could not release its work yet (database error)", job.id)
            connection.close()

    def _hand_back(self, job: DBTaskResult) -> None:
        """Return an interrupted job to the queue as if it had never started."""
        connection.close()  # the interrupted statement may have left it mid-transaction
        self.hooks.hand_back(job)
        DBTaskResult.objects.filter(id=job.id).update(status="READY", started_at=None)
        metrics.JOBS.labels(job.queue_name, "handed_back").inc()
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
