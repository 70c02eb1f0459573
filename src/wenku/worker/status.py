"""What the queues and workers are doing: for the staff page and for ``/metrics``.

Read from the database at the moment of asking (the queue is its table): per queue, the
jobs waiting now, waiting for a retry, running, failed; the age of the oldest waiting
job; the workers whose heartbeat is fresh and what each runs; the latest failures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.core import GaugeMetricFamily, Metric

from wenku.worker import liveness
from wenku.worker.models import Heartbeat

RECENT_FAILURES = 20


@dataclass
class QueueState:
    name: str
    ready: int = 0  # may run now
    delayed: int = 0  # waiting for a retry's back-off
    running: int = 0
    failed: int = 0
    succeeded: int = 0
    oldest_ready_seconds: float = 0.0


@dataclass
class Snapshot:
    queues: list[QueueState] = field(default_factory=list)
    workers: list[Heartbeat] = field(default_factory=list)
    failures: list[DBTaskResult] = field(default_factory=list)
    taken_at: datetime = field(default_factory=timezone.now)


def queues(now: datetime | None = None) -> list[QueueState]:
    now = now or timezone.now()
    unset = get_date_max()  # django-tasks-db's run_after of a job that may run at once
    due = Q(status="READY") & (Q(run_after=unset) | Q(run_after__lte=now))
    later = Q(status="READY") & Q(run_after__gt=now) & ~Q(run_after=unset)
    rows = (
        DBTaskResult.objects.values("queue_name")
        .annotate(
            ready=Count("pk", filter=due),
            delayed=Count("pk", filter=later),
            running=Count("pk", filter=Q(status="RUNNING")),
            failed=Count("pk", filter=Q(status="FAILED")),
            succeeded=Count("pk", filter=Q(status="SUCCESSFUL")),
            oldest=Min("enqueued_at", filter=due),
        )
        .order_by("queue_name")
    )
    found = []
    for row in rows:
        oldest = row["oldest"]
        found.append(
            QueueState(
                name=row["queue_name"],
                ready=row["ready"],
                delayed=row["delayed"],
                running=row["running"],
                failed=row["failed"],
                succeeded=row["succeeded"],
                oldest_ready_seconds=(now - oldest).total_seconds() if oldest else 0.0,
            )
        )
    return found


def snapshot() -> Snapshot:
    workers = list(Heartbeat.objects.alive(liveness.lease_seconds()).order_by("worker_id"))
    failures = list(
        DBTaskResult.objects.failed()
        .filter(finished_at__gte=timezone.now() - timedelta(days=7))
        .order_by("-finished_at")
        .defer("return_value")[:RECENT_FAILURES]
    )
    return Snapshot(queues=queues(), workers=workers, failures=failures)


def gather() -> Iterable[Metric]:
    """The queues and workers as Prometheus gauges (read at scrape time)."""
    depth = GaugeMetricFamily(
        "wenku_queue_depth", "Jobs waiting in a queue, by state.", labels=["queue", "state"]
    )
    age = GaugeMetricFamily(
        "wenku_queue_oldest_seconds",
        "Age of the oldest job that may run now, by queue (0 when none waits).",
        labels=["queue"],
    )
    for queue in queues():
        for state in ("ready", "delayed", "running", "failed"):
            depth.add_metric([queue.name, state], getattr(queue, state))
        age.add_metric([queue.name], queue.oldest_ready_seconds)
    alive = GaugeMetricFamily("wenku_workers_alive", "Workers with a fresh heartbeat.")
    alive.add_metric([], Heartbeat.objects.alive(liveness.lease_seconds()).count())
    return [depth, age, alive]
