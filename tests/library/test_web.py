"""The server-rendered pages of this stage: accounts, the upload form, my uploads, a document."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories.pdf import make_pdf
from wenku.accounts.models import User
from wenku.library.models import Category, Document

pytestmark = pytest.mark.django_db


def test_register_log_out_and_in(client, settings):
    # With verification on (the default) the account waits for its mail: tests/accounts.
    settings.WENKU = settings.WENKU.replace(email_verification=False)
    response = client.post(
        reverse("accounts:register"),
        {
            "username": "reader",
            "email": "r@example.com",
            "password1": "a long enough password 42",
            "password2": "a long enough password 42",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="reader").exists()
    assert client.get(reverse("library:my_uploads")).status_code == 200  # logged in
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("library:my_uploads")).status_code == 302  # logged out
    response = client.post(
        reverse("accounts:login"), {"username": "reader", "password": "a long enough password 42"}
    )
    assert response.status_code == 302
    assert client.get(reverse("library:my_uploads")).status_code == 200


def test_upload_page_requires_login(client):
    response = client.get(reverse("library:upload"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_upload_form_without_javascript_accepts_several_files(client, user):
    category = Category.objects.create(name="合同范本", slug="hetong")
    client.force_login(user)
    page = client.get(reverse("library:upload"))
    assert b"multiple" in page.content and b"upload.js" in page.content
    response = client.post(
        reverse("library:upload"),
        {
            "files": [
                SimpleUploadedFile("一.pdf", make_pdf(1)),
                SimpleUploadedFile("二.pdf", make_pdf(2)),
            ],
            "category": category.pk,
            "tags": "合同, 范本",
            "description": "说明",
        },
    )
    assert response.status_code == 302
    docs = Document.objects.order_by("pk")
    assert [d.title for d in docs] == ["一", "二"]
    assert all(d.category == category and d.description == "说明" for d in docs)
    assert all(sorted(t.name for t in d.tags.all()) == ["合同", "范本"] for d in docs)
    mine = client.get(reverse("library:my_uploads")).content.decode()
    assert "一" in mine and "二" in mine


def category_options(html: str) -> list[str]:
    """The labels of the category select, in page order."""
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


@pytest.fixture
def tree(db):
    """A root listed first, then a parent whose child sorts before both when flat."""
    Category.objects.create(name="教育", slug="jiaoyu", position=1)
    law = Category.objects.create(name="法律", slug="falv", position=2)
    Category.objects.create(name="合同范本", slug="hetong", parent=law, position=0)


def test_upload_form_lists_categories_as_a_tree(client, user, tree):
    client.force_login(user)
    html = client.get(reverse("library:upload")).content.decode()
    assert category_options(html)[1:] == ["教育", "法律", "\u3000合同范本"]


def test_edit_form_lists_categories_as_the_same_tree(client, user, upload, tree):
    doc = upload("a.pdf", make_pdf(1))
    client.force_login(user)
    html = client.get(reverse("library:edit_upload", args=[doc.pk])).content.decode()
    assert category_options(html)[1:] == ["教育", "法律", "\u3000合同范本"]


def test_my_uploads_shows_failure_reasons(client, user, ingested):
    ingested("empty.txt", b"")
    client.force_login(user)
    assert "文件是空的。" in client.get(reverse("library:my_uploads")).content.decode()


def test_my_uploads_says_a_ready_document_is_published(client, user, publish):
    """The state of a ready document read 发布时间 ("time of publishing": the same English
    word as the date field's name); it is 已发布, and "published" in English."""
    doc = publish(title="年度总结")
    client.force_login(user)
    state = 'class="state-ready">'
    html = client.get(reverse("library:my_uploads")).content.decode()
    assert html[html.index(state) + len(state) :].startswith("已发布<")
    client.get("/lang/en/")
    text = client.get(reverse("library:my_uploads")).content.decode()
    assert text[text.index(state) + len(state) :].startswith("published<") and doc.pk


def test_chinese_by_default_whatever_the_browser_says_and_english_on_request(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode() and "上传" in page.content.decode()
    response = client.get("/lang/en/?next=/c/nope/")
    assert response.status_code == 302 and response["Location"] == "/c/nope/"
    assert client.get("/lang/en/?next=https://evil.example/")["Location"] == "/"
    assert client.get("/lang/fr/").status_code == 404
    page = client.get("/")
    assert '<html lang="en">' in page.content.decode() and "Upload" in page.content.decode()


def test_unfinished_document_page_is_only_for_its_owner(client, user, other_user, upload):
    doc = upload("a.pdf", make_pdf(1))
    assert client.get(doc.get_absolute_url()).status_code == 404
    client.force_login(other_user)
    assert client.get(doc.get_absolute_url()).status_code == 404
    client.force_login(user)
    assert client.get(doc.get_absolute_url()).status_code == 200


def test_home_lists_ready_documents(client, ingested, upload):
    ready = ingested("好.pdf", make_pdf(1), title="已发布的文档")
    upload("b.pdf", make_pdf(1, text="queued"), title="还在排队的文档")
    html = client.get("/").content.decode()
    assert ready.title in html and "还在排队的文档" not in html


def test_admin_lists_documents(admin_client, ingested):
    ingested("a.pdf", make_pdf(1), title="管理后台可见")
    response = admin_client.get("/admin/library/document/")
    assert response.status_code == 200 and "管理后台可见" in response.content.decode()
