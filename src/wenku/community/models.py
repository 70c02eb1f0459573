"""Readers' own marks on documents: favourites in folders, ratings, threaded comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FavouriteFolder(models.Model):
    """A named folder of a user's favourites; favourites without one are in the default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_folders"
    )
    name = models.CharField(_("name"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("favourites folder")
        verbose_name_plural = _("favourites folders")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="favourite_folder_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Favourite(models.Model):
    """A document a user saved, in one of their folders (or none: the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites"
    )
    document = models.ForeignKey("library.Document", on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(
        FavouriteFolder,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # deleting a folder keeps its favourites, in the default
        related_name="favourites",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="favourite_once")]
        indexes = [models.Index(fields=["user", "folder", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.document_id}"


class Rating(models.Model):
    """One user's 1–5 stars for one document; rating again changes it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(
        "library.Document", on_delete=models.CASCADE, related_name="ratings"
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="rating_once"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="rating_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.document_id}: {self.stars}"


class Comment(models.Model):
    """A comment on a document, or a reply to one (one level: replies have no replies).

    Answering a reply makes another reply to the same top comment, naming whom it
    answers (``reply_to``). A deleted comment that still has replies stays as a blank marker.
    """

    document = models.ForeignKey(
        "library.Document", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    reply_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["document", "parent", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.document_id}: {self.body[:40]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
