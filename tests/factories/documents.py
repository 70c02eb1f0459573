"""Test documents, built by the tests themselves: ordinary ones in every format, and hostile ones.

Text is deterministic pseudo-Chinese (a fixed seed over common characters), so page
and character counts are stable from run to run.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import docx
import openpyxl
from docx.oxml.ns import qn
from docx.shared import Pt
from pptx import Presentation

COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
)


def chinese(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(COMMON) for _ in range(n))


# --- ordinary documents


def make_docx(
    pages: int = 3, *, seed: int = 1, font: str = "宋体", title: str = "工作总结"
) -> bytes:
    """A Word file with ``pages`` pages (explicit page breaks), each a heading and paragraphs."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = font
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    normal.font.size = Pt(12)
    for page in range(pages):
        document.add_heading(f"第{page + 1}章 {title}", level=1)
        for para in range(4):
            document.add_paragraph(
                chinese(120, seed * 1000 + page * 10 + para)
                + "。2023年营业收入21.05亿元，同比增长12.5%。"
            )
        if page < pages - 1:
            document.add_page_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pptx(slides: int = 3, *, seed: int = 2) -> bytes:
    prs = Presentation()
    for number in range(slides):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = f"第{number + 1}页 教学课件"
        body = slide.placeholders[1].text_frame
        body.text = chinese(30, seed * 100 + number)
        for line in range(3):
            body.add_paragraph().text = chinese(20, seed * 100 + number * 10 + line)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def make_xlsx(sheets: int = 2, rows: int = 30, *, seed: int = 3) -> bytes:
    workbook = openpyxl.Workbook()
    rng = random.Random(seed)
    for index in range(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = f"表{index + 1}"
        sheet.append(["序号", "项目", "金额（万元）"])
        for row in range(rows):
            sheet.append([row + 1, chinese(6, seed + index * 1000 + row), rng.randint(1, 9999)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_text(paragraphs: int = 30, *, seed: int = 4) -> str:
    return "\n\n".join(chinese(200, seed * 1000 + i) for i in range(paragraphs))


def make_markdown(*, seed: int = 5) -> str:
    return (
        "# 教学设计\n\n"
        f"{chinese(150, seed)}\n\n"
        "## 教学目标\n\n"
        f"- {chinese(20, seed + 1)}\n- {chinese(20, seed + 2)}\n\n"
        "| 项目 | 说明 |\n|---|---|\n| 一 | 二 |\n\n"
        "![示意图](http://127.0.0.1:9/should-not-be-fetched.png)\n\n"
        f"{chinese(300, seed + 3)}\n"
    )


def make_epub(chapters: int = 3, *, seed: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        items = "".join(
            f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
            for i in range(chapters)
        )
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(chapters))
        zf.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>测试</dc:title>'
            f"</metadata><manifest>{items}</manifest><spine>{spine}</spine></package>",
        )
        for i in range(chapters):
            zf.writestr(
                f"OEBPS/c{i}.xhtml",
                '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html>'
                '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title>'
                "<script>alert(1)</script></head><body>"
                f"<h1>第{i + 1}章</h1><p>{chinese(400, seed * 100 + i)}</p>"
                f"<div>{chinese(50, seed * 100 + i + 50)}"
                '<img src="file:///etc/passwd" alt="插图"/></div>'
                "</body></html>",
            )
    return buffer.getvalue()


def make_gbk_text(*, seed: int = 7) -> bytes:
    return ("GBK编码的文本文件\n\n" + make_text(10, seed=seed)).encode("gbk")


# --- hostile documents

Part = Callable[[bytes], bytes]


def _rewrite_docx(parts: dict[str, Part], stream: dict[str, Callable] | None = None) -> bytes:
    """A one-page .docx with some parts rewritten (``parts``) or written as a stream."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(make_docx(1))) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if stream and item.filename in stream:
                info = zipfile.ZipInfo(item.filename)
                info.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(info, "w", force_zip64=True) as part:
                    stream[item.filename](data, part)
            else:
                dst.writestr(item, parts.get(item.filename, lambda d: d)(data))
    return out.getvalue()


def zip_bomb_docx(unpacked_mb: int = 300) -> bytes:
    """A real .docx whose document.xml inflates to ``unpacked_mb`` MB (packs to ~1 KB per MB)."""

    def inflate(data: bytes, part: IO[bytes]) -> None:
        head, tail = data.split(b"</w:body>")
        part.write(head)
        block = b" " * (1024 * 1024)  # streamed: never held in memory whole
        for _ in range(unpacked_mb):
            part.write(block)
        part.write(b"</w:body>" + tail)

    return _rewrite_docx({}, stream={"word/document.xml": inflate})


def external_image_docx(target: str) -> bytes:
    """A .docx showing an image linked, not embedded, from ``target`` (http:// or file://)."""
    rel = (
        '<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/image" Target="{target}" TargetMode="External"/>'
    ).encode()
    drawing = (
        b'<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
        b'drawingml/2006/wordprocessingDrawing"><wp:extent cx="3000000" cy="3000000"/>'
        b'<wp:docPr id="99" name="linked"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/'
        b'drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/'
        b'2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/'
        b'picture"><pic:nvPicPr><pic:cNvPr id="99" name="linked"/><pic:cNvPicPr/></pic:nvPicPr>'
        b'<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships" r:link="rIdExt1"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        b'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="3000000" cy="3000000"/></a:xfrm>'
        b'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>'
        b"</a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
    return _rewrite_docx(
        {
            "word/_rels/document.xml.rels": lambda d: d.replace(
                b"</Relationships>", rel + b"</Relationships>"
            ),
            "word/document.xml": lambda d: d.replace(b"<w:body>", b"<w:body>" + drawing, 1),
        }
    )


def encrypted_docx(password: str = "secret") -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(make_docx(1))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt(password, out)
    return out.getvalue()


def dtd_docx() -> bytes:
    """A .docx whose document.xml declares an external entity (XXE)."""
    doctype = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return _rewrite_docx({"word/document.xml": lambda d: d.replace(b"?>", b"?>" + doctype, 1)})


def executable() -> bytes:
    """The start of a real ELF binary (this Python interpreter)."""
    import sys

    return Path(sys.executable).resolve().read_bytes()[:65536]


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def wp42(sentence: bytes) -> bytes:
    """WordPerfect 4.2: text with function codes, each group closed by its own code."""
    line = b"\xcb\x0a\x01\xf6\x01\xcb" + sentence + b"\x0d"
    return line * 12 + b"\xc3\x00\x29\x17\xc3"
