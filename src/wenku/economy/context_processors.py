from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from wenku.economy import queries


def account(request: HttpRequest) -> dict[str, Any]:
    """The header's balance and VIP state, for signed-in users (one primary-key read);
    lazy, so pages that do not show the header pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def read() -> dict[str, Any]:
        balance, until = queries.account(user.pk)  # the page's own read, if it made one
        return {"balance": balance, "vip": until is not None and until > timezone.now()}

    return {"header_account": _Lazy(read)}


class _Lazy:
    """Reads once, when the template first asks."""

    def __init__(self, read: Any) -> None:
        self._read = read
        self._value: dict[str, Any] | None = None

    def __getitem__(self, key: str) -> Any:
        if self._value is None:
            self._value = self._read()
        return self._value[key]
