"""API authentication: a bearer token (scripts) or the browser session (with CSRF)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from wenku.accounts.models import ApiToken

# last_used_at is for people ("used 3 days ago"): refresh it at most this often, so
# scripts calling the API do not each take the database's write lock.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.resolve(token)
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class OptionalUser(APIKeyHeader):
    """Never refuses: a valid bearer token or the session user, else anonymous (None)."""

    param_name = "Authorization"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = BearerToken().authenticate(request, header[7:].strip())
            if user is not None:
                return user
        return request.user if request.user.is_authenticated else AnonymousAuth

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return AnonymousAuth


class _Anonymous:
    """Truthy marker for 'authenticated as nobody' (ninja refuses falsy auth results)."""

    is_authenticated = False
    is_staff = False
    pk = None

    def __bool__(self) -> bool:
        return True


AnonymousAuth = _Anonymous()
REQUIRED = [BearerToken(), SessionAuth()]
OPTIONAL = [OptionalUser()]


def auth_user(request: HttpRequest) -> Any:
    """The user an API request acts for, or None."""
    user = getattr(request, "auth", None)
    return None if user is None or user is AnonymousAuth else user
