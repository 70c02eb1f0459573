"""Download rules: prices and shares, refusals, replays, caps, the re-download window,
owners, guests, VIP, rewards for free downloads, counters, notifications, entitlement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.economy.conftest import give
from wenku.economy import downloads, queries
from wenku.economy.domain import grant_vip
from wenku.economy.downloads import DownloadRefused, download, quote
from wenku.economy.models import Download, LedgerEntry, Reason
from wenku.library import access
from wenku.library.models import DailyStats
from wenku.notifications.models import Notification

pytestmark = pytest.mark.django_db
IP = "203.0.113.5"


def refused(user, doc, ip=IP, key="", **kwargs) -> DownloadRefused:
    with pytest.raises(DownloadRefused) as exc:
        download(user, doc, ip, key, **kwargs)
    return exc.value


def test_a_priced_download_charges_the_reader_and_pays_the_uploader_their_share(
    publish, rules, reader, user
):
    rules.uploader_share_percent = 70
    rules.save()
    doc = publish(pricing="points", price=7)
    give(reader, 20)
    grant = download(reader, doc, IP)
    assert (grant.cost, grant.basis, grant.balance) == (7, "paid", 13)
    assert queries.balance(reader) == 13
    assert queries.balance(user) == 4  # 70 % of 7, rounded down: the site keeps 3
    reasons = {e.reason: e for e in LedgerEntry.objects.filter(download=grant.download)}
    assert reasons[Reason.DOWNLOAD].amount == -7 and reasons[Reason.DOWNLOAD].user == reader
    assert reasons[Reason.SALE_SHARE].amount == 4 and reasons[Reason.SALE_SHARE].user == user


def test_the_whole_price_can_go_to_the_site_or_to_the_uploader(publish, rules, reader, user):
    doc = publish(pricing="points", price=10)
    give(reader, 100)
    rules.uploader_share_percent = 0
    rules.save()
    download(reader, doc, IP)
    assert queries.balance(user) == 0
    rules.uploader_share_percent = 100
    rules.redownload_window_hours = 0
    rules.save()
    download(reader, doc, IP)
    assert queries.balance(user) == 10


def test_not_enough_points_is_a_clear_refusal_and_nothing_is_recorded(publish, rules, reader):
    doc = publish(pricing="points", price=30)
    give(reader, 12)
    q = quote(reader, doc, IP)
    assert q.allowed and not q.affordable and q.status == 402
    refusal = refused(reader, doc)
    assert refusal.code == "insufficient_points"
    assert "30" in refusal.quote.message and "12" in refusal.quote.message
    assert queries.balance(reader) == 12
    assert not Download.objects.exists() and doc.downloads.count() == 0


def test_the_same_request_key_is_charged_once(publish, rules, reader):
    doc = publish(pricing="points", price=5)
    give(reader, 50)
    rules.redownload_window_hours = 0  # so only the key can stop a second charge
    rules.save()
    first = download(reader, doc, IP, "form-token-1")
    again = download(reader, doc, IP, "form-token-1")
    assert again.replayed and again.download.pk == first.download.pk and again.cost == 5
    assert queries.balance(reader) == 45 and Download.objects.count() == 1
    download(reader, doc, IP, "form-token-2")  # a new request is a new download
    assert queries.balance(reader) == 40


def test_a_key_cannot_be_reused_for_another_document(publish, rules, reader):
    a, b = publish(), publish()
    download(reader, a, IP, "k")
    assert refused(reader, b, key="k").code == "key_reused"


def test_keys_belong_to_their_user(publish, rules, reader, other_user):
    doc = publish()
    download(reader, doc, IP, "same")
    grant = download(other_user, doc, IP, "same")
    assert not grant.replayed and grant.download.user == other_user


def test_a_re_download_within_the_window_is_free_and_after_it_costs_again(publish, rules, reader):
    rules.redownload_window_hours = 48
    rules.save()
    doc = publish(pricing="points", price=10)
    give(reader, 100)
    bought = timezone.now() - timedelta(hours=47)
    download(reader, doc, IP, now=bought)
    q = quote(reader, doc, IP)
    assert (q.cost, q.basis) == (0, "redownload")
    assert q.redownload_until == bought + timedelta(hours=48)
    assert "48" in q.message
    assert download(reader, doc, IP).cost == 0
    # A re-download does not extend the window: it runs from the paid download.
    later = bought + timedelta(hours=48, minutes=1)
    assert quote(reader, doc, IP, now=later).cost == 10
    assert download(reader, doc, IP, now=later).cost == 10
    assert queries.balance(reader) == 80
    assert doc.downloads.filter(basis="redownload").count() == 1


def test_the_owner_downloads_their_own_upload_free_and_uncounted(publish, rules, user):
    doc = publish(pricing="points", price=50)
    grant = download(user, doc, IP)
    assert (grant.cost, grant.basis) == (0, "owner")
    doc.refresh_from_db()
    assert doc.download_count == 0 and queries.recent_downloads() == []
    assert not Notification.objects.exists()


def test_guests_download_free_documents_only_when_the_site_allows(publish, rules):
    from django.contrib.auth.models import AnonymousUser

    guest = AnonymousUser()
    free, priced = publish(), publish(pricing="points", price=1)
    assert quote(guest, free, IP).refusal == "login_required"
    assert refused(guest, free).code == "login_required"
    rules.guests_may_download_free = True
    rules.save()
    grant = download(guest, free, IP)
    assert grant.basis == "guest" and grant.download.user is None
    assert refused(guest, priced).code == "login_required"
    assert quote(guest, priced, IP).status == 401


def test_vip_only_documents_need_a_membership(publish, rules, reader):
    doc = publish(pricing="vip_only", price=0)
    q = quote(reader, doc, IP)
    assert q.refusal == "vip_required" and q.status == 403
    assert refused(reader, doc).code == "vip_required"
    grant_vip(reader, 30)
    grant = download(reader, doc, IP)
    assert (grant.cost, grant.basis) == (0, "vip")


def test_vip_free_documents_are_free_for_members_and_priced_for_others(
    publish, rules, reader, other_user
):
    doc = publish(pricing="vip_free", price=8)
    give(other_user, 8)
    assert download(other_user, doc, IP).cost == 8
    grant_vip(reader, 1)
    assert download(reader, doc, IP).cost == 0


def test_an_expired_membership_pays_again(publish, rules, reader):
    doc = publish(pricing="vip_free", price=8)
    grant_vip(reader, 1)
    assert quote(reader, doc, IP).basis == "vip"
    after = timezone.now() + timedelta(days=1, seconds=1)
    assert quote(reader, doc, IP, now=after).cost == 8


def test_the_daily_cap_per_user(publish, rules, reader, user):
    rules.user_daily_downloads = 2
    rules.save()
    docs = [publish() for _ in range(3)]
    own = publish(owner=reader)
    download(reader, docs[0], "198.51.100.1")
    download(reader, own, "198.51.100.1")  # own uploads do not count
    download(reader, docs[1], "198.51.100.2")  # nor does changing address help
    refusal = refused(reader, docs[2], ip="198.51.100.3")
    assert refusal.code == "user_cap" and refusal.quote.status == 429
    assert "2" in refusal.quote.message
    tomorrow = timezone.now() + timedelta(days=1)
    assert download(reader, docs[2], IP, now=tomorrow).basis == "free"


def test_the_daily_cap_per_address(publish, rules, reader, other_user, django_user_model):
    rules.ip_daily_downloads = 2
    rules.save()
    third = django_user_model.objects.create_user("carol")
    a, b, c = publish(), publish(), publish()
    download(reader, a, IP)
    download(other_user, b, IP)
    assert refused(third, c).code == "ip_cap"
    assert download(third, c, "198.51.100.9").basis == "free"


def test_free_downloads_reward_the_uploader_once_per_reader_up_to_a_daily_cap(
    publish, rules, user, django_user_model
):
    rules.free_download_reward = 2
    rules.free_download_reward_daily_cap = 3
    rules.redownload_window_hours = 0
    rules.save()
    doc = publish()
    readers = [django_user_model.objects.create_user(f"r{i}") for i in range(5)]
    download(readers[0], doc, IP)
    download(readers[0], doc, IP)  # the same reader again earns nothing more
    for r in readers[1:]:
        download(r, doc, IP)
    assert queries.balance(user) == 6  # 3 rewarded downloads × 2 points
    rewards = LedgerEntry.objects.filter(user=user, reason=Reason.FREE_DOWNLOAD_REWARD)
    assert rewards.count() == 3


def test_counted_downloads_update_counters_and_daily_stats(publish, rules, reader, other_user):
    doc = publish()
    download(reader, doc, IP)
    download(other_user, doc, IP)
    download(reader, doc, IP)  # re-download: not counted again
    doc.refresh_from_db()
    assert doc.download_count == 2
    assert DailyStats.objects.get(document=doc, day=timezone.localdate()).downloads == 2
    assert queries.downloads_by_document([doc.pk]) == {doc.pk: 2}


def test_the_uploader_is_told_of_a_download_and_of_the_points(
    publish, rules, reader, user, settings
):
    settings.LANGUAGE_CODE = "en"
    doc = publish(pricing="points", price=10, title="年度总结")
    give(reader, 10)
    download(reader, doc, IP)
    note = Notification.objects.get(user=user)
    assert note.kind == "download" and note.document == doc
    assert "年度总结" in note.message and "+7" in note.message
    assert note.actor is None  # who downloaded is not disclosed


def test_a_download_unlocks_every_page_for_that_reader(publish, rules, reader, other_user):
    doc = publish(pages=8, pricing="points", price=1)
    assert not access.can_view_page(reader, doc, 8)
    give(reader, 1)
    download(reader, doc, IP)
    assert access.can_view_page(reader, doc, 8)
    assert not access.can_view_page(other_user, doc, 8)


def test_vip_members_read_every_page_of_vip_documents_only(publish, rules, reader):
    vip_doc = publish(pages=8, pricing="vip_only")
    priced = publish(pages=8, pricing="points", price=3)
    grant_vip(reader, 7)
    assert access.can_view_page(reader, vip_doc, 8)
    assert not access.can_view_page(reader, priced, 8)


def test_documents_not_ready_cannot_be_downloaded(publish, rules, reader):
    from wenku.library.models import Document

    doc = publish()
    Document.objects.filter(pk=doc.pk).update(status="failed")
    doc.refresh_from_db()
    assert quote(reader, doc, IP).refusal == "not_ready"


def test_refusal_statuses():
    assert downloads.REFUSALS["insufficient_points"] == 402
    assert downloads.REFUSALS["vip_required"] == 403
    assert downloads.REFUSALS["user_cap"] == downloads.REFUSALS["ip_cap"] == 429
