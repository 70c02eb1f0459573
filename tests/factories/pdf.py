"""A tiny PDF writer for tests: real, valid PDFs with Latin text, built in memory."""

from __future__ import annotations


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
