"""WENKU_MACRO_DOCUMENTS=preview, end to end: a Word file carrying a VBA project is
uploaded, converted by the real job (LibreOffice; macros never run) and published for
reading, while its original is offered to no one, on the site or in the API. By default
the same file is refused with its reason."""

from __future__ import annotations

import pytest

from tests.factories import documents as f
from tests.factories.ole import docx_with_vba
from wenku.accounts.models import ApiToken

pytestmark = [pytest.mark.live, pytest.mark.django_db]


@pytest.fixture
def macro_docx(settings, request):  # type: ignore[no-untyped-def]
    """macro_docx(setting) → the Document after its job ran with WENKU_MACRO_DOCUMENTS
    set (the job's context reads the setting when it is built, so it is built after)."""

    def _published(setting: str):  # type: ignore[no-untyped-def]
        settings.WENKU = settings.WENKU.replace(macro_documents=setting)
        ingested = request.getfixturevalue("ingested")
        return ingested("年度预算.docx", docx_with_vba(f.make_docx(2)), title="年度预算")

    return _published


def test_a_macro_document_is_readable_but_its_original_is_never_offered(
    macro_docx, client, user, reader, rules
):
    doc = macro_docx("preview")
    assert doc.status == "ready", doc.failure_reason
    assert doc.conversion.macros is True and doc.page_count == 2
    assert "第1章" in doc.conversion.pages.get(number=1).text.replace(" ", "")

    # The web: its pages are read; no download button, and the download page refuses.
    client.force_login(reader)
    page = client.get(doc.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and 'id="p1"' in html
    assert f'href="/d/{doc.pk}/download/"' not in html and "pay-download" not in html
    assert "宏" in html or "macros" in html  # says why
    assert client.get(f"/api/v1/documents/{doc.pk}/pages/1").status_code == 200
    assert client.post(f"/d/{doc.pk}/download/", {"key": "k1"}).status_code == 403

    # The API, with a token: the page image yes, the original no — not even for its uploader.
    for person in (reader, user):
        _, secret = ApiToken.issue(person, "script")
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        assert client.get(f"/api/v1/documents/{doc.pk}/pages/1", **bearer).status_code == 200
        refused = client.post(f"/api/v1/documents/{doc.pk}/download", **bearer)
        assert refused.status_code == 403, refused.content
        assert "macros" in refused.json()["detail"] or "宏" in refused.json()["detail"]


def test_by_default_the_same_file_is_refused_with_its_reason(macro_docx):
    doc = macro_docx("refuse")
    assert doc.status == "failed" and "宏" in doc.failure_reason  # "contains macros"
