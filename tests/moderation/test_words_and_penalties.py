"""Banned words (Aho-Corasick: block, hold, mask) and moderators' penalties, which hold
on the web and for API tokens alike; reports are deduplicated and rate-limited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.pdf import make_pdf
from tests.factories.published import words as some_words
from wenku.moderation import words
from wenku.moderation.models import BannedWord, Report
from wenku.publishing import intake
from wenku.publishing.jobs import process

pytestmark = pytest.mark.django_db


def ban(word: str, action: str = "block") -> None:
    BannedWord.objects.create(word=word, action=action)


def test_matching_folds_width_and_case_and_masks_in_place():
    ban("代写论文")
    ban("ＶＸ", "mask")
    found = words.find("专业代写论文，加vx联系")
    assert found.words == {"代写论文": "block", "vx": "mask"} and found.action == "block"
    assert words.mask("加VX：12345") == "加＊＊：12345"
    assert not words.find("论文写作指导")


def test_an_edited_list_is_used_at_once(client):
    assert not words.find("刷单返利")
    ban("刷单")
    assert words.find("刷单返利").action == "block"
    BannedWord.objects.get(word="刷单").delete()
    assert not words.find("刷单返利")


def test_blocked_words_refuse_an_upload_and_held_words_hold_it(upload, job_context):
    ban("blockedword")
    ban("holdme", "hold")
    with pytest.raises(intake.Refused):
        upload("a.pdf", make_pdf(2), title="blockedword notes")
    doc = upload("b.pdf", make_pdf(3, text="holdme " + some_words(8501)))
    process(doc.pk)
    doc.refresh_from_db()
    assert doc.status == "held"
    assert "banned_words" in doc.review.flags


def test_comments_mask_or_refuse(client, publish, other_user):
    from wenku.community.models import Comment

    doc = publish()
    ban("加微信", "mask")
    ban("赌博", "block")
    client.force_login(other_user)
    url = reverse("community:comment", args=[doc.pk])
    client.post(url, {"body": "写得好，加微信聊"})
    client.post(url, {"body": "网上赌博"})
    assert list(Comment.objects.values_list("body", flat=True)) == ["写得好，＊＊＊聊"]


def test_penalties_hold_on_the_web_and_for_api_tokens(client, publish, user, other_user, staff):
    """Given penalties on uploading, commenting and downloading, When the user tries each
    on the site and with an API token, Then each is refused until it is lifted."""
    from wenku.accounts.models import ApiToken
    from wenku.moderation import domain
    from wenku.moderation.models import Penalty

    doc = publish()
    for kind in ("upload", "comment", "download"):
        domain.penalise(other_user, kind, 24, "刷屏", staff)
    _token, secret = ApiToken.issue(other_user, "script")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    sent = client.post("/api/v1/documents", {"file": _file(make_pdf(2))}, **bearer)
    assert sent.status_code == 403 and "刷屏" in sent.json()["detail"]
    quote = client.get(f"/api/v1/documents/{doc.pk}/download", **bearer)
    assert quote.json()["code"] == "penalised"
    client.force_login(other_user)
    client.post(reverse("community:comment", args=[doc.pk]), {"body": "你好"})
    assert not doc.comments.exists()
    page = client.get(doc.get_absolute_url()).content.decode()
    assert "不能下载文档" in page and "刷屏" in page
    for penalty in Penalty.objects.all():
        domain.lift_penalty(penalty, staff)
    assert (
        client.post("/api/v1/documents", {"file": _file(make_pdf(2))}, **bearer).status_code == 201
    )


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.pdf", data, content_type="application/pdf")


def test_reports_are_deduplicated_per_reporter_and_rate_limited(
    client, publish, other_user, settings
):
    doc = publish()
    client.force_login(other_user)
    url = reverse("moderation:report", args=[doc.pk])
    for _ in range(2):
        assert client.post(url, {"reason": "spam", "details": "广告"}).status_code == 302
    assert Report.objects.count() == 1
    settings.WENKU = settings.WENKU.replace(rate_report=(2, 3600))
    client.post(url, {"reason": "fraud"})
    assert client.post(url, {"reason": "illegal"}).status_code == 429
    assert Report.objects.count() == 2
    copyright_ = client.post(url, {"reason": "copyright"})
    assert copyright_.status_code == 302 and copyright_.url == reverse(
        "moderation:notice", args=[doc.pk]
    )


def test_a_comment_can_be_reported_and_removed_by_staff(client, publish, user, other_user, staff):
    from wenku.community.domain import add_comment

    doc = publish()
    comment = add_comment(other_user, doc, "来买发票")
    client.force_login(user)
    client.post(reverse("community:report_comment", args=[comment.pk]), {"reason": "spam"})
    report = Report.objects.get()
    assert report.comment_id == comment.pk and report.comment_excerpt == "来买发票"
    client.force_login(staff)
    assert "来买发票" in client.get(reverse("desk:reports")).content.decode()
    client.post(reverse("desk:reports"), {"id": report.pk, "action": "remove_comment"})
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == ""
    report.refresh_from_db()
    assert report.state == "resolved"


def test_page_images_and_in_document_search_are_rate_limited(client, publish, settings):
    """Per address (and per user when signed in), on the site and in the API alike."""
    from wenku.library import signing

    doc = publish(pages=3)
    settings.WENKU = settings.WENKU.replace(rate_page_image_ip=(2, 600), rate_find=(1, 600))
    site = [client.get(signing.page_url(doc.pk, n)).status_code for n in (1, 2)]
    api = client.get(f"/api/v1/documents/{doc.pk}/pages/3")
    assert site == [200, 200] and api.status_code == 429 and api["Retry-After"]
    assert client.get(f"/d/{doc.pk}/search", {"q": "river"}).status_code == 200
    assert client.get(f"/d/{doc.pk}/search", {"q": "river"}).status_code == 429
    assert client.get(f"/api/v1/documents/{doc.pk}/search", {"q": "x"}).status_code == 429


def test_uploads_are_rate_limited_per_user(client, user, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.WENKU = settings.WENKU.replace(rate_upload_user=(1, 3600))
    client.force_login(user)

    def send(n: int) -> int:
        data = make_pdf(2, text=some_words(8600 + n))
        upload = SimpleUploadedFile(f"{n}.pdf", data, content_type="application/pdf")
        return client.post("/api/v1/documents", {"file": upload}).status_code

    assert [send(1), send(2)] == [201, 429]


@pytest.mark.parametrize(
    ("pages", "flag"),
    [
        (["目录", "第一章 总则……1", "第二章 考核……4", "第三章 奖惩……9", "附录……12"], True),
        (["目 录", "一、工作回顾 2", "二、存在问题 5", "三、明年计划 7", "四、结语 9"], True),
        (
            ["本年度完成了全部考核任务，共组织培训十二次，参加人数超过三百人，累计学时达到 120"]
            * 6,
            False,
        ),
        (["river mountain lesson report budget teacher summary contract 1"] * 6, False),
    ],
)
def test_only_a_table_of_contents_is_flagged(pages, flag):
    from wenku.moderation import flags

    found = flags.compute(
        title="目录", description="", tags=[], size=5000, pages=["\n".join(pages)], char_count=100
    )
    assert ("toc_only" in found) is flag


@pytest.mark.parametrize("field", ["title", "description", "tags"])
def test_a_blocked_word_in_any_detail_refuses_the_upload_on_the_site(client, user, field):
    """The site's upload form (and the API: one intake) refuses details with a blocked
    word, whichever detail holds it, before anything is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wenku.library.models import Document

    ban("代写论文")
    details = {"title": "毕业总结", "description": "", "tags": "总结", field: "专业代写论文"}
    client.force_login(user)
    data = SimpleUploadedFile("a.pdf", make_pdf(2), content_type="application/pdf")
    page = client.post(reverse("library:upload"), {"files": data, **details}, follow=True)
    assert "不允许" in page.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize(("action", "status"), [("block", "rejected"), ("hold", "held")])
def test_banned_words_in_the_extracted_text_are_acted_on(upload, job_context, action, status):
    """A word found only in the converted text (never in the details) rejects or holds."""
    ban("kickbackcash", action)
    doc = upload("body.pdf", make_pdf(3, text=some_words(8801) + " kickbackcash"), title="会议纪要")
    process(doc.pk)
    doc.refresh_from_db()
    assert doc.status == status
    assert "banned_words" in doc.review.flags


def test_edits_with_banned_words_are_refused_or_sent_back_to_review(
    client, publish, user, other_user
):
    """Given a published document, When its uploader edits in a blocked word (site and
    API), Then the edit is refused; with a held word, it is saved and the document waits
    for a moderator, out of search, and the uploader is told so."""
    from wenku.accounts.models import ApiToken
    from wenku.library.models import Document
    from wenku.search.service import SearchParams, run_search

    ban("赌博", "block")
    ban("返利", "hold")
    doc = publish(title="班级活动总结")
    client.force_login(user)
    url = reverse("library:edit_upload", args=[doc.pk])
    form = {"title": "班级活动总结", "description": "", "tags": "", "pricing": "free"}
    refused = client.post(url, {**form, "tags": "赌博"})
    assert refused.status_code == 200 and "不允许" in refused.content.decode()
    _t, secret = ApiToken.issue(user, "script")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    api = client.patch(
        f"/api/v1/documents/{doc.pk}",
        {"description": "网上赌博"},
        content_type="application/json",
        **bearer,
    )
    assert api.status_code == 400
    assert Document.objects.get(pk=doc.pk).description == ""
    saved = client.post(url, {**form, "description": "关注有返利"}, follow=True)
    assert "审核员将检查" in saved.content.decode()  # told a moderator checks the new details
    doc.refresh_from_db()
    assert doc.status == "held" and doc.description == "关注有返利"
    assert not run_search(SearchParams(q="班级活动总结"), None).hits
    client.force_login(other_user)
    assert client.get(doc.get_absolute_url()).status_code == 404


def test_uploads_are_rate_limited_per_address_and_refused_under_a_penalty_on_the_site(
    client, user, other_user, staff, settings
):
    """Given two accounts behind one address and a limit of one upload per address, When
    both upload on the site, Then the second is refused; and an account under an upload
    penalty is refused with the reason, nothing stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wenku.library.models import Document
    from wenku.moderation import domain

    settings.WENKU = settings.WENKU.replace(rate_upload_ip=(1, 3600))

    def send(person, n: int, address: str) -> str:  # type: ignore[no-untyped-def]
        client.force_login(person)
        data = SimpleUploadedFile(f"{n}.pdf", make_pdf(2, text=some_words(8900 + n)))
        form = {"files": data, "title": f"总结{n}", "pricing": "free"}
        page = client.post(reverse("library:upload"), form, REMOTE_ADDR=address, follow=True)
        return page.content.decode()

    send(user, 1, "203.0.113.7")
    assert "尝试次数过多" in send(other_user, 2, "203.0.113.7")
    assert Document.objects.count() == 1
    domain.penalise(other_user, "upload", 24, "重复上传广告", staff)
    refused = send(other_user, 3, "198.51.100.9")  # another address: only the penalty
    assert "重复上传广告" in refused and Document.objects.count() == 1


def test_page_images_are_limited_per_signed_in_reader_from_every_address(
    client, publish, other_user, settings
):
    """The site's reader and an API token of the same account share one per-user count,
    whatever address each request comes from."""
    from wenku.accounts.models import ApiToken
    from wenku.library import signing

    doc = publish(pages=3)
    settings.WENKU = settings.WENKU.replace(rate_page_image_user=(2, 600))
    client.force_login(other_user)
    first = client.get(signing.page_url(doc.pk, 1), REMOTE_ADDR="198.51.100.1")
    _t, secret = ApiToken.issue(other_user, "script")
    client.logout()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    second = client.get(f"/api/v1/documents/{doc.pk}/pages/2", REMOTE_ADDR="198.51.100.2", **bearer)
    third = client.get(f"/api/v1/documents/{doc.pk}/pages/3", REMOTE_ADDR="198.51.100.3", **bearer)
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert client.get(signing.page_url(doc.pk, 3), REMOTE_ADDR="198.51.100.3").status_code == 200


def test_each_comment_and_the_document_have_a_report_link_and_reports_are_per_reporter(
    client, publish, user, other_user, django_user_model
):
    """Every comment but the reader's own has its 举报 link, and the document has one for
    everyone but its uploader; the same reason from two readers is two reports
    (deduplicated per reporter, not per document)."""
    from wenku.community.domain import add_comment

    doc = publish()
    theirs = [add_comment(other_user, doc, f"评论{n}") for n in range(2)]
    mine = add_comment(user, doc, "我自己的评论")
    client.force_login(user)
    page = client.get(doc.get_absolute_url()).content.decode()
    for comment in theirs:
        assert reverse("community:report_comment", args=[comment.pk]) in page
    assert reverse("community:report_comment", args=[mine.pk]) not in page
    assert reverse("moderation:report", args=[doc.pk]) not in page  # the uploader's own
    client.force_login(other_user)
    assert (
        reverse("moderation:report", args=[doc.pk])
        in client.get(doc.get_absolute_url()).content.decode()
    )
    third = django_user_model.objects.create_user("carol", "c@example.com", "pw")
    for reader in (other_user, third, third):
        client.force_login(reader)
        client.post(reverse("moderation:report", args=[doc.pk]), {"reason": "low_quality"})
    assert Report.objects.filter(document=doc).count() == 2


def test_reports_are_limited_per_address_across_accounts(
    client, publish, user, other_user, django_user_model, settings, bearer
):
    """Given a limit of two reports per address, When three accounts behind one address
    report (site, comment page and API), Then the third is refused; another address is
    not held to it."""
    from wenku.community.domain import add_comment

    settings.WENKU = settings.WENKU.replace(rate_report_ip=(2, 3600))
    doc = publish()
    comment = add_comment(user, doc, "广告评论")
    third = django_user_model.objects.create_user("carol", "c@example.com", "pw")
    here = {"REMOTE_ADDR": "203.0.113.5"}
    client.force_login(other_user)
    site = client.post(reverse("moderation:report", args=[doc.pk]), {"reason": "spam"}, **here)
    client.force_login(third)
    page = reverse("community:report_comment", args=[comment.pk])
    on_comment = client.post(page, {"reason": "spam"}, **here)
    client.logout()
    url = f"/api/v1/documents/{doc.pk}/reports"
    api = client.post(url, {"reason": "fraud"}, **here, **bearer(third))
    assert (site.status_code, on_comment.status_code, api.status_code) == (302, 302, 429)
    elsewhere = client.post(url, {"reason": "fraud"}, REMOTE_ADDR="198.51.100.5", **bearer(third))
    assert elsewhere.status_code == 201 and Report.objects.count() == 3
