"""What hides inside an office file: macros, and XML that declares its own entities.

Both are judged by content, never by a name or an extension:

- **Macros.** Legacy Office keeps VBA in OLE storages (``Macros`` in Word,
  ``_VBA_PROJECT_CUR`` in Excel, ``VBA`` with ``_VBA_PROJECT``/``PROJECT`` in a VBA
  project); Excel 4.0 macros are sheets of their own kind in the workbook; Office Open XML
  declares its VBA project part (``application/vnd.ms-office.vbaProject``) and macro sheets
  in ``[Content_Types].xml`` and links it by a relationship of its own type — but a
  renamed ``vbaProject.bin`` is still an OLE file with those storages, so every OLE file
  inside a package is looked at too, by olefile and by a scan of its bytes for the
  directory entries of those storages (an embedded equation or chart has no VBA and
  passes); OpenDocument keeps Basic modules under ``Basic/`` and other scripts under
  ``Scripts/``. A legacy file olefile cannot parse at all is judged by such a scan of its
  bytes (``raw_ole_has_macros``), and goes on to LibreOffice if it finds nothing.
- **XML.** Every XML part is read by a hardened parser (lxml: no network, no DTD loading,
  no entity expansion) as far as its root element, whatever its encoding and however
  much it is padded: a DOCTYPE with an internal subset (where entities are declared: XXE,
  billion laughs) is refused, and so is one naming any DTD but the standard ones
  documents really carry (MathML, SVG, XHTML, OpenOffice's, EPUB's NCX), which pass.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from typing import IO

import olefile
from lxml import etree

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# --- macros

_VBA_STORAGES = frozenset({"macros", "_vba_project_cur", "vba", "_vba_project"})
_MACRO_CONTENT_TYPES = (
    "application/vnd.ms-office.vbaproject",
    "application/vnd.ms-excel.macrosheet",
    "application/vnd.ms-excel.intlmacrosheet",
)
_ODF_LIBRARY_INDEXES = frozenset(
    {"script-lc.xml", "script-lb.xml", "dialog-lc.xml", "dialog-lb.xml"}
)
OLE_SCAN_LIMIT = 64 * 1024 * 1024  # an embedded OLE file larger than this is not opened


def ole_has_macros(ole: olefile.OleFileIO) -> bool:
    """A VBA project anywhere in the compound file, or an Excel 4.0 macro sheet."""
    for path in ole.listdir(streams=True, storages=True):
        if any(part.lower() in _VBA_STORAGES for part in path):
            return True
    for stream in ("Workbook", "Book"):
        if ole.exists(stream) and _has_macro_sheet(ole.openstream(stream).read(1 << 20)):
            return True
    return False


def _has_macro_sheet(data: bytes) -> bool:
    """BIFF BoundSheet records (0x0085) whose sheet type is an Excel 4.0 macro sheet."""
    offset = 0
    while offset + 4 <= len(data):
        record, length = struct.unpack_from("<HH", data, offset)
        body = data[offset + 4 : offset + 4 + length]
        if record == 0x0085 and len(body) >= 6 and body[5] == 0x01:
            return True
        if record == 0x002F:  # FilePass: the rest is encrypted
            return False
        offset += 4 + length
    return False


def ooxml_has_macros(zf: zipfile.ZipFile, names: set[str]) -> bool:
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return True
    types = parse_xml_root(zf.read("[Content_Types].xml"))
    if types is not None:
        for element in types.iter():
            content_type = (element.get("ContentType") or "").lower()
            if any(marker in content_type for marker in _MACRO_CONTENT_TYPES):
                return True
    return ooxml_relationships_name_vba(zf, names) or embedded_ole_has_macros(zf)


def odf_has_macros(names: set[str]) -> bool:
    for name in names:
        if name.endswith("/"):
            continue
        if name.startswith("Scripts/"):
            return True
        if name.startswith("Basic/") and name.rsplit("/", 1)[-1] not in _ODF_LIBRARY_INDEXES:
            return True
    return False


def embedded_ole_has_macros(zf: zipfile.ZipFile) -> bool:
    """Look for VBA in every OLE file inside the package, whatever it is called.

    Each is read twice over: by olefile (which also finds Excel 4.0 macro sheets), and
    byte by byte for a directory entry naming a VBA storage — which needs no parser, so
    neither a part olefile cannot read (another reader may be more lenient) nor one
    padded past ``OLE_SCAN_LIMIT`` hides its project."""
    for info in zf.infolist():
        if info.is_dir() or info.file_size < 512:
            continue
        with zf.open(info) as member:
            if member.read(8) != OLE_MAGIC:
                continue
        if info.file_size <= OLE_SCAN_LIMIT and _parsed_ole_has_macros(zf.read(info)):
            return True
        with zf.open(info) as member:
            if has_vba_directory_entry(member):
                return True
    return False


def _parsed_ole_has_macros(data: bytes) -> bool:
    try:
        with olefile.OleFileIO(data) as ole:
            return ole_has_macros(ole)
    except (OSError, ValueError, struct.error, IndexError):
        return False  # unreadable to olefile: the directory scan still looks


def _directory_entry(name: str) -> bytes:
    """The start of a compound file's directory entry (128 bytes, never split across
    sectors) for a storage or stream called ``name``: the UTF-16 name padded to 64 bytes,
    its length with the terminator, then the object type (1 storage, 2 stream)."""
    encoded = name.encode("utf-16-le")
    return re.escape(encoded + b"\0" * (64 - len(encoded)) + struct.pack("<H", len(encoded) + 2))


_VBA_ENTRY = re.compile(
    b"(?:" + b"|".join(_directory_entry(n) for n in sorted(_VBA_STORAGES)) + b")[\x01\x02]",
    re.IGNORECASE,  # names in a compound file are compared without case
)


def has_vba_directory_entry(stream: IO[bytes], chunk: int = 1 << 20) -> bool:
    """Whether the bytes of an OLE file hold a directory entry of a VBA storage or
    stream, read in chunks (any size, little memory)."""
    tail = b""
    while block := stream.read(chunk):
        data = tail + block
        if _VBA_ENTRY.search(data):
            return True
        tail = data[-127:]
    return False


def directory_names(data: bytes, names: frozenset[str]) -> set[str]:
    """Which of ``names`` (lower case) name a directory entry in the bytes of an OLE file
    olefile cannot parse: at a multiple of 128 bytes, the name in UTF-16 and its
    terminator. The rest of the entry is not looked at: a damaged file may be damaged
    there too (POI's fuzzed workbook has a stray byte in its name's padding)."""
    alternatives = b"|".join(re.escape(n.encode("utf-16-le")) for n in sorted(names))
    pattern = re.compile(b"(?=(" + alternatives + b")\0\0)", re.IGNORECASE)
    return {
        m.group(1).decode("utf-16-le").lower()
        for m in pattern.finditer(data)
        if m.start() % 128 == 0
    }


def raw_ole_has_macros(data: bytes) -> bool:
    """``ole_has_macros`` for a compound file olefile cannot parse, from its bytes alone: a
    directory entry naming a VBA storage, or a BIFF BoundSheet record of an Excel 4.0
    macro sheet anywhere (short, it lies within one sector unless it straddles two). It
    errs towards finding macros: bytes that only look like them refuse a clean file."""
    vba = directory_names(data, _VBA_STORAGES)
    return bool(vba) or any(map(_macro_sheet, _BOUNDSHEET.finditer(data)))


# BoundSheet (0x0085): length, the sheet's stream position, visibility, sheet type, then
# its name's length and (BIFF8) flags.
_BOUNDSHEET = re.compile(rb"\x85\x00(?=(..)....[\x00-\x03]\x01(.)(.))", re.DOTALL)


def _macro_sheet(record: re.Match[bytes]) -> bool:
    """A BoundSheet of sheet type 1 whose length fits its name (BIFF5: bytes; BIFF8: one
    or two bytes a character, as its flags say)."""
    (length,) = struct.unpack("<H", record.group(1))
    chars, flags = record.group(2)[0], record.group(3)[0]
    return length == 7 + chars or (flags in (0, 1) and length == 8 + chars * (1 + flags))


def ooxml_relationships_name_vba(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """A relationship of the VBA project's type, whatever part it points to."""
    for name in names:
        if name.lower().endswith(".rels"):
            root = parse_xml_root(zf.read(name))
            for element in root.iter() if root is not None else ():
                kind = (element.get("Type") or "").lower()
                if kind.endswith("/vbaproject") or kind.endswith("/vbaprojectsignature"):
                    return True
    return False


# --- XML

_STANDARD_PUBLIC = (
    "-//W3C//DTD ",
    "-//OpenOffice.org//DTD ",
    "-//NISO//DTD ",
    "-//IDPF//DTD ",
)
_STANDARD_SYSTEM = re.compile(
    r"^(?:[\w.-]+\.dtd|https?://www\.w3\.org/[\w./-]+|http://www\.daisy\.org/[\w./-]+)$"
)
XML_SUFFIXES = (".xml", ".rels", ".vml", ".xhtml", ".html", ".htm", ".opf", ".ncx", ".svg", ".mml")


class UnsafeXml(ValueError):
    """An XML part declares entities, or names a DTD documents never carry."""


def _parser_options() -> dict[str, bool]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
    }


def check_xml(open_part: Callable[[], IO[bytes]]) -> None:
    """Read an XML part up to its root element; raise ``UnsafeXml`` if its DOCTYPE declares
    anything or names a DTD that is not a standard one.

    A part that is not well-formed before its root is judged by its text instead (another
    parser might still read a declaration in it): refused if its first megabyte, decoded
    as its byte-order mark says, holds ``<!DOCTYPE`` or ``<!ENTITY``; else left to the
    converter, which will fail on it honestly."""
    try:
        with open_part() as stream:
            for _event, element in etree.iterparse(stream, events=("start",), **_parser_options()):
                _check_doctype(element.getroottree().docinfo)
                return
    except etree.XMLSyntaxError:
        with open_part() as stream:
            head = _decoded(stream.read(1 << 20)).upper()
        if "<!DOCTYPE" in head or "<!ENTITY" in head:
            raise UnsafeXml("a declaration in XML that is not well-formed") from None


def looks_like_xml(head: bytes) -> bool:
    """Whether a part whose name says nothing starts as XML does (after a byte-order mark
    and white space, in any of the encodings a parser would detect)."""
    return _decoded(head).lstrip("\ufeff \t\r\n").startswith("<")


def _decoded(data: bytes) -> str:
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00?\x00", "utf-16-le"),
        (b"\x00<\x00?", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    return data.decode("utf-8", "replace")


def _check_doctype(docinfo: etree.DocInfo) -> None:
    if not docinfo.doctype:
        return
    internal = docinfo.internalDTD
    if internal is not None and (list(internal.iterentities()) or list(internal.elements())):
        raise UnsafeXml("a DOCTYPE with an internal subset")
    public = docinfo.public_id or ""
    system = docinfo.system_url or ""
    if public and not public.startswith(_STANDARD_PUBLIC):
        raise UnsafeXml(f"DOCTYPE {public!r}")
    if system and not _STANDARD_SYSTEM.match(system):
        raise UnsafeXml(f"DOCTYPE {system!r}")


def parse_xml_root(data: bytes) -> etree._Element | None:
    """A small XML part (a package's description), parsed with the hardened parser; None
    if it is not well-formed or declares entities."""
    parser = etree.XMLParser(**_parser_options())
    try:
        root = etree.fromstring(data, parser=parser)
        _check_doctype(root.getroottree().docinfo)
    except (etree.XMLSyntaxError, UnsafeXml, ValueError):
        return None
    return root
