"""A small writer of OLE compound files (CFB version 3), for legacy Office test files.

Only what tests need: storages and streams by path ("Macros/VBA/dir"), every stream
padded to at least the mini-stream cut-off (4096 bytes) so no mini stream is needed.
"""

from __future__ import annotations

import struct

SECTOR = 512
FREE, END, FAT_SECTOR, NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
MIN_STREAM = 4096


def make_ole(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` (path → bytes); storages on the paths are made."""
    # The tree: every storage and stream, children of each storage in a list.
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "kids": [], "data": b""}]
    index: dict[str, int] = {"": 0}
    for path, data in streams.items():
        parent = ""
        parts = path.split("/")
        for depth, part in enumerate(parts):
            here = "/".join(parts[: depth + 1])
            if here not in index:
                is_stream = depth == len(parts) - 1
                entries.append(
                    {
                        "name": part,
                        "type": 2 if is_stream else 1,
                        "kids": [],
                        "data": data.ljust(MIN_STREAM, b"\0") if is_stream else b"",
                    }
                )
                index[here] = len(entries) - 1
                entries[index[parent]]["kids"].append(index[here])
            parent = here

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        count = max(1, -(-len(data) // SECTOR))
        start = len(sectors)
        padded = data.ljust(count * SECTOR, b"\0")
        for i in range(count):
            sectors.append(padded[i * SECTOR : (i + 1) * SECTOR])
            fat.append(start + i + 1 if i < count - 1 else END)
        return start

    for entry in entries:
        entry["start"] = place(entry["data"]) if entry["type"] == 2 else END
    directory = b"".join(_entry(e, entries) for e in entries)
    directory = directory.ljust(-(-len(directory) // SECTOR) * SECTOR, b"\0")
    first_dir = place(directory)
    # FAT sectors: enough to describe every sector, themselves included.
    fat_count = 1
    while (len(sectors) + fat_count) > fat_count * (SECTOR // 4):
        fat_count += 1
    fat_start = len(sectors)
    fat += [FAT_SECTOR] * fat_count
    fat += [FREE] * (fat_count * (SECTOR // 4) - len(fat))
    table = struct.pack(f"<{len(fat)}I", *fat)
    for i in range(fat_count):
        sectors.append(table[i * SECTOR : (i + 1) * SECTOR])
    difat = [fat_start + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIII", 0, fat_count, first_dir, 0, MIN_STREAM, END, 0, END)
        + struct.pack("<I", 0)
        + struct.pack("<109I", *difat)
    )
    return header + b"".join(sectors)


def _entry(entry: dict, entries: list[dict]) -> bytes:
    name = entry["name"].encode("utf-16-le") + b"\0\0"
    kids = entry["kids"]
    child = kids[0] if kids else NONE
    # Siblings as a chain of right pointers (a degenerate but valid tree).
    right = NONE
    for siblings in (e["kids"] for e in entries):
        if entries.index(entry) in siblings:
            position = siblings.index(entries.index(entry))
            right = siblings[position + 1] if position + 1 < len(siblings) else NONE
    size = len(entry["data"]) if entry["type"] == 2 else 0
    return (
        name.ljust(64, b"\0")
        + struct.pack("<HBB", len(name), entry["type"], 1)
        + struct.pack("<III", NONE, right, child)
        + b"\0" * 16
        + b"\0" * 4
        + b"\0" * 16
        + struct.pack("<IQ", entry["start"], size)
    )


def unparsable_header(data: bytes) -> bytes:
    """The compound file ``data`` with the fault of POI's fuzzed workbook: a mini-sector
    shift of 0x4B41, whose power of two olefile fails to print (more digits than Python
    converts); other readers ignore the field."""
    return data[:0x20] + struct.pack("<H", 0x4B41) + data[0x22:]


def legacy_word(*, macros: bool = False) -> bytes:
    """A Word 97 file's skeleton (an unencrypted FIB), with a VBA ``Macros`` storage if asked."""
    streams = {"WordDocument": b"\xec\xa5" + b"\0" * 10, "1Table": b"\0"}
    if macros:
        streams["Macros/VBA/dir"] = b"\x01" * 64
        streams["Macros/PROJECT"] = b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'
    return make_ole(streams)


def vba_project() -> bytes:
    """What Office stores as ``vbaProject.bin``: an OLE file with a VBA project."""
    return make_ole(
        {
            "VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff",
            "VBA/dir": b"\x01" * 64,
            "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n',
        }
    )


def excel4_macro_workbook() -> bytes:
    """A BIFF8 workbook whose second sheet is an Excel 4.0 macro sheet."""

    def record(kind: int, body: bytes) -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    def bound_sheet(name: str, sheet_type: int) -> bytes:
        return record(
            0x0085, struct.pack("<IBB", 0, 0, sheet_type) + bytes([len(name), 0]) + name.encode()
        )

    data = (
        record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
        + bound_sheet("Sheet1", 0x00)
        + bound_sheet("Macro1", 0x01)
        + record(0x000A, b"")
    )
    return make_ole({"Workbook": data})


def legacy_powerpoint(*, encrypted: bool = False) -> bytes:
    """A PowerPoint 97 file's skeleton: a Current User stream pointing at the last edit's
    UserEditAtom. An encrypted file's atom is 4 bytes longer (encryptSessionPersistIdRef):
    the only sign of encryption when there is no EncryptedSummary stream (MS-PPT 2.3.3)."""

    def header(rec_type: int, length: int) -> bytes:
        return struct.pack("<HHI", 0, rec_type, length)  # recVer/recInstance 0

    length = 0x20 if encrypted else 0x1C
    user_edit = (
        header(0x0FF5, length)
        + struct.pack("<IHBBIIII", 256, 0, 0, 3, 0, 0, 1, 1)
        + struct.pack("<HH", 1, 0)  # lastView, unused
        + (struct.pack("<I", 2) if encrypted else b"")
    )
    document = b"\0" * 64 + user_edit
    current_user = (
        header(0x0FF6, 0)  # recLen is not checked by readers
        + struct.pack("<III", 0x14, 0xF3D1C4DF if encrypted else 0xE391C05F, 64)
        + struct.pack("<HHBBH", 0, 0x03F4, 3, 0, 0)  # no user name
        + struct.pack("<I", 8)  # relVersion
    )
    return make_ole({"Current User": current_user, "PowerPoint Document": document})


def docx_with_vba(docx: bytes) -> bytes:
    """A .docx (``docx``) carrying a VBA project at ``word/vbaProject.bin``, declared as
    Office declares it: a macro-enabled Word file under an ordinary name."""
    import io
    import zipfile

    part = "word/vbaProject.bin"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                override = (
                    f'<Override PartName="/{part}" '
                    'ContentType="application/vnd.ms-office.vbaProject"/>'
                )
                body = body.replace(b"</Types>", override.encode() + b"</Types>")
            dst.writestr(item, body)
        dst.writestr(part, vba_project())
    return out.getvalue()
