"""Uploaders manage their documents (edit, soft delete, see the review state and reason)
on the site and through the API; the originality API is for the uploader and staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.pdf import make_pdf
from wenku.economy.models import LedgerEntry
from wenku.library.models import Document
from wenku.publishing.jobs import process
from wenku.search.fingerprint import Fingerprint

pytestmark = pytest.mark.django_db


def test_edit_details_from_my_uploads(client, publish, user):
    from wenku.library.models import Category
    from wenku.search.service import SearchParams, run_search

    reports = Category.objects.create(name="总结报告", slug="reports")
    doc = publish(title="旧标题")
    client.force_login(user)
    url = reverse("library:edit_upload", args=[doc.pk])
    assert "旧标题" in client.get(url).content.decode()
    saved = client.post(
        url,
        {
            "title": "新标题 summary",
            "description": "修改后的简介",
            "category": str(reports.pk),
            "tags": "总结, 2024",
            "pricing": "points",
            "price": "8",
            "preview_pages": "2",
        },
    )
    assert saved.status_code == 302
    doc.refresh_from_db()
    assert (doc.title, doc.pricing, doc.price, doc.preview_pages) == (
        "新标题 summary",
        "points",
        8,
        2,
    )
    assert sorted(t.name for t in doc.tags.all()) == ["2024", "总结"]
    assert (doc.description, doc.category_id) == ("修改后的简介", reports.pk)
    hits = run_search(SearchParams(q="新标题"), None).hits
    assert [h.document.pk for h in hits] == [doc.pk]  # indexed again under the new title
    bad = client.post(url, {"title": "x", "pricing": "points", "price": "0"})
    assert bad.status_code == 200 and "积分" in bad.content.decode()


def test_only_the_uploader_edits_or_deletes(client, publish, other_user):
    doc = publish()
    client.force_login(other_user)
    assert client.get(reverse("library:edit_upload", args=[doc.pk])).status_code == 404
    assert client.post(reverse("library:delete_upload", args=[doc.pk])).status_code == 404


def test_soft_delete_keeps_the_file_fingerprint_and_reward_history(
    client, publish, user, upload, job_context
):
    from wenku.economy.models import Rules

    Rules.objects.filter(pk=1).update(upload_reward=5, upload_reward_min_chars=0)
    doc = publish(text="keep my history please")
    client.force_login(user)
    confirm = client.get(reverse("library:delete_upload", args=[doc.pk]))
    assert confirm.status_code == 200 and doc.title in confirm.content.decode()
    client.post(reverse("library:delete_upload", args=[doc.pk]))
    doc.refresh_from_db()
    assert doc.status == "deleted"
    assert client.get(doc.get_absolute_url()).status_code == 404  # the uploader too
    assert f'id="upload-{doc.pk}"' not in client.get(reverse("library:my_uploads")).content.decode()
    assert Fingerprint.objects.filter(conversion_id=doc.conversion_id).exists()
    assert LedgerEntry.objects.filter(document=doc, reason="upload_reward").count() == 1
    again = upload("again.pdf", make_pdf(3, text="keep my history please"))
    process(again.pk)
    again.refresh_from_db()
    assert again.status == "ready"  # deleting and uploading again is allowed …
    assert LedgerEntry.objects.filter(reason="upload_reward").count() == 1  # … unrewarded


def test_my_uploads_shows_views_state_and_reason(client, publish, upload, job_context, user):
    from wenku.moderation.models import Policy

    doc = publish()
    Document.objects.filter(pk=doc.pk).update(view_count=37)
    Policy.objects.filter(pk=1).update(review="everyone")
    waiting = upload("w.pdf", make_pdf(3, text="waiting for a moderator"))
    process(waiting.pk)
    client.force_login(user)
    html = client.get(reverse("library:my_uploads")).content.decode()
    assert '<td class="views" data-label="浏览">37</td>' in html
    assert "state-held" in html and "新上传的文档需审核后发布" in html


def test_the_api_edits_deletes_and_shows_originality(client, publish, user, other_user, staff):
    from wenku.accounts.models import ApiToken

    text = "originality through the api with enough words"
    original = publish(text=text, pages=4, title="the original")
    _t, mine = ApiToken.issue(user, "script")
    _t, theirs = ApiToken.issue(other_user, "script")
    _t, staffs = ApiToken.issue(staff, "script")

    def auth(secret):
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    copy_data = make_pdf(5, text=text)
    from django.core.files.uploadedfile import SimpleUploadedFile

    sent = client.post(
        "/api/v1/documents",
        {"file": SimpleUploadedFile("c.pdf", copy_data, content_type="application/pdf")},
        **auth(theirs),
    )
    copy_id = sent.json()["id"]
    process(copy_id)
    url = f"/api/v1/documents/{copy_id}/originality"
    assert client.get(url, **auth(mine)).status_code == 404  # not the uploader, not staff
    seen = client.get(url, **auth(theirs)).json()
    assert seen["status"] == "held" and seen["matches"][0]["id"] == original.pk
    assert seen["matches"][0]["kind"] == "near" and seen["matches"][0]["passages"]
    assert client.get(url, **auth(staffs)).status_code == 200
    # the original's uploader is not shown another uploader's held copy
    of_original = f"/api/v1/documents/{original.pk}/originality"
    assert client.get(of_original, **auth(mine)).json()["matches"] == []
    assert [m["id"] for m in client.get(of_original, **auth(staffs)).json()["matches"]] == [copy_id]
    followed = client.get(f"/api/v1/documents/{copy_id}", **auth(theirs)).json()
    assert followed["status"] == "held" and "the original" in followed["review_reason"]

    again = client.post(
        "/api/v1/documents",
        {
            "file": SimpleUploadedFile(
                "o.pdf", make_pdf(4, text=text), content_type="application/pdf"
            )
        },
        **auth(mine),
    )
    assert again.status_code == 409 and again.json()["original_id"] == original.pk

    edit = client.patch(
        f"/api/v1/documents/{original.pk}",
        {"title": "renamed by api"},
        content_type="application/json",
        **auth(mine),
    )
    assert (
        edit.status_code == 200 and Document.objects.get(pk=original.pk).title == "renamed by api"
    )
    assert client.delete(f"/api/v1/documents/{original.pk}", **auth(theirs)).status_code == 404
    assert (
        client.delete(f"/api/v1/documents/{original.pk}", **auth(mine)).json()["status"]
        == "deleted"
    )

    approve = client.post("/api/v1/moderation/approve", {"ids": [copy_id]}, **auth(staffs))
    assert approve.json() == {"done": [copy_id]}


def test_the_uploader_sees_the_passages_behind_a_held_near_copy(
    client, publish, upload, user, other_user, staff
):
    """Given bob's near-copy of alice's published document, held for review, When bob opens
    相似内容 from 我的上传, Then he sees the original, the similarity and the matching
    passages side by side, as a moderator does; alice (not the uploader) gets 404."""
    from tests.factories.published import words

    text = words(7301, 40)
    original = publish(text=text, pages=6, title="港口调查报告")
    copy = upload("copy.pdf", make_pdf(7, text=text), owner=other_user)
    process(copy.pk)
    copy.refresh_from_db()
    assert copy.status == "held"
    url = reverse("library:upload_originality", args=[copy.pk])
    client.force_login(other_user)
    assert url in client.get(reverse("library:my_uploads")).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "相似内容" in html and original.get_absolute_url() in html and "港口调查报告" in html
    assert 'class="passages"' in html and "本次上传" in html
    first_word = text.split()[0]
    cells = html.split('class="passages"')[1].split("</table>")[0]
    assert cells.count(first_word) >= 2  # the same passage in both columns
    client.force_login(user)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    own = reverse("library:upload_originality", args=[original.pk])
    client.force_login(user)
    assert url not in client.get(reverse("library:my_uploads")).content.decode()
    mine = client.get(own).content.decode()
    # bob's held copy is not alice's to read: only what readers see, and her own
    assert "没有相似文档。" in mine and copy.get_absolute_url() not in mine
