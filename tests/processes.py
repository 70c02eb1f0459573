"""Asking about processes that may end while they are asked about."""

from __future__ import annotations

import psutil


def running(pid: int) -> bool:
    """Alive and not a zombie. A process that ends between two questions is gone, not an
    error (CI failed on ``pid_exists(p) and Process(p).status()`` when one exited between
    the two)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
