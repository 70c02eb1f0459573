"""Run child processes until Ctrl-C (or SIGTERM), restarting the ones that may restart.

Used by ``wenku serve`` (web server + worker) and ``wenku worker --concurrency N``.
A stop signal is passed to every child; children that have not exited after a
grace period are killed, so nothing is left running.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

log = logging.getLogger("wenku.supervise")
GRACE_SECONDS = 20.0


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    restart: bool  # restart if it exits unexpectedly; otherwise its exit stops everything
    proc: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(list(self.argv), env=env)


class Supervisor:
    def __init__(self, children: Sequence[Child], env: dict[str, str] | None = None) -> None:
        self.children = list(children)
        self.env = dict(os.environ if env is None else env)
        self.stopping = False

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stopping = True

    def run(self, on_started: Callable[[], None] | None = None) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for child in self.children:
            child.start(self.env)
        if on_started is not None:
            threading.Thread(target=on_started, daemon=True).start()
        status = 0
        while not self.stopping:
            time.sleep(0.2)
            for child in self.children:
                assert child.proc is not None
                code = child.proc.poll()
                if code is None or self.stopping:
                    continue
                if not child.restart:
                    log.error("%s exited with status %s; stopping", child.name, code)
                    status = code or 1
                    self.stopping = True
                    break
                self._restart(child, code)
        self._stop_all()
        return status

    def _restart(self, child: Child, code: int) -> None:
        now = time.monotonic()
        child.restarts = [t for t in child.restarts if now - t < 60] + [now]
        delay = min(30.0, 0.5 * 2 ** (len(child.restarts) - 1))
        log.warning("%s exited with status %s; restarting in %.1fs", child.name, code, delay)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and not self.stopping:
            time.sleep(0.1)
        if not self.stopping:
            child.start(self.env)

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.proc and c.proc.poll() is None]
        for child in running:
            assert child.proc is not None
            child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in running:
            assert child.proc is not None
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", child.name)
                child.proc.kill()
                child.proc.wait()
