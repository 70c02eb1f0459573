"""What the worker loop does around publishing's jobs (``wenku worker`` passes ``HOOKS``)."""

from __future__ import annotations

import logging

from django_tasks_db.models import DBTaskResult

from wenku.ingest import runtime
from wenku.publishing import jobs
from wenku.publishing.tasks import publish_upload
from wenku.search import indexing, related
from wenku.worker.runner import Hooks

log = logging.getLogger(__name__)
CATCH_UP_AT_START = 500
IDLE_BATCH = 25  # related lists refreshed between two looks for a job


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


def when_idle() -> bool:
    """Store a few missing or stale related-document lists; say whether there were any."""
    return related.refresh_due(IDLE_BATCH) > 0


def hand_back(job: DBTaskResult) -> None:
    """An interrupted publish job: its conversion goes back to the queue with it."""
    if job.task_path == publish_upload.module_path:
        jobs.release(*job.args_kwargs["args"])


HOOKS = Hooks(
    on_start=on_start, when_idle=when_idle, hand_back=hand_back, on_stop=runtime.reset_context
)
