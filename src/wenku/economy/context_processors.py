from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from wenku.economy.models import Account


def account(request: HttpRequest) -> dict[str, Any]:
    """The header's balance and VIP state, for signed-in users (one primary-key read);
    lazy, so pages that do not show the header pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def read() -> dict[str, Any]:
        row = Account.objects.filter(pk=user.pk).values("balance", "vip_until").first()
        balance, until = (row["balance"], row["vip_until"]) if row else (0, None)
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
