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
from wenku.ingest import decrypt, repair, textdocs
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
    """Turn every format into a PDF: office files and text through LibreOffice (a PDF is
    its own)."""

    name = "normalise"

    def run(self, job: Job, ctx: Context) -> None:
        assert job.detected is not None
        fmt = job.detected.format
        if fmt == "pdf":
            job.pdf = job.source  # as it is: the read stage repairs what PDFium cannot read
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


# What a repaired copy may overcome: PDFium finds the file damaged, or asks for a password
# (a broken encryption dictionary; a real password stops qpdf and poppler too).
UNREADABLE = frozenset({"pdf_damaged", "pdf_encrypted"})
# A repaired copy's share of the 字数 PDFium read from the upload's own pages, at the least:
# poppler's copies of the corpus's PDFs kept 76–100 % (words split or joined differently),
# or 2–11 % (a font whose characters it could not map). Half lies between.
TEXT_KEPT = 0.5


class Read:
    """Count the PDF's pages and read each page's size and text (the pages up to the first
    that does not load: a damaged page tree keeps what can be shown).

    An uploaded PDF that PDFium cannot open, or of which a page does not load, is repaired
    first (``ingest.repair``: qpdf's copy, then poppler's): the first copy that reads more
    pages, keeping the text of those read already (``TEXT_KEPT``), is read instead and
    stored as the conversion's PDF.
    """

    name = "read"

    def run(self, job: Job, ctx: Context) -> None:
        assert job.pdf is not None
        uploaded = job.pdf == job.source  # a PDF upload, not LibreOffice's output
        refusal = None
        try:
            pages, count = _read_pages(job.pdf, ctx, job.conversion.sha256[:12])
        except IngestError as exc:
            if exc.code not in UNREADABLE or not uploaded:
                raise
            pages, count, refusal = [], 0, exc
        if uploaded and (refusal is not None or len(pages) < count or count == 0):
            for copy in repair.copies(job.source, job.workdir):
                more, more_count = _read_pages(copy, ctx, f"{copy.stem} copy")
                if len(more) > len(pages) and _kept_text(pages, more):
                    _keep_repaired(job, ctx, copy)
                    pages, count, refusal = more, more_count, None
                    break
        if refusal is not None:
            raise refusal
        if count == 0:
            raise IngestError("no_pages")
        if not pages:
            raise IngestError("pdf_damaged")
        job.pages = pages


def _read_pages(pdf: Path, ctx: Context, label: str) -> tuple[list[pdfmod.PageInfo], int]:
    """The pages up to the first that does not load, and how many PDFium counts."""
    with pdfmod.open_pdf(pdf) as doc:
        count = pdfmod.page_count(doc)
        if count > ctx.render.max_pages:
            raise IngestError("too_many_pages", pages=count, limit=ctx.render.max_pages)
        structured = ctx.render.structured_pages
        pages = []
        for i in range(count):
            try:
                pages.append(pdfmod.read_page(doc, i, structure=i < structured))
            except pdfmod.pdfium.PdfiumError:
                # A page tree can list pages that do not load: the document is the pages
                # before the first such one, if there are any.
                log.info("page %s of %s does not load", i + 1, label)
                break
    return pages, count


def _kept_text(pages: list[pdfmod.PageInfo], more: list[pdfmod.PageInfo]) -> bool:
    before = sum(count_chars(p.text) for p in pages)
    after = sum(count_chars(p.text) for p in more[: len(pages)])
    return after >= TEXT_KEPT * before


def _keep_repaired(job: Job, ctx: Context, copy: Path) -> None:
    """The repaired copy becomes the conversion's PDF (the original stays the upload)."""
    Conversion.objects.filter(pk=job.conversion.pk).update(pdf_repaired=True)
    job.conversion.pdf_repaired = True
    ctx.storage.put_file(job.conversion.pdf_key, copy)
    job.pdf = copy


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
