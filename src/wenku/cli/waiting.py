"""Waiting, with a progress bar, until documents are processed (``import --wait``, ``demo``).

If no worker is alive (no fresh heartbeat), nobody would process the jobs, so a
worker runs in a thread of this process until the documents are done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from wenku.config import conf

# Anything but waiting: ready, failed, or decided by the review (held, rejected …).
UNFINISHED = ("queued", "processing")
FINISH_SECONDS = 60


@contextmanager
def worker_if_none_running() -> Iterator[bool]:
    """Run a local worker while the block runs, unless one is alive; yield whether we did.
    When the block ends normally, the related lists its documents made due are refreshed
    before returning (for at most ``FINISH_SECONDS``), as the local worker would have done
    next had it stayed."""

    from wenku.publishing.worker import HOOKS, finish_made_due
    from wenku.worker.liveness import lease_seconds
    from wenku.worker.models import Heartbeat
    from wenku.worker.runner import Worker

    if Heartbeat.objects.alive(lease_seconds()).exists():
        yield False
        return
    local = Worker(poll_seconds=conf().worker_poll_seconds, hooks=HOOKS)
    thread = threading.Thread(target=local.run, name="local-worker", daemon=True)
    thread.start()
    try:
        yield True
    finally:
        local.stop()
        thread.join(timeout=60)
    finish_made_due(FINISH_SECONDS)


def wait_for_documents(
    console: Any, ids: Collection[int], label: str = "Processing", poll: float = 0.3
) -> dict[int, str]:
    """Block until no document waits for its job any more (ready, failed, held, rejected …);
    return each one's status."""
    from rich.progress import Progress

    from wenku.library.models import Document

    wanted = list(ids)
    with worker_if_none_running(), Progress(console=console) as progress:
        bar = progress.add_task(label, total=len(wanted))
        while True:
            states = dict(Document.objects.filter(pk__in=wanted).values_list("pk", "status"))
            done = sum(1 for s in states.values() if s not in UNFINISHED)
            progress.update(bar, completed=done)
            if done >= len(states):
                return states
            time.sleep(poll)
