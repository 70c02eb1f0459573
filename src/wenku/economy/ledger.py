"""The points ledger: the only code that changes a balance.

``apply`` adds one entry and moves the balance in one transaction, with a conditional
update that the database evaluates against the row it locks::

    UPDATE economy_account SET balance = balance + %s
    WHERE user_id = %s AND balance + %s >= 0 RETURNING balance

so two debits racing each other can never both pass a stale "is there enough?" check
(moredoc reads the balance, then decrements it: two quick downloads overdraw). On
SQLite every write transaction is ``BEGIN IMMEDIATE`` (writers take turns); on
PostgreSQL the UPDATE waits for the row lock and re-evaluates its condition.

Every entry has an idempotency key, unique in the database: applying a key again
returns the entry it made the first time (``Applied.replayed``), also when the two
attempts race (the loser's unique violation rolls its whole change back).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction

from wenku.economy.models import Account, LedgerEntry, Reason

# --- idempotency keys: derived from what they pay for, so paying twice is impossible


def signup_key(user_id: int) -> str:
    return f"signup:{user_id}"


def sign_in_key(user_id: int, day: date) -> str:
    """One sign-in reward per user and local calendar day."""
    return f"sign-in:{user_id}:{day.isoformat()}"


def upload_key(content_sha256: str) -> str:
    """One upload reward per file, ever: deleting and uploading it again earns nothing."""
    return f"upload:{content_sha256}"


def download_key(download_id: int) -> str:
    return f"download:{download_id}"


def sale_key(download_id: int) -> str:
    return f"sale:{download_id}"


def free_download_key(document_id: int, reader_id: int) -> str:
    """One free-download reward per reader and document."""
    return f"free-download:{document_id}:{reader_id}"


def order_key(order_id: int) -> str:
    return f"order:{order_id}"


def vip_order_key(user_id: int, client_key: str = "") -> str:
    """The client's key (a form token, an Idempotency-Key header) makes a retry safe."""
    return f"vip:{user_id}:{client_key or uuid.uuid4().hex}"


def once_key(kind: str) -> str:
    """A key for an entry that is never a retry of another (grants, staff adjustments)."""
    return f"{kind}:{uuid.uuid4().hex}"


class InsufficientPoints(Exception):
    """The balance cannot pay for this; nothing was changed."""

    def __init__(self, needed: int, balance: int) -> None:
        super().__init__(f"needs {needed} points, balance {balance}")
        self.needed = needed
        self.balance = balance


@dataclass(frozen=True)
class Applied:
    entry: LedgerEntry
    replayed: bool  # the key had been applied before: this is the original entry


def ensure_accounts(user_ids: Iterable[int]) -> None:
    """Create missing accounts (balance 0); safe when another request does the same."""
    Account.objects.bulk_create([Account(user_id=pk) for pk in user_ids], ignore_conflicts=True)


def lock_accounts(user_ids: Iterable[int]) -> None:
    """Serialise economy writes of these users until the surrounding transaction ends.

    Needed where a decision reads before it writes (caps, the re-download window).
    PostgreSQL: row locks, always in user-id order so two transactions cannot deadlock.
    SQLite: a write transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    ids = sorted(set(user_ids))
    ensure_accounts(ids)
    if connection.vendor != "sqlite":
        list(
            Account.objects.select_for_update()
            .filter(user_id__in=ids)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )


def lock_key(key: str) -> None:
    """Serialise transactions about one thing that has no row to lock (an IP address)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def apply(
    user_id: int,
    amount: int,
    reason: Reason | str,
    key: str,
    *,
    document: Any = None,
    download: Any = None,
    order: Any = None,
    note: str = "",
    fresh: bool = False,
) -> Applied:
    """Add ``amount`` (negative: a debit) to a balance, once per ``key``.

    Raises InsufficientPoints (and changes nothing) when a debit would make the balance
    negative. Inside an outer transaction, an InsufficientPoints or a lost race rolls
    back only this change; the caller decides about the rest.

    ``fresh``: the caller holds the account's lock (``lock_accounts``) and the key names
    something created in this transaction, so it cannot exist yet; the checks for that
    are skipped, and a refusal rolls back the caller's whole transaction.
    """
    if amount == 0:
        raise ValueError("a ledger entry moves at least one point")
    try:
        with transaction.atomic(savepoint=not fresh):
            if not fresh:
                existing = LedgerEntry.objects.filter(idempotency_key=key).first()
                if existing is not None:
                    return Applied(existing, replayed=True)
                ensure_accounts([user_id])
            balance = _move(user_id, amount)
            entry = LedgerEntry.objects.create(
                user_id=user_id,
                amount=amount,
                balance_after=balance,
                reason=reason,
                document=document,
                download=download,
                order=order,
                idempotency_key=key,
                note=note[:200],
            )
    except IntegrityError:
        if fresh:
            raise
        # The same key committed by a concurrent request while this one waited.
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return Applied(existing, replayed=True)
    return Applied(entry, replayed=False)


def _move(user_id: int, amount: int) -> int:
    table = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET balance = balance + %s "
            "WHERE user_id = %s AND balance + %s >= 0 RETURNING balance",
            [amount, user_id, amount],
        )
        row = cursor.fetchone()
    if row is None:
        current = Account.objects.filter(user_id=user_id).values_list("balance", flat=True).first()
        raise InsufficientPoints(-amount, int(current or 0))
    return int(row[0])
