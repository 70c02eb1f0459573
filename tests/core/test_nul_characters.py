"""A NUL character anywhere a visitor types is a 400, never a 500 (issue 10, item 6's
class: a name that breaks a page).

PostgreSQL refuses NUL in any text it compares or stores, so on the scale database
``/t/a%00b/`` answered 500 on the tag, category and uploader pages, and an API upload or
edit naming a category with one too. No address or name of the site holds a NUL; form
and JSON fields are checked, uploaded files (bytes, full of NULs) never are. The
PostgreSQL pass of the suite is where the old code fails.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import documents as f
from wenku.accounts.models import ApiToken
from wenku.library.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(user) -> dict[str, str]:
    _, secret = ApiToken.issue(user, "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize(
    "url",
    [
        "/t/GB%00T/",
        "/c/a%00b/",
        "/u/a%00b/",
        "/search?q=%E5%90%88%00%E5%90%8C",
        "/api/v1/search?q=a%00b",
        "/api/v1/documents/1/search?q=a%00b",
    ],
)
def test_an_address_with_a_nul_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400, response.status_code


@pytest.mark.parametrize("field", ["category", "title", "tags", "description"])
def test_an_api_upload_with_a_nul_in_a_field_is_a_400(client, bearer, field):
    docx = SimpleUploadedFile("a.docx", f.make_docx(1))
    response = client.post("/api/v1/documents", {"file": docx, field: "a\x00b"}, **bearer)
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    assert not Document.objects.exists()


def test_a_file_full_of_nuls_uploads_as_ever(client, bearer):
    data = f.make_docx(1)
    assert b"\x00" in data
    docx = SimpleUploadedFile("a.docx", data)
    assert client.post("/api/v1/documents", {"file": docx}, **bearer).status_code == 201


def test_a_json_edit_with_a_nul_is_a_400(client, bearer, publish):
    doc = publish()
    body = json.dumps({"category": "a\x00b", "title": "新标题"})
    response = client.patch(
        f"/api/v1/documents/{doc.pk}", body, content_type="application/json", **bearer
    )
    assert response.status_code == 400
    doc.refresh_from_db()
    assert doc.title != "新标题"


def test_a_web_form_with_a_nul_is_a_400(user, publish):
    doc = publish()
    browser = Client()
    browser.force_login(user)
    response = browser.post(f"/d/{doc.pk}/comments/", {"body": "好\x00文"})
    assert response.status_code == 400
    assert not doc.comments.exists()
