"""Taking in an upload's bytes: streamed into content-addressed storage while hashed.

Identical files share one stored original and one ``Conversion`` (see
``conversions.for_upload``), so their results are computed once.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from wenku.core.storage import StorageUnavailable, get_storage
from wenku.core.units import human_size
from wenku.ingest import keys

CHUNK = 1024 * 1024


class TooLarge(ValueError):
    """The upload is larger than the site accepts; nothing was stored."""


class Unavailable(Exception):
    """The upload cannot be stored right now (the disk is full, object storage does not
    answer); nothing was kept, and the same upload will work once it can."""


NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


def unavailable(exc: BaseException) -> Unavailable:
    """The uploader's words for a passing storage trouble."""
    if (isinstance(exc, OSError) and exc.errno in NO_ROOM) or "full" in str(exc).lower():
        return Unavailable(
            _("The server has no room for new files right now. Please try again later.")
        )
    return Unavailable(_("Files cannot be stored right now. Please try again in a few minutes."))


@dataclass(frozen=True)
class StoredUpload:
    sha256: str
    size: int


def store_upload(stream: IO[bytes], max_bytes: int) -> StoredUpload:
    """Stream an upload into storage under its SHA-256, hashing as it goes; raise TooLarge
    (keeping nothing) past ``max_bytes``."""
    tmp_dir = settings.DATA_DIR / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        fd, tmp_name = tempfile.mkstemp(prefix="upload-", dir=tmp_dir)
    except OSError as exc:
        raise unavailable(exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(
                        _("The file is larger than %(limit)s.") % {"limit": human_size(max_bytes)}
                    )
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        storage = get_storage()
        key = keys.original(sha)
        if not storage.exists(key):
            storage.put_file(key, tmp)
        return StoredUpload(sha, size)
    except StorageUnavailable as exc:
        raise unavailable(exc) from exc
    except OSError as exc:
        if exc.errno in NO_ROOM:
            raise unavailable(exc) from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)
