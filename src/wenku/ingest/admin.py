from django.contrib import admin

from wenku.ingest.models import Conversion


@admin.register(Conversion)
class ConversionAdmin(admin.ModelAdmin):
    list_display = (
        "sha256",
        "format",
        "status",
        "page_count",
        "char_count",
        "failure_code",
        "attempts",
        "finished_at",
    )
    list_filter = ("status", "format")
    search_fields = ("sha256",)
    readonly_fields = [f.name for f in Conversion._meta.fields]
