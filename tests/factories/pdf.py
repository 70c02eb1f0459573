"""A tiny PDF writer for tests: real, valid PDFs with Latin text, built in memory."""

from __future__ import annotations

from dataclasses import dataclass


def make_pdf(
    pages: int = 1,
    *,
    size: tuple[float, float] = (595.0, 842.0),
    text: str = "Wenku test page",
    declared_count: int | None = None,
    user_password: bytes | None = None,
) -> bytes:
    """A PDF of ``pages`` pages of ``size`` points, each showing ``text`` and its number.

    ``declared_count`` writes a different /Count into the page tree than the pages
    really present (a lying PDF).
    """
    width, height = size
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for number in range(1, pages + 1):
        line = f"{text} {number}".replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 18 Tf 50 {height - 80:.0f} Td ({line}) Tj ET".encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (tree, width, height, font, content)
            )
        )
    count = pages if declared_count is None else declared_count
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (
        count,
        b" ".join(b"%d 0 R" % k for k in kids),
    )
    trailer_extra = b""
    if user_password is not None:
        file_id, encrypt = _standard_security(user_password)
        trailer_extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (add(encrypt), file_id, file_id)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        trailer_extra,
        xref,
    )
    return bytes(out)


_PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _standard_security(user_password: bytes) -> tuple[bytes, bytes]:
    """The /ID and a revision-2 (RC4, 40-bit) /Encrypt dictionary locking the file.

    Content streams stay unencrypted: a reader asks for the password before reading any.
    """
    import hashlib

    permissions = -4
    file_id = hashlib.md5(b"wenku-test").digest()
    owner_key = hashlib.md5((b"owner" + _PAD)[:32]).digest()[:5]
    owner_value = _rc4(owner_key, (user_password + _PAD)[:32])
    key = hashlib.md5(
        (user_password + _PAD)[:32]
        + owner_value
        + permissions.to_bytes(4, "little", signed=True)
        + file_id
    ).digest()[:5]
    user_value = _rc4(key, _PAD)
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
        owner_value.hex().encode(),
        user_value.hex().encode(),
        permissions,
    )
    return file_id.hex().encode(), encrypt


# --- Chinese text, placed where a test wants it


@dataclass(frozen=True)
class Run:
    """Text drawn from the baseline point (x, y), ``size`` points, every glyph one em wide
    plus ``spacing`` points (PDF's Tc: how justified CJK text is spread)."""

    x: float
    y: float
    text: str
    size: float = 12.0
    spacing: float = 0.0


def make_cjk_pdf(pages: list[list[Run]], *, size: tuple[float, float] = (595.0, 842.0)) -> bytes:
    """A PDF whose pages draw ``Run``s in the order given, in Adobe's non-embedded Chinese
    font STSong-Light (CMap UniGB-UCS2-H: text is UCS-2, so any BMP character), so a reader
    extracts exactly the characters written. The order of runs is the drawing order: a
    test draws a line's quotes after the line, as LibreOffice does, by listing them later.
    """
    width, height = size
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")
    tree = add(b"")
    descendant = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >> /DW 1000 >>"
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [%d 0 R] >>" % descendant
    )
    kids = []
    for runs in pages:
        parts = []
        for run in runs:
            hex_text = run.text.encode("utf-16-be").hex().upper()
            parts.append(
                f"BT /F1 {run.size:.2f} Tf {run.spacing:.3f} Tc "
                f"1 0 0 1 {run.x:.2f} {run.y:.2f} Tm <{hex_text}> Tj ET"
            )
        stream = "\n".join(parts).encode("ascii")
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (tree, width, height, font, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (
        len(kids),
        b" ".join(b"%d 0 R" % k for k in kids),
    )
    return _assemble(objects, catalog)


def _assemble(objects: list[bytes], catalog: int) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)


def wrapped(
    text: str,
    *,
    chars_per_line: int,
    x: float = 72.0,
    top: float = 770.0,
    size: float = 12.0,
    leading: float = 18.0,
    indent: int = 2,
) -> list[Run]:
    """``text`` as one paragraph set in lines of ``chars_per_line`` characters (the first
    indented by ``indent`` ems, as Chinese paragraphs are), cutting words wherever the line
    ends."""
    runs = []
    first = chars_per_line - indent
    pieces = [text[:first]] + [
        text[i : i + chars_per_line] for i in range(first, len(text), chars_per_line)
    ]
    for number, piece in enumerate(p for p in pieces if p):
        left = x + (indent * size if number == 0 else 0)
        runs.append(Run(left, top - number * leading, piece, size))
    return runs
