"""The whole pipeline on real files with real LibreOffice: every format, reuse, hostile input."""

from __future__ import annotations

import dataclasses
import subprocess

import pypdfium2 as pdfium
import pytest
from PIL import Image

from tests.factories import documents as f
from tests.factories.pdf import make_pdf
from wenku.core.storage import get_storage
from wenku.ingest.models import Conversion, Page

pytestmark = [pytest.mark.live, pytest.mark.django_db]


@pytest.fixture(scope="session")
def legacy(tmp_path_factory) -> dict[str, bytes]:
    """doc/rtf/odt, ppt/odp and xls/ods made from our OOXML files by a cold LibreOffice."""
    folder = tmp_path_factory.mktemp("legacy")
    sources = {"docx": f.make_docx(2), "pptx": f.make_pptx(2), "xlsx": f.make_xlsx(1)}
    for ext, data in sources.items():
        (folder / f"src.{ext}").write_bytes(data)
    targets = {
        "doc": "docx",
        "rtf": "docx",
        "odt": "docx",
        "ppt": "pptx",
        "odp": "pptx",
        "xls": "xlsx",
        "ods": "xlsx",
    }
    procs = []
    for target, source in targets.items():
        out = folder / target
        procs.append(
            subprocess.Popen(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{folder}/profile-{target}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    target,
                    "--outdir",
                    str(out),
                    str(folder / f"src.{source}"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    for proc in procs:
        proc.wait(timeout=180)
    return {t: (folder / t / f"src.{t}").read_bytes() for t in targets}


def assert_ready(doc, fmt: str, min_pages: int = 1):
    assert doc.status == "ready", (doc.failure_stage, doc.failure_reason)
    assert doc.format == fmt
    assert doc.page_count >= min_pages
    assert doc.char_count > 0
    conversion = doc.conversion
    assert set(conversion.timings) == {
        "fetch",
        "preflight",
        "normalise",
        "read",
        "count",
        "render",
        "fingerprint",
        "publish",
    }
    storage = get_storage()
    assert storage.exists(conversion.cover_key)
    first = Page.objects.get(conversion=conversion, number=1)
    assert first.rendered and first.width > 0 and first.height > 0
    with storage.open(first.image_key) as fh:
        image = Image.open(fh)
        image.load()
    assert image.format == "WEBP" and image.width == 1000
    assert sum(p.char_count for p in conversion.pages.all()) == doc.char_count


@pytest.mark.parametrize(
    ("name", "build", "fmt", "pages"),
    [
        ("总结.docx", lambda: f.make_docx(3), "docx", 3),
        ("课件.pptx", lambda: f.make_pptx(4), "pptx", 4),
        ("报表.xlsx", lambda: f.make_xlsx(2), "xlsx", 2),
        ("文件.pdf", lambda: make_pdf(7), "pdf", 7),
        ("小说.txt", lambda: f.make_text(40).encode(), "txt", 2),
        ("教案.md", lambda: f.make_markdown().encode(), "md", 1),
        ("书.epub", lambda: f.make_epub(3), "epub", 3),
        ("gbk.txt", f.make_gbk_text, "txt", 1),
    ],
)
def test_every_modern_format_becomes_a_counted_previewable_document(
    ingested, name, build, fmt, pages
):
    doc = ingested(name, build())
    assert_ready(doc, fmt, pages)


@pytest.mark.parametrize("fmt", ["doc", "rtf", "odt", "ppt", "odp", "xls", "ods"])
def test_legacy_and_opendocument_formats(ingested, legacy, fmt):
    doc = ingested(f"file.{fmt}", legacy[fmt])
    assert_ready(doc, fmt)


def test_docx_counts_and_text(ingested):
    doc = ingested("总结.docx", f.make_docx(2))
    pages = list(doc.conversion.pages.all())
    assert len(pages) == 2
    assert "第1章" in pages[0].text.replace(" ", "") and "21.05" in pages[0].text
    # 4 paragraphs x (120 + 16 counted) + heading (第1章工作总结: 6 + the digit) per page
    assert 500 < pages[0].char_count < 600


def test_gbk_text_is_decoded(ingested):
    doc = ingested("gbk.txt", f.make_gbk_text())
    text = "".join(p.text for p in doc.conversion.pages.all())
    assert "GBK编码的文本文件" in text.replace("\n", "").replace(" ", "")


def test_identical_file_reuses_results(ingested, other_user):
    """An identical file is never converted twice. (While the first upload is published,
    the same file is refused at intake as a copy; once its uploader deleted it, another
    upload of it reuses the conversion.)"""
    from wenku.publishing import decisions

    data = f.make_docx(2, seed=42)
    first = ingested("a.docx", data)
    finished = Conversion.objects.get(pk=first.conversion_id).finished_at
    decisions.delete(first, first.owner)
    second = ingested("copy.docx", data, owner=other_user, title="别人的标题")
    assert second.conversion_id == first.conversion_id
    assert second.status == "ready" and second.page_count == first.page_count
    assert second.title == "别人的标题" and second.owner == other_user
    assert Conversion.objects.get(pk=first.conversion_id).finished_at == finished  # not redone
    assert Conversion.objects.count() == 1


def test_pdf_is_not_stored_twice(ingested):
    doc = ingested("a.pdf", make_pdf(2))
    assert doc.conversion.pdf_key == doc.conversion.original_key


def test_only_the_first_pages_are_rendered_eagerly(ingested, ingest):
    ingest.render = dataclasses.replace(ingest.render, eager_pages=3)
    doc = ingested("a.pdf", make_pdf(8))
    rendered = list(doc.conversion.pages.filter(rendered=True).values_list("number", flat=True))
    assert rendered == [1, 2, 3]


# --- hostile and broken input: a clear reason, and nothing else harmed


def failed(doc, stage: str, code: str):
    assert doc.status == "failed"
    assert (doc.failure_stage, doc.failure_code) == (stage, code)
    assert doc.failure_reason and code not in doc.failure_reason  # words, not a code


@pytest.mark.parametrize(
    ("name", "build", "stage", "codes"),
    [
        ("bomb.docx", lambda: f.zip_bomb_docx(300), "preflight", {"zip_bomb", "zip_ratio"}),
        ("garbage.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40, "read", {"pdf_damaged"}),
        ("secret.docx", f.encrypted_docx, "preflight", {"encrypted"}),
        ("invoice.pdf", f.executable, "preflight", {"executable"}),
        ("empty.pdf", lambda: b"", "preflight", {"empty"}),
        ("huge.pdf", lambda: make_pdf(20000), "read", {"too_many_pages"}),
        ("liar.pdf", lambda: make_pdf(1, declared_count=20000), "read", {"too_many_pages"}),
        ("xxe.docx", f.dtd_docx, "preflight", {"xml_dtd"}),
    ],
)
def test_hostile_files_fail_with_a_reason(ingested, name, build, stage, codes):
    doc = ingested(name, build())
    assert doc.status == "failed"
    assert doc.failure_stage == stage and doc.failure_code in codes
    assert doc.failure_reason


def test_failure_reason_reads_in_the_users_language(ingested):
    from django.utils import translation

    doc = ingested("empty.txt", b"")
    with translation.override("en"):
        assert doc.failure_reason == "The file is empty."
    with translation.override("zh-hans"):
        assert doc.failure_reason == "文件是空的。"


def test_a_bad_file_harms_nothing_else(ingested):
    good_before = ingested("good.docx", f.make_docx(1, seed=9))
    bad = ingested("bomb.docx", f.zip_bomb_docx(300))
    good_after = ingested("good2.docx", f.make_docx(1, seed=10))
    assert bad.status == "failed"
    assert good_before.status == "ready" and good_after.status == "ready"


def test_enormous_page_is_rendered_within_the_pixel_budget(ingested, settings):
    doc = ingested("tall.pdf", make_pdf(1, size=(200, 14400)))
    assert doc.status == "ready"
    page = doc.conversion.pages.get(number=1)
    with get_storage().open(page.image_key) as fh:
        image = Image.open(fh)
        image.load()
    assert image.width * image.height <= settings.WENKU.max_page_pixels
    assert image.height <= 16383
    assert image.height / image.width == pytest.approx(72, rel=0.02)  # shape kept


def test_pdf_with_a_password(ingested, tmp_path):
    data = make_pdf(1, user_password=b"user")
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(data)
    with pytest.raises(pdfium.PdfiumError, match=r"(?i)password"):
        pdfium.PdfDocument(str(locked))
    assert len(pdfium.PdfDocument(str(locked), password="user")) == 1  # a real, valid lock
    doc = ingested("locked.pdf", data)
    failed(doc, "read", "pdf_encrypted")
