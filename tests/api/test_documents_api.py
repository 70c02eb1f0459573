"""POST/GET /api/v1/documents and the page images behind the free-preview limit."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.factories import documents as f
from tests.factories.pdf import make_pdf
from wenku.accounts.models import ApiToken
from wenku.library.models import Category, Document
from wenku.publishing.jobs import process

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(user):
    _, raw = ApiToken.issue(user, "test")
    return raw


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def post_file(client: Client, name: str, data: bytes, headers=None, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/v1/documents",
        {"file": SimpleUploadedFile(name, data), **fields},
        headers=headers or {},
    )


def test_upload_with_a_token_returns_id_and_status(client, token):
    category = Category.objects.create(name="教案", slug="jiaoan")
    response = post_file(
        client,
        "教学设计.pdf",
        make_pdf(2),
        bearer(token),
        title="三年级数学教学设计",
        description="第一单元",
        category="jiaoan",
        tags="数学, 三年级，人教版",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued"
    doc = Document.objects.get(pk=body["id"])
    assert (doc.title, doc.description, doc.category) == (
        "三年级数学教学设计",
        "第一单元",
        category,
    )
    assert sorted(t.name for t in doc.tags.all()) == ["三年级", "人教版", "数学"]
    assert body["api_url"] == f"/api/v1/documents/{doc.pk}"


def test_upload_needs_authentication(client):
    assert post_file(client, "a.pdf", make_pdf(1)).status_code == 401
    assert post_file(client, "a.pdf", make_pdf(1), bearer("wk_wrong")).status_code == 401
    assert Document.objects.count() == 0


def test_session_upload_needs_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert post_file(client, "a.pdf", make_pdf(1)).status_code in (401, 403)
    client.get(reverse("library:upload"))  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = post_file(client, "a.pdf", make_pdf(1), {"X-CSRFToken": csrf})
    assert response.status_code == 201


def test_upload_too_large_is_refused_and_nothing_stored(client, token, settings, data_dir):
    settings.WENKU = settings.WENKU.replace(max_upload_mb=1)
    response = post_file(client, "big.txt", b"x" * (1024 * 1024 + 1), bearer(token))
    assert response.status_code == 413
    assert "1.0 MB" in response.json()["detail"]
    assert Document.objects.count() == 0
    assert not any((data_dir / "files").rglob("*")) and not any((data_dir / "tmp").iterdir())


def test_oversized_upload_is_refused_before_its_body_is_read(client, token, settings):
    settings.WENKU = settings.WENKU.replace(max_upload_mb=1)
    response = client.post(
        "/api/v1/documents",
        b"",
        content_type="multipart/form-data; boundary=x",
        headers=bearer(token),
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413 and "1.0 MB" in response.json()["detail"]


def test_unknown_category_is_a_clear_error(client, token):
    response = post_file(client, "a.pdf", make_pdf(1), bearer(token), category="nope")
    assert response.status_code == 400 and "nope" in response.json()["detail"]


@pytest.mark.live
def test_document_detail_fields(client, token, ingest):
    data = f.make_docx(2)
    response = post_file(client, "报告.docx", data, bearer(token), tags="报告")
    doc_id = response.json()["id"]
    process(doc_id)
    body = client.get(f"/api/v1/documents/{doc_id}").json()
    for field in (
        "id",
        "title",
        "status",
        "failure_reason",
        "format",
        "size",
        "pages",
        "chars",
        "cover_url",
        "created_at",
        "owner",
        "category",
        "tags",
    ):
        assert field in body
    assert body["status"] == "ready" and body["format"] == "docx" and body["pages"] == 2
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["chars"] > 500 and body["chars_display"].startswith("约")
    assert body["owner"]["username"] == "alice" and body["tags"] == ["报告"]
    cover = client.get(body["cover_url"])
    assert cover.status_code == 200 and cover["Content-Type"] == "image/webp"


def test_failed_document_shows_its_reason(client, token, ingest):
    doc_id = post_file(client, "empty.pdf", b"", bearer(token)).json()["id"]
    process(doc_id)
    body = client.get(f"/api/v1/documents/{doc_id}", headers=bearer(token)).json()
    assert body["status"] == "failed" and body["failure_stage"] == "preflight"
    assert body["failure_reason"]


def test_unpublished_documents_are_private(client, token, other_user):
    doc_id = post_file(client, "a.pdf", make_pdf(1), bearer(token)).json()["id"]
    assert client.get(f"/api/v1/documents/{doc_id}").status_code == 404  # anonymous
    client.force_login(other_user)
    assert client.get(f"/api/v1/documents/{doc_id}").status_code == 404
    assert Client().get(f"/api/v1/documents/{doc_id}", headers=bearer(token)).status_code == 200


@pytest.fixture
def twenty_pages(ingested):
    return ingested("二十页.pdf", make_pdf(20))


def test_anonymous_reader_gets_exactly_the_free_pages(client, twenty_pages):
    """Given a 20-page document with the site limit of 5, every page number is tried."""
    doc = twenty_pages
    assert doc.free_pages == 5
    codes = {
        n: client.get(f"/api/v1/documents/{doc.pk}/pages/{n}").status_code for n in range(0, 23)
    }
    assert [n for n, c in codes.items() if c == 200] == [1, 2, 3, 4, 5]
    assert all(codes[n] == 403 for n in range(6, 21))
    assert codes[0] == 404 and codes[21] == 404 and codes[22] == 404


def test_page_image_is_a_real_webp(client, twenty_pages):
    import io

    response = client.get(f"/api/v1/documents/{twenty_pages.pk}/pages/2")
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "WEBP" and image.width == 1000
    assert image.convert("L").getextrema()[0] < 100  # there is ink on it


def test_the_owner_may_read_every_page_and_later_pages_render_on_demand(client, twenty_pages, user):
    client.force_login(user)
    assert not twenty_pages.conversion.pages.get(number=17).rendered
    response = client.get(f"/api/v1/documents/{twenty_pages.pk}/pages/17")
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert twenty_pages.conversion.pages.get(number=17).rendered


def test_a_document_may_lower_its_own_preview(client, ingested):
    doc = ingested("a.pdf", make_pdf(6), preview_pages=2)
    codes = [client.get(f"/api/v1/documents/{doc.pk}/pages/{n}").status_code for n in range(1, 7)]
    assert codes == [200, 200, 403, 403, 403, 403]


def test_preview_pages_above_the_site_limit_are_refused(client, token):
    response = post_file(client, "a.pdf", make_pdf(1), bearer(token), preview_pages="50")
    assert response.status_code == 400


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/documents" in schema["paths"]
    assert "/api/v1/documents/{document_id}/pages/{number}" in schema["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn.jsdelivr" not in docs.content  # served locally, no third-party CDN
