"""Earning points: the sign-up bonus, the daily sign-in, the upload reward (no farming)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.published import words
from wenku.economy import domain, queries
from wenku.economy.models import LedgerEntry, Reason
from wenku.notifications.models import Notification

pytestmark = pytest.mark.django_db


def rewards(user, reason=Reason.UPLOAD_REWARD):
    return LedgerEntry.objects.filter(user=user, reason=reason)


def test_the_sign_up_bonus_is_granted_once(rules, reader):
    rules.signup_bonus = 20
    rules.save()
    domain.on_account_verified(reader)
    domain.on_account_verified(reader)
    assert queries.balance(reader) == 20 and rewards(reader, Reason.SIGNUP_BONUS).count() == 1
    assert Notification.objects.filter(user=reader, kind="points").count() == 1


def test_no_bonus_when_the_site_gives_none(rules, reader):
    domain.on_account_verified(reader)
    assert queries.balance(reader) == 0 and not LedgerEntry.objects.exists()


def test_daily_sign_in_once_per_calendar_day(rules, reader, settings):
    rules.sign_in_reward = 3
    rules.save()
    settings.TIME_ZONE = "Asia/Shanghai"
    # 23:30 and 23:59 in Shanghai are the same day; 00:01 is the next.
    evening = timezone.make_aware(timezone.datetime(2026, 3, 1, 23, 30))
    entry = domain.daily_sign_in(reader, now=evening)
    assert entry is not None and entry.amount == 3 and entry.balance_after == 3
    assert domain.daily_sign_in(reader, now=evening + timedelta(minutes=29)) is None
    assert domain.daily_sign_in(reader, now=evening + timedelta(minutes=31)) is not None
    assert queries.balance(reader) == 6
    assert Notification.objects.filter(user=reader, kind="points").count() == 2


def test_signed_in_today(rules, reader):
    rules.sign_in_reward = 1
    rules.save()
    assert not queries.signed_in_today(reader)
    domain.daily_sign_in(reader)
    assert queries.signed_in_today(reader)


def test_a_published_upload_of_new_content_earns_the_reward(rules, publish, user, settings):
    settings.LANGUAGE_CODE = "en"
    rules.upload_reward = 5
    rules.save()
    doc = publish(title="期末试卷")
    entry = rewards(user).get()
    assert entry.amount == 5 and entry.document == doc
    note = Notification.objects.get(user=user, kind="points")
    assert "期末试卷" in note.message and "+5" in note.message


def test_deleting_and_uploading_the_same_file_again_earns_nothing(rules, publish, user, ingested):
    """DocHub's D#40: upload → delete → upload farmed points."""
    from tests.factories.pdf import make_pdf

    rules.upload_reward = 5
    rules.save()
    text = words(9001)
    first = publish(text=text)
    assert queries.balance(user) == 5
    first.delete()
    again = ingested("again.pdf", make_pdf(3, text=text))
    assert again.status == "ready"
    assert queries.balance(user) == 5 and rewards(user).count() == 1


def test_a_lightly_edited_copy_earns_nothing(rules, publish, user, other_user):
    """Different bytes, nearly the same text: a near-duplicate (search.fingerprint)."""
    rules.upload_reward = 5
    rules.save()
    text = words(9002, 40)
    publish(text=text, pages=6)
    publish(owner=other_user, text=text + " appendix", pages=6)
    assert queries.balance(user) == 5
    assert queries.balance(other_user) == 0


def test_new_content_from_the_same_uploader_earns_each_time(rules, publish, user):
    rules.upload_reward = 5
    rules.save()
    publish()
    publish()
    assert queries.balance(user) == 10


def test_rewarded_uploads_are_capped_per_day(rules, publish, user):
    rules.upload_reward = 5
    rules.upload_reward_daily_cap = 2
    rules.save()
    for _ in range(3):
        publish()
    assert rewards(user).count() == 2


def test_publishing_again_never_rewards_twice(rules, publish, user):
    """A conversion published again (a pipeline upgrade re-runs it) keeps its one reward."""
    from wenku.library.models import Document
    from wenku.publishing import reactions

    rules.upload_reward = 5
    rules.save()
    doc = publish()
    domain.reward_upload(Document.objects.get(pk=doc.pk), known_content=False)
    reactions.published(doc.conversion_id)
    assert queries.balance(user) == 5


def test_a_failing_reward_never_fails_publishing_nor_the_next_reactions(
    rules, publish, monkeypatch
):
    from wenku.search.models import RelatedList

    def broken(document, known_content):
        raise RuntimeError("reward bug")

    monkeypatch.setattr(domain, "reward_upload", broken)
    doc = publish()
    assert doc.status == "ready"
    assert RelatedList.objects.filter(document=doc).exists()  # indexing and lists went on


@pytest.mark.live
def test_a_re_saved_word_file_with_a_new_title_earns_nothing(rules, ingested, user, other_user):
    """Real LibreOffice: the same Word text under another heading is a near-duplicate."""
    from tests.factories import documents as f

    rules.upload_reward = 5
    rules.save()
    ingested("总结.docx", f.make_docx(3, seed=41, title="工作总结"))
    copy = ingested("总结2.docx", f.make_docx(3, seed=41, title="年度总结"), owner=other_user)
    assert copy.status == "ready"
    assert queries.balance(user) == 5 and queries.balance(other_user) == 0
