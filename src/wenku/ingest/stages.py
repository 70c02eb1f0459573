"""The pipeline's stages, in order (DESIGN.md §3): preflight, normalise, read, count,
render, fingerprint, publish. Each is small and does one thing to the Job."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from wenku.ingest import pdf as pdfmod
from wenku.ingest import textdocs
from wenku.ingest.counting import count_chars
from wenku.ingest.errors import IngestError
from wenku.ingest.models import Conversion, Page, Status
from wenku.ingest.pipeline import PIPELINE_VERSION, Context, Job, Stage
from wenku.ingest.sniff import OFFICE_FORMATS, inspect_file


class Preflight:
    """Identify the file from its bytes and refuse what must not reach a converter."""

    name = "preflight"

    def run(self, job: Job, ctx: Context) -> None:
        job.detected = inspect_file(job.source, job.original_name, ctx.limits)
        named = job.source.with_name(f"original.{job.detected.format}")
        job.source = job.source.rename(named)
        Conversion.objects.filter(pk=job.conversion.pk).update(format=job.detected.format)
        job.conversion.format = job.detected.format


class Normalise:
    """Turn every format into a PDF: office files and text through LibreOffice."""

    name = "normalise"

    def run(self, job: Job, ctx: Context) -> None:
        assert job.detected is not None
        fmt = job.detected.format
        if fmt == "pdf":
            job.pdf = job.source
            return
        target = job.workdir / "document.pdf"
        if fmt in OFFICE_FORMATS:
            ctx.office.convert(job.source, target)
        else:
            html = job.workdir / "document.html"
            html.write_text(self._html(job), encoding="utf-8")
            ctx.office.convert(html, target, html=True)
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


class Read:
    """Count the PDF's pages and read each page's size and text."""

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
            try:
                job.pages = [
                    pdfmod.read_page(doc, i, structure=i < structured) for i in range(count)
                ]
            except pdfmod.pdfium.PdfiumError:
                raise IngestError("pdf_damaged") from None


class Count:
    """字数 per page and in total; store the pages."""

    name = "count"

    def run(self, job: Job, ctx: Context) -> None:
        rows = [
            Page(
                conversion=job.conversion,
                number=p.number,
                width=p.width,
                height=p.height,
                text=p.text,
                blocks=p.blocks,
                char_count=count_chars(p.text),
            )
            for p in job.pages
        ]
        with transaction.atomic():
            Page.objects.filter(conversion=job.conversion).delete()
            Page.objects.bulk_create(rows, batch_size=500)
        job.conversion.page_count = len(rows)
        job.conversion.char_count = sum(r.char_count for r in rows)


class Render:
    """Cover and the first pages as WebP, page 1 first so a preview appears soonest."""

    name = "render"

    def run(self, job: Job, ctx: Context) -> None:
        assert job.pdf is not None
        r = ctx.render
        sha = job.conversion.sha256
        eager = min(r.eager_pages, len(job.pages))
        with pdfmod.open_pdf(job.pdf) as doc:
            for index in range(eager):
                image = pdfmod.render_page(doc, index, r.page_width, r.max_pixels)
                ctx.storage.put_bytes(
                    Page.image_key_for(sha, index + 1), pdfmod.encode_webp(image, r.quality)
                )
                Page.objects.filter(conversion=job.conversion, number=index + 1).update(
                    rendered=True
                )
                if index == 0:
                    cover = pdfmod.encode_webp(image, r.quality, width=r.cover_width)
                    ctx.storage.put_bytes(job.conversion.cover_key, cover)


class Fingerprint:
    """SHA-256 of the normalised text and its MinHash, for near-duplicate detection."""

    name = "fingerprint"

    def run(self, job: Job, ctx: Context) -> None:
        from wenku.search.fingerprint import fingerprint_text, store

        text = "\n".join(p.text for p in job.pages)
        store(job.conversion, fingerprint_text(text))


class Publish:
    """Mark the conversion ready and publish every document waiting on it, atomically."""

    name = "publish"

    def run(self, job: Job, ctx: Context) -> None:
        from wenku.economy import domain as economy
        from wenku.library.domain import publish_documents

        conversion = job.conversion
        with transaction.atomic():
            Conversion.objects.filter(pk=conversion.pk).update(
                status=Status.READY,
                page_count=conversion.page_count,
                char_count=conversion.char_count,
                pipeline_version=PIPELINE_VERSION,
                failure_stage="",
                failure_code="",
                failure_params={},
                worker_id="",
                attempts=0,
                finished_at=timezone.now(),
            )
            conversion.refresh_from_db()
            publish_documents(conversion)
        # After the commit: the upload reward (where review will plug in; none exists yet,
        # so publishing is what a document passes). It never fails the publish.
        economy.after_publish(conversion.pk)


STAGES: tuple[Stage, ...] = (
    Preflight(),
    Normalise(),
    Read(),
    Count(),
    Render(),
    Fingerprint(),
    Publish(),
)
