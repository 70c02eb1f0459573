"""The sandbox in which a program reads an upload: LibreOffice (``office.client``) and
poppler's PDF repair (``ingest.repair``).

``bwrap`` (bubblewrap): no network, own PID/IPC/UTS namespaces, a read-only /usr and
fonts, a private /tmp, and of the machine's files only its own job folder, mounted at
/job, the one place it may write — so a document can neither fetch a URL nor read a
local file. Every program also gets an address-space limit, no core dumps, an
environment of its own (nothing of the worker's leaks into it) and a process group of
its own, which a timeout kills whole. ``none`` (hosts where bubblewrap cannot run) keeps
the limits and the environment, not the isolation.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

JOB = Path("/job")  # the job folder, as a sandboxed program sees it
FONTS_CONF = "/etc/wenku-fonts.conf"  # Wenku's fontconfig file, as it sees it


def environment(*, home: str, fonts_conf: str) -> dict[str, str]:
    """The whole environment a sandboxed program gets."""
    return {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "FONTCONFIG_FILE": fonts_conf}


def inside(jobdir: Path, sandbox: str) -> Path:
    """Where a program in ``sandbox`` finds the job folder ``jobdir``."""
    return JOB if sandbox == "bwrap" else jobdir


def bwrap_argv(
    jobdir: Path,
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    fonts_conf: Path,
    ro_binds: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """bubblewrap running ``command`` with only /usr, the fonts (``fonts_conf`` at
    ``FONTS_CONF``), ``ro_binds`` and the job folder (read-write, at /job) visible."""
    binds = [("/usr", "/usr"), ("/etc/fonts", "/etc/fonts"), (str(fonts_conf), FONTS_CONF)]
    optional_binds = [
        ("/etc/alternatives", "/etc/alternatives"),
        ("/var/cache/fontconfig", "/var/cache/fontconfig"),
    ]
    symlinks = [("usr/lib", "/lib"), ("usr/lib64", "/lib64"), ("usr/bin", "/bin"),
                ("usr/sbin", "/sbin")]  # fmt: skip
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session"]
    for source, target in [*binds, *ro_binds]:
        argv += ["--ro-bind", source, target]
    for source, target in optional_binds:
        argv += ["--ro-bind-try", source, target]
    for source, target in symlinks:
        argv += ["--symlink", source, target]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    argv += ["--bind", str(jobdir), str(JOB), "--chdir", str(JOB), "--clearenv"]
    for name, value in env.items():
        argv += ["--setenv", name, value]
    return [*argv, *command]


def limits(memory_mb: int) -> Callable[[], None]:
    """What the child applies to itself before it starts the program (``preexec_fn``)."""
    limit = memory_mb * 1024 * 1024

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run(
    command: Sequence[str],
    *,
    jobdir: Path,
    sandbox: str,
    timeout: float,
    memory_mb: int,
    fonts_conf: Path,
) -> int | None:
    """Run ``command`` (which names files as ``inside(jobdir, sandbox)`` shows them) to its
    end: its exit code, or None when it ran out of time and was killed with all its
    processes. Its output is dropped. Raises OSError if it cannot be started."""
    jobdir = Path(os.path.realpath(jobdir))
    if sandbox == "bwrap":
        env = environment(home="/tmp", fonts_conf=FONTS_CONF)
        argv = bwrap_argv(jobdir, command, env=env, fonts_conf=fonts_conf)
    else:
        env, argv = environment(home=str(jobdir), fonts_conf=str(fonts_conf)), list(command)
    proc = subprocess.Popen(
        argv,
        cwd=jobdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # its own process group: killpg reaches every child
        preexec_fn=limits(memory_mb),
    )
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        if proc.returncode is None:  # out of time (or this thread interrupted)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
