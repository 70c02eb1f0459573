"""Log in with a user name or an e-mail address, in the same time whoever asks.

Every attempt costs exactly one password hashing — an unknown name, an account with no
usable password, an inactive or unverified account, a wrong or a right password — so
the time of an answer tells nothing about the account. (Log-in took 0.73 s for an
account awaiting verification against 0.40 s for any other: the form checked the
password a second time to say "confirm your address first".) The backend leaves its
``Attempt`` on the request, and the form reads it instead of checking again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest

from wenku.accounts.models import User
from wenku.core.prepared import INT, Prepared


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


@dataclass(frozen=True)
class Attempt:
    account: User | None  # the account the name means, if any
    password_ok: bool


def attempt(identifier: str, password: str) -> Attempt:
    """Check a password with exactly one hashing, whatever the account."""
    account = find_account(identifier)
    if account is None or not account.has_usable_password():
        User().set_password(password)  # the cost of a check, for nothing
        return Attempt(account, False)
    return Attempt(account, account.check_password(password))


def last_attempt(request: HttpRequest | None) -> Attempt | None:
    """What the backend found for this request's log-in, if it ran."""
    return getattr(request, "_wenku_login_attempt", None)


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
        result = attempt(username, password)
        if request is not None:
            request._wenku_login_attempt = result  # type: ignore[attr-defined]
        user = result.account
        if result.password_ok and user is not None and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The user a session names, as ``ModelBackend`` finds them, with a query built
        once: every page a signed-in reader opens asks (``core.prepared``)."""
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        row = _USER.row(pk)
        if row is None:
            return None
        user = User.from_db(connection.alias, _USER_FIELDS, list(row))
        return user if self.user_can_authenticate(user) else None


_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER = Prepared(lambda pk: User.objects.filter(pk=pk).values_list(*_USER_FIELDS), INT)
