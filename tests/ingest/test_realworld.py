"""Real-world files that were refused or mis-published, each converted or refused for its
true reason. The files are generated here; the real corpus is bench/realworld.py's."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.factories import documents as f
from wenku.ingest import decrypt
from wenku.ingest.errors import IngestError
from wenku.ingest.sniff import Limits, inspect_file

LIMITS = Limits(
    max_bytes=50 * 1024 * 1024,
    zip_max_unpacked=300 * 1024 * 1024,
    zip_max_entries=20000,
    zip_max_ratio=150,
)


def detect(tmp_path, data, name="upload.bin"):
    path = tmp_path / "file"
    path.write_bytes(data)
    return inspect_file(path, name, LIMITS)


def test_office_s_default_password_is_opened_a_real_one_is_not(tmp_path):
    """Given a .docx 'protected' with Office's default password (VelvetSweatshop: Word and
    LibreOffice open it without asking), then it decrypts to a plain .docx; with a password
    someone chose, it stays encrypted."""
    source = tmp_path / "protected"
    source.write_bytes(f.encrypted_docx("VelvetSweatshop"))
    plain = decrypt.with_default_password(source, tmp_path / "plain")
    assert plain is not None
    assert inspect_file(plain, "a.docx", LIMITS).format == "docx"
    source.write_bytes(f.encrypted_docx("secret"))
    assert decrypt.with_default_password(source, tmp_path / "other") is None


def test_a_password_protected_opendocument_file_says_so(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", b"\x8f\x12 encrypted bytes")
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path='
            '"content.xml"><manifest:encryption-data manifest:checksum-type="SHA1"/>'
            "</manifest:file-entry></manifest:manifest>",
        )
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, buffer.getvalue(), "secret.odt")
    assert caught.value.code == "encrypted"


@pytest.mark.live
@pytest.mark.django_db
def test_a_docx_with_the_default_password_is_published(ingested):
    doc = ingested("受保护.docx", f.encrypted_docx("VelvetSweatshop"))
    assert doc.status == "ready", doc.failure_reason
    assert doc.format == "docx" and doc.char_count > 100
    secret = ingested("机密.docx", f.encrypted_docx("secret"))
    assert (secret.status, secret.failure_code) == ("failed", "encrypted")


@pytest.mark.django_db
def test_a_pdf_without_its_header_is_repaired_and_read_as_a_pdf(ingested):
    """Given a PDF whose %PDF- header is gone (PDFium refuses it), then it is no text
    document of PDF syntax: qpdf rebuilds it and its pages are read, and rendered from the
    repaired copy."""
    from tests.factories.pdf import make_pdf
    from wenku.ingest.rendering import page_image

    headless = make_pdf(4, text="repair me").split(b"\n", 1)[1]
    doc = ingested("damaged.pdf", headless)
    assert doc.status == "ready", doc.failure_reason
    assert (doc.format, doc.page_count) == ("pdf", 4)
    pages = doc.conversion.pages.order_by("number")
    assert [p.text for p in pages] == [f"repair me {n}" for n in range(1, 5)]
    assert page_image(doc.conversion, 4).startswith(b"RIFF")  # rendered on demand


@pytest.mark.django_db
def test_pdf_objects_beyond_repair_are_refused_as_a_damaged_pdf(ingested):
    doc = ingested("broken.pdf", b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 3)
    assert (doc.status, doc.failure_code) == ("failed", "pdf_damaged")
