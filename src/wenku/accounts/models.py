from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A Wenku account.

    An account registered through the site starts inactive with ``email_verified_at``
    empty (it cannot log in) until its e-mail address is confirmed (``accounts.domain``).
    Accounts made otherwise (administrators, imports, tests) are active from the start.
    The profile's name is ``first_name``; ``avatar`` is a storage key of a re-encoded image.
    """

    bio = models.TextField(_("about me"), max_length=500, blank=True)
    avatar = models.CharField(_("avatar"), max_length=200, blank=True, editable=False)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Log-in by e-mail needs one account per address, whatever its letter case.
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a new password (changed, reset, set by an administrator or by
        `manage changepassword`) revokes the account's API tokens, as Django's session
        hash logs out its other sessions. A hasher upgrade at log-in is no change."""
        replaced = getattr(self, "_password", None) is not None or self._password_disabled
        password_changed = replaced and self.pk is not None
        super().save(*args, **kwargs)
        self._password_disabled = False
        if password_changed:
            ApiToken.objects.filter(user=self).delete()

    _password_disabled = False

    def set_unusable_password(self) -> None:
        """Log-in by password is switched off (the admin's "not usable"): the tokens go
        with it, as with a new password."""
        super().set_unusable_password()
        self._password_disabled = True

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def awaiting_verification(self) -> bool:
        return not self.is_active and self.email_verified_at is None

    @property
    def avatar_url(self) -> str:
        """The re-encoded avatar's URL (its content hash makes it cacheable forever), or ''."""
        if not self.avatar:
            return ""
        name = self.avatar.rsplit("/", 1)[-1].removesuffix(".webp")
        return reverse("accounts:avatar", args=[self.pk, name])


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def resolve(self, raw: str) -> ApiToken | None:
        return self.select_related("user").filter(key_hash=_hash_token(raw)).first()


class ApiToken(models.Model):
    """A bearer token for scripts (`Authorization: Bearer <token>`). Only its hash is stored."""

    PREFIX = "wk_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is shown only this once."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=_hash_token(raw)), raw
