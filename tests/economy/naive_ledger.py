"""A deliberately wrong ledger, for testing the overdraw test (never used by Wenku).

moredoc's way: read the balance, check it, write the new balance; no row lock. Loaded
by ``tests/economy/test_concurrency.py`` as a gunicorn application: the real WSGI
application with ``ledger._move`` and ``ledger.lock_accounts`` replaced. Between the read
and the write it pauses briefly, as a busy database or a slower request would, so that
simultaneous downloads reliably interleave.
"""

from __future__ import annotations

import time

from wenku.wsgi import application

__all__ = ["application"]
PAUSE = 0.05


def install() -> None:
    from wenku.economy import ledger
    from wenku.economy.models import Account

    def read_then_write(user_id: int, amount: int) -> int:
        balance = Account.objects.get(user_id=user_id).balance
        time.sleep(PAUSE)
        if balance + amount < 0:
            raise ledger.InsufficientPoints(-amount, balance)
        Account.objects.filter(user_id=user_id).update(balance=balance + amount)
        return balance + amount

    ledger._move = read_then_write  # type: ignore[assignment]
    ledger.lock_accounts = ledger.ensure_accounts  # type: ignore[assignment]


install()
