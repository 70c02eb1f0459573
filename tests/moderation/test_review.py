"""The review queue: policy decides who is reviewed; moderators see previews, flags and
the uploader's history, approve or reject in bulk with a reason the uploader sees;
failed conversions are retried from here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.pdf import make_pdf
from tests.factories.published import words
from wenku.library.models import Document
from wenku.moderation.models import AuditEntry, Policy, Review
from wenku.notifications.models import Notification
from wenku.publishing.jobs import process

pytestmark = pytest.mark.django_db


def held(upload, n: int, **fields):
    doc = upload(f"held-{n}.pdf", make_pdf(3, text=words(8000 + n)), **fields)
    process(doc.pk)
    doc.refresh_from_db()
    return doc


@pytest.mark.parametrize(
    ("mode", "expected"), [("nobody", "ready"), ("new_accounts", "held"), ("everyone", "held")]
)
def test_the_policy_decides_whose_uploads_are_reviewed(upload, job_context, mode, expected):
    Policy.objects.filter(pk=1).update(review=mode)
    assert held(upload, 1).status == expected


def test_new_accounts_are_trusted_after_their_first_published_uploads(
    publish, upload, job_context, other_user
):
    for _ in range(2):
        publish()
    Policy.objects.filter(pk=1).update(review="new_accounts", trusted_after=2)
    assert held(upload, 2).status == "ready"  # two published documents: trusted
    assert held(upload, 3, owner=other_user).status == "held"


def test_bulk_approve_and_reject_with_a_reason_the_uploader_sees(
    client, upload, job_context, user, staff
):
    Policy.objects.filter(pk=1).update(review="everyone")
    first, second, third = (held(upload, n) for n in (10, 11, 12))
    client.force_login(staff)
    queue = client.get(reverse("desk:review_queue")).content.decode()
    assert all(d.title in queue for d in (first, second, third))
    assert "已发布 0" in queue  # the uploader's history
    url = reverse("desk:review_queue") + "?tab=held"
    refused = client.post(url, {"action": "reject", "ids": [third.pk], "reason": ""})
    assert refused.status_code == 302 and Document.objects.get(pk=third.pk).status == "held"
    client.post(url, {"action": "approve", "ids": [first.pk, second.pk]})
    client.post(url, {"action": "reject", "ids": [third.pk], "reason": "只有目录，没有正文"})
    statuses = dict(Document.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in (first, second, third)] == ["ready", "ready", "rejected"]
    assert Review.objects.get(document=third).reason == "只有目录，没有正文"
    assert Notification.objects.filter(user=user, kind="approved").count() == 2
    assert "只有目录" in Notification.objects.get(user=user, kind="rejected").message
    client.force_login(user)
    mine = client.get(reverse("library:my_uploads")).content.decode()
    assert "只有目录，没有正文" in mine
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["approve", "approve", "reject"]


def test_the_review_screen_shows_pages_text_flags_and_the_matches(
    client, publish, upload, job_context, other_user, staff
):
    text = words(8100, 40)
    original = publish(text=text, pages=6)
    copy = upload("copy.pdf", make_pdf(7, text=text), owner=other_user)
    process(copy.pk)
    client.force_login(staff)
    html = client.get(reverse("desk:review_detail", args=[copy.pk])).content.decode()
    assert 'class="passages"' in html and original.title in html
    assert text.split()[0] in html  # the text, and the passages
    assert html.count("/p/") >= 5  # rendered page images
    copy.refresh_from_db()
    assert f"{copy.page_count} 页" in html  # the counts
    assert "已发布 0" in html  # the uploader's history: nothing published yet


def test_a_failed_conversion_is_retried_from_the_queue(client, upload, job_context, staff):
    from django_tasks_db.models import DBTaskResult

    broken = upload("broken.pdf", b"%PDF-1.4 not really")
    process(broken.pk)
    broken.refresh_from_db()
    assert broken.status == "failed"
    DBTaskResult.objects.all().delete()
    client.force_login(staff)
    client.post(
        reverse("desk:review_queue") + "?tab=failed", {"action": "retry", "ids": [broken.pk]}
    )
    broken.refresh_from_db()
    assert broken.status == "queued" and DBTaskResult.objects.count() == 1


def test_non_staff_cannot_decide(client, upload, job_context, user):
    Policy.objects.filter(pk=1).update(review="everyone")
    doc = held(upload, 20)
    client.force_login(user)
    response = client.post(reverse("desk:review_detail", args=[doc.pk]), {"action": "approve"})
    assert response.status_code == 404
    assert Document.objects.get(pk=doc.pk).status == "held"


@pytest.mark.parametrize(
    ("hold_at", "status", "flagged"), [(0.5, "held", False), (0.95, "ready", True)]
)
def test_the_policys_thresholds_hold_or_flag_an_edited_copy(
    client, publish, upload, job_context, other_user, staff, hold_at, status, flagged
):
    """Given an original and a copy with its last eighth of words changed, When the copy is
    converted under the default policy (hold at 0.5), Then it is held; when an admin has
    raised the hold threshold above its similarity, Then it is published and flagged for
    a look — in the desk's and the API's flagged tab."""
    from wenku.accounts.models import ApiToken

    text = words(8200, 48)
    original = publish(text=text, pages=4)
    edited = " ".join(text.split()[:42]) + " " + words(8201, 6)
    Policy.objects.filter(pk=1).update(hold_similarity=hold_at, flag_similarity=0.3)
    copy = upload("edited.pdf", make_pdf(4, text=edited), owner=other_user)
    process(copy.pk)
    copy.refresh_from_db()
    review = Review.objects.get(document=copy)
    assert 0.5 <= review.similarity < 0.95 and review.matches[0][0] == original.pk
    assert (copy.status, review.flagged) == (status, flagged)
    client.force_login(staff)
    tab = client.get(reverse("desk:review_queue") + "?tab=flagged").content.decode()
    assert (f'id="q-{copy.pk}"' in tab) is flagged
    _t, secret = ApiToken.issue(staff, "script")
    api = client.get(
        "/api/v1/moderation/queue", {"tab": "flagged"}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert (copy.pk in [item["id"] for item in api.json()]) is flagged


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, []),
        ({"pages": ["", ""], "char_count": 0}, ["no_text"]),
        ({"pages": ["第1页", "第2页", "第3页"], "char_count": 6}, ["little_text"]),
        ({"title": "水稻种植技术", "pages": ["river mountain lesson " * 20]}, ["title_unrelated"]),
        ({"size": 90}, ["tiny_file"]),
        ({"description": "加微信 vx123 领取"}, ["banned_words"]),
        ({"tags": ["加微信"]}, ["banned_words"]),
    ],
)
def test_automatic_flags(given, expected):
    """Each flag from what the pipeline extracted (hit/miss table): a blank scan, a few
    characters a page, a title unrelated to the text, a tiny file, a held word."""
    from wenku.moderation import flags
    from wenku.moderation.models import BannedWord

    BannedWord.objects.create(word="加微信", action="hold")
    body = "水稻种植技术要点：育秧、插秧、施肥与病虫害防治。" * 12
    upload = {
        "title": "水稻种植技术",
        "description": "",
        "tags": [],
        "size": 50_000,
        "pages": [body, body],
        "char_count": 2 * len(body),
        **given,
    }
    assert flags.compute(**upload) == expected


def test_junk_is_held_when_the_policy_says_so_and_never_rewarded_on_approval(
    upload, job_context, user, staff, rules
):
    """Given a site that holds junk and rewards uploads, When a four-page file with one
    letter a page is converted, Then it is held with the reason; approving it publishes
    it but pays nothing (approval pays the reward only for real content)."""
    from wenku.economy import queries
    from wenku.publishing import decisions

    rules.upload_reward = 5
    rules.save()
    Policy.objects.filter(pk=1).update(hold_junk=True)
    junk = upload("blank.pdf", make_pdf(4, text="x"))
    process(junk.pk)
    junk.refresh_from_db()
    review = Review.objects.get(document=junk)
    assert junk.status == "held" and "little_text" in review.flags
    assert "空" in review.reason  # 看起来是空的或不完整
    assert decisions.approve([junk.pk], staff) == [junk.pk]
    assert Document.objects.get(pk=junk.pk).status == "ready"
    assert queries.balance(user) == 0
