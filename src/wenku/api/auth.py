"""API authentication: a bearer token (scripts) or the browser session (with CSRF).

A session is a cookie the browser sends on its own, also with a request another site
makes it send; so every request that changes something and acts for a session user
must carry the CSRF token (``X-CSRFToken``, as the upload page's script does), or it
is refused with 403 — whichever route, whether it requires a user or merely accepts
one. A bearer token is sent only by whoever holds it, so token requests need none.
A token is refused (401) once revoked, when its user is inactive (deactivated, or never
verified) and after its user's password changed; a request that names a token is never
quietly taken for a guest or for the session instead.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from ninja.utils import check_csrf

from wenku.accounts.models import ApiToken

# last_used_at is for people ("used 3 days ago"): refresh it at most this often, so
# scripts calling the API do not each take the database's write lock.
LAST_USED_RESOLUTION = timedelta(minutes=5)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
CSRF_REFUSED = "CSRF check failed: send the X-CSRFToken header with the session cookie."


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.resolve(token)
        if found is None or not found.user.is_active:
            raise AuthenticationError(401, "Invalid, revoked or disabled token.")
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


def session_user(request: HttpRequest) -> Any:
    """The session's user (None if none); an unsafe request without the CSRF token is
    refused (HttpError 403) rather than acted on."""
    if not request.user.is_authenticated:
        return None
    if request.method not in SAFE_METHODS and check_csrf(request) is not None:
        raise HttpError(403, CSRF_REFUSED)
    return request.user


class SessionCookie(SessionAuth):
    """The browser session, with the CSRF rule of ``session_user``."""

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return session_user(request)


class OptionalUser(APIKeyHeader):
    """Never refuses a guest: a bearer token's user, the session's user, else anonymous."""

    param_name = "Authorization"

    def __call__(self, request: HttpRequest) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return BearerToken().authenticate(request, token.strip())
        user = session_user(request)
        return user if user is not None else AnonymousAuth

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
REQUIRED = [BearerToken(), SessionCookie()]
OPTIONAL = [OptionalUser()]


def auth_user(request: HttpRequest) -> Any:
    """The user an API request acts for, or None."""
    user = getattr(request, "auth", None)
    return None if user is None or user is AnonymousAuth else user
