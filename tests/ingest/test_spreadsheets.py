"""Spreadsheets whole: no cell clipped at its column's edge, in the page image or the text,
and a header's file-name field shows the document's name (LibreOffice, so live)."""

from __future__ import annotations

import ctypes
import datetime
import io
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from wenku.core.storage import get_storage

pytestmark = [pytest.mark.live, pytest.mark.django_db]

ROWS = [
    (1, "智慧园区平台建设", 120.5, datetime.date(2025, 2, 1), "含软件开发与系统集成服务费用"),
    (2, "雨污分流改造工程", 88, datetime.date(2025, 3, 15), "一企一策"),
    (3, "政务服务一窗受理系统", 45.25, datetime.date(2025, 12, 31), ""),
]


def budget(columns: int = 5, width: float = 6) -> bytes:
    """A budget sheet whose cells are all wider than their (narrow) columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "预算"
    sheet.append(["序号", "项目名称", "金额（万元）", "日期", "备注"])
    for row in ROWS:
        sheet.append(list(row))
    for index in range(columns):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = width
    for cell in sheet["D"][1:]:
        cell.number_format = "yyyy-mm-dd"
    sheet.oddHeader.center.text = "&F"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def clip_box(obj: pdfium.PdfObject) -> tuple[float, float, float, float] | None:
    """The bounding box of a page object's clip path (LibreOffice clips a cell's text to
    its cell), or None."""
    clip = raw.FPDFPageObj_GetClipPath(obj.raw)
    xs, ys = [], []
    for path in range(raw.FPDFClipPath_CountPaths(clip) if clip else 0):
        for index in range(raw.FPDFClipPath_CountPathSegments(clip, path)):
            segment = raw.FPDFClipPath_GetPathSegment(clip, path, index)
            x, y = ctypes.c_float(), ctypes.c_float()
            raw.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
            xs.append(x.value)
            ys.append(y.value)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def clipped_texts(pdf: Path) -> list[str]:
    """The texts drawn partly outside their clip: a cell cut at its column's edge
    (LibreOffice leaves out the glyphs past the edge and clips the one across it)."""
    out = []
    for page in pdfium.PdfDocument(pdf):
        textpage = page.get_textpage()
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
            left, bottom, right, top = obj.get_bounds()
            box = clip_box(obj)
            if box and (left < box[0] - 0.1 or right > box[2] + 0.1):
                out.append(textpage.get_text_bounded(left, bottom, right, top))
    return out


def test_every_cell_is_whole_in_the_text_and_the_header_names_the_file(ingested):
    doc = ingested("2025年预算.xlsx", budget(), title="预算表")
    assert doc.status == "ready", doc.failure_reason
    text = "\n".join(doc.conversion.pages.order_by("number").values_list("text", flat=True))
    for _, name, _, day, note in ROWS:
        assert name in text
        assert day.isoformat() in text  # not ### nor 2025-02-0
        assert note in text
    assert "2025年预算.xlsx" in text
    assert "in.xlsx" not in text and "original" not in text
    with get_storage().local_file(doc.conversion.pdf_key) as pdf:
        assert clipped_texts(pdf) == []  # and whole in the page image


def test_the_clip_check_sees_a_cell_cut_at_its_column_s_edge(tmp_path):
    """The check above, on what LibreOffice prints without the widening: 雨污分流改造工程
    drawn in a 6-character column is cut (plain soffice --convert-to), its third glyph
    clipped."""
    import subprocess

    source = tmp_path / "budget.xlsx"
    source.write_bytes(budget())
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    assert "雨污分" in [t.strip() for t in clipped_texts(tmp_path / "budget.pdf")]


def test_a_wide_sheet_is_scaled_to_the_page_width(ingested):
    """Given a sheet whose widened columns are wider than the page, then it is printed
    smaller, one page across, rather than cut into strips."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in range(3):
        sheet.append([f"第{row}行第{col}列" for col in range(12)])
    buffer = io.BytesIO()
    book.save(buffer)
    doc = ingested("宽表.xlsx", buffer.getvalue())
    assert doc.status == "ready", doc.failure_reason
    assert doc.page_count == 1
    assert "第2行第11列" in doc.conversion.pages.get(number=1).text


def bridge_constant(name: str) -> float:
    """A constant of office/bridge.py, which runs in LibreOffice's Python (it imports
    ``uno``, so it cannot be imported here)."""
    import ast

    from wenku.ingest.office import client

    tree = ast.parse((Path(client.__file__).parent / "bridge.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return float(ast.literal_eval(node.value))
    raise LookupError(name)


def sheet(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def glyph_heights(doc) -> list[float]:  # type: ignore[no-untyped-def]
    """The height of every printed character's box, in points (scaled with the sheet)."""
    heights = []
    with get_storage().local_file(doc.conversion.pdf_key) as pdf:
        for page in pdfium.PdfDocument(pdf):
            textpage = page.get_textpage()
            for index in range(textpage.count_chars()):
                _, bottom, _, top = textpage.get_charbox(index)
                if top > bottom:
                    heights.append(top - bottom)
    return heights


def test_a_very_long_cell_is_capped_to_the_page_and_wraps_whole(ingested):
    """Given a cell of 1,200 characters (its content would make a column metres wide), then
    its column is capped (the sheet prints at full size, one page across) and the cell
    wraps inside it: every sentence is in the text, none cut at the cap."""
    long = "".join(f"第{n}句话说明预算的用途。" for n in range(100))
    doc = ingested("长单元格.xlsx", sheet([["项目", "说明"], [long, "完"]]))
    assert doc.status == "ready", doc.failure_reason
    assert doc.page_count == 1
    text = "".join(doc.conversion.pages.order_by("number").values_list("text", flat=True))
    assert long in text.replace("\n", "") and "完" in text
    assert bridge_constant("COLUMN_CAP") == 15000  # 15 cm: within A4's printable width
    assert min(h for h in glyph_heights(doc) if h > 5) > 7  # 10-point text, unscaled


def test_a_sheet_of_a_thousand_columns_shrinks_no_further_than_the_minimum_scale(ingested):
    """Given 1,000 used columns (widened only up to MAX_COLUMNS), then the sheet goes on
    over pages across at about MIN_SCALE (0.4; page breaks fall between columns, so a
    little less) instead of being shrunk unreadably to a few pages, and every cell is
    there."""
    min_scale = bridge_constant("MIN_SCALE")
    assert bridge_constant("MAX_COLUMNS") < 1000
    doc = ingested("千列.xlsx", sheet([[f"第{r}行第{c}列" for c in range(1000)] for r in range(2)]))
    assert doc.status == "ready", doc.failure_reason
    plain = ingested("一列.xlsx", sheet([["第0行第0列"]]))
    scale = max(glyph_heights(doc)) / max(glyph_heights(plain))
    assert 0.85 * min_scale < scale <= 1.05 * min_scale, scale
    assert 40 <= doc.page_count <= 80  # ~25 m of columns at 0.4 on 17 cm pages
    text = "".join(doc.conversion.pages.values_list("text", flat=True))
    assert "第1行第999列" in text and "第1行第255列" in text
