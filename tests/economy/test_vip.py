"""VIP membership: bought with points or granted, stacking, expiring on time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.economy.conftest import give
from wenku.economy import domain, queries
from wenku.economy.models import LedgerEntry, Reason, VipOrder, VipPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(db):
    return VipPlan.objects.create(name="月卡", days=30, price=100)


def test_buying_a_plan_charges_points_and_starts_now(rules, reader, month):
    give(reader, 150)
    now = timezone.now()
    order = domain.buy_vip(reader, month, now=now)
    assert (order.starts_at, order.ends_at) == (now, now + timedelta(days=30))
    assert queries.vip_until(reader, now) == order.ends_at
    assert queries.balance(reader) == 50
    entry = LedgerEntry.objects.get(user=reader, reason=Reason.VIP_PURCHASE)
    assert entry.amount == -100 and entry.order == order


def test_a_purchase_while_active_extends_from_the_current_end(rules, reader, month):
    give(reader, 200)
    now = timezone.now()
    first = domain.buy_vip(reader, month, now=now)
    second = domain.buy_vip(reader, month, now=now + timedelta(days=10))
    assert second.starts_at == first.ends_at
    assert queries.vip_until(reader, now) == now + timedelta(days=60)


def test_a_purchase_after_expiry_starts_from_then(rules, reader, month):
    give(reader, 200)
    now = timezone.now()
    domain.buy_vip(reader, month, now=now)
    later = now + timedelta(days=45)
    order = domain.buy_vip(reader, month, now=later)
    assert order.starts_at == later and order.ends_at == later + timedelta(days=30)


def test_a_grant_by_staff_stacks_like_a_purchase_and_costs_nothing(
    rules, reader, month, django_user_model
):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    give(reader, 100)
    now = timezone.now()
    bought = domain.buy_vip(reader, month, now=now)
    granted = domain.grant_vip(reader, 7, by=admin, note="活动奖励", now=now)
    assert granted.starts_at == bought.ends_at and granted.price == 0
    assert granted.source == "grant" and granted.granted_by == admin
    assert queries.balance(reader) == 0


def test_membership_expires_exactly_on_time(rules, reader):
    now = timezone.now()
    order = domain.grant_vip(reader, 1, now=now)
    assert queries.is_vip(reader, order.ends_at - timedelta(seconds=1))
    assert not queries.is_vip(reader, order.ends_at)
    assert queries.vip_until(reader, order.ends_at) is None


def test_not_enough_points_buys_nothing(rules, reader, month):
    give(reader, 99)
    with pytest.raises(domain.InsufficientPoints):
        domain.buy_vip(reader, month)
    assert not VipOrder.objects.exists() and not queries.is_vip(reader)
    assert queries.balance(reader) == 99


def test_the_same_purchase_key_is_charged_once(rules, reader, month):
    give(reader, 300)
    a = domain.buy_vip(reader, month, key="click-1")
    b = domain.buy_vip(reader, month, key="click-1")
    assert a.pk == b.pk and VipOrder.objects.count() == 1
    assert queries.balance(reader) == 200


def test_membership_lets_a_reader_read_vip_documents_and_expiry_takes_it_away(
    rules, reader, publish
):
    from wenku.economy.models import Account
    from wenku.library import access

    doc = publish(pages=8, pricing="vip_free", price=5)
    domain.grant_vip(reader, 1)
    assert access.can_view_page(reader, doc, 8)
    Account.objects.filter(user=reader).update(vip_until=timezone.now() - timedelta(seconds=1))
    assert not access.can_view_page(reader, doc, 8) and access.can_view_page(reader, doc, 1)
