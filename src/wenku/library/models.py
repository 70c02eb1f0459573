"""The library: documents, and the categories and tags that organise them."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenku.ingest.errors import describe
from wenku.ingest.models import Conversion, Status
from wenku.library import preview

CATEGORIES_CACHE_KEY = "library:categories"


class Category(models.Model):
    """A node of the category tree; a site edits the tree in the admin."""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent} / {self.name}" if self.parent_id else self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        cache.delete(CATEGORIES_CACHE_KEY)  # pages show the edited tree at once

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        cache.delete(CATEGORIES_CACHE_KEY)
        return super().delete(*args, **kwargs)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("library:tag", args=[self.name])


class Pricing(models.TextChoices):
    """How a document may be downloaded (the economy's rules apply them)."""

    FREE = "free", _("free")
    POINTS = "points", _("points")
    VIP_ONLY = "vip_only", _("VIP only")
    VIP_FREE = "vip_free", _("free for VIP, points for others")


class DocumentStatus(models.TextChoices):
    """Where a document stands. The first four follow its conversion (ingest's ``Status``);
    the others are decisions about the document itself (review, notices, its uploader).

    Only ``ready`` is shown to readers (``Document.objects.public()``).
    """

    QUEUED = Status.QUEUED.value, _("queued")
    PROCESSING = Status.PROCESSING.value, _("processing")
    READY = Status.READY.value, pgettext_lazy("document status", "published")
    FAILED = Status.FAILED.value, _("failed")
    HELD = "held", _("awaiting review")
    REJECTED = "rejected", _("rejected")
    TAKEN_DOWN = "taken_down", _("taken down")
    DELETED = "deleted", _("deleted")


class DocumentQuerySet(models.QuerySet["Document"]):
    def public(self) -> DocumentQuerySet:
        """What readers see: the one definition (search, sitemaps, feeds, related lists,
        downloads, listings)."""
        return self.filter(status=DocumentStatus.READY)

    def not_deleted(self) -> DocumentQuerySet:
        return self.exclude(status=DocumentStatus.DELETED)


class Document(models.Model):
    """One upload: what its uploader said about it, and where its processing stands.

    The converted content (pages, text, images) belongs to its ``conversion``,
    which identical uploads share.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("uploader"),
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
        verbose_name=_("category"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="documents", verbose_name=_("tags"))
    conversion = models.ForeignKey(Conversion, on_delete=models.PROTECT, related_name="documents")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    format = models.CharField(_("format"), max_length=10, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    char_count = models.PositiveIntegerField(_("characters"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    # An open copyright notice: the uploader's earnings on it are held until it is resolved
    # (the economy reads this; moderation sets and clears it through ``domain``).
    disputed = models.BooleanField(_("disputed"), default=False)
    failure_stage = models.CharField(max_length=20, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_params = models.JSONField(default=dict, blank=True)
    preview_pages = models.PositiveIntegerField(
        _("free preview pages"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty to use the site default. Pages past this need a download or membership."
        ),
    )
    pricing = models.CharField(
        _("pricing"), max_length=10, choices=Pricing.choices, default=Pricing.FREE
    )
    price = models.PositiveIntegerField(_("price in points"), default=0)
    upload_ip = models.GenericIPAddressField(_("upload IP"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    # The community's figures, kept here by ``community.tallies`` (readers rate and
    # comment; the page and the "Top rated" listing read them without counting).
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    rating_average = models.FloatField(_("average stars"), default=0.0)  # 0: none yet
    comment_count = models.PositiveIntegerField(_("comments shown"), default=0)
    comment_threads = models.PositiveIntegerField(_("comment threads"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["status", "-view_count", "-published_at"]),
            models.Index(fields=["status", "-rating_average", "-rating_count", "-published_at"]),
            models.Index(fields=["status", "category"]),
            models.Index(fields=["category", "status"]),
            models.Index(fields=["owner", "-created_at"]),
            # A file's copies, earliest first: search folds them (search.originality.fold)
            models.Index(fields=["conversion", "status", "published_at", "id"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return document_path(self.pk)

    @property
    def failure_reason(self) -> str:
        return describe(self.failure_code, self.failure_params) if self.failure_code else ""

    @property
    def free_pages(self) -> int:
        """Pages anyone may view: the document's own limit, else the site default; for a
        priced or VIP document never more than the preview policy allows
        (``library.preview``: a share of its pages, never all of them)."""
        return preview.free_pages(self.pricing, self.page_count, self.preview_pages)


class DailyStats(models.Model):
    """Views and downloads of one document on one day (rankings decay them by age)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="daily_stats")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "day"], name="daily_stats_unique_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.document_id} {self.day}: {self.views} views, {self.downloads} downloads"


class ViewMark(models.Model):
    """One visitor saw one document on one day (kept two days: it only prevents double counts)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    visitor = models.CharField(max_length=32)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "visitor", "day"], name="view_mark_unique")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.document_id} {self.visitor} {self.day}"


_MARK = 987_654_321  # the id to cut the reversed path at (its last occurrence)


@functools.cache
def _document_path(prefix: str) -> tuple[str, str]:
    before, _mark, after = reverse("library:document", args=[_MARK]).rpartition(str(_MARK))
    return before, after


def document_path(document_id: int) -> str:
    """``reverse("library:document", args=[document_id])``, reversed once per script
    prefix: result lists and cards link a hundred documents a page."""
    before, after = _document_path(get_script_prefix())
    return f"{before}{int(document_id)}{after}"
