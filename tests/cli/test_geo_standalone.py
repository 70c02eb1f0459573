"""`wenku geo update` runs where `make run` runs it: before Django's settings exist."""

from __future__ import annotations

import os
import subprocess
import sys


def test_geo_commands_import_without_django_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["WENKU_DATA_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", "import wenku.core.geo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
