"""What ingest produces for one distinct file: its conversion record and its pages.

A Conversion is keyed by the SHA-256 of the uploaded bytes, so two uploads of the
same file share one conversion and the second reuses the first one's results.
Stored artefacts live at keys derived from the hash (see ``keys``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wenku.ingest import keys
from wenku.ingest.errors import describe


class Status(models.TextChoices):
    QUEUED = "queued", _("queued")
    PROCESSING = "processing", _("processing")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class OcrState(models.TextChoices):
    NONE = "", _("not needed")
    PENDING = "pending", _("waiting for OCR")
    DONE = "done", _("recognised by OCR")
    FAILED = "failed", _("OCR failed")


class Conversion(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    format = models.CharField(_("format"), max_length=10, blank=True)
    # Macros were found in the file (WENKU_MACRO_DOCUMENTS=preview keeps such documents):
    # its pages are shown, the original is never offered for download.
    macros = models.BooleanField(default=False)
    # A PDF upload PDFium could only read once qpdf had repaired it: the repaired copy is
    # stored as its rendition (the original stays what was uploaded).
    pdf_repaired = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    failure_stage = models.CharField(max_length=20, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_params = models.JSONField(default=dict, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    char_count = models.PositiveIntegerField(null=True, blank=True)
    pipeline_version = models.PositiveSmallIntegerField(default=0)
    # Which worker holds the job, and how many times a worker has taken it: a job
    # whose worker keeps dying is failed after WENKU_WORKER_MAX_ATTEMPTS.
    worker_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.format} {self.status}"

    @property
    def failure_reason(self) -> str:
        return describe(self.failure_code, self.failure_params) if self.failure_code else ""

    @property
    def original_key(self) -> str:
        return keys.original(self.sha256)

    @property
    def pdf_key(self) -> str:
        # A PDF upload is its own PDF: no second copy is stored (unless it was repaired).
        if self.format == "pdf" and not self.pdf_repaired:
            return keys.original(self.sha256)
        return keys.pdf(self.sha256)

    @property
    def cover_key(self) -> str:
        return keys.cover(self.sha256)


class Page(models.Model):
    """One page of a converted document: its size, its text and whether its image exists."""

    conversion = models.ForeignKey(Conversion, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    width = models.FloatField(help_text="points")
    height = models.FloatField(help_text="points")
    text = models.TextField(blank=True)
    # Headings and paragraphs ([{"k": "h2"|"h3"|"p", "t": text}]) for the pages shown as
    # text under the preview; null for the others.
    blocks = models.JSONField(null=True, blank=True)
    char_count = models.PositiveIntegerField(default=0)
    rendered = models.BooleanField(default=False)
    # A scanned page (no printed text, an image): its text comes from OCR after publishing.
    # "done" marks the page's text as recognised, not printed.
    ocr = models.CharField(max_length=8, choices=OcrState.choices, default="", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversion", "number"], name="page_unique_number")
        ]
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.conversion_id}#{self.number}"

    @property
    def image_key(self) -> str:
        return keys.page_image(self.conversion.sha256, self.number)

    @staticmethod
    def image_key_for(sha256: str, number: int) -> str:
        return keys.page_image(sha256, number)
