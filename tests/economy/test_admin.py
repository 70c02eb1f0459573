"""Staff run the economy from the admin: the rules, VIP grants, point adjustments."""

from __future__ import annotations

import pytest

from wenku.economy import queries
from wenku.economy.models import LedgerEntry, Rules, VipOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(admin)
    return admin


def test_the_rules_are_one_row_edited_in_the_admin(client, staff):
    url = "/admin/economy/rules/1/change/"
    page = client.get(url)
    assert page.status_code == 200 and "uploader_share_percent" in page.content.decode()
    assert client.get("/admin/economy/rules/add/").status_code == 403  # one row only
    form = {f.name: getattr(Rules.current(), f.name) for f in Rules._meta.fields if f.name != "id"}
    form.update(signup_bonus=50, uploader_share_percent=80, guests_may_download_free="on")
    assert client.post(url, form).status_code == 302
    rules = Rules.current()
    assert (rules.signup_bonus, rules.uploader_share_percent) == (50, 80)
    assert rules.guests_may_download_free
    form["uploader_share_percent"] = 101
    assert client.post(url, form).status_code == 200  # refused: more than 100 %


def test_granting_vip_in_the_admin_goes_through_the_domain(client, staff, reader):
    response = client.post(
        "/admin/economy/viporder/add/", {"user": reader.pk, "days": 30, "note": "活动"}
    )
    assert response.status_code == 302
    order = VipOrder.objects.get()
    assert order.source == "grant" and order.granted_by == staff and queries.is_vip(reader)


def test_adjusting_points_in_the_admin_is_a_ledger_entry(client, staff, reader):
    response = client.post(
        "/admin/economy/ledgerentry/add/", {"user": reader.pk, "amount": 25, "note": "补偿"}
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.amount, entry.balance_after, entry.reason) == (25, 25, "admin")
    assert queries.balance(reader) == 25
    refused = client.post(
        "/admin/economy/ledgerentry/add/", {"user": reader.pk, "amount": -99, "note": "x"}
    )
    assert refused.status_code == 200 and "25" in refused.content.decode()
    assert queries.balance(reader) == 25 and LedgerEntry.objects.count() == 1
    assert client.get(f"/admin/economy/ledgerentry/{entry.pk}/change/").status_code == 200


def test_saved_rules_reach_the_kept_pages_at_once(client, staff, publish, monkeypatch):
    """The rules are kept in the cache, and guests' pages say what they allow: saving
    them in the admin drops both."""
    from django.test import Client

    monkeypatch.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
    doc = publish()
    guest = Client()
    guest.cookies["django_language"] = "en"
    assert "Log in to download" in guest.get(doc.get_absolute_url()).content.decode()
    assert guest.get(doc.get_absolute_url())["X-Page-Cache"] == "hit"
    form = {f.name: getattr(Rules.current(), f.name) for f in Rules._meta.fields if f.name != "id"}
    form.update(guests_may_download_free="on")
    assert client.post("/admin/economy/rules/1/change/", form).status_code == 302
    page = guest.get(doc.get_absolute_url())
    assert page["X-Page-Cache"] == "miss" and "Download free" in page.content.decode()
