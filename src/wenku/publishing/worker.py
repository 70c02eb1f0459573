"""What the worker loop does around publishing's jobs (``wenku worker`` passes ``HOOKS``)."""

from __future__ import annotations

import logging
import time

from django_tasks_db.models import DBTaskResult

from wenku.core import pagecache
from wenku.ingest import runtime
from wenku.publishing import jobs
from wenku.publishing.tasks import publish_upload
from wenku.search import indexing, related
from wenku.worker import leases, liveness
from wenku.worker.runner import Hooks

log = logging.getLogger(__name__)
CATCH_UP_AT_START = 500
IDLE_BATCH = 25  # related lists refreshed between two looks for a job
IDLE_LEASE_SECONDS = 300  # a batch's claim, should its worker die while computing it


def on_start() -> None:
    """Start LibreOffice, then index what a stopped worker left unindexed."""
    runtime.prewarm()
    try:
        done = indexing.catch_up(limit=CATCH_UP_AT_START)
    except Exception:  # searching stays usable; the next job retries
        log.exception("search index catch-up failed")
        return
    if done:
        log.info("indexed %s documents a previous worker had missed", done)


def when_idle(only_made_due: bool = False) -> bool:
    """Store a few missing or stale related-document lists (with ``only_made_due``, only
    those publishing made due); say whether there were any.

    Each worker first claims the documents it refreshes (``worker.leases``), so idle
    workers share the due lists instead of all computing the same ones; what it claimed
    is read again, because another worker may have stored and released a list between
    this one's first reading and its claim. The documents' kept pages are dropped, so
    their new lists show at once."""
    due = related.due_ids(IDLE_BATCH * 4, only_made_due=only_made_due)
    if not due:
        return False
    holder = liveness.current()
    names = leases.claim(
        (f"related:{pk}" for pk in due), holder, IDLE_LEASE_SECONDS, limit=IDLE_BATCH
    )
    if not names:
        return False  # others are on every due list now
    try:
        mine = related.still_due(int(name.split(":", 1)[1]) for name in names)
        if mine:
            related.refresh(mine)
            pagecache.invalidate_documents(mine)
    finally:
        leases.release(names, holder)
    return True


def finish_made_due(seconds: float) -> int:
    """Refresh the lists publishing made due, for up to ``seconds`` (what a local worker
    leaves done before ``import --wait`` and ``demo`` return); say how many batches ran."""
    deadline = time.monotonic() + seconds
    batches = 0
    while time.monotonic() < deadline and when_idle(only_made_due=True):
        batches += 1
    return batches


def hand_back(job: DBTaskResult) -> None:
    """An interrupted publish job, or one to try again: its conversion goes back to the
    queue with it."""
    if job.task_path == publish_upload.module_path:
        jobs.release(*job.args_kwargs["args"])


def given_up(job: DBTaskResult, exc: BaseException) -> None:
    """A publish job that kept meeting passing troubles: its document fails with a reason
    (an uploader can upload it again) instead of waiting forever."""
    if job.task_path == publish_upload.module_path:
        jobs.fail_unexpectedly(*job.args_kwargs["args"])


HOOKS = Hooks(
    on_start=on_start,
    when_idle=when_idle,
    hand_back=hand_back,
    on_given_up=given_up,
    on_stop=runtime.reset_context,
)
