"""Spreadsheets whole: no cell clipped at its column's edge, in the page image or the text,
and a header's file-name field shows the document's name (LibreOffice, so live)."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

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
