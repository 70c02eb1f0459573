"""Write generated content as files: Word, PowerPoint, Excel, text, Markdown, EPUB.

The other formats (doc, rtf, odt, pdf, ppt, odp, xls, ods) are converted from these
by LibreOffice (see ``office``).
"""

from __future__ import annotations

import html
import io
import uuid
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from wenku.demo.model import (
    Block,
    Deck,
    Heading,
    Items,
    PageBreak,
    Para,
    Table,
    TextDoc,
    Workbook,
)

ZH_BODY, ZH_HEAD = "宋体", "黑体"
EN_BODY, EN_HEAD = "Liberation Serif", "Liberation Sans"
# Fixed timestamps inside files: the same seed gives the same bytes where the format allows.
STAMP = datetime(2025, 1, 6, 9, 30)


# --- Word


def write_docx(doc: TextDoc, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    zh = doc.lang == "zh"
    body_font, head_font = (ZH_BODY, ZH_HEAD) if zh else (EN_BODY, EN_HEAD)
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin = section.bottom_margin = Cm(2.5)

    def style_font(name: str, font: str, size: float, bold: bool = False) -> None:
        style = document.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        r_pr = style.element.get_or_add_rPr()
        r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), font)

    style_font("Normal", body_font, 12 if zh else 11)
    style_font("Title", head_font, 20, bold=True)
    style_font("Heading 1", head_font, 15, bold=True)
    style_font("Heading 2", head_font, 13, bold=True)
    style_font("Heading 3", head_font, 12, bold=True)
    document.styles["Normal"].paragraph_format.line_spacing = 1.5 if zh else 1.15
    align = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}

    title = document.add_paragraph(doc.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.subtitle:
        document.add_paragraph(doc.subtitle).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in doc.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=min(block.level, 3))
        elif isinstance(block, Para):
            paragraph = document.add_paragraph()
            paragraph.add_run(block.text).bold = block.bold or None
            if block.align:
                paragraph.alignment = align[block.align]
            elif zh:
                paragraph.paragraph_format.first_line_indent = Pt(24)
        elif isinstance(block, Items):
            for number, item in enumerate(block.items, 1):
                if block.ordered:
                    paragraph = document.add_paragraph(
                        f"{number}．{item}" if zh else f"{number}. {item}"
                    )
                    paragraph.paragraph_format.left_indent = Pt(24)
                else:
                    document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _docx_table(document, block)
        elif isinstance(block, PageBreak):
            document.add_page_break()
    props = document.core_properties
    props.title, props.author, props.last_modified_by = (
        doc.title,
        doc.author or "",
        doc.author or "",
    )
    props.created = props.modified = STAMP
    props.revision = 1
    document.save(str(path))


def _docx_table(document: Any, block: Table) -> None:
    from docx.shared import Pt

    width = max(len(r) for r in block.rows)
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    for index, row in enumerate(block.rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            run = cell.paragraphs[0].add_run(str(value))
            run.font.size = Pt(10.5)
            run.bold = (index == 0 and len(block.rows) > 1) or None
    document.add_paragraph()


# --- PowerPoint


def write_pptx(deck: Deck, path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = deck.title
    first.placeholders[1].text = deck.subtitle
    for slide_data in deck.slides:
        if slide_data.table:
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            slide.shapes.title.text = slide_data.title
            rows, cols = len(slide_data.table), max(len(r) for r in slide_data.table)
            shape = slide.shapes.add_table(
                rows, cols, Inches(0.8), Inches(1.8), Inches(8.4), Inches(0.5 * rows)
            )
            for r, row in enumerate(slide_data.table):
                for c, value in enumerate(row):
                    cell = shape.table.cell(r, c)
                    cell.text = value
                    cell.text_frame.paragraphs[0].runs[0].font.size = Pt(18)
            continue
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = slide_data.title
        frame = slide.placeholders[1].text_frame
        for number, bullet in enumerate(slide_data.bullets):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            paragraph.text = bullet
    prs.core_properties.title = deck.title
    prs.core_properties.created = prs.core_properties.modified = STAMP
    prs.core_properties.revision = 1
    prs.save(str(path))


# --- Excel


def write_xlsx(book: Workbook, path: Path) -> None:
    from openpyxl import Workbook as XlWorkbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    font_name = ZH_BODY if book.lang == "zh" else "Liberation Sans"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    workbook = XlWorkbook()
    for index, sheet in enumerate(book.sheets):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        assert ws is not None
        ws.title = sheet.name
        columns = len(sheet.header)
        ws.append([sheet.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
        ws.cell(1, 1).font = Font(name=font_name, size=14, bold=True)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        ws.append(list(sheet.header))
        for row in sheet.rows:
            ws.append(list(row))
        if sheet.footer:
            ws.append(list(sheet.footer))
        fill = PatternFill("solid", fgColor="DDEBF7")
        for row_cells in ws.iter_rows(min_row=2, max_row=ws.max_row, max_col=columns):
            for cell in row_cells:
                cell.border = border
                cell.font = Font(name=font_name, size=10, bold=cell.row == 2)
                if cell.row == 2:
                    cell.fill = fill
                    cell.alignment = Alignment(horizontal="center")
        for number, width in enumerate(sheet.widths, 1):
            ws.column_dimensions[get_column_letter(number)].width = width
        ws.freeze_panes = "A3"
        ws.print_title_rows = "2:2"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if columns > 9 else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    workbook.properties.title = book.title
    workbook.properties.created = workbook.properties.modified = STAMP
    workbook.save(str(path))


# --- plain text and Markdown


def text_lines(doc: TextDoc) -> Iterator[str]:
    zh = doc.lang == "zh"
    indent = "\u3000\u3000" if zh else ""
    yield doc.title
    if doc.subtitle:
        yield doc.subtitle
    yield ""
    for block in doc.blocks:
        if isinstance(block, Heading):
            yield from ("", block.text, "")
        elif isinstance(block, Para):
            yield (indent if not block.align else "") + block.text
        elif isinstance(block, Items):
            for number, item in enumerate(block.items, 1):
                yield f"{number}. {item}" if block.ordered else f"- {item}"
        elif isinstance(block, Table):
            yield ""
            yield from ("\t".join(row) for row in block.rows)
            yield ""
        elif isinstance(block, PageBreak):
            yield from ("", "")


def write_txt(doc: TextDoc, path: Path, encoding: str = "utf-8") -> None:
    text = (
        "\r\n".join(text_lines(doc)) + "\r\n"
        if encoding == "gbk"
        else "\n".join(text_lines(doc)) + "\n"
    )
    path.write_bytes(text.encode(encoding))


def write_md(doc: TextDoc, path: Path) -> None:
    out = [f"# {doc.title}", ""]
    if doc.subtitle:
        out += [f"*{doc.subtitle}*", ""]
    for block in doc.blocks:
        out.extend(_md_block(block))
    path.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * (block.level + 1) + " " + block.text, ""]
    if isinstance(block, Para):
        if block.text.startswith(("返回示例：", "Example:")):
            label, _, code = block.text.partition("：")
            return [label + "：", "", "```json", code, "```", ""]
        return [f"**{block.text}**" if block.bold else block.text, ""]
    if isinstance(block, Items):
        marks = (f"{n}." if block.ordered else "-" for n in range(1, len(block.items) + 1))
        return [f"{mark} {item}" for mark, item in zip(marks, block.items, strict=True)] + [""]
    if isinstance(block, Table):
        width = max(len(r) for r in block.rows)
        rows = [list(r) + [""] * (width - len(r)) for r in block.rows]
        lines = ["| " + " | ".join(_md_escape(c) for c in rows[0]) + " |"]
        lines.append("|" + "---|" * width)
        lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows[1:]]
        return [*lines, ""]
    return ["---", ""]


# --- EPUB 3


def write_epub(doc: TextDoc, path: Path, identifier: str) -> None:
    chapters = _chapters(doc)
    lang = "zh-CN" if doc.lang == "zh" else "en"
    book_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, identifier)}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        _put(zf, "mimetype", "application/epub+zip", compress=False)
        _put(zf, "META-INF/container.xml", _CONTAINER)
        items = "".join(
            f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
            for i in range(len(chapters))
        )
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
        _put(
            zf,
            "OEBPS/content.opf",
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">{book_id}</dc:identifier>'
            f"<dc:title>{html.escape(doc.title)}</dc:title>"
            f"<dc:language>{lang}</dc:language>"
            f"<dc:creator>{html.escape(doc.author or doc.title)}</dc:creator>"
            f'<meta property="dcterms:modified">{STAMP:%Y-%m-%dT%H:%M:%SZ}</meta>'
            "</metadata><manifest>"
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
            f"{items}</manifest><spine>{spine}</spine></package>",
        )
        toc = "".join(
            f'<li><a href="c{i}.xhtml">{html.escape(name)}</a></li>'
            for i, (name, _) in enumerate(chapters)
        )
        _put(
            zf,
            "OEBPS/nav.xhtml",
            _xhtml(lang, doc.title, f'<nav epub:type="toc"><ol>{toc}</ol></nav>'),
        )
        for i, (name, blocks) in enumerate(chapters):
            body = f"<h1>{html.escape(name)}</h1>" + "".join(_html_block(b) for b in blocks)
            _put(zf, f"OEBPS/c{i}.xhtml", _xhtml(lang, name, body))
    path.write_bytes(buffer.getvalue())


_CONTAINER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles></container>'
)


def _put(zf: zipfile.ZipFile, name: str, text: str, compress: bool = True) -> None:
    info = zipfile.ZipInfo(name, date_time=STAMP.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    zf.writestr(info, text.encode("utf-8"))


def _xhtml(lang: str, title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}"><head><meta charset="utf-8"/>'
        f"<title>{html.escape(title)}</title></head><body>{body}</body></html>"
    )


def _chapters(doc: TextDoc) -> list[tuple[str, list[Block]]]:
    chapters: list[tuple[str, list[Block]]] = [(doc.subtitle or doc.title, [])]
    for block in doc.blocks:
        if isinstance(block, Heading) and block.level == 1:
            chapters.append((block.text, []))
        else:
            chapters[-1][1].append(block)
    return [c for c in chapters if c[1]] or chapters[:1]


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h2>{html.escape(block.text)}</h2>"
    if isinstance(block, Para):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Items):
        tag = "ol" if block.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{html.escape(i)}</li>" for i in block.items) + f"</{tag}>"
    if isinstance(block, Table):
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in block.rows
        )
        return f"<table>{rows}</table>"
    return "<hr/>"
