"""Which workers are alive, and recovery of jobs whose worker died (kill -9, OOM, power cut).

Every worker process keeps a heartbeat row fresh. A job still marked running by a
worker whose heartbeat is older than WENKU_WORKER_LEASE_SECONDS is put back in the
queue for the next worker; the ingest job then takes over the half-done conversion
(and counts the attempt, so a document that kills its worker every time fails
with a reason instead of looping).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wenku.config import conf
from wenku.worker.models import Heartbeat

log = logging.getLogger(__name__)
_current = threading.local()


def set_current(worker_id: str) -> None:
    """This thread runs jobs for ``worker_id`` (the worker loop says so at start)."""
    _current.value = worker_id


def current() -> str:
    """The worker running this thread's job; 'inline-<pid>' outside a worker."""
    return getattr(_current, "value", None) or f"inline-{os.getpid()}"


def lease_seconds() -> float:
    return float(conf().worker_lease_seconds)


def is_alive(worker_id: str) -> bool:
    if not worker_id:
        return False
    return Heartbeat.objects.alive(lease_seconds()).filter(worker_id=worker_id).exists()


def beat(worker_id: str, current_task: str = "") -> None:
    Heartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "last_seen": timezone.now(),
            "current_task": current_task,
        },
    )


def forget(worker_id: str) -> None:
    Heartbeat.objects.filter(worker_id=worker_id).delete()


def requeue_orphans() -> int:
    """Put back jobs whose worker is dead; return how many."""
    alive = set(Heartbeat.objects.alive(lease_seconds()).values_list("worker_id", flat=True))
    grace = timezone.now() - timedelta(seconds=lease_seconds())
    requeued = 0
    running = DBTaskResult.objects.running().filter(started_at__lt=grace)
    for result_id, worker_ids in running.values_list("id", "worker_ids"):
        if worker_ids and worker_ids[-1] in alive:
            continue
        with transaction.atomic():
            count = DBTaskResult.objects.filter(id=result_id, status="RUNNING").update(
                status="READY", started_at=None
            )
        if count:
            log.warning("requeued job %s: its worker %s stopped", result_id, worker_ids[-1:])
            requeued += count
    Heartbeat.objects.filter(last_seen__lt=timezone.now() - timedelta(days=1)).delete()
    return requeued
