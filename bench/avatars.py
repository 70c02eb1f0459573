"""Avatar benchmark: what re-encoding an uploaded picture costs, by its pixels.

Run from the repository root: ``.venv/bin/python bench/avatars.py``.

Flat-coloured pictures (small files, many pixels: what an attacker sends) of 6000×6000
in every accepted format, plus a 12-megapixel JPEG photo size and a 4K screenshot, each
re-encoded by ``accounts.avatars.reencode`` in a fresh process (a process's peak memory
is a high-water mark, read as VmHWM, and Pillow allocates outside Python): the outcome,
the wall time and the growth of the peak resident memory. The baseline is a 256×256 PNG, re-encoded
the same way in the same run.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from PIL import Image

from harness import machine_line, table, work_folder

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    ("PNG", 256, 256),
    ("PNG", 3840, 2160),
    ("JPEG", 4032, 3024),
    ("JPEG", 6000, 6000),
    ("PNG", 6000, 6000),
    ("WEBP", 6000, 6000),
    ("GIF", 6000, 6000),
]
MEASURE = r"""
import io, re, sys, time
import django
django.setup()
def peak():  # this process's own high-water mark (ru_maxrss also counts its parent's)
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read())[1]) / 1024
from wenku.accounts import avatars
data = open(sys.argv[1], "rb").read()
before = peak()
started = time.perf_counter()
try:
    avatars.reencode(io.BytesIO(data), 5 * 1024 * 1024)
    outcome = "accepted"
except avatars.AvatarRejected:
    outcome = "refused"
seconds = time.perf_counter() - started
growth = peak() - before
print(outcome, seconds, growth)
"""


def picture(fmt: str, width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def main() -> int:
    print(machine_line())
    rows = []
    with work_folder("wenku-bench-avatars-") as folder:
        env = {"DJANGO_SETTINGS_MODULE": "wenku.settings", "WENKU_DATA_DIR": str(folder / "d")}
        for fmt, width, height in CASES:
            path = folder / f"{width}x{height}.{fmt.lower()}"
            path.write_bytes(picture(fmt, width, height))
            result = subprocess.run(
                [sys.executable, "-c", MEASURE, str(path)],
                capture_output=True,
                text=True,
                env={**_environ(), **env},
                cwd=ROOT,
                check=True,
            )
            outcome, seconds, growth = result.stdout.split()
            rows.append(
                [
                    f"{fmt} {width}×{height}",
                    f"{path.stat().st_size // 1024} KB",
                    f"{width * height / 1e6:.1f}",
                    outcome,
                    f"{float(seconds) * 1000:.0f}",
                    f"{float(growth):.0f}",
                ]
            )
    print()
    print(table(["picture", "file", "megapixels", "outcome", "ms", "peak MB +"], rows))
    return 0


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("WENKU_")}


if __name__ == "__main__":
    sys.exit(main())
