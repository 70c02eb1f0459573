"""The ledger: every change an entry, never negative, never applied twice."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from wenku.economy import ledger, queries
from wenku.economy.models import Account, LedgerEntry, Reason

pytestmark = pytest.mark.django_db


def entries(user):
    return list(LedgerEntry.objects.filter(user=user).order_by("pk"))


def test_credits_and_debits_record_the_balance_after_each(user):
    ledger.apply(user.pk, 30, Reason.ADMIN, "k1")
    ledger.apply(user.pk, -12, Reason.DOWNLOAD, "k2")
    ledger.apply(user.pk, 5, Reason.SIGN_IN, "k3")
    assert [(e.amount, e.balance_after) for e in entries(user)] == [(30, 30), (-12, 18), (5, 23)]
    assert queries.balance(user) == 23


def test_a_debit_past_zero_is_refused_and_changes_nothing(user):
    ledger.apply(user.pk, 10, Reason.ADMIN, "k1")
    with pytest.raises(ledger.InsufficientPoints) as refused:
        ledger.apply(user.pk, -11, Reason.DOWNLOAD, "k2")
    assert (refused.value.needed, refused.value.balance) == (11, 10)
    assert queries.balance(user) == 10 and len(entries(user)) == 1
    ledger.apply(user.pk, -10, Reason.DOWNLOAD, "k3")  # exactly everything is fine
    assert queries.balance(user) == 0


def test_the_same_key_is_applied_once_and_replays_the_first_entry(user):
    first = ledger.apply(user.pk, 7, Reason.SIGN_IN, "sign-in:x")
    again = ledger.apply(user.pk, 7, Reason.SIGN_IN, "sign-in:x")
    assert not first.replayed and again.replayed
    assert again.entry.pk == first.entry.pk
    assert queries.balance(user) == 7 and len(entries(user)) == 1


def test_a_refused_debit_inside_a_transaction_rolls_back_only_itself(user):
    ledger.apply(user.pk, 5, Reason.ADMIN, "k1")
    with transaction.atomic():
        ledger.apply(user.pk, 3, Reason.ADMIN, "k2")
        with pytest.raises(ledger.InsufficientPoints):
            ledger.apply(user.pk, -100, Reason.DOWNLOAD, "k3")
    assert queries.balance(user) == 8
    assert [e.idempotency_key for e in entries(user)] == ["k1", "k2"]


def test_the_database_itself_refuses_a_negative_balance(user):
    """Given a bug that bypassed the ledger, the CHECK constraint still holds."""
    ledger.apply(user.pk, 5, Reason.ADMIN, "k1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(user=user).update(balance=-1)


def test_zero_moves_nothing(user):
    with pytest.raises(ValueError):
        ledger.apply(user.pk, 0, Reason.ADMIN, "k")


def test_balance_is_the_sum_of_the_entries(user, other_user):
    for n, amount in enumerate([50, -20, 3, -33, 9]):
        ledger.apply(user.pk, amount, Reason.ADMIN, f"a{n}")
    ledger.apply(other_user.pk, 4, Reason.ADMIN, "b")
    total = LedgerEntry.objects.filter(user=user).aggregate(s=Sum("amount"))["s"]
    assert queries.balance(user) == total == 9
    assert entries(user)[-1].balance_after == 9


def test_the_conditional_update_is_the_one_the_docs_promise(user):
    """The SQL guard is in the UPDATE itself (no read-then-write)."""
    from django.test.utils import CaptureQueriesContext

    ledger.apply(user.pk, 5, Reason.ADMIN, "k1")
    with CaptureQueriesContext(connection) as ctx:
        ledger.apply(user.pk, -5, Reason.DOWNLOAD, "k2")
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert "balance + " in updates[0] and ">= 0" in updates[0] and "RETURNING" in updates[0]
