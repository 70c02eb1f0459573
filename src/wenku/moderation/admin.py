"""Trust and safety in the admin: the policy (one row) and the banned words are edited
here; reviews, reports, notices and penalties are listed (decisions are taken on the
desk at /staff/, which runs what follows them); the audit log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wenku.moderation.models import (
    AuditEntry,
    BannedWord,
    Notice,
    Penalty,
    Policy,
    Report,
    Review,
)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "review", "hold_similarity", "flag_similarity")

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
