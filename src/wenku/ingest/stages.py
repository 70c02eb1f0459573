"""The conversion stages, in order: preflight, normalise, read, count, render. Each is
small and does one thing to the Job. Publishing adds its own stages after these
(``wenku.publishing.stages``: fingerprint, publish); ingest knows nothing of them."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from django.db import transaction

from wenku.config import conf
from wenku.ingest import decrypt, textdocs
from wenku.ingest import pdf as pdfmod
from wenku.ingest.counting import count_chars
from wenku.ingest.errors import IngestError
from wenku.ingest.models import Conversion, OcrState, Page
from wenku.ingest.ocr import needs_ocr
from wenku.ingest.pipeline import Context, Job, Stage
from wenku.ingest.rendering import render_and_store, store_cover_image
from wenku.ingest.sniff import OFFICE_FORMATS, inspect_file
from wenku.worker.slots import slot

log = logging.getLogger(__name__)


class Preflight:
    """Identify the file from its bytes and refuse what must not reach a converter."""

    name = "preflight"

    def run(self, job: Job, ctx: Context) -> None:
        try:
            job.detected = inspect_file(job.source, job.original_name, ctx.limits)
        except IngestError as exc:
            # Encrypted with Office's default password: Office opens it without asking.
            plain = None
            if exc.code == "encrypted":
                plain = decrypt.with_default_password(job.source, job.workdir / "decrypted")
            if plain is None:
                raise
            job.source = plain
            job.detected = inspect_file(job.source, job.original_name, ctx.limits)
        named = job.source.with_name(f"original.{job.detected.format}")
        job.source = job.source.rename(named)
        Conversion.objects.filter(pk=job.conversion.pk).update(
            format=job.detected.format, macros=job.detected.macros
        )
        job.conversion.format = job.detected.format
        job.conversion.macros = job.detected.macros


class Normalise:
    """Turn every format into a PDF: office files and text through LibreOffice."""

    name = "normalise"

    def run(self, job: Job, ctx: Context) -> None:
        assert job.detected is not None
        fmt = job.detected.format
        if fmt == "pdf":
            job.pdf = self._readable_pdf(job, ctx)
            return
        target = job.workdir / "document.pdf"
        if fmt in OFFICE_FORMATS:
            # Named after the upload: a header's file-name field shows it.
            source, html = job.workdir / "named" / f"{_file_stem(job.original_name)}.{fmt}", False
            source.parent.mkdir()
            shutil.copyfile(job.source, source)
        else:
            source, html = job.workdir / "document.html", True
            source.write_text(self._html(job), encoding="utf-8")
        # LibreOffice is limited per machine (WENKU_OFFICE_CONCURRENCY), apart from the
        # worker processes that read and render meanwhile.
        with slot("office", conf().office_concurrency):
            ctx.office.convert(source, target, html=html)
        ctx.storage.put_file(job.conversion.pdf_key, target)
        job.pdf = target

    @staticmethod
    def _readable_pdf(job: Job, ctx: Context) -> Path:
        """The upload itself when PDFium reads it; else a copy qpdf repaired (a damaged
        cross-reference table, a missing header), stored as the conversion's PDF."""
        try:
            with pdfmod.open_pdf(job.source) as doc:
                pdfmod.page_count(doc)
            return job.source
        except IngestError as exc:
            if exc.code != "pdf_damaged":
                return job.source  # encrypted: the read stage says so
        repaired = pdfmod.repair(job.source, job.workdir / "repaired.pdf")
        if repaired is None:
            return job.source  # beyond repair: the read stage says so
        Conversion.objects.filter(pk=job.conversion.pk).update(pdf_repaired=True)
        job.conversion.pdf_repaired = True
        ctx.storage.put_file(job.conversion.pdf_key, repaired)
        return repaired

    @staticmethod
    def _html(job: Job) -> str:
        assert job.detected is not None
        title = job.original_name.rsplit(".", 1)[0]
        if job.detected.format == "epub":
            return textdocs.epub_to_html(job.source, title)
        text = textdocs.read_text(job.source, job.detected.encoding)
        if job.detected.format == "md":
            return textdocs.markdown_to_html(text, title)
        return textdocs.text_to_html(text, title)


_UNSAFE_NAME = re.compile(r"[^\w\-. ()（）]+")


def _file_stem(original_name: str) -> str:
    """The upload's name without its extension, safe as a file name: LibreOffice shows it
    in a header's or footer's file-name field (not the sandbox's own name for the file)."""
    stem = original_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    stem = _UNSAFE_NAME.sub("_", stem).strip(" .")[:80]
    return stem or "document"


class Read:
    """Count the PDF's pages and read each page's size and text (the pages up to the first
    that does not load: a damaged page tree keeps what can be shown)."""

    name = "read"

    def run(self, job: Job, ctx: Context) -> None:
        assert job.pdf is not None
        with pdfmod.open_pdf(job.pdf) as doc:
            count = pdfmod.page_count(doc)
            if count == 0:
                raise IngestError("no_pages")
            if count > ctx.render.max_pages:
                raise IngestError("too_many_pages", pages=count, limit=ctx.render.max_pages)
            structured = ctx.render.structured_pages
            job.pages = []
            for i in range(count):
                try:
                    job.pages.append(pdfmod.read_page(doc, i, structure=i < structured))
                except pdfmod.pdfium.PdfiumError:
                    # A page tree can list pages that do not load: the document is the
                    # pages before the first such one, if there are any.
                    log.info("page %s of %s does not load", i + 1, job.conversion.sha256[:12])
                    break
            if not job.pages:
                raise IngestError("pdf_damaged")


class Count:
    """字数 per page and in total; store the pages, scanned ones marked for OCR (which
    publishing runs after the publish)."""

    name = "count"

    def run(self, job: Job, ctx: Context) -> None:
        ocr = conf().ocr
        rows = [
            Page(
                conversion=job.conversion,
                number=p.number,
                width=p.width,
                height=p.height,
                text=p.text,
                blocks=p.blocks,
                char_count=count_chars(p.text),
                ocr=OcrState.PENDING if ocr and needs_ocr(p.text, p.images) else OcrState.NONE,
            )
            for p in job.pages
        ]
        with transaction.atomic():
            Page.objects.filter(conversion=job.conversion).delete()
            Page.objects.bulk_create(rows, batch_size=500)
        job.conversion.page_count = len(rows)
        job.conversion.char_count = sum(r.char_count for r in rows)


class Render:
    """Cover and the first pages as WebP, page 1 first so a preview appears soonest (an
    EPUB's cover is its cover picture)."""

    name = "render"

    def run(self, job: Job, ctx: Context) -> None:
        assert job.pdf is not None
        eager = min(ctx.render.eager_pages, len(job.pages))
        covered = self._own_cover(job, ctx)
        with pdfmod.open_pdf(job.pdf) as doc:
            for number in range(1, eager + 1):
                first = number == 1 and not covered
                render_and_store(doc, job.conversion, number, ctx.render, ctx.storage, cover=first)

    @staticmethod
    def _own_cover(job: Job, ctx: Context) -> bool:
        """An EPUB's cover picture as the cover (its first page is the first chapter)."""
        if job.detected is None or job.detected.format != "epub":
            return False
        picture = textdocs.epub_cover(job.source)
        return picture is not None and store_cover_image(
            job.conversion, picture, ctx.render, ctx.storage
        )


CONVERSION_STAGES: tuple[Stage, ...] = (
    Preflight(),
    Normalise(),
    Read(),
    Count(),
    Render(),
)
