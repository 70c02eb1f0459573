from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone


class HeartbeatQuerySet(models.QuerySet["Heartbeat"]):
    def alive(self, lease_seconds: float) -> HeartbeatQuerySet:
        return self.filter(last_seen__gte=timezone.now() - timedelta(seconds=lease_seconds))


class Heartbeat(models.Model):
    """A running worker process. A worker whose heartbeat is older than the lease is dead."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(db_index=True)
    current_task = models.CharField(max_length=64, blank=True)

    objects = HeartbeatQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class Lease(models.Model):
    """A piece of work (``related:42``) claimed by one worker until ``expires_at``."""

    name = models.CharField(max_length=120, primary_key=True)
    holder = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} → {self.holder} until {self.expires_at:%H:%M:%S}"
