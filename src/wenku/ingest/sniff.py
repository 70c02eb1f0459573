"""What a file really is, from its bytes; the extension is only a hint between TXT and Markdown.

``inspect_file`` returns the detected format or raises IngestError with a reason
the uploader can read. It also enforces the container limits that protect the
converters: ZIP entry count, real unpacked size and ratio (zip bombs), XML that declares
entities (XXE; ``containers.check_xml``), password protection, and macros found by
content (``containers``): refused, or — with ``Limits.macros == "preview"`` — marked, so
the document is shown but its original never offered for download.
"""

from __future__ import annotations

import functools
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile

from wenku.core.units import human_size
from wenku.ingest import containers, decrypt
from wenku.ingest.containers import OLE_MAGIC
from wenku.ingest.errors import IngestError

TEXT_FORMATS = frozenset({"txt", "md"})
OFFICE_FORMATS = frozenset(
    {"docx", "doc", "pptx", "ppt", "xlsx", "xls", "odt", "odp", "ods", "rtf", "wpd"}
)
SUPPORTED_FORMATS = OFFICE_FORMATS | TEXT_FORMATS | {"pdf", "epub"}
MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd"})
# The names of the files offered for upload: the upload form's file picker and the
# folders `wenku import` walks (the bytes decide the format, whatever the name);
# Markdown under each of the extensions detection knows.
DOCUMENT_SUFFIXES = [
    *".pdf .doc .docx .ppt .pptx .xls .xlsx .odt .odp .ods .rtf .wpd .txt".split(),
    *sorted(MARKDOWN_EXTENSIONS, key=len),
    ".epub",
]

_OOXML_MAIN = {
    "word/document.xml": "docx",
    "ppt/presentation.xml": "pptx",
    "xl/workbook.xml": "xlsx",
}
_ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/epub+zip": "epub",
}
_NOT_DOCUMENTS = (
    (b"MZ", "executable", "Windows executable"),
    (b"\x7fELF", "executable", "ELF executable"),
    (b"\xcf\xfa\xed\xfe", "executable", "Mach-O executable"),
    (b"\xfe\xed\xfa", "executable", "Mach-O executable"),
    (b"Rar!", "archive", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "archive", "7z"),
    (b"\x1f\x8b", "archive", "gzip"),
    (b"\x89PNG", "unsupported", "PNG image"),
    (b"\xff\xd8\xff", "unsupported", "JPEG image"),
    (b"GIF8", "unsupported", "GIF image"),
)
# What a file named so should be: when its bytes are none of the formats and no text
# either, say that file is damaged (decoding it as text would only say its "encoding" is
# unknown). Text under such a name is read as text, as under any other name (run.hta).
_NAMED = {
    **dict.fromkeys((".docx", ".doc", ".docm", ".dotx", ".dot"), "Word"),
    **dict.fromkeys((".pptx", ".ppt", ".pptm", ".ppsx", ".pps"), "PowerPoint"),
    **dict.fromkeys((".xlsx", ".xls", ".xlsm", ".xltx"), "Excel"),
    **dict.fromkeys((".odt", ".odp", ".ods"), "OpenDocument"),
    ".epub": "EPUB",
    ".rtf": "RTF",
    ".wpd": "WordPerfect",
}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    zip_max_unpacked: int
    zip_max_entries: int
    zip_max_ratio: int
    macros: str = "refuse"  # or "preview": show the document, never offer the original


@dataclass(frozen=True)
class Detected:
    format: str
    encoding: str = ""  # for text formats: the codec that decodes the file
    macros: bool = False  # macros were found (and the site keeps such documents as previews)


def inspect_file(path: Path, original_name: str, limits: Limits) -> Detected:
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty")
    if size > limits.max_bytes:
        raise IngestError("too_large", size=human_size(size), limit=human_size(limits.max_bytes))
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if b"%PDF-" in head[:1024] or _pdf_objects(head):
        return Detected("pdf")  # a PDF without its header is read (repaired) or refused
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        named = _NAMED.get(Path(original_name).suffix.lower())
        return _macro_policy(*_inspect_zip(path, limits, named), limits)
    if head.startswith(OLE_MAGIC):
        extension = Path(original_name).suffix.lower().lstrip(".")
        return _macro_policy(*_inspect_ole(path, extension), limits)
    if _biff_workbook(head):
        return Detected("xls")  # Excel 2.x–4.0: a bare BIFF stream, no OLE container
    if head.lstrip().startswith(b"{\\rtf"):
        return Detected("rtf")
    if head.startswith(WPC_MAGIC):
        return _wordperfect(head)
    for magic, code, label in _NOT_DOCUMENTS:
        if head.startswith(magic):
            raise IngestError(code, detected=label)
    from wenku.ingest.textdocs import detect_encoding

    named = _NAMED.get(Path(original_name).suffix.lower())
    if named and _markup(head):
        # A web page or XML saved under an Office name ("save as web page" kept .doc):
        # read as text it would publish its tags; it is no format of the site's.
        raise IngestError("unsupported", detected="web page or XML")
    try:
        encoding = detect_encoding(path)
    except IngestError:
        if _wordperfect_42(path):
            return Detected("wpd")  # LibreOffice (libwpd) reads it, under any name
        if named:
            raise IngestError("damaged", format=named) from None
        raise
    is_markdown = Path(original_name).suffix.lower() in MARKDOWN_EXTENSIONS
    return Detected("md" if is_markdown else "txt", encoding)


def _markup(head: bytes) -> bool:
    """HTML, XML or MHT (a web archive) at the start of the file, in UTF-8, UTF-16 or an
    ASCII-compatible code page."""
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[2:].decode(codec, "ignore").encode("ascii", "ignore")
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:64].lower()
    if start.startswith((b"<", b"mime-version:")):
        return True
    return start.startswith(b"from:") and b"mime-version:" in head.lower()  # an MHT's header


_PDF_OBJECT = re.compile(rb"(?:^|[\r\n])\s*\d{1,10}\s+\d{1,5}\s+obj\b")


def _pdf_objects(head: bytes) -> bool:
    """PDF syntax without the ``%PDF-`` header: numbered objects and a dictionary."""
    return (
        bool(_PDF_OBJECT.search(head))
        and (b"<<" in head)
        and (b"endobj" in head or b"stream" in head)
    )


WPC_MAGIC = b"\xffWPC"  # WordPerfect 5 and later, and WordPerfect Office's other files


def _wordperfect(head: bytes) -> Detected:
    """A WordPerfect 5+ file (often named .doc, where "damaged Word file" would be
    untrue): its header names the product (1: WordPerfect) and the file type (10: a
    document), which LibreOffice (libwpd) reads; a non-zero key means a password."""
    if len(head) < 14:
        raise IngestError("damaged", format="WordPerfect")
    product, kind, key = head[8], head[9], struct.unpack_from("<H", head, 12)[0]
    if product != 1 or kind != 10:
        raise IngestError("unsupported", detected="WordPerfect Office file")
    if key:
        raise IngestError("encrypted")
    return Detected("wpd")


# WordPerfect 4.2 has no signature: its files are text with one-byte function codes
# (0x80–0xBF) and function groups 0xC0–0xFE, each closed by its own first byte, of a length
# fixed per code (None: variable). LibreOffice (libwpd) tells the format by walking them,
# and so does ``_wordperfect_42``, with the same lengths.
_WP42_GROUPS = (
    6, 4, 3, 5, 5, 6, 4, 6, 8, 42, 3, 6, 4, 3, 4, 3,  # 0xC0
    6, None, None, 4, 4, 4, 6, None, 4, 4, 4, 4, None, 24, 4, None,  # 0xD0
    4, 3, None, 150, 6, 23, 11, 3, 3, None, None, None, 4, None, 44, 18,  # 0xE0
    6, 106, None, 100, 4, None, 5, None, None, None, None, None, None, None, None,  # 0xF0
)  # fmt: skip
_WP42_MAX_BYTES = 1 << 20  # its files were written for floppy disks
_WP42_CODE = re.compile(rb"[\x80-\xff]")


def _wordperfect_42(path: Path) -> bool:
    """Whether the file reads as WordPerfect 4.2: every byte from 0xC0 up opens a function
    group closed where its length says, and there is at least one code (no code at all is
    plain text, which was tried before)."""
    if path.stat().st_size > _WP42_MAX_BYTES:
        return False
    data, codes, at = path.read_bytes(), 0, 0
    while found := _WP42_CODE.search(data, at):
        start, code = found.start(), data[found.start()]
        if code == 0xFF:
            return False
        size = _WP42_GROUPS[code - 0xC0] if code >= 0xC0 else 1
        end = data.find(bytes([code]), start + 1) if size is None else start + size - 1
        if end < 0 or end >= len(data) or data[end] != code:
            return False
        codes, at = codes + 1, end + 1
    return codes > 0


def _biff_workbook(head: bytes) -> bool:
    """A worksheet or workbook of Excel 2.x–4.0: a BOF record (0x0009/0x0209/0x0409) with its
    usual length, then a version and a sheet type."""
    if len(head) < 8:
        return False
    record, length = struct.unpack_from("<HH", head)
    return record in (0x0009, 0x0209, 0x0409) and 4 <= length <= 16


def _macro_policy(fmt: str, macros: bool, limits: Limits) -> Detected:
    if macros and limits.macros != "preview":
        raise IngestError("macros", detected=fmt.upper())
    return Detected(fmt, macros=macros)


# --- ZIP containers: OOXML, OpenDocument, EPUB


def _inspect_zip(path: Path, limits: Limits, named: str | None = None) -> tuple[str, bool]:
    """The format and whether macros were found. A damaged container is named as its file
    name says ("the Word file is damaged"), else as a ZIP archive."""
    damaged = IngestError("damaged", format=named) if named else None
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            fmt = _zip_format(zf, names)
            _check_zip_limits(zf, infos, limits)
            _check_xml_parts(zf, infos)
            if _empty_presentation(zf, fmt):
                raise IngestError("no_pages")  # LibreOffice would print one blank page
            if fmt in {"docx", "pptx", "xlsx"}:
                macros = containers.ooxml_has_macros(zf, names)
            elif fmt in {"odt", "odp", "ods"}:
                if _odf_is_encrypted(zf, names):
                    raise IngestError("encrypted")
                macros = containers.odf_has_macros(names) or containers.embedded_ole_has_macros(zf)
            else:
                macros = False
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        RuntimeError,
    ):
        raise damaged or IngestError("zip_damaged", format="ZIP") from None
    return fmt, macros


def _zip_format(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "[Content_Types].xml" in names:
        for part, fmt in _OOXML_MAIN.items():
            if part in names:
                return fmt
        raise IngestError("unsupported", detected="Office Open XML")
    if "mimetype" in names:
        mimetype = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
        if mimetype in _ODF_MIMETYPES:
            return _ODF_MIMETYPES[mimetype]
        raise IngestError("unsupported", detected=mimetype or "ZIP")
    raise IngestError("archive", detected="ZIP")


def _empty_presentation(zf: zipfile.ZipFile, fmt: str) -> bool:
    """A presentation without a single slide."""
    if fmt == "pptx":
        root = containers.parse_xml_root(zf.read("ppt/presentation.xml"))
        return root is not None and not any(str(el.tag).endswith("}sldId") for el in root.iter())
    if fmt == "odp" and "content.xml" in zf.namelist():
        root = containers.parse_xml_root(zf.read("content.xml"))
        page = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}page"
        return root is not None and next(root.iter(page), None) is None
    return False


def _odf_is_encrypted(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """An OpenDocument file saved with a password lists how each part is encrypted."""
    if "META-INF/manifest.xml" not in names:
        return False
    return b"encryption-data" in zf.read("META-INF/manifest.xml")


def _check_zip_limits(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.zip_max_entries:
        raise IngestError("zip_entries", limit=limits.zip_max_entries)
    declared = sum(i.file_size for i in infos)
    if declared > limits.zip_max_unpacked:
        raise IngestError("zip_bomb", limit=human_size(limits.zip_max_unpacked))
    for info in infos:
        if info.file_size > 1024 * 1024:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.zip_max_ratio:
                raise IngestError("zip_ratio", ratio=int(ratio))
    # Declared sizes can lie: inflate everything once, counting real bytes.
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        with zf.open(info) as member:
            while chunk := member.read(256 * 1024):
                total += len(chunk)
                if total > limits.zip_max_unpacked:
                    raise IngestError("zip_bomb", limit=human_size(limits.zip_max_unpacked))


def _check_xml_parts(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Every XML part, by name or by content, through the hardened parser (after the
    size checks: its unpacked size is known to be bounded)."""
    for info in infos:
        if info.is_dir():
            continue
        if not info.filename.lower().endswith(containers.XML_SUFFIXES):
            # Readers follow the package's relationships, not names: an XML part may be
            # called anything (word/document.dat), so its first bytes decide.
            with zf.open(info) as member:
                if not containers.looks_like_xml(member.read(1024)):
                    continue
        try:
            containers.check_xml(functools.partial(zf.open, info))
        except containers.UnsafeXml:
            raise IngestError("xml_dtd") from None


# --- OLE compound files: legacy Office, or encrypted OOXML


def _inspect_ole(path: Path, extension: str) -> tuple[str, bool]:
    """The format and whether macros were found."""
    try:
        ole = olefile.OleFileIO(str(path))
    except (OSError, ValueError, struct.error, IndexError):
        return _scan_ole(path.read_bytes(), extension)
    with ole:
        fmt = _ole_format(ole)
        macros = containers.ole_has_macros(ole)
    # PowerPoint keeps its encryption inside its streams, where only a parser sees it.
    if fmt == "ppt" and decrypt.is_encrypted(path):
        raise IngestError("encrypted")
    return fmt, macros


# The main stream of each legacy format, in the order olefile's answer is looked for.
_OLE_MAIN = {"worddocument": "doc", "workbook": "xls", "book": "xls",
             "powerpoint document": "ppt", "pp40": "ppt"}  # fmt: skip
_OLE_ENCRYPTED = frozenset({"encryptioninfo", "encryptedpackage"})


def _scan_ole(data: bytes, extension: str) -> tuple[str, bool]:
    """A compound file olefile cannot parse (POI's fuzzed workbooks: a header field so
    large olefile fails to print it), which LibreOffice may still read: its format from
    the directory entries of the main streams (the upload's extension's if there are several: a
    Word file can embed a workbook), its macros from its bytes. What only a parser sees
    (Word's and Excel's encryption flags) is left to LibreOffice, which fails on it."""
    found = containers.directory_names(data, frozenset(_OLE_MAIN) | _OLE_ENCRYPTED)
    if found & _OLE_ENCRYPTED:
        raise IngestError("encrypted")
    formats = [fmt for stream, fmt in _OLE_MAIN.items() if stream in found]
    if not formats:
        raise IngestError("unsupported", detected="damaged OLE file")
    fmt = extension if extension in formats else formats[0]
    return fmt, containers.raw_ole_has_macros(data)


def _ole_format(ole: olefile.OleFileIO) -> str:
    if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
        raise IngestError("encrypted")
    if ole.exists("WordDocument"):
        if _word_is_encrypted(ole):
            raise IngestError("encrypted")
        return "doc"
    for stream in ("Workbook", "Book"):
        if ole.exists(stream):
            if _workbook_is_encrypted(ole, stream):
                raise IngestError("encrypted")
            return "xls"
    if ole.exists("PowerPoint Document"):
        if ole.exists("EncryptedSummary"):
            raise IngestError("encrypted")
        return "ppt"
    if ole.exists("PP40"):
        return "ppt"  # PowerPoint 4.0
    raise IngestError("unsupported", detected="OLE compound file")


def _word_is_encrypted(ole: olefile.OleFileIO) -> bool:
    fib = ole.openstream("WordDocument").read(12)
    if len(fib) < 12:
        return False
    (flags,) = struct.unpack_from("<H", fib, 10)
    return bool(flags & 0x0100)  # FibBase.fEncrypted


def _workbook_is_encrypted(ole: olefile.OleFileIO, stream: str) -> bool:
    """A BIFF8 workbook is encrypted when a FilePass record follows its first BOF."""
    data = ole.openstream(stream).read(4096)
    offset = 0
    for _ in range(64):
        if offset + 4 > len(data):
            return False
        record, length = struct.unpack_from("<HH", data, offset)
        if record == 0x002F:  # FilePass
            return True
        if record in (0x0085, 0x00FC):  # BoundSheet / SST: past where FilePass would be
            return False
        offset += 4 + length
    return False
