"""Trust and safety in the admin: the policy (one row) and the banned words are edited
here, each change in the audit log; reviews, reports, notices and penalties are listed
(decisions are taken on the desk at /staff/, which runs what follows them); the audit
log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from wenku.moderation.domain import audit
from wenku.moderation.models import (
    AuditEntry,
    BannedWord,
    Notice,
    Penalty,
    Policy,
    Report,
    Review,
    bump_banned_words,
)


def _changes(form: ModelForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in form.changed_data}


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "review", "hold_similarity", "flag_similarity")

    def save_model(self, request: HttpRequest, obj: Policy, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if form.changed_data:
            audit(request.user, "policy", note=", ".join(form.changed_data), **_changes(form))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Policy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    list_display = ("word", "action", "created_at")
    list_filter = ("action",)
    list_editable = ("action",)
    search_fields = ("word",)
    exclude = ("created_at",)

    def save_model(
        self, request: HttpRequest, obj: BannedWord, form: ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        action = "banned_word_change" if change else "banned_word_add"
        audit(request.user, action, note=obj.word, word=obj.word, word_action=obj.action)

    def delete_model(self, request: HttpRequest, obj: BannedWord) -> None:
        audit(request.user, "banned_word_delete", note=obj.word, word=obj.word)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BannedWord]) -> None:
        """The admin's bulk delete: a queryset delete skips ``BannedWord.delete``, so the
        processes' matchers are told here."""
        for word in queryset:
            audit(request.user, "banned_word_delete", note=word.word, word=word.word)
        super().delete_queryset(request, queryset)
        bump_banned_words()


class ReadOnly(admin.ModelAdmin):
    """Changed by the desk's decisions only (they run what follows: index, notifications,
    earnings, the audit log)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    list_display = ("document", "state", "similarity", "flagged", "created_at", "decided_by")
    list_filter = ("state", "flagged")
    raw_id_fields = ("document",)


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ("document", "reason", "reporter", "state", "created_at")
    list_filter = ("state", "reason")


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ("pk", "document", "claimant_name", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("claimant_name", "claimant_identity", "contact")


@admin.register(Penalty)
class PenaltyAdmin(ReadOnly):
    list_display = ("user", "kind", "until", "lifted_at", "created_by")
    list_filter = ("kind",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ("created_at", "actor", "action", "document", "subject", "note")
    list_filter = ("action",)
