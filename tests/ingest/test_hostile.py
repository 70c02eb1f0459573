"""Hostile containers: macros found by content, and XML entity tricks, refused before any
converter sees them — while ordinary documents with standard DOCTYPEs pass.

Each case reproduces an attack that got through the preflight before: a Word 97 file with
a VBA ``Macros`` storage and a .docm whose vbaProject.bin was renamed were accepted (and
offered for download byte for byte); a DTD after 300 KB of padding, or in UTF-16, slipped
past the textual check of the first 256 KB.
"""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from tests.factories import documents as f
from tests.factories.ole import (
    excel4_macro_workbook,
    legacy_word,
    make_ole,
    unparsable_header,
    vba_project,
)
from wenku.ingest import containers
from wenku.ingest.errors import IngestError
from wenku.ingest.sniff import Limits, inspect_file

LIMITS = Limits(
    max_bytes=50 * 1024 * 1024,
    zip_max_unpacked=300 * 1024 * 1024,
    zip_max_entries=20000,
    zip_max_ratio=150,
)
PREVIEW = Limits(**{**LIMITS.__dict__, "macros": "preview"})


def detect(tmp_path, data, name="upload.bin", limits=LIMITS):
    path = tmp_path / "file"
    path.write_bytes(data)
    return inspect_file(path, name, limits)


def refused(tmp_path, data, name="upload.bin", limits=LIMITS):
    with pytest.raises(IngestError) as caught:
        detect(tmp_path, data, name, limits)
    return caught.value.code


def repack(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """A copy of a ZIP package with parts replaced, added, or (None) removed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename not in changes:
                dst.writestr(item, src.read(item.filename))
        for name, body in changes.items():
            if body is not None:
                dst.writestr(name, body)
    return out.getvalue()


def with_vba(docx: bytes, part: str, content_type: str) -> bytes:
    """A .docx carrying a VBA project as ``part``, declared with ``content_type``."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        types = zf.read("[Content_Types].xml").decode()
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    types = types.replace("</Types>", override + "</Types>")
    return repack(docx, {"[Content_Types].xml": types.encode(), part: vba_project()})


# --- macros


def test_a_word_97_file_with_a_macros_storage_is_refused(tmp_path):
    assert detect(tmp_path, legacy_word(), "a.doc").format == "doc"
    assert refused(tmp_path, legacy_word(macros=True), "thesis.doc") == "macros"


def test_an_excel_4_macro_sheet_is_refused(tmp_path):
    assert refused(tmp_path, excel4_macro_workbook(), "budget.xls") == "macros"


@pytest.mark.parametrize(
    ("part", "content_type"),
    [
        ("word/vbaProject.bin", "application/vnd.ms-office.vbaProject"),
        ("word/data.bin", "application/vnd.ms-office.vbaProject"),  # renamed, declared
        ("word/media/image9.bin", "application/octet-stream"),  # renamed and disguised
    ],
)
def test_a_vba_project_in_an_office_open_xml_file_is_refused_whatever_its_name(
    tmp_path, part, content_type
):
    data = with_vba(f.make_docx(1), part, content_type)
    assert refused(tmp_path, data, "report.docx") == "macros"


@pytest.mark.parametrize(
    ("offset", "value"),
    [
        (0x1E, (7).to_bytes(2, "little")),  # 128-byte sectors: olefile lists no storage
        (0x4C, (0xFFFFF0).to_bytes(4, "little")),  # a FAT out of range: olefile gives up
    ],
)
def test_a_vba_project_olefile_misreads_is_found_all_the_same(tmp_path, offset, value):
    """Given a renamed VBA project with a header olefile misreads or cannot read, then
    its directory still names the VBA storage: the check does not depend on one parser
    agreeing with whichever reader would run the macros."""
    project = bytearray(vba_project())
    project[offset : offset + len(value)] = value
    data = repack(f.make_docx(1), {"word/media/image3.bin": bytes(project)})
    assert refused(tmp_path, data, "report.docx") == "macros"


@pytest.mark.parametrize(
    ("data", "name"),
    [(legacy_word(macros=True), "thesis.doc"), (excel4_macro_workbook(), "budget.xls")],
)
def test_macros_in_an_ole_file_olefile_cannot_parse_are_found_in_its_bytes(tmp_path, data, name):
    """Given a Word file with a VBA storage, or a workbook with an Excel 4.0 macro sheet,
    whose header olefile cannot parse (LibreOffice reads such files), then its bytes
    still show the macros: refused, or with previews allowed, marked as today."""
    damaged = unparsable_header(data)
    assert refused(tmp_path, damaged, name) == "macros"
    assert detect(tmp_path, damaged, name, PREVIEW).macros


def test_a_vba_storage_whose_directory_entry_is_damaged_too_is_found(tmp_path):
    """Given an unparsable Word file whose ``Macros`` entry has a stray byte after its
    name (as POI's fuzzed workbook has after ``Workbook``), then it is still found."""
    word = make_ole({"WordDocument": b"\xec\xa5" + bytes(10), "Macros/PROJECT": b"ID="})
    data = bytearray(unparsable_header(word))
    entry = data.index("Macros\0".encode("utf-16-le"))
    data[entry + 40] = 0x0A
    assert refused(tmp_path, bytes(data), "thesis.doc") == "macros"


def test_an_ole_file_olefile_cannot_parse_that_names_an_encryption_stream_is_encrypted(
    tmp_path,
):
    data = unparsable_header(make_ole({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b""}))
    assert refused(tmp_path, data, "secret.docx") == "encrypted"


def test_a_vba_project_padded_past_the_scan_limit_is_refused(tmp_path):
    """Given a renamed VBA project followed by more than is read whole (64 MB of zeros
    after some noise, within the package's ratio limit: readers ignore what follows the
    sectors), then it is found by its directory."""
    padding = os.urandom(600 * 1024) + bytes(containers.OLE_SCAN_LIMIT)
    project = vba_project() + padding
    assert len(project) > containers.OLE_SCAN_LIMIT
    data = repack(f.make_docx(1), {"word/media/image3.bin": project})
    roomy = Limits(**{**LIMITS.__dict__, "max_bytes": 200 * 1024 * 1024})
    assert refused(tmp_path, data, "report.docx", roomy) == "macros"


def test_a_relationship_to_a_vba_project_is_a_macro_whatever_it_points_to(tmp_path):
    with zipfile.ZipFile(io.BytesIO(f.make_docx(1))) as zf:
        rels = zf.read("word/_rels/document.xml.rels").decode()
    link = (
        '<Relationship Id="rIdV" Target="media/image5.png" Type="http://schemas.microsoft'
        '.com/office/2006/relationships/vbaProject"/>'
    )
    rels = rels.replace("</Relationships>", link + "</Relationships>")
    data = repack(f.make_docx(1), {"word/_rels/document.xml.rels": rels.encode()})
    assert refused(tmp_path, data, "report.docx") == "macros"


def test_an_embedded_ole_object_without_vba_passes(tmp_path):
    """An equation or chart embedded as an OLE object is no macro."""
    data = repack(f.make_docx(1), {"word/embeddings/oleObject1.bin": legacy_word()})
    assert detect(tmp_path, data, "thesis.docx").format == "docx"


def odt(extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        zf.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        )
        for name, body in extra.items():
            zf.writestr(name, body)
    return out.getvalue()


BASIC_MODULE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC '
    b'"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n<script:module '
    b'xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
    b'script:language="StarBasic">Sub Main\nShell("calc")\nEnd Sub</script:module>'
)


def test_an_opendocument_file_with_basic_macros_is_refused_for_its_macros(tmp_path):
    """Its Basic module carries OpenOffice's standard DOCTYPE: the reason is the macro, not
    the DTD."""
    data = odt({"Basic/Standard/Module1.xml": BASIC_MODULE, "Basic/script-lc.xml": b"<x/>"})
    assert refused(tmp_path, data, "a.odt") == "macros"
    assert refused(tmp_path, odt({"Scripts/python/run.py": b"import os"}), "a.odt") == "macros"


def test_a_library_index_alone_is_no_macro(tmp_path):
    assert detect(tmp_path, odt({"Basic/script-lc.xml": b"<x/>"}), "a.odt").format == "odt"


def test_with_previews_allowed_a_macro_file_is_marked_not_refused(tmp_path):
    detected = detect(tmp_path, legacy_word(macros=True), "a.doc", PREVIEW)
    assert (detected.format, detected.macros) == ("doc", True)
    assert detect(tmp_path, f.make_docx(1), "a.docx", PREVIEW).macros is False


# --- XML


def with_document_prolog(prolog: bytes, encoding: str = "utf-8") -> bytes:
    """A .docx whose document.xml starts with ``prolog`` after its XML declaration."""
    with zipfile.ZipFile(io.BytesIO(f.make_docx(1))) as zf:
        xml = zf.read("word/document.xml").decode()
    _, body = xml.split("?>", 1)
    text = f'<?xml version="1.0" encoding="{encoding.upper()}" standalone="yes"?>'
    data = (text + prolog.decode() + body).encode(encoding)
    return repack(f.make_docx(1), {"word/document.xml": data})


XXE = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = b'<!DOCTYPE w:document [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(with_document_prolog(XXE), id="external entity"),
        pytest.param(with_document_prolog(LAUGHS), id="billion laughs"),
        pytest.param(
            with_document_prolog(b"<!--" + b" " * 300_000 + b"-->" + XXE), id="after 300 KB"
        ),
        pytest.param(with_document_prolog(b" \n" * 150_000 + XXE), id="after 300 KB of spaces"),
        pytest.param(with_document_prolog(XXE, "utf-16"), id="UTF-16"),
        pytest.param(with_document_prolog(b"<!-- - -->" + XXE), id="not well-formed"),
        pytest.param(
            with_document_prolog(b'<!DOCTYPE w:document SYSTEM "file:///etc/passwd">'),
            id="external DTD",
        ),
        pytest.param(
            with_document_prolog(b'<!DOCTYPE w:document SYSTEM "http://evil.example/x.dtd">'),
            id="remote DTD",
        ),
    ],
)
def test_entity_tricks_are_refused_however_they_are_hidden(tmp_path, data):
    assert refused(tmp_path, data, "a.docx") == "xml_dtd"


MATHML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE math:math PUBLIC '
    b'"-//W3C//DTD MathML 2.0//EN" "math.dtd">\n<math:math '
    b'xmlns:math="http://www.w3.org/1998/Math/MathML"><math:mi>x</math:mi></math:math>'
)
SVG = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg '
    b'xmlns="http://www.w3.org/2000/svg"/>'
)
MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE manifest:manifest PUBLIC '
    b'"-//OpenOffice.org//DTD Manifest 1.0//EN" "Manifest.dtd">\n<manifest:manifest '
    b'xmlns:manifest="http://openoffice.org/2001/manifest"/>'
)


def test_standard_doctypes_pass(tmp_path):
    """An OpenOffice 3 text with an equation (MathML), an SVG picture and the old manifest."""
    data = odt(
        {
            "Object 1/content.xml": MATHML,
            "Pictures/drawing.svg": SVG,
            "META-INF/manifest.xml": MANIFEST,
        }
    )
    assert detect(tmp_path, data, "formula.odt").format == "odt"


def test_an_xml_part_under_another_name_is_read_all_the_same(tmp_path):
    """Given a .docx whose main part is called word/document.dat (its content type and
    relationship say what it is; readers follow those, not names) and declares an
    entity, with a harmless word/document.xml left beside it as a decoy, then it is
    refused like any XML part; a binary part is not taken for XML."""
    docx = f.make_docx(1)
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("_rels/.rels").decode()
    with zipfile.ZipFile(io.BytesIO(with_document_prolog(XXE))) as zf:
        hostile = zf.read("word/document.xml")
    types = types.replace('PartName="/word/document.xml"', 'PartName="/word/document.dat"')
    changes = {
        "word/document.dat": hostile,
        "[Content_Types].xml": types.encode(),
        "_rels/.rels": rels.replace("word/document.xml", "word/document.dat").encode(),
    }
    assert refused(tmp_path, repack(docx, changes), "report.docx") == "xml_dtd"
    assert containers.looks_like_xml("\ufeff  <?xml".encode("utf-16"))
    assert not containers.looks_like_xml(vba_project()[:1024])


def test_an_epub_chapter_declaring_entities_is_refused(tmp_path):
    with zipfile.ZipFile(io.BytesIO(f.make_epub(1))) as zf:
        chapter = zf.read("OEBPS/c0.xhtml")
    hostile = chapter.replace(b"<!DOCTYPE html>", LAUGHS.replace(b"w:document", b"html"))
    assert detect(tmp_path, f.make_epub(1), "a.epub").format == "epub"
    assert refused(tmp_path, repack(f.make_epub(1), {"OEBPS/c0.xhtml": hostile})) == "xml_dtd"
