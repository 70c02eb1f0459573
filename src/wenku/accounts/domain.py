"""Writes users cause in accounts: registration, e-mail verification, profile, avatars, tokens.

Views call these; nothing here reads a request except to build links for mails.
"""

from __future__ import annotations

import enum
import logging

from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from wenku.accounts import avatars
from wenku.accounts.models import ApiToken, User
from wenku.config import conf
from wenku.core.siteurl import site_url
from wenku.core.storage import get_storage

log = logging.getLogger(__name__)

VERIFY_SALT = "wenku.accounts.verify-email"
MAX_TOKENS = 50


class Verification(enum.Enum):
    VERIFIED = "verified"
    USED = "used"  # the address was confirmed already (this link or another)
    EXPIRED = "expired"
    INVALID = "invalid"


class TooManyTokens(ValueError):
    pass


class AccountTaken(ValueError):
    """The name or address was taken by another registration at the same moment."""


def verification_required() -> bool:
    return bool(conf().email_verification)


def link_seconds() -> int:
    return int(conf().email_link_hours) * 3600


def register(*, username: str, email: str, password: str, request: HttpRequest) -> User:
    """Create an account (validated by the form already).

    With verification on (the default) the account is inactive until its address is
    confirmed, and a verification mail goes out; with it off the account is active and
    gets the sign-up bonus at once.
    """
    from wenku.economy.domain import on_account_verified

    required = verification_required()
    try:
        with transaction.atomic():
            user = User(username=username, email=User.objects.normalize_email(email))
            user.set_password(password)
            user.is_active = not required
            user.save()
            if not required:
                on_account_verified(user)
    except IntegrityError:  # the form checked, but another sign-up won the race
        raise AccountTaken from None
    if required:
        send_verification(user, request)
    return user


def verification_token(user: User) -> str:
    """Signed and timestamped; names the address, so changing the address voids it."""
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=VERIFY_SALT)


def send_verification(user: User, request: HttpRequest | None) -> bool:
    """Mail the verification link; False (logged) if the mail could not be handed over,
    or if the site has no trustworthy address to put in it (``core.siteurl``)."""
    base = site_url(request)
    if base is None:
        return False
    link = base + reverse("accounts:verify", args=[verification_token(user)])
    context = {"user": user, "link": link, "hours": conf().email_link_hours}
    return _mail(user.email, "accounts/email/verify", context)


def _mail(to: str, template: str, context: dict[str, object]) -> bool:
    context = {"SITE_NAME": conf().site_name, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except OSError:  # SMTP refused or unreachable: say so, do not fail the request
        log.exception("could not send %s to %s", template, to)
        return False
    return True


def check_verification(token: str) -> tuple[Verification, User | None]:
    """What a verification link is worth, without using it."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=link_seconds())
    except signing.SignatureExpired:
        return Verification.EXPIRED, None
    except signing.BadSignature:
        return Verification.INVALID, None
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None or user.email.lower() != data.get("e"):
        return Verification.INVALID, None
    if not user.awaiting_verification:
        return Verification.USED, user
    return Verification.VERIFIED, user


def verify_email(token: str) -> tuple[Verification, User | None]:
    """Use a verification link: activate the account and grant the sign-up bonus, once.

    The conditional update makes two clicks at the same moment count once; a banned
    (deactivated) account that was verified before cannot be reactivated by an old link.
    """
    from wenku.economy.domain import on_account_verified

    outcome, user = check_verification(token)
    if outcome is not Verification.VERIFIED or user is None:
        return outcome, user
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=False, email_verified_at=None).update(
            is_active=True, email_verified_at=timezone.now()
        )
        if not updated:
            return Verification.USED, user
        user.refresh_from_db()
        on_account_verified(user)
    return Verification.VERIFIED, user


def resend_verification(email: str, request: HttpRequest) -> None:
    """Send a new link if an account waits for verification at this address (silently)."""
    user = User.objects.filter(
        email__iexact=email.strip(), is_active=False, email_verified_at=None
    ).first()
    if user is not None:
        send_verification(user, request)


def set_avatar(user: User, webp: bytes) -> None:
    """Store a re-encoded avatar (``avatars.reencode``) and drop the previous one."""
    key = avatars.storage_key(user.pk, webp)
    storage = get_storage()
    storage.put_bytes(key, webp)
    old, user.avatar = user.avatar, key
    user.save(update_fields=["avatar"])
    if old and old != key:
        storage.delete(old)


def clear_avatar(user: User) -> None:
    if user.avatar:
        get_storage().delete(user.avatar)
        user.avatar = ""
        user.save(update_fields=["avatar"])


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token and its secret (shown once; only a hash is kept)."""
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS:
        raise TooManyTokens
    return ApiToken.issue(user, name)


def revoke_token(user: User, token_id: int) -> bool:
    """Delete one of the user's tokens; scripts using it are refused from now on."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)
