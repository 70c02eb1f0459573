"""The economy in the admin: rules (one row), VIP plans, grants, balances, the ledger.

Balances and the ledger are read-only here: staff change them through forms that call
the domain (an adjustment is a ledger entry, a grant is a VIP order), never by editing
rows.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wenku.economy import domain
from wenku.economy.models import Account, Download, LedgerEntry, Rules, VipOrder, VipPlan


@admin.register(Rules)
class RulesAdmin(admin.ModelAdmin):
    fieldsets = (
        (_("Earning"), {"fields": ("signup_bonus", "sign_in_reward", "upload_reward",
                                   "upload_reward_min_chars", "upload_reward_daily_cap")}),
        (_("Sales"), {"fields": ("uploader_share_percent", "free_download_reward",
                                 "free_download_reward_daily_cap")}),
        (_("Downloads"), {"fields": ("guests_may_download_free", "user_daily_downloads",
                                     "ip_daily_downloads", "redownload_window_hours")}),
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Rules.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VipPlan)
class VipPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "days", "price", "active", "position")
    list_editable = ("active", "position")


class GrantForm(forms.ModelForm):
    class Meta:
        model = VipOrder
        fields = ("user", "days", "note")


@admin.register(VipOrder)
class VipOrderAdmin(admin.ModelAdmin):
    """Adding an order here grants VIP (stacking on an active membership)."""

    list_display = ("user", "source", "plan", "days", "price", "starts_at", "ends_at", "created_at")
    list_filter = ("source", "plan")
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = GrantForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user", "days", "note") if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else [f.name for f in VipOrder._meta.fields]

    def save_model(self, request: HttpRequest, obj: VipOrder, form: Any, change: bool) -> None:
        if change:
            return
        order = domain.grant_vip(obj.user, obj.days, by=request.user, note=obj.note)
        obj.pk = order.pk
        obj.__dict__.update({k: v for k, v in order.__dict__.items() if not k.startswith("_")})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("user", "balance", "vip_until", "created_at")
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "balance", "vip_until", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LedgerAddForm(forms.ModelForm):
    class Meta:
        model = LedgerEntry
        fields = ("user", "amount", "note")

    def clean(self) -> dict[str, Any]:
        from wenku.economy.queries import balance

        data = super().clean() or {}
        user, amount = data.get("user"), data.get("amount")
        if amount == 0:
            self.add_error("amount", _("An adjustment moves at least one point."))
        elif user is not None and amount is not None and balance(user) + amount < 0:
            self.add_error("amount", _("The balance is only %(n)s points.") % {"n": balance(user)})
        return data


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only, except that adding an entry is an adjustment through the domain
    (to change a balance, add an entry here; to grant VIP, add a VIP order)."""

    list_display = ("created_at", "user", "amount", "balance_after", "reason", "document", "note")
    list_filter = ("reason",)
    search_fields = ("user__username", "idempotency_key", "note")
    raw_id_fields = ("user", "document", "download", "order")
    date_hierarchy = "created_at"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = LedgerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user", "amount", "note") if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else [f.name for f in LedgerEntry._meta.fields]

    def save_model(self, request: HttpRequest, obj: LedgerEntry, form: Any, change: bool) -> None:
        if change:
            return
        user = get_user_model().objects.get(pk=obj.user_id)
        try:
            entry = domain.adjust(user, obj.amount, by=request.user, note=obj.note)
        except domain.InsufficientPoints as exc:
            messages.error(request, _("Not done: the balance is only %(n)s.") % {"n": exc.balance})
            entry = LedgerEntry.objects.filter(user=user).first() or obj
        obj.pk = entry.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Download)
class DownloadAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "document", "basis", "price", "ip", "counted")
    list_filter = ("basis", "counted")
    search_fields = ("user__username", "document__title", "ip")
    raw_id_fields = ("user", "document", "category")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
