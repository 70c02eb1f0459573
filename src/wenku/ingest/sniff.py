"""What a file really is, from its bytes; the extension is only a hint between TXT and Markdown.

``inspect_file`` returns the detected format or raises IngestError with a reason
the uploader can read. It also enforces the container limits that protect the
converters: ZIP entry count, real unpacked size and ratio (zip bombs), DTDs in
office XML (XXE), password protection and macro-enabled variants.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile

from wenku.core.units import human_size
from wenku.ingest.errors import IngestError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_FORMATS = frozenset({"txt", "md"})
OFFICE_FORMATS = frozenset(
    {"docx", "doc", "pptx", "ppt", "xlsx", "xls", "odt", "odp", "ods", "rtf"}
)
SUPPORTED_FORMATS = OFFICE_FORMATS | TEXT_FORMATS | {"pdf", "epub"}
MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd"})

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
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# What a file named so should be: when its bytes are none of the formats, say that file
# is damaged (decoding it as text would only say its "encoding" is unknown).
_NAMED = {
    **dict.fromkeys((".docx", ".doc", ".docm", ".dotx", ".dot"), "Word"),
    **dict.fromkeys((".pptx", ".ppt", ".pptm", ".ppsx", ".pps"), "PowerPoint"),
    **dict.fromkeys((".xlsx", ".xls", ".xlsm", ".xltx"), "Excel"),
    **dict.fromkeys((".odt", ".odp", ".ods"), "OpenDocument"),
    ".epub": "EPUB",
    ".rtf": "RTF",
}


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    zip_max_unpacked: int
    zip_max_entries: int
    zip_max_ratio: int


@dataclass(frozen=True)
class Detected:
    format: str
    encoding: str = ""  # for text formats: the codec that decodes the file


def inspect_file(path: Path, original_name: str, limits: Limits) -> Detected:
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty")
    if size > limits.max_bytes:
        raise IngestError("too_large", size=human_size(size), limit=human_size(limits.max_bytes))
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if b"%PDF-" in head[:1024]:
        return Detected("pdf")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return Detected(_inspect_zip(path, limits, _NAMED.get(Path(original_name).suffix.lower())))
    if head.startswith(OLE_MAGIC):
        return Detected(_inspect_ole(path))
    if head.lstrip().startswith(b"{\\rtf"):
        return Detected("rtf")
    for magic, code, label in _NOT_DOCUMENTS:
        if head.startswith(magic):
            raise IngestError(code, detected=label)
    named = _NAMED.get(Path(original_name).suffix.lower())
    if named:
        raise IngestError("damaged", format=named)
    from wenku.ingest.textdocs import detect_encoding

    encoding = detect_encoding(path)
    is_markdown = Path(original_name).suffix.lower() in MARKDOWN_EXTENSIONS
    return Detected("md" if is_markdown else "txt", encoding)


# --- ZIP containers: OOXML, OpenDocument, EPUB


def _inspect_zip(path: Path, limits: Limits, named: str | None = None) -> str:
    """The format inside a ZIP container; a damaged one is named as its file name says
    ("the Word file is damaged"), else as a ZIP archive."""
    damaged = IngestError("damaged", format=named) if named else None
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            fmt = _zip_format(zf, {i.filename for i in infos})
            _check_zip_limits(zf, infos, fmt, limits)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        RuntimeError,
    ):
        raise damaged or IngestError("zip_damaged", format="ZIP") from None
    return fmt


def _zip_format(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "[Content_Types].xml" in names:
        for part, fmt in _OOXML_MAIN.items():
            if part in names:
                if any(n.endswith("vbaProject.bin") for n in names):
                    raise IngestError("macro_format", detected=fmt[:-1] + "m")
                return fmt
        raise IngestError("unsupported", detected="Office Open XML")
    if "mimetype" in names:
        mimetype = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
        if mimetype in _ODF_MIMETYPES:
            return _ODF_MIMETYPES[mimetype]
        raise IngestError("unsupported", detected=mimetype or "ZIP")
    raise IngestError("archive", detected="ZIP")


def _check_zip_limits(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], fmt: str, limits: Limits
) -> None:
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
    refuse_dtd = fmt != "epub"  # EPUB XHTML legitimately declares a DOCTYPE
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        with zf.open(info) as member:
            first = True
            while chunk := member.read(256 * 1024):
                total += len(chunk)
                if total > limits.zip_max_unpacked:
                    raise IngestError("zip_bomb", limit=human_size(limits.zip_max_unpacked))
                xml_part = first and refuse_dtd and info.filename.endswith(_XML_SUFFIXES)
                if xml_part and (b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk):
                    raise IngestError("xml_dtd")
                first = False


# --- OLE compound files: legacy Office, or encrypted OOXML


def _inspect_ole(path: Path) -> str:
    try:
        ole = olefile.OleFileIO(str(path))
    except (OSError, ValueError, struct.error, IndexError):
        raise IngestError("unsupported", detected="damaged OLE file") from None
    with ole:
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
