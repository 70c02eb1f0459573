from django.contrib import admin

from wenku.library.models import Category, Document, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "status", "format", "page_count", "char_count", "created_at")
    list_filter = ("status", "format", "category")
    search_fields = ("title", "original_name")
    raw_id_fields = ("owner", "conversion")
    readonly_fields = (
        "failure_stage",
        "failure_code",
        "failure_params",
        "upload_ip",
        "created_at",
        "published_at",
    )
