"""Batch conversions with a cold, throw-away LibreOffice: docx → doc/rtf/odt/pdf and so on.

The inputs are files the demo just wrote, so no sandbox is needed; each call gets
a fresh profile in a temporary folder and is killed as a whole on timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from wenku.ingest.office.client import FONTS_CONF


class OfficeMissing(RuntimeError):
    """LibreOffice is not installed where the settings say."""


class ConversionFailed(RuntimeError):
    """LibreOffice did not produce every requested file."""


def launcher(soffice: str) -> Path:
    """The ``soffice`` launcher beside ``soffice.bin`` (it restarts a first run, exit 81)."""
    path = Path(soffice)
    script = path.with_name("soffice") if path.name == "soffice.bin" else path
    if not script.is_file():
        raise OfficeMissing(
            f"LibreOffice not found at {soffice} (WENKU_SOFFICE). The demo needs it to make "
            ".doc, .rtf, .odt, .ppt, .odp, .xls, .ods and .pdf files: install it with "
            "`apt-get install --no-install-recommends libreoffice-writer-nogui "
            "libreoffice-impress-nogui libreoffice-calc-nogui`, and see `wenku doctor`."
        )
    return script


def check_soffice(soffice: str) -> None:
    launcher(soffice)


def convert(files: list[Path], target: str, outdir: Path, soffice: str, timeout: float) -> None:
    """Convert every file to ``target`` (an extension) into ``outdir``, in one LibreOffice run."""
    if not files:
        return
    script = launcher(soffice)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wenku-demo-office-") as home:
        argv = [
            str(script),
            f"-env:UserInstallation={Path(home, 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, files),
        ]
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "FONTCONFIG_FILE": str(FONTS_CONF),
            "SAL_USE_VCLPLUGIN": "svp",
        }
        proc = subprocess.Popen(
            argv,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a timeout kills all of it
        )
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionFailed(
                f"LibreOffice took over {timeout:.0f}s converting to {target}"
            ) from None
    missing = [f.name for f in files if not (outdir / f"{f.stem}.{target}").is_file()]
    if missing:
        detail = output.decode("utf-8", "replace").strip()[-500:]
        raise ConversionFailed(f"LibreOffice made no .{target} of {', '.join(missing)}: {detail}")
