"""Settings for the test run: Wenku's own, pointed at a throw-away data folder.

The folder must be chosen before Django reads its settings, which pytest-django
does before any conftest runs; so it is chosen here, in the settings module.
"""

import os
import tempfile

os.environ["WENKU_DATA_DIR"] = tempfile.mkdtemp(prefix="wenku-tests-")
# Views are written during the request, so tests see them at once (no background thread).
os.environ["WENKU_VIEW_FLUSH_SECONDS"] = "0"

from wenku.settings import *  # noqa: F403

PASSWORD_HASHERS = ["tests.hashers.OneIterationPBKDF2"]
