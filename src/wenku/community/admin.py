from django.contrib import admin

from wenku.community.models import Comment, Favourite, FavouriteFolder, Rating


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("document", "author", "parent", "created_at", "edited_at", "deleted_at")
    list_filter = ("created_at",)
    search_fields = ("body", "author__username", "document__title")
    raw_id_fields = ("document", "author", "parent", "reply_to")


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("document", "user", "stars", "updated_at")
    raw_id_fields = ("document", "user")


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    list_display = ("user", "document", "folder", "created_at")
    raw_id_fields = ("document", "user", "folder")


@admin.register(FavouriteFolder)
class FavouriteFolderAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at")
    raw_id_fields = ("user",)
