"""Limits on one machine: at most N holders of a named slot at once, across processes.

A worker process that is about to use something scarce on its machine — LibreOffice's
memory, an OCR engine's CPU — holds a slot while it does (``with slot("office", 2):``).
The slots are ``flock``s on files in a folder of the data folder's ``tmp/``: the kernel
releases a slot when its holder exits, even by ``kill -9``, so none is ever lost.
A limit of 0 means no limit. Waiting is an ordinary sleep, so a stopping worker
(SIGINT/SIGTERM) is not held up.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)
FIRST_WAIT = 0.02
LONGEST_WAIT = 0.5


def folder() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "tmp" / "slots"


@contextmanager
def slot(name: str, limit: int, where: Path | None = None) -> Iterator[int]:
    """Hold one of ``limit`` slots called ``name`` on this machine while the block runs;
    yields its number (-1 when there is no limit)."""
    if limit <= 0:
        yield -1
        return
    where = where or folder()
    where.mkdir(parents=True, exist_ok=True)
    wait, waited, started = FIRST_WAIT, False, time.monotonic()
    while True:
        for number in range(limit):
            fd = os.open(where / f"{name}-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            if waited:
                log.info("waited %.1f s for a %s slot", time.monotonic() - started, name)
            try:
                yield number
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        waited = True
        time.sleep(wait)
        wait = min(LONGEST_WAIT, wait * 2)
