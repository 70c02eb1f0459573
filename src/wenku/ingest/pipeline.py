"""The ingest pipeline: an ordered list of small stages sharing one Job.

The runner owns the temporary folder, timing, the error policy and cleanup:
a stage raises IngestError for a reason the uploader should read; any other
exception becomes an "internal" failure naming the stage (and is logged with its
traceback). ``StorageUnavailable`` (object storage not answering) is not the document's
fault and passes through, as do KeyboardInterrupt and other BaseExceptions, so the job is
tried again later or handed back instead of failing the document.
"""

from __future__ import annotations

import errno
import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings

from wenku.config import conf
from wenku.core import metrics
from wenku.core.storage import Storage, StorageUnavailable, get_storage
from wenku.ingest.errors import IngestError
from wenku.ingest.models import Conversion
from wenku.ingest.office.client import OfficeConverter
from wenku.ingest.pdf import PageInfo
from wenku.ingest.sniff import Detected, Limits

log = logging.getLogger(__name__)

# Bump when the pipeline's output changes, so stored results are rebuilt.
PIPELINE_VERSION = 4  # 2: page text in reading order, wrapped lines rejoined; 3: words PDFium
# hyphenated across a line end rejoined, Song-style fonts under their Ming/Mincho names laid out
# in AR PL UMing; 4: PDFs only poppler reads repaired by it, legacy Office files with a header
# olefile cannot parse checked from their bytes (refused before: uploaded again, they convert)


@dataclass(frozen=True)
class RenderSettings:
    eager_pages: int
    page_width: int
    cover_width: int
    quality: int
    max_pixels: int
    max_pages: int
    structured_pages: int  # pages whose headings and paragraphs are recovered (free preview)

    @classmethod
    def from_conf(cls) -> RenderSettings:
        w = conf()
        return cls(
            eager_pages=w.eager_pages,
            page_width=w.page_width,
            cover_width=w.cover_width,
            quality=w.webp_quality,
            max_pixels=w.max_page_pixels,
            max_pages=w.max_pages,
            structured_pages=max(w.preview_pages, w.eager_pages),
        )


@dataclass
class Context:
    """What stages need from the outside world, built once per worker process."""

    office: OfficeConverter
    storage: Storage
    limits: Limits
    render: RenderSettings
    tmp_root: Path

    @classmethod
    def from_django(cls, office: OfficeConverter) -> Context:
        w = conf()
        return cls(
            office=office,
            storage=get_storage(),
            limits=Limits(
                max_bytes=w.max_upload_mb * 1024 * 1024,
                zip_max_unpacked=w.zip_max_unpacked_mb * 1024 * 1024,
                zip_max_entries=w.zip_max_entries,
                zip_max_ratio=w.zip_max_ratio,
                macros=w.macro_documents,
            ),
            render=RenderSettings.from_conf(),
            tmp_root=settings.DATA_DIR / "tmp",
        )


@dataclass
class Job:
    conversion: Conversion
    original_name: str
    workdir: Path
    source: Path
    detected: Detected | None = None
    pdf: Path | None = None
    pages: list[PageInfo] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class Stage(Protocol):
    name: str

    def run(self, job: Job, ctx: Context) -> None:
        """Do this stage's work on the job, or raise IngestError."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    stage: str = ""
    code: str = ""
    params: dict[str, object] = field(default_factory=dict)


def _timed(job: Job, stage: str, started: float) -> None:
    seconds = time.perf_counter() - started
    job.timings[stage] = round(seconds, 4)
    metrics.STAGE_SECONDS.labels(stage).observe(seconds)


def run(
    conversion: Conversion, original_name: str, stages: Sequence[Stage], ctx: Context
) -> Outcome:
    """Run every stage in order on one conversion; return how it ended."""
    ctx.tmp_root.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="job-", dir=ctx.tmp_root))
    job = Job(conversion, original_name, workdir, workdir / "original")
    stage_name = "fetch"
    try:
        started = time.perf_counter()
        ctx.storage.fetch(conversion.original_key, job.source)
        _timed(job, "fetch", started)
        for stage in stages:
            stage_name = stage.name
            started = time.perf_counter()
            stage.run(job, ctx)
            _timed(job, stage.name, started)
        Conversion.objects.filter(pk=conversion.pk).update(timings=job.timings)
        log.info("ingested %s in %s", conversion.sha256[:12], job.timings)
        metrics.CONVERSIONS.labels("ready").inc()
        return Outcome(ok=True)
    except StorageUnavailable:
        raise  # not the document's fault: its job is tried again later
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            log.exception("ingest of %s crashed at %s", conversion.sha256[:12], stage_name)
            metrics.CONVERSIONS.labels("crashed").inc()
            return Outcome(False, stage_name, "internal", {"stage": stage_name})
        raise StorageUnavailable(exc.errno, f"no room for the job's files: {exc}") from exc
    except IngestError as exc:
        log.info("ingest of %s failed at %s: %s", conversion.sha256[:12], stage_name, exc)
        metrics.CONVERSIONS.labels("refused").inc()
        return Outcome(False, stage_name, exc.code, exc.params)
    except Exception:
        log.exception("ingest of %s crashed at %s", conversion.sha256[:12], stage_name)
        metrics.CONVERSIONS.labels("crashed").inc()
        return Outcome(False, stage_name, "internal", {"stage": stage_name})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
