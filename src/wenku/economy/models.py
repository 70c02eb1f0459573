"""The economy's tables: balances, the points ledger, downloads, VIP plans and orders, rules.

Every change of a balance is a ``LedgerEntry`` (amount, balance after, reason, what it
is about, and an idempotency key that is unique, so an entry is never applied twice);
``Account.balance`` is the running total, changed only by ``ledger.apply`` with a
conditional update, and a CHECK constraint backs the rule that it never goes negative.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wenku.core import pagecache


class Account(models.Model):
    """A user's points balance and VIP membership (created on first use)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="points_account",
        verbose_name=_("user"),
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    vip_until = models.DateTimeField(_("VIP until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="account_balance_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.balance})"


class Reason(models.TextChoices):
    SIGNUP_BONUS = "signup_bonus", _("sign-up bonus")
    SIGN_IN = "sign_in", _("daily sign-in")
    UPLOAD_REWARD = "upload_reward", _("upload reward")
    DOWNLOAD = "download", _("download")
    SALE_SHARE = "sale_share", _("share of a sale")
    FREE_DOWNLOAD_REWARD = "free_download_reward", _("reward for a free download")
    VIP_PURCHASE = "vip_purchase", _("VIP membership")
    ADMIN = "admin", _("adjustment by the site")


class LedgerEntry(models.Model):
    """One change of one balance. Never edited or deleted; corrections are new entries."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ledger_entries",
        verbose_name=_("user"),
    )
    amount = models.IntegerField(_("amount"))
    balance_after = models.BigIntegerField(_("balance after"))
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    document = models.ForeignKey(
        "library.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document"),
    )
    download = models.ForeignKey(
        "Download",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
        verbose_name=_("download"),
    )
    order = models.ForeignKey(
        "VipOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
        verbose_name=_("VIP order"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=150, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="ledger_user_time"),
            # Daily caps of rewards ("how many today") and earnings per document.
            models.Index(fields=["user", "reason", "created_at"], name="ledger_user_reason_time"),
            models.Index(fields=["document", "user"], name="ledger_document_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.amount:+d} {self.reason} → {self.balance_after}"


class Basis(models.TextChoices):
    """Why a download cost what it cost."""

    PAID = "paid", _("paid with points")
    FREE = "free", _("free document")
    VIP = "vip", _("VIP membership")
    REDOWNLOAD = "redownload", _("re-download")
    OWNER = "owner", _("own upload")
    STAFF = "staff", _("site staff")
    GUEST = "guest", _("guest, free document")


# Downloads that count: on the document's counter, in the feed, for the uploader's reward.
COUNTED = (Basis.PAID, Basis.FREE, Basis.VIP, Basis.GUEST)
# Downloads that never count towards a reader's daily caps.
UNCAPPED = (Basis.OWNER, Basis.STAFF)


class Download(models.Model):
    """One granted download: who (none for a guest), what, from where, and what it cost."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="downloads",
        verbose_name=_("user"),
    )
    document = models.ForeignKey(
        "library.Document",
        on_delete=models.CASCADE,
        related_name="downloads",
        verbose_name=_("document"),
    )
    # The document's category when downloaded: the per-category feed reads one index.
    category = models.ForeignKey(
        "library.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    price = models.PositiveIntegerField(_("points charged"), default=0)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    counted = models.BooleanField(_("counted"), default=True)
    idempotency_key = models.CharField(max_length=150, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "document", "-created_at"], name="download_user_doc"),
            models.Index(fields=["user", "created_at"], name="download_user_time"),
            models.Index(fields=["ip", "created_at"], name="download_ip_time"),
            models.Index(fields=["-created_at"], condition=Q(counted=True), name="download_feed"),
            models.Index(
                fields=["category", "-created_at"],
                condition=Q(counted=True),
                name="download_feed_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id or self.ip} ↓ {self.document_id} ({self.basis}, {self.price})"


class VipPlan(models.Model):
    """A membership a reader can buy with points (defined in the admin)."""

    name = models.CharField(_("name"), max_length=60)
    days = models.PositiveIntegerField(_("days"))
    price = models.PositiveIntegerField(_("price in points"))
    active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("VIP plan")
        verbose_name_plural = _("VIP plans")
        ordering = ["position", "days"]

    def __str__(self) -> str:
        return f"{self.name} ({self.days} d, {self.price})"


class VipOrder(models.Model):
    """A membership period added to an account: bought with points, or granted by staff."""

    class Source(models.TextChoices):
        PURCHASE = "purchase", _("bought with points")
        GRANT = "grant", _("granted by the site")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="vip_orders",
        verbose_name=_("user"),
    )
    plan = models.ForeignKey(
        VipPlan, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("plan")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    days = models.PositiveIntegerField(_("days"))
    price = models.PositiveIntegerField(_("points charged"), default=0)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=150, unique=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("VIP order")
        verbose_name_plural = _("VIP orders")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="vip_order_user_time")]

    def __str__(self) -> str:
        return f"{self.user} +{self.days} d → {self.ends_at:%Y-%m-%d}"


class Rules(models.Model):
    """The site's economy rules: one row, edited in the admin (``Rules.current()``)."""

    signup_bonus = models.PositiveIntegerField(
        _("sign-up bonus"), default=20, help_text=_("Points for a new, verified account.")
    )
    sign_in_reward = models.PositiveIntegerField(
        _("daily sign-in reward"), default=2, help_text=_("Points for signing in once a day.")
    )
    upload_reward = models.PositiveIntegerField(
        _("upload reward"),
        default=5,
        help_text=_(
            "Points for a published upload whose content (file or text) is new to the site."
        ),
    )
    upload_reward_min_chars = models.PositiveIntegerField(
        _("characters an upload needs for the reward"),
        default=100,
        help_text=_("Uploads with less text (or flagged as junk by the review) earn no reward."),
    )
    upload_reward_daily_cap = models.PositiveIntegerField(
        _("rewarded uploads per day"),
        default=10,
        help_text=_("Uploads per user per day that earn the upload reward; 0: no limit."),
    )
    uploader_share_percent = models.PositiveSmallIntegerField(
        _("uploader's share of a sale (%)"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_("The rest is the site's commission. Shares are rounded down."),
    )
    free_download_reward = models.PositiveIntegerField(
        _("points per free download"),
        default=1,
        help_text=_(
            "Points the uploader earns when someone downloads a document without paying "
            "(a free document, or a VIP download); once per reader and document."
        ),
    )
    free_download_reward_daily_cap = models.PositiveIntegerField(
        _("rewarded free downloads per day"),
        default=20,
        help_text=_("Free downloads per uploader per day that earn points; 0: no limit."),
    )
    guests_may_download_free = models.BooleanField(
        _("guests may download free documents"), default=False
    )
    user_daily_downloads = models.PositiveIntegerField(
        _("downloads per user per day"),
        default=30,
        help_text=_("Not counting a user's own uploads; 0: no limit."),
    )
    ip_daily_downloads = models.PositiveIntegerField(
        _("downloads per IP address per day"), default=60, help_text=_("0: no limit.")
    )
    redownload_window_hours = models.PositiveIntegerField(
        _("free re-download window (hours)"),
        default=72,
        help_text=_("A reader downloads a document again free of charge for this long."),
    )

    class Meta:
        verbose_name = _("economy rules")
        verbose_name_plural = _("economy rules")

    def __str__(self) -> str:
        return str(_("Economy rules"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _rules_changed()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        _rules_changed()
        return deleted

    @classmethod
    def current(cls) -> Rules:
        """The rules in force (a migration creates the row; its defaults if it was deleted),
        kept in the shared cache: every document page reads them, staff seldom change
        them. Saving or deleting the row through the model (the admin does) drops the
        copy; a queryset ``update()`` would not."""
        kept = cache.get(RULES_KEY)
        if isinstance(kept, cls):
            return kept
        rules = cls.objects.filter(pk=1).first() or cls(pk=1)
        cache.set(RULES_KEY, rules, RULES_SECONDS)
        return rules


RULES_KEY = "wenku:economy:rules"
RULES_SECONDS = 3600  # a change made around the model (SQL) is read within the hour


def _rules_changed() -> None:
    """Drop the kept rules now and once the change is committed (a page read between the
    two would keep the old row again), and every kept page: the guests' download box
    says what the rules allow them."""

    def drop() -> None:
        cache.delete(RULES_KEY)
        pagecache.invalidate_all()

    drop()
    transaction.on_commit(drop)


class HeldEarning(models.Model):
    """An uploader's earning from a download of a disputed document (an open copyright
    notice), held instead of paid. When the dispute ends it is paid (the document stays
    or is restored: ``released_at``) or cancelled (the takedown stands: ``forfeited_at``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    document = models.ForeignKey(
        "library.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )
    download = models.OneToOneField(Download, on_delete=models.CASCADE, related_name="+")
    amount = models.PositiveIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    key = models.CharField(max_length=150)  # the ledger key it is paid under
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    released_at = models.DateTimeField(_("paid"), null=True, blank=True)
    forfeited_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("held earning")
        verbose_name_plural = _("held earnings")
        indexes = [models.Index(fields=["document", "released_at", "forfeited_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.amount} on {self.document_id}"
