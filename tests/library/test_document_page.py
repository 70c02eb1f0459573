"""The document page: preview behind signed URLs, the free text, metadata for search engines."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.test import Client

from tests.factories import documents as f
from tests.factories.pdf import make_pdf
from wenku.core import geo
from wenku.library import signing

pytestmark = pytest.mark.django_db
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"}


@pytest.fixture
def twenty(ingested):
    return ingested("二十页.pdf", make_pdf(20, text="Page text"), title="二十页的文档")


def image_urls(html: str) -> list[str]:
    return re.findall(r'<img src="(/d/\d+/p/\d+\.webp\?e=\d+&amp;s=[0-9a-f]+)"', html)


def test_free_pages_are_shown_with_reserved_space_then_the_end_of_preview(client, twenty):
    html = client.get(twenty.get_absolute_url(), **BROWSER).content.decode()
    urls = image_urls(html)
    assert [int(re.search(r"/p/(\d+)\.webp", u).group(1)) for u in urls] == [1, 2, 3, 4, 5]
    assert 'width="1000" height="1415"' in html  # A4 shape reserved before the image loads
    assert 'id="preview-end"' in html and "15" in html.split('id="preview-end"')[1][:400]
    assert 'loading="lazy"' in html


def test_every_page_number_gets_exactly_the_free_pages(client, twenty):
    """Even with validly signed URLs for every page, an anonymous reader gets 5 images."""
    images = 0
    for number in range(0, 23):
        response = client.get(signing.page_url(twenty.pk, number))
        if response.status_code == 200:
            assert response["Content-Type"] == "image/webp"
            images += 1
        else:
            assert response.status_code in (403, 404)
    assert images == 5


def test_the_uploader_reads_every_page(client, twenty, user):
    client.force_login(user)
    html = client.get(twenty.get_absolute_url()).content.decode()
    assert len(image_urls(html)) == 20 and 'id="preview-end"' not in html
    assert client.get(signing.page_url(twenty.pk, 18)).status_code == 200


def test_tampered_or_expired_page_urls_are_refused(client, twenty):
    url = signing.page_url(twenty.pk, 2)
    assert client.get(url).status_code == 200
    assert client.get(url[:-1] + ("0" if url[-1] != "0" else "1")).status_code == 403
    assert client.get(url.replace("/p/2.", "/p/3.")).status_code == 403  # signature is per page
    old = signing.page_url(twenty.pk, 2, now=time.time() - 3600)
    assert client.get(old).status_code == 403
    assert client.get(f"/d/{twenty.pk}/p/2.webp").status_code == 403


def test_the_reader_can_refresh_expired_urls(client, twenty):
    body = client.get(f"/d/{twenty.pk}/pages.json").json()
    assert sorted(int(n) for n in body["pages"]) == [1, 2, 3, 4, 5]
    assert client.get(body["pages"]["3"]).status_code == 200


@pytest.mark.live  # a Word file: LibreOffice
def test_text_of_the_free_pages_ends_with_the_preview(client, ingested):
    doc = ingested("总结.docx", f.make_docx(8, title="年度总结"))
    html = client.get(doc.get_absolute_url(), **BROWSER).content.decode()
    text = html.split('aria-labelledby="text-title"')[1]
    for n in range(1, 6):
        assert f"第{n}章 年度总结".replace(" ", "") in re.sub(r"\s", "", text)
    assert "第6章" not in re.sub(r"\s", "", text)
    assert "<h3>" in text or "<h4>" in text  # headings kept
    assert "<p>" in text


@pytest.mark.live  # a Word file: LibreOffice
def test_metadata_for_search_engines(client, ingested):
    doc = ingested("报告.docx", f.make_docx(2), description="一份年度工作报告。", tags="报告, 年度")
    html = client.get(doc.get_absolute_url(), **BROWSER).content.decode()
    assert '<meta name="description" content="一份年度工作报告。">' in html
    assert f'<link rel="canonical" href="http://testserver/d/{doc.pk}/">' in html
    assert '<meta property="og:title" content="报告">' in html
    assert f"/api/v1/documents/{doc.pk}/cover" in html.split('property="og:image"')[1][:200]
    ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert ld["@type"] == "DigitalDocument" and ld["name"] == "报告"
    assert set(ld["keywords"].split(", ")) == {"报告", "年度"} and ld["author"]["name"] == "alice"


def test_structured_data_cannot_break_out_of_its_script(client, ingested):
    doc = ingested("a.pdf", make_pdf(1), title="</script><script>alert(1)</script>")
    html = client.get(doc.get_absolute_url(), **BROWSER).content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.live  # a Word file: LibreOffice
def test_counts_and_exact_figures_on_hover(client, ingested):
    doc = ingested("报告.docx", f.make_docx(3))
    html = client.get(doc.get_absolute_url(), **BROWSER).content.decode()
    assert f'title="{doc.char_count}' in html or f'title="{doc.char_count:,}' in html
    assert "约3页" in html and "千字" in html


def test_processing_documents_say_so(client, upload, user):
    doc = upload("a.pdf", make_pdf(1))
    client.force_login(user)
    html = client.get(doc.get_absolute_url()).content.decode()
    assert 'role="status"' in html and 'id="reader"' not in html


def test_english_page(ingested):
    doc = ingested("a.pdf", make_pdf(8))
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get(doc.get_absolute_url(), **BROWSER).content.decode()
    assert "End of the free preview" in html and "3 more pages are not shown" in html


def test_a_failed_document_shows_its_reason_and_no_preview_facts(client, ingested, user):
    """Views, pages, price and 'About this document' describe a readable document; a failed
    one has none of them, only the reason it failed."""
    doc = ingested("坏的.pdf", b"%PDF-1.4\nnot really a pdf\n%%EOF\n")
    assert doc.status == "failed"
    client.force_login(user)
    html = client.get(doc.get_absolute_url(), **BROWSER).content.decode()
    assert 'role="alert"' in html and doc.failure_reason in html
    assert 'class="facts"' not in html and 'id="info-title"' not in html
    assert 'id="reader"' not in html


def test_the_province_is_in_the_readers_language(client, ingested):
    """The uploader's province is looked up as a Chinese name and shown translated."""
    if not geo.default_path().exists():
        pytest.fail("ip2region data missing: run `make test`, or `.venv/bin/wenku geo update`")
    doc = ingested("a.pdf", make_pdf(2), upload_ip="125.70.1.2")  # a Chengdu address
    chinese = client.get(doc.get_absolute_url(), **BROWSER).content.decode()
    assert "发布于四川" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(doc.get_absolute_url(), **BROWSER).content.decode()
    assert "published in Sichuan" in english and "四川" not in english
