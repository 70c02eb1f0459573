from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wenku.library.models import Category, Document, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


# A document's moderation state changes only through the desk's decisions
# (``publishing.decisions``): they run what follows — the search index, the page cache, the
# upload reward, held earnings, the uploader's notification — and write the audit log. An
# edit here would do none of that, so the admin shows these fields and links to the desk.
# The conversion is the content that originality and review judged: swapping it would
# publish unreviewed content under a reviewed document.
MODERATION_FIELDS = ("status", "disputed", "conversion")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "status", "format", "page_count", "char_count", "created_at")
    list_filter = ("status", "format", "category")
    search_fields = ("title", "original_name")
    raw_id_fields = ("owner",)
    readonly_fields = (
        *MODERATION_FIELDS,
        "on_the_desk",
        "failure_stage",
        "failure_code",
        "failure_params",
        "upload_ip",
        "created_at",
        "published_at",
        # Counted from the ratings and comments (community.tallies), never typed in.
        "rating_count",
        "rating_average",
        "comment_count",
        "comment_threads",
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        moderation = (*MODERATION_FIELDS, "on_the_desk")
        rest = [name for name in self.get_fields(request, obj) if name not in moderation]
        description = _(
            "Status, disputed and the converted file change only on the trust-and-safety "
            "desk: its decisions update search, notifications and earnings and are recorded "
            "in the audit log."
        )
        return [
            (None, {"fields": rest}),
            (_("Moderation"), {"fields": moderation, "description": description}),
        ]

    @admin.display(description=_("trust-and-safety desk"))
    def on_the_desk(self, obj: Document) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("desk:review_detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Decide on the desk"))

    # An upload enters through the upload path (originality, banned words, review); a
    # removal is the uploader's soft delete or a takedown on the desk, which keep the
    # fingerprint and the reward history and take the document out of search at once.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
