"""The worker's side of a warm, sandboxed LibreOffice.

``OfficeConverter`` keeps one LibreOffice running (through ``bridge.py``) and sends
it one conversion at a time. Each conversion has a wall-clock timeout; on timeout,
crash or protocol error the whole sandbox is killed (every process in it: no
orphaned soffice.bin) and a fresh one is started for the next document.

Isolation (``sandbox="bwrap"``): LibreOffice runs in the sandbox of ``ingest.sandbox``
(bubblewrap: no network, a read-only /usr, only its own job folder visible), its private
/tmp holding a throw-away hardened profile, so a document can neither fetch a URL nor
read a local file. An address-space limit bounds its memory.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import select
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from wenku.config import conf
from wenku.ingest import sandbox
from wenku.ingest.errors import IngestError

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
BRIDGE = HERE / "bridge.py"
FONTS_CONF = HERE / "fonts.conf"
START_TIMEOUT = 120.0


def office_environment(*, home: str, fonts_conf: str) -> dict[str, str]:
    """The whole environment LibreOffice gets: nothing of the worker's leaks into it."""
    return {**sandbox.environment(home=home, fonts_conf=fonts_conf), "SAL_USE_VCLPLUGIN": "svp"}


class _Gone(Exception):
    """The bridge was gone before the request reached it."""


class OfficeUnavailable(RuntimeError):
    """LibreOffice could not be started at all (not installed, sandbox refused ...)."""


@dataclass(frozen=True)
class OfficeSettings:
    soffice: str
    python: str
    sandbox: str  # "bwrap" or "none"
    timeout: float
    memory_mb: int
    restart_after: int
    workdir: Path
    fonts_conf: Path = FONTS_CONF

    @classmethod
    def from_django(cls) -> OfficeSettings:
        from django.conf import settings

        w = conf()
        return cls(
            soffice=w.soffice,
            python=w.uno_python,
            sandbox=w.office_sandbox,
            timeout=w.office_timeout,
            memory_mb=w.office_memory_mb,
            restart_after=w.office_restart_after,
            workdir=settings.DATA_DIR / "tmp",
        )


class OfficeConverter:
    def __init__(self, settings: OfficeSettings) -> None:
        self.settings = settings
        self.proc: subprocess.Popen[bytes] | None = None
        self.jobdir: Path | None = None
        self.soffice_pid: int | None = None
        self._buffer = b""
        self._served = 0
        self._counter = 0
        self._lock = threading.Lock()

    # --- lifecycle

    def start(self) -> None:
        """Start LibreOffice now (a worker calls this at boot so the first upload is fast).

        Call it from a thread that lives as long as the converter is used: the sandbox
        dies with the thread that started it (PR_SET_PDEATHSIG follows threads).
        """
        with self._lock:
            if self.proc is None:
                self._spawn()

    def close(self) -> None:
        with self._lock:
            self._kill()

    def __enter__(self) -> OfficeConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def sandbox_pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _spawn(self) -> None:
        s = self.settings
        s.workdir.mkdir(parents=True, exist_ok=True)
        self.jobdir = Path(
            os.path.realpath(s.workdir / f"office-{os.getpid()}-{secrets.token_hex(4)}")
        )
        self.jobdir.mkdir()
        pipe = f"wenku{os.getpid()}_{secrets.token_hex(4)}"
        if s.sandbox == "bwrap":
            argv = self._bwrap_argv(pipe)
        else:
            profile = self.jobdir / "profile"
            argv = [
                s.python,
                str(BRIDGE),
                "--soffice",
                s.soffice,
                "--profile",
                str(profile),
                "--pipe",
                pipe,
            ]
        env = office_environment(home=str(self.jobdir), fonts_conf=str(s.fonts_conf))
        started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # its own process group: killpg reaches every child
                preexec_fn=sandbox.limits(s.memory_mb),
            )
        except OSError as exc:
            raise OfficeUnavailable(f"cannot start {argv[0]}: {exc}") from exc
        self._buffer = b""
        self._served = 0
        try:
            hello = self._read_reply(time.monotonic() + START_TIMEOUT)
        except (TimeoutError, EOFError) as exc:
            self._kill()
            raise OfficeUnavailable(f"LibreOffice did not start: {exc}") from exc
        self.soffice_pid = hello.get("pid")
        log.info("LibreOffice ready in %.2fs (sandbox=%s)", time.monotonic() - started, s.sandbox)

    def _bwrap_argv(self, pipe: str) -> list[str]:
        s = self.settings
        assert self.jobdir is not None
        # /tmp (and so the profile) is private and thrown away with the sandbox.
        env = office_environment(home="/tmp", fonts_conf=sandbox.FONTS_CONF)
        command = [s.python, "/bridge.py", "--soffice", s.soffice,
                   "--profile", "/tmp/profile", "--pipe", pipe]  # fmt: skip
        binds = [("/etc/libreoffice", "/etc/libreoffice"), (str(BRIDGE), "/bridge.py")]
        return sandbox.bwrap_argv(
            self.jobdir, command, env=env, fonts_conf=s.fonts_conf, ro_binds=binds
        )

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            for pipe in (proc.stdin, proc.stdout):
                try:
                    if pipe:
                        pipe.close()
                except OSError:
                    pass
            proc.wait()
        if self.jobdir is not None:
            shutil.rmtree(self.jobdir, ignore_errors=True)
            self.jobdir = None
        self.soffice_pid = None

    # --- conversions

    def convert(
        self, source: Path, target: Path, *, html: bool = False, timeout: float | None = None
    ) -> None:
        """Convert source to a PDF at target, or raise IngestError (convert_*)."""
        timeout = self.settings.timeout if timeout is None else timeout
        with self._lock:
            if self.proc is None or self.proc.poll() is not None:
                self._kill()
                try:
                    self._spawn()
                except OfficeUnavailable as exc:
                    log.error("%s", exc)
                    raise IngestError("converter_unavailable") from None
            try:
                try:
                    self._convert(source, target, html, timeout)
                except _Gone:
                    # LibreOffice died while idle (before it saw this document): start
                    # a fresh one and give the document its chance.
                    log.warning("LibreOffice had exited; restarting it")
                    self._kill()
                    self._spawn()
                    self._convert(source, target, html, timeout)
            except _Gone:
                self._kill()
                raise IngestError("convert_crashed") from None
            except BaseException:
                # A failed or interrupted conversion may leave LibreOffice in any state.
                self._kill()
                raise
            self._served += 1
            if self._served >= self.settings.restart_after:
                self._kill()

    def _convert(self, source: Path, target: Path, html: bool, timeout: float) -> None:
        assert self.proc is not None and self.proc.stdin is not None and self.jobdir is not None
        self._counter += 1
        slot = self.jobdir / str(self._counter)
        slot.mkdir()
        try:
            name = source.name  # what a file-name field in a header or footer shows
            shutil.copyfile(source, slot / name)
            inside = sandbox.inside(self.jobdir, self.settings.sandbox)
            request = {
                "in": str(inside / slot.name / name),
                "out": str(inside / slot.name / "out.pdf"),
                "html": html,
            }
            try:
                self.proc.stdin.write(json.dumps(request).encode() + b"\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                raise _Gone() from None
            try:
                reply = self._read_reply(time.monotonic() + timeout)
            except TimeoutError:
                raise IngestError("convert_timeout", seconds=int(timeout)) from None
            except (EOFError, BrokenPipeError):
                raise IngestError("convert_crashed") from None
            if not reply.get("ok"):
                log.info("conversion failed: %s", reply)
                if reply.get("error") == "crashed":
                    raise IngestError("convert_crashed")
                raise IngestError("convert_failed")
            output = slot / "out.pdf"
            if not output.is_file() or output.stat().st_size == 0:
                raise IngestError("convert_failed")
            shutil.move(output, target)
        finally:
            shutil.rmtree(slot, ignore_errors=True)

    def _read_reply(self, deadline: float) -> dict:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from LibreOffice")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise EOFError("LibreOffice exited")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)
