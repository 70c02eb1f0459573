"""The free-preview policy (issue 12, item 2): a priced or VIP document's preview is never
the whole document — not as images, not as text, on no route."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories.pdf import make_pdf
from wenku.library import preview, signing
from wenku.library.details import InvalidDetails, UploadDetails

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("pricing", "pages", "wish", "free"),
    [
        ("free", 3, None, 5),  # free documents: the site's limit (capped by the pages)
        ("free", 40, 2, 2),
        ("points", 3, None, 1),  # about a third of 3
        ("points", 2, None, 1),  # at least one page ...
        ("vip_only", 2, None, 1),
        ("points", 1, None, 0),  # ... but never the whole document
        ("vip_free", 6, None, 2),
        ("points", 12, None, 4),
        ("points", 40, None, 5),  # and at most the site's limit
        ("points", 40, 3, 3),  # an uploader may ask for less
        ("vip_only", 9, 5, 3),  # never for more than the policy
        ("points", None, None, 5),  # not counted yet
    ],
)
def test_the_policy(pricing, pages, wish, free):
    assert preview.free_pages(pricing, pages, wish) == free


def test_the_policy_follows_the_site_settings(settings):
    settings.WENKU = settings.WENKU.replace(preview_pages=3, paid_preview_percent=50)
    assert preview.free_pages("points", 4, None) == 2
    assert preview.free_pages("points", 40, None) == 3


def test_upload_details_refuse_a_longer_preview_for_a_priced_document_even_from_staff():
    assert UploadDetails.build(preview_pages=20, staff=True).preview_pages == 20
    with pytest.raises(InvalidDetails) as refused:
        UploadDetails.build(preview_pages=20, pricing="points", price=5, staff=True)
    assert refused.value.field == "preview_pages"
    assert UploadDetails.build(preview_pages=2, pricing="vip_only").preview_pages == 2


@pytest.fixture
def short_paid(publish):
    """Given a 3-page document sold for 50 points (before the fix: readable in full)."""
    return publish(pages=3, pricing="points", price=50, text="secret ledger")


def test_a_short_priced_document_shows_one_page_as_image_and_text(client: Client, short_paid):
    html = client.get(short_paid.get_absolute_url()).content.decode()
    assert html.count('class="page-frame"') == 1
    assert "secret ledger 1" in html
    assert "secret ledger 2" not in html and "secret ledger 3" not in html
    assert 'id="preview-end"' in html
    assert client.get(signing.page_url(short_paid.pk, 1)).status_code == 200
    for number in (2, 3):
        assert client.get(signing.page_url(short_paid.pk, number)).status_code == 403
        api = client.get(f"/api/v1/documents/{short_paid.pk}/pages/{number}")
        assert api.status_code == 403


def test_a_two_page_vip_document_shows_one_page(client: Client, publish):
    doc = publish(pages=2, pricing="vip_only", text="members only")
    html = client.get(doc.get_absolute_url()).content.decode()
    assert html.count('class="page-frame"') == 1 and "members only 2" not in html
    assert client.get(signing.page_url(doc.pk, 2)).status_code == 403
    urls = client.get(f"/d/{doc.pk}/pages.json").json()["pages"]
    assert list(urls) == ["1"]


def test_search_and_find_do_not_quote_the_locked_pages(client: Client, short_paid):
    found = client.get(f"/d/{short_paid.pk}/search", {"q": "ledger 3", "fragment": "1"})
    assert found.status_code == 200
    assert "ledger 3" not in found.content.decode().replace("“ledger 3”", "")


def test_the_uploader_and_a_buyer_still_read_everything(client: Client, short_paid, user):
    client.force_login(user)
    html = client.get(short_paid.get_absolute_url()).content.decode()
    assert html.count('class="page-frame"') == 3


def test_a_one_page_priced_document_shows_no_page(client: Client, ingested):
    doc = ingested("one.pdf", make_pdf(1, text="whole thing"), pricing="points", price=3)
    assert doc.free_pages == 0
    html = client.get(doc.get_absolute_url()).content.decode()
    assert 'class="page-frame"' not in html and "whole thing" not in html
    assert 'id="preview-end"' in html
    assert client.get(signing.page_url(doc.pk, 1)).status_code == 403
