"""Real-world files that were refused or mis-published, each converted or refused for its
true reason. The files are generated here; the real corpus is bench/realworld.py's."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.factories import documents as f
from wenku.ingest import decrypt
from wenku.ingest.errors import IngestError
from wenku.ingest.sniff import Detected, Limits, inspect_file

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


def test_an_encrypted_powerpoint_97_file_without_an_encrypted_summary_says_so(tmp_path):
    """Given a .ppt encrypted without the EncryptedSummary stream the sniffer looks for
    (poi's Password_Protected-np-hello.ppt: only its last edit's record is longer), then it
    is refused as password-protected, not as a file the converter could not open; the same
    file unencrypted is a .ppt."""
    from tests.factories.ole import legacy_powerpoint

    with pytest.raises(IngestError) as caught:
        detect(tmp_path, legacy_powerpoint(encrypted=True), "加密.ppt")
    assert caught.value.code == "encrypted"
    assert detect(tmp_path, legacy_powerpoint(), "plain.ppt").format == "ppt"


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


@pytest.mark.django_db
def test_a_truncated_pdf_publishes_the_pages_that_survive(ingested):
    """Given the first half of a 10-page PDF (its cross-reference table is gone with the
    rest), then qpdf rebuilds what is there, as poppler would show it."""
    from tests.factories.pdf import make_pdf

    doc = ingested("truncated.pdf", f.truncated(make_pdf(10)))
    assert doc.status == "ready", doc.failure_reason
    assert 1 <= doc.page_count < 10
    assert doc.conversion.pages.get(number=1).text == "Wenku test page 1"


def test_excel_4_and_powerpoint_4_files_are_recognised(tmp_path):
    """Excel 2.x–4.0 keep a bare BIFF stream (no OLE container); PowerPoint 4.0 an OLE file
    with a PP40 stream. LibreOffice reads both; they were refused as unsupported."""
    import struct

    from tests.factories.ole import make_ole

    bof = struct.pack("<HHHH", 0x0409, 6, 0, 0x10) + b"\x00\x00"
    assert detect(tmp_path, bof + struct.pack("<HH", 0x000A, 0), "old.xls").format == "xls"
    assert detect(tmp_path, make_ole({"PP40": b"\x00" * 64}), "old.ppt").format == "ppt"


def page_tree_with_a_non_page(text: str = "kept") -> bytes:
    """A 2-page PDF whose page tree lists the catalog as its second "page": PDFium counts
    it and cannot load it; qpdf's copy and poppler both have it as a blank page."""
    import re

    from tests.factories.pdf import make_pdf

    return re.sub(rb"/Kids \[(\d+) 0 R \d+ 0 R\]", rb"/Kids [\1 0 R 1 0 R]", make_pdf(2, text=text))


def page_tree_loop(text: str = "kept") -> bytes:
    """A 2-page PDF whose second kid is a branch of the page tree that loops back on itself
    (as pdf.js's Pages-tree-refs.pdf): PDFium loads the first page only, qpdf refuses the
    tree, poppler reads two pages (the second blank)."""
    import re

    from tests.factories.pdf import make_pdf

    data = re.sub(
        rb"/Kids \[(\d+) 0 R \d+ 0 R\]", rb"/Kids [\1 0 R 90 0 R]", make_pdf(2, text=text)
    )
    loop = b"90 0 obj\n<< /Type /Pages /Kids [91 0 R] /Count 1 >>\nendobj\n"
    loop += b"91 0 obj\n<< /Type /Pages /Kids [90 0 R] /Count 1 >>\nendobj\n"
    return data.replace(b"xref\n0", loop + b"xref\n0", 1)


@pytest.mark.django_db
def test_a_page_tree_that_loops_is_read_as_poppler_reads_it(ingested):
    """Given a page tree whose second branch loops (PDFium loads the first page, qpdf
    refuses the tree), then poppler's copy is published: both pages, the first with its
    text, rendered from the stored copy."""
    from wenku.ingest.rendering import page_image

    doc = ingested("loop.pdf", page_tree_loop())
    assert doc.status == "ready", doc.failure_reason
    assert (doc.page_count, doc.conversion.pdf_repaired) == (2, True)
    assert doc.conversion.pages.get(number=1).text == "kept 1"
    assert page_image(doc.conversion, 2).startswith(b"RIFF")  # from the repaired copy


@pytest.mark.django_db
def test_a_pdf_whose_encryption_dictionary_is_broken_is_read_as_poppler_reads_it(ingested):
    """Given a PDF naming an encryption dictionary without its keys (PDFium asks for a
    password, qpdf gives up, poppler reads it unencrypted), then it is published from
    poppler's copy with its text; a PDF with a real password is still refused as one."""
    from tests.factories.pdf import make_pdf
    from tests.ingest.test_repair import broken_encryption

    doc = ingested("加密坏了.pdf", broken_encryption(3, text="poppler"))
    assert doc.status == "ready", doc.failure_reason
    assert (doc.format, doc.page_count, doc.conversion.pdf_repaired) == ("pdf", 3, True)
    pages = doc.conversion.pages.order_by("number")
    assert [p.text for p in pages] == [f"poppler {n}" for n in range(1, 4)]
    locked = ingested("locked.pdf", make_pdf(1, user_password=b"secret"))
    assert (locked.status, locked.failure_code) == ("failed", "pdf_encrypted")


@pytest.mark.django_db
def test_a_page_tree_listing_a_non_page_is_read_from_qpdf_s_copy(ingested):
    """Given a page tree listing the catalog as its second page, then qpdf's copy (the
    first tried: it keeps the file's own objects) has both pages, the first with its text,
    as poppler reads them."""
    doc = ingested("tree.pdf", page_tree_with_a_non_page())
    assert doc.status == "ready", doc.failure_reason
    assert (doc.page_count, doc.conversion.pdf_repaired) == (2, True)
    assert doc.conversion.pages.get(number=1).text == "kept 1"


@pytest.mark.django_db
def test_without_poppler_a_page_tree_keeps_the_pages_before_the_first_that_does_not_load(
    ingested, monkeypatch
):
    """Given no pdftocairo on the machine, then the repair's second step is skipped and the
    pages before the first that does not load are published rather than the whole refused."""
    from wenku.ingest import repair

    monkeypatch.setattr(repair, "pdftocairo", lambda: None)
    doc = ingested("loop.pdf", page_tree_loop())
    assert doc.status == "ready", doc.failure_reason
    assert (doc.page_count, doc.conversion.pdf_repaired) == (1, False)
    assert doc.conversion.pages.get(number=1).text == "kept 1"


@pytest.mark.django_db
def test_a_repaired_copy_that_loses_the_text_is_not_taken(ingested, monkeypatch, tmp_path):
    """Given a copy with more pages but without the text of the pages PDFium read (poppler
    loses the text of CJK fonts it cannot map), then the pages that load are kept."""
    import pypdfium2 as pdfium

    from wenku.ingest import repair

    blank = tmp_path / "blank.pdf"
    empty = pdfium.PdfDocument.new()
    for _ in range(3):
        empty.new_page(595, 842)
    empty.save(str(blank))
    empty.close()
    monkeypatch.setattr(repair, "copies", lambda source, workdir: iter([blank]))
    doc = ingested("tree.pdf", page_tree_with_a_non_page())
    assert doc.status == "ready", doc.failure_reason
    assert (doc.page_count, doc.conversion.pdf_repaired) == (1, False)
    assert doc.conversion.pages.get(number=1).text == "kept 1"


def test_an_ole_file_olefile_cannot_parse_goes_on_to_libreoffice(tmp_path):
    """Given a workbook whose header's mini-sector shift is out of all range (POI's fuzzed
    workbook: olefile fails printing 2 to that power), then it is an .xls without macros,
    judged from its directory's bytes — LibreOffice reads such files; named .doc, too,
    since the directory says Workbook and nothing else."""
    from tests.factories.ole import make_ole

    data = damaged_ole_header(make_ole({"Workbook": b"\x09\x08" + bytes(14)}))
    assert detect(tmp_path, data, "预算.xls") == Detected("xls")
    assert detect(tmp_path, data, "预算.doc") == Detected("xls")


def damaged_ole_header(data: bytes) -> bytes:
    import olefile

    from tests.factories.ole import unparsable_header

    damaged = unparsable_header(data)
    with pytest.raises(ValueError, match="digits"):
        olefile.OleFileIO(damaged)
    return damaged


def test_an_unparsable_ole_file_without_a_known_stream_stays_refused(tmp_path):
    from tests.factories.ole import make_ole

    with pytest.raises(IngestError) as caught:
        detect(tmp_path, damaged_ole_header(make_ole({"Contents": bytes(64)})), "a.xls")
    assert caught.value.params == {"detected": "damaged OLE file"}


WP42 = f.wp42(b"Sluwe Sjaantje sloeg de slome slager. ")


def test_a_wordperfect_4_file_named_doc_is_read_as_wordperfect(tmp_path):
    """Given a WordPerfect 4.2 document (no signature: text with function codes, each group
    closed by its own code) uploaded as .doc, then it is WordPerfect; the same bytes with
    one group left open are no WordPerfect file, and stay a damaged Word file."""
    assert detect(tmp_path, WP42, "论文.doc") == Detected("wpd")
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, WP42[:-1], "论文.doc")
    assert (caught.value.code, caught.value.params) == ("damaged", {"format": "Word"})


@pytest.mark.live
def test_a_wordperfect_document_is_published_under_any_name(ingested):
    """Given WordPerfect 4.2 bytes uploaded as 论文.doc and as 论文.wpd, then each is
    published by LibreOffice (libwpd) with its text, as a WordPerfect document."""
    sentences = {
        "论文.doc": "Sluwe Sjaantje sloeg de slome slager.",
        "论文.wpd": "Quick brown foxes jump over lazy dogs in the meadow.",
    }
    for name, sentence in sentences.items():
        doc = ingested(name, f.wp42(sentence.encode() + b" "))
        assert doc.status == "ready", doc.failure_reason
        assert doc.format == "wpd" and doc.page_count == 1
        assert sentence in doc.conversion.pages.get(number=1).text


def commented_docx() -> bytes:
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("学位论文正文：研究背景与意义。")
    document.add_comment(paragraph.runs[0], text="请补充参考文献", author="导师")
    document.add_paragraph("第二段：研究方法。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.live
@pytest.mark.django_db
def test_a_word_file_with_comments_converts_and_the_next_one_too(ingested):
    """Given a Word file with a comment (the thesis templates' 批注), which crashes a
    LibreOffice driven over UNO (Writer builds the comment's widget off its main thread)
    while plain ``soffice --convert-to`` converts it, then it is converted — by a cold
    LibreOffice after the crash — and the warm one is back for the next document."""
    doc = ingested("论文模板.docx", commented_docx())
    assert doc.status == "ready", doc.failure_reason
    assert "研究背景与意义" in doc.conversion.pages.get(number=1).text
    after = ingested("下一份.docx", f.make_docx(1, seed=21))
    assert after.status == "ready", after.failure_reason


@pytest.mark.live
@pytest.mark.django_db
def test_a_word_97_file_with_comments_converts(ingested, tmp_path):
    """The same as a Word 97 file (the thesis templates' format), written by LibreOffice
    from the .docx: it crashes the UNO-driven LibreOffice the same way, and is converted."""
    import subprocess

    source = tmp_path / "论文模板.docx"
    source.write_bytes(commented_docx())
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    word97 = (tmp_path / "论文模板.doc").read_bytes()
    assert word97.startswith(b"\xd0\xcf\x11\xe0")  # an OLE compound file
    doc = ingested("论文模板.doc", word97)
    assert doc.status == "ready", doc.failure_reason
    assert "研究背景与意义" in doc.conversion.pages.get(number=1).text


def test_text_in_an_encoding_read_only_as_mojibake_is_refused(tmp_path):
    """Given double-byte text that is not GB18030 (EUC-TW: every byte pair also decodes as
    GB18030, into a flat spread of rare characters), then it is refused for its encoding,
    not published as mojibake; real GBK text still reads."""
    import random

    rng = random.Random(7)
    euc_tw = bytes(
        b for _ in range(400) for b in (rng.randint(0xC4, 0xFD), rng.randint(0xA1, 0xFE))
    )
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, euc_tw, "台湾.txt")
    assert caught.value.code == "text_encoding"
    assert detect(tmp_path, f.make_gbk_text(), "gbk.txt").encoding == "gb18030"


def test_an_empty_presentation_has_no_pages_rather_than_one_blank_one(tmp_path):
    from pptx import Presentation

    buffer = io.BytesIO()
    Presentation().save(buffer)  # no slide
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, buffer.getvalue(), "空.pptx")
    assert caught.value.code == "no_pages"
    assert detect(tmp_path, f.make_pptx(2), "两页.pptx").format == "pptx"


@pytest.mark.live
@pytest.mark.django_db
def test_an_epub_s_cover_picture_is_its_cover(ingested, tmp_path):
    from PIL import Image

    from tests.ingest.test_textdocs import epub_with_cover
    from wenku.core.storage import get_storage

    path, _ = epub_with_cover(tmp_path)
    doc = ingested("书.epub", path.read_bytes())
    assert doc.status == "ready", doc.failure_reason
    with get_storage().open(doc.conversion.cover_key) as fh:
        cover = Image.open(fh).convert("RGB")
        red, green, blue = cover.getpixel((cover.width // 2, cover.height // 2))
    assert red > 150 and green < 80 and blue < 80  # the picture, not a white page of text
    assert "Cover Image" not in doc.conversion.pages.get(number=1).text


def test_a_wordperfect_5_file_is_read_by_its_header(tmp_path):
    """Given WordPerfect 5+ files (the ``\\xffWPC`` signature) uploaded as 论文.doc, then a
    document is WordPerfect (not "a damaged Word file"); one with a password says so; a
    WordPerfect Office file that is no document is refused as such, in the reader's
    language."""
    import struct

    from django.utils import translation

    from wenku.ingest.errors import describe

    def wpc(kind: int, key: int = 0) -> bytes:
        header = b"\xffWPC" + struct.pack("<IBBHHH", 16, 1, kind, 0x0202, key, 0)
        return header + bytes(range(1, 256)) * 8

    assert detect(tmp_path, wpc(10), "论文.doc") == Detected("wpd")
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, wpc(10, key=0x1234), "论文.doc")
    assert caught.value.code == "encrypted"
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, wpc(22), "图.doc")
    assert (caught.value.code, caught.value.params) == (
        "unsupported",
        {"detected": "WordPerfect Office file"},
    )
    with translation.override("zh-hans"):
        assert "不是文档的 WordPerfect Office 文件" in describe("unsupported", caught.value.params)
    with translation.override("en"):
        assert "WordPerfect Office file" in describe("unsupported", caught.value.params)


@pytest.mark.parametrize("name", ["报告.odt", "报告.docx"])
def test_text_named_as_an_office_file_is_read_as_text_as_under_any_other_name(tmp_path, name):
    """Given plain text under an OpenDocument or Word name (tika's testODTnotaZipFile.odt:
    "This is not a zip file!"), then it is a text document, as text named run.hta or
    setup.bat is (and it downloads as .txt); bytes that are no text stay a damaged file."""
    detected = detect(tmp_path, "这不是压缩包，只是文字。This is not a zip file!\n".encode(), name)
    assert (detected.format, detected.encoding) == ("txt", "utf-8")
    assert detect(tmp_path, f.make_gbk_text(), name).format == "txt"
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, bytes(range(256)) * 40, name)
    assert caught.value.code == "damaged"


@pytest.mark.parametrize(
    "content",
    [
        "<html xmlns:o='urn:schemas-microsoft-com:office:office'><body>报告</body></html>".encode(),
        "\ufeff<?xml version='1.0'?><w:wordDocument/>".encode("utf-16"),
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n--x\r\n",
        b"From: <Saved by Windows Internet Explorer>\r\nMIME-Version: 1.0\r\n\r\n<html>",
    ],
    ids=["html", "utf16-xml", "mht", "mht-from"],
)
def test_a_web_page_saved_under_a_word_name_is_refused_not_published_as_its_tags(tmp_path, content):
    """Given "save as web page" kept as 报告.doc (HTML, Word 2003 XML or an MHT archive),
    then it is refused as a web page under an Office name: read as text, its tags would be
    published as the document. The same markup under a text name stays text."""
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, content, "报告.doc")
    assert (caught.value.code, caught.value.params) == (
        "unsupported",
        {"detected": "web page or XML"},
    )
    assert detect(tmp_path, b"<p>\xe6\x8a\xa5\xe5\x91\x8a</p>\n", "note.txt").format == "txt"


@pytest.mark.live
@pytest.mark.django_db
def test_text_named_odt_is_published_as_a_text_document(ingested):
    doc = ingested("说明.odt", "这不是压缩包，只是文字。\nThis is not a zip file!\n".encode())
    assert doc.status == "ready", doc.failure_reason
    assert doc.format == "txt"
    assert "这不是压缩包" in doc.conversion.pages.get(number=1).text
