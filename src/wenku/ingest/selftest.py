"""A real end-to-end check that Chinese documents convert and render with real glyphs.

A missing CJK font fails silently: LibreOffice still writes a PDF whose text layer
is correct, but every character is drawn as the same empty box ("tofu"). So this
converts a two-page Word file whose pages hold a light character (一) and a dense
one (鬱) in 宋体, renders both pages and compares their ink: real glyphs differ
several-fold, boxes do not.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from wenku.ingest import pdf as pdfmod
from wenku.ingest.office.client import OfficeConverter

LIGHT, DENSE = "一", "鬱"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def chinese_docx(pages: list[str]) -> bytes:
    """A minimal .docx: one page per string, set in 宋体 at 28pt."""
    run_props = (
        '<w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/>'
        '<w:sz w:val="56"/><w:lang w:eastAsia="zh-CN"/></w:rPr>'
    )
    paragraphs = []
    for index, text in enumerate(pages):
        brk = '<w:r><w:br w:type="page"/></w:r>' if index else ""
        paragraphs.append(f"<w:p>{brk}<w:r>{run_props}<w:t>{text}</w:t></w:r></w:p>")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{''.join(paragraphs)}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document)
    return buffer.getvalue()


@dataclass(frozen=True)
class CjkCheck:
    ok: bool
    detail: str


def check_cjk(office: OfficeConverter, workdir: Path) -> CjkCheck:
    source = workdir / "selftest.docx"
    target = workdir / "selftest.pdf"
    source.write_bytes(chinese_docx([LIGHT * 12, DENSE * 12]))
    office.convert(source, target, timeout=60)
    with pdfmod.open_pdf(target) as doc:
        texts = [pdfmod.read_page(doc, i).text for i in range(pdfmod.page_count(doc))]
        if len(texts) < 2 or LIGHT not in texts[0] or DENSE not in texts[1]:
            return CjkCheck(False, "the converted PDF lost the Chinese text")
        light = _ink(pdfmod.render_page(doc, 0, 600, 4_000_000))
        dense = _ink(pdfmod.render_page(doc, 1, 600, 4_000_000))
    if light == 0 or dense < 3 * light:
        return CjkCheck(
            False,
            f"Chinese characters render as boxes (ink {dense} vs {light}): install fonts-noto-cjk",
        )
    return CjkCheck(True, f"Chinese glyphs render (ink ratio {dense / light:.1f})")


def _ink(image: object) -> int:
    grey = image.convert("L")  # type: ignore[attr-defined]
    return sum(grey.histogram()[:128])
