"""OCR lines in reading order, and which pages wait for OCR (no engine: the fast tier)."""

from __future__ import annotations

import pytest

from wenku.ingest.ocr import OcrLine, needs_ocr, page_text, reading_order


def line(left, top, right, text, height=12.0):
    return OcrLine(left, top, right, top + height, text)


def test_two_columns_are_read_column_by_column():
    """Given an exam sheet's lines as the engine sorts them (top to bottom, the two columns
    interleaved), then the left column is read first, then the right, and a title that
    spans both columns comes before them."""
    left = [line(40, 100 + 20 * i, 280, f"左栏第{i}行内容较长") for i in range(5)]
    right = [line(320, 100 + 20 * i, 560, f"右栏第{i}行内容较长") for i in range(5)]
    title = line(40, 60, 560, "二〇二四年期末考试试卷")
    interleaved = [title] + [x for pair in zip(left, right, strict=True) for x in pair]
    assert [x.text for x in reading_order(interleaved, 600)] == [
        title.text,
        *(x.text for x in left),
        *(x.text for x in right),
    ]


def test_vertical_text_is_read_in_columns_from_the_right():
    columns = [OcrLine(500 - 40 * i, 50, 520 - 40 * i, 400, f"第{i}列") for i in range(4)]
    assert [x.text for x in reading_order(list(reversed(columns)), 600)] == [
        "第0列",
        "第1列",
        "第2列",
        "第3列",
    ]


def test_table_cells_side_by_side_stay_one_row():
    cells = [line(40, 100, 120, "项目"), line(200, 101, 300, "金额"), line(40, 130, 120, "合计")]
    assert [x.text for x in reading_order(cells, 600)] == ["项目", "金额", "合计"]


def test_spaces_between_chinese_characters_are_dropped():
    lines = [line(40, 100, 300, "雨污 分流 改造 and GB/T 7714")]
    assert page_text(lines, 600) == "雨污分流改造 and GB/T 7714"


@pytest.mark.parametrize(
    ("text", "images", "needed"),
    [("", True, True), ("  第 1 页  ", True, True), ("一" * 30, True, False), ("", False, False)],
)
def test_which_pages_need_ocr(text, images, needed):
    assert needs_ocr(text, images) is needed


def test_a_left_column_line_reaching_into_the_gutter_stays_in_its_column():
    """Given a left-column line longer than the others, reaching into the gutter, then the
    gutter is placed where no line crosses it, and that line is read in its column (it
    was taken for a line spanning both columns, and the order broke there)."""
    left = [line(40, 100 + 20 * i, 280, f"左栏第{i}行内容较长") for i in range(6)]
    left[2] = line(40, 140, 310, "左栏第2行内容更长一些")
    right = [line(320, 100 + 20 * i, 560, f"右栏第{i}行内容较长") for i in range(6)]
    interleaved = [x for pair in zip(left, right, strict=True) for x in pair]
    assert [x.text for x in reading_order(interleaved, 600)] == [
        *(x.text for x in left),
        *(x.text for x in right),
    ]
