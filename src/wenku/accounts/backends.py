"""Log in with a user name or an e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from wenku.accounts.models import User


def find_account(identifier: str) -> User | None:
    """The account a log-in name means: a user name exactly, else an e-mail address.

    New user names cannot contain '@', so an address never shadows another user's name;
    addresses are unique whatever their case.
    """
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None and "@" in identifier:
        matches = list(User.objects.filter(email__iexact=identifier)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            User().set_password(password)  # as slow as a wrong password: no timing tell
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
