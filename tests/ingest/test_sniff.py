"""Detection from bytes, and the container limits that keep hostile files from the converters."""

import io
import zipfile

import pytest

from tests.factories import documents as f
from tests.factories.pdf import make_pdf
from wenku.ingest.errors import IngestError
from wenku.ingest.sniff import DOCUMENT_SUFFIXES, MARKDOWN_EXTENSIONS, Limits, inspect_file

LIMITS = Limits(
    max_bytes=50 * 1024 * 1024,
    zip_max_unpacked=300 * 1024 * 1024,
    zip_max_entries=20000,
    zip_max_ratio=150,
)


def detect(tmp_path, data, name="upload.bin", limits=LIMITS):
    path = tmp_path / "file"
    path.write_bytes(data)
    return inspect_file(path, name, limits)


def refused(tmp_path, data, name="upload.bin", limits=LIMITS):
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, data, name, limits)
    return caught.value.code


@pytest.mark.parametrize(
    ("build", "name", "fmt"),
    [
        (lambda: make_pdf(2), "a.docx", "pdf"),  # the extension lies; the bytes decide
        (lambda: f.make_docx(1), "a.pdf", "docx"),
        (lambda: f.make_pptx(1), "a", "pptx"),
        (lambda: f.make_xlsx(1), "a.xlsx", "xlsx"),
        (lambda: f.make_epub(1), "book.zip", "epub"),
        (lambda: b"{\\rtf1\\ansi hello}", "a.rtf", "rtf"),
        (lambda: "一段中文文本".encode(), "notes.txt", "txt"),
        (lambda: "# 标题\n正文".encode(), "readme.md", "md"),
    ],
)
def test_formats_are_detected_from_bytes(tmp_path, build, name, fmt):
    assert detect(tmp_path, build(), name).format == fmt


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("中文文本，GBK编码。" * 20, "gbk"),
        ("中文文本，GB18030编码。" * 20, "gb18030"),
        ("UTF-16 文本" * 20, "utf-16"),
        ("UTF-16LE 无BOM 文本" * 20, "utf-16-le"),
        ("带BOM的UTF-8" * 20, "utf-8-sig"),
    ],
)
def test_text_encodings(tmp_path, data, encoding):
    raw = data.encode(encoding)
    detected = detect(tmp_path, raw, "a.txt")
    assert detected.format == "txt"
    assert raw.decode(detected.encoding).lstrip("\ufeff") == data


def test_empty_file(tmp_path):
    assert refused(tmp_path, b"") == "empty"


def test_executable_renamed_pdf(tmp_path):
    assert refused(tmp_path, f.executable(), "invoice.pdf") == "executable"


def test_windows_executable(tmp_path):
    assert refused(tmp_path, b"MZ\x90\x00" + b"\x00" * 200, "setup.pdf") == "executable"


def test_plain_zip_is_an_archive(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.txt", "x")
    assert refused(tmp_path, buffer.getvalue(), "a.docx") == "archive"


def test_binary_garbage(tmp_path):
    assert refused(tmp_path, bytes(range(256)) * 100, "a.txt") == "unsupported"


def test_too_large(tmp_path):
    small = Limits(max_bytes=100, zip_max_unpacked=1, zip_max_entries=1, zip_max_ratio=1)
    assert refused(tmp_path, b"x" * 101, "a.txt", small) == "too_large"


def test_zip_bomb_docx(tmp_path):
    data = f.zip_bomb_docx(300)
    assert len(data) < 1024 * 1024  # a few hundred KB ...
    assert refused(tmp_path, data, "report.docx") in {
        "zip_bomb",
        "zip_ratio",
    }  # ... refused unopened


def test_zip_bomb_is_caught_by_real_size_when_ratio_allows(tmp_path):
    """Given a ratio cap high enough to let the entry through, the unpacked total still stops it."""
    lenient = Limits(
        max_bytes=LIMITS.max_bytes,
        zip_max_unpacked=20 * 1024 * 1024,
        zip_max_entries=100,
        zip_max_ratio=10**9,
    )
    assert refused(tmp_path, f.zip_bomb_docx(30), "report.docx", lenient) == "zip_bomb"


def test_dtd_in_office_xml_is_refused(tmp_path):
    assert refused(tmp_path, f.dtd_docx(), "a.docx") == "xml_dtd"


def test_encrypted_docx(tmp_path):
    assert refused(tmp_path, f.encrypted_docx(), "secret.docx") == "encrypted"


def test_macro_enabled_docx_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(f.make_docx(1))) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("word/vbaProject.bin", b"\x00" * 16)
    assert refused(tmp_path, buffer.getvalue(), "a.docm") == "macros"


def test_truncated_zip(tmp_path):
    assert refused(tmp_path, f.truncated(f.make_docx(2)), "a.zip") == "zip_damaged"


@pytest.mark.parametrize(
    ("data", "name", "label"),
    [
        (lambda: f.truncated(f.make_docx(2)), "报告.docx", "Word"),
        (lambda: bytes(range(256)) * 40, "报告.docx", "Word"),  # no container at all
        (lambda: b"\x00\x13garbage" * 500, "slides.pptx", "PowerPoint"),
        (lambda: f.truncated(f.make_xlsx(1)), "表.xlsx", "Excel"),
    ],
)
def test_a_damaged_office_file_is_named_by_its_kind(tmp_path, data, name, label):
    """A .docx whose bytes are no Word file said its "text encoding" was unknown."""
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, data(), name)
    assert (caught.value.code, caught.value.params) == ("damaged", {"format": label})
    from django.utils import translation

    from wenku.ingest.errors import describe

    with translation.override("zh-hans"):
        assert f"{label}文件已损坏" in describe("damaged", caught.value.params)


@pytest.mark.parametrize("suffix", sorted(MARKDOWN_EXTENSIONS))
def test_every_markdown_extension_is_offered_and_imported(tmp_path, suffix):
    """A Markdown file under any extension it is detected by is one the upload form offers
    and `wenku import` picks from a folder."""
    from wenku.cli.importer import collect
    from wenku.library.forms import ACCEPT

    assert suffix in DOCUMENT_SUFFIXES and suffix in ACCEPT.split(",")
    (tmp_path / f"笔记{suffix}").write_bytes("# 标题\n正文".encode())
    assert [p.name for p in collect([str(tmp_path)])] == [f"笔记{suffix}"]
    assert detect(tmp_path, "# 标题\n正文".encode(), f"笔记{suffix}").format == "md"
