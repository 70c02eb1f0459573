"""Messages to a user inside the site: someone downloaded or commented, a review ended …"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DOWNLOAD = "download", _("your document was downloaded")
    COMMENT = "comment", _("a comment on your document")
    REPLY = "reply", _("a reply to your comment")
    APPROVED = "approved", _("your document was approved")
    REJECTED = "rejected", _("your document was rejected")
    POINTS = "points", _("points received")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at=None)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Who caused it (none for the system), what it is about, and the words to show.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.ForeignKey(
        "library.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=500, blank=True)  # words of a person (a comment)
    # Or what the site says: a code of ``messages.MESSAGES`` and its parameters, worded
    # when read, in the reader's language.
    code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.created_at:%Y-%m-%d}"

    @property
    def message(self) -> str:
        """What it says, in the active language."""
        if self.code:
            from wenku.notifications.messages import render

            return render(self.code, self.params)
        return self.text
