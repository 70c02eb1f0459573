"""Moderation's tables: the site's policy, review records, reports, copyright notices,
banned words, penalties and the audit log.

The audit log is append-only: an ``AuditEntry`` is never changed or deleted, by the ORM
(``save`` of an existing row, ``delete``, queryset ``update``/``delete`` all raise) or
the admin (read-only).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wenku.library.models import Document

BANNED_WORDS_CACHE_KEY = "moderation:banned-words-version"


class ReviewMode(models.TextChoices):
    NOBODY = "nobody", _("nobody (only uploads that something holds)")
    NEW_ACCOUNTS = "new_accounts", _("new accounts")
    EVERYONE = "everyone", _("everyone but staff")


class Policy(models.Model):
    """The site's moderation policy: one row, edited in the admin (``Policy.current()``)."""

    review = models.CharField(
        _("whose uploads are reviewed"),
        max_length=20,
        choices=ReviewMode.choices,
        default=ReviewMode.NOBODY,
        help_text=_(
            "Reviewed uploads wait for a moderator before they are published. Whatever is "
            "chosen, near-copies, junk and held banned words are held."
        ),
    )
    trusted_after = models.PositiveIntegerField(
        _("published uploads before an account is trusted"),
        default=3,
        help_text=_("With 'new accounts': uploaders with fewer published documents are reviewed."),
    )
    refuse_exact_copies = models.BooleanField(
        _("refuse exact copies"),
        default=True,
        help_text=_(
            "An upload whose file or text is identical to a published document is refused "
            "with a link to it (otherwise it is held)."
        ),
    )
    hold_similarity = models.FloatField(
        _("hold at similarity"),
        default=0.5,
        help_text=_("Uploads at least this similar to another document are held for review."),
    )
    flag_similarity = models.FloatField(
        _("flag at similarity"),
        default=0.3,
        help_text=_("Uploads at least this similar are published and flagged for a look."),
    )
    hold_junk = models.BooleanField(
        _("hold junk"),
        default=False,
        help_text=_("Hold uploads flagged as empty, tiny, text-less or only a table of contents."),
    )
    min_chars_per_page = models.PositiveIntegerField(
        _("flag under characters per page"),
        default=5,
        help_text=_("Documents with less text than this per page on average are flagged."),
    )
    tiny_file_bytes = models.PositiveIntegerField(_("flag files smaller than (bytes)"), default=200)

    class Meta:
        verbose_name = _("moderation policy")
        verbose_name_plural = _("moderation policy")

    def __str__(self) -> str:
        return str(_("Moderation policy"))

    @classmethod
    def current(cls) -> Policy:
        """The policy in force (a migration creates the row; its defaults if it was deleted)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ReviewState(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    PUBLISHED = "published", _("published without review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class Review(models.Model):
    """What was decided about one upload when it was converted, and by a moderator since.

    ``flags`` are automatic flag codes (``flags.FLAGS``); ``matches`` the originality
    result at the time ([[document id, similarity, kind], …]); ``reason`` is what the
    uploader is told (why it is held, why it was rejected).
    """

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, related_name="review", verbose_name=_("document")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    flags = models.JSONField(_("flags"), default=list, blank=True)
    similarity = models.FloatField(_("highest similarity"), default=0.0)
    matches = models.JSONField(default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    flagged = models.BooleanField(
        _("flagged for a look"), default=False, help_text=_("Published, but worth a look.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["flagged", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.state}"


class ReportReason(models.TextChoices):
    ILLEGAL = "illegal", _("illegal content")
    PORNOGRAPHY = "pornography", _("pornography")
    SPAM = "spam", _("spam or advertising")
    FRAUD = "fraud", _("fraud")
    PRIVACY = "privacy", _("personal information")
    LOW_QUALITY = "low_quality", _("low quality (empty, only a table of contents, wrong title)")
    COPYRIGHT = "copyright", _("copyright infringement")


class CaseState(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("acted on")
    DISMISSED = "dismissed", _("dismissed")


class Report(models.Model):
    """A reader's 举报 of a document or of one comment on it (``comment_id`` 0: the document).

    One open report per reporter, target and reason (a second one is the same report).
    Copyright complaints are ``Notice``s, not reports.
    """

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reports")
    comment_id = models.PositiveBigIntegerField(default=0)
    comment_excerpt = models.TextField(blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "document", "comment_id", "reason"],
                condition=Q(state="open"),
                name="report_open_once",
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reason} #{self.document_id}/{self.comment_id}"


class NoticeState(models.TextChoices):
    RECEIVED = "received", _("received")
    TAKEN_DOWN = "taken_down", _("taken down")
    COUNTER_NOTICED = "countered", _("counter-notice received")
    RESTORED = "restored", _("restored")
    UPHELD = "upheld", _("takedown upheld")
    REJECTED = "rejected", _("rejected")


OPEN_NOTICE_STATES = (
    NoticeState.RECEIVED,
    NoticeState.TAKEN_DOWN,
    NoticeState.COUNTER_NOTICED,
)


class Notice(models.Model):
    """A copyright notice (《信息网络传播权保护条例》 art. 14): who claims, how to reach them,
    the work, the proof; and the uploader's counter-notice (art. 16)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="notices")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimant_name = models.CharField(_("claimant's name"), max_length=200)
    claimant_identity = models.CharField(
        _("identity"),
        max_length=200,
        help_text=_("ID card number, or the organisation's registration number."),
    )
    contact = models.CharField(_("contact (phone or e-mail)"), max_length=200)
    work = models.TextField(_("the work claimed"), max_length=2000)
    proof_links = models.TextField(_("proof: links"), blank=True, max_length=2000)
    proof_key = models.CharField(max_length=300, blank=True)  # storage key of the proof file
    proof_name = models.CharField(_("proof: file"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=NoticeState.choices, default=NoticeState.RECEIVED
    )
    counter_statement = models.TextField(_("counter-notice"), blank=True, max_length=5000)
    counter_contact = models.CharField(_("uploader's contact"), max_length=200, blank=True)
    counter_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("copyright notice")
        verbose_name_plural = _("copyright notices")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.claimant_name} → {self.document_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_NOTICE_STATES


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """One moderator's (or the system's) action. Append-only."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    document = models.ForeignKey(
        Document, null=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    notice = models.ForeignKey(
        Notice, null=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    report = models.ForeignKey(Report, null=True, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class WordAction(models.TextChoices):
    BLOCK = "block", _("block")
    HOLD = "hold", _("hold for review")
    MASK = "mask", _("mask in comments")


class BannedWord(models.Model):
    word = models.CharField(_("word"), max_length=100, unique=True)
    action = models.CharField(
        _("action"), max_length=10, choices=WordAction.choices, default=WordAction.BLOCK
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("banned word")
        verbose_name_plural = _("banned words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.word = self.word.strip()
        super().save(*args, **kwargs)
        bump_banned_words()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        bump_banned_words()
        return result


def bump_banned_words() -> None:
    """Every process rebuilds its matcher on its next use (the version lives in the cache)."""
    cache.set(BANNED_WORDS_CACHE_KEY, timezone.now().timestamp(), None)


class PenaltyKind(models.TextChoices):
    UPLOAD = "upload", _("no uploading")
    COMMENT = "comment", _("no commenting")
    DOWNLOAD = "download", _("no downloading")


class Penalty(models.Model):
    """A moderator forbids a user one thing until a time (web and API alike)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="penalties"
    )
    kind = models.CharField(_("penalty"), max_length=10, choices=PenaltyKind.choices)
    until = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        indexes = [models.Index(fields=["user", "kind", "until"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} until {self.until:%Y-%m-%d %H:%M}"
