"""Lines and paragraphs from characters: the pure part of reading a page's text."""

from __future__ import annotations

from wenku.ingest.structure import Char, lines_from_chars, page_text


def chars(text: str, *, x: float = 72.0, y: float = 700.0, size: float = 10.0) -> list[Char]:
    """One character per em along a baseline, then a line break, as PDFium reports them."""
    out = []
    for i, c in enumerate(text):
        left = x + i * size
        out.append(Char(c, left, left + size, y - 2, y + size - 2, left, y, False))
    out.append(Char("\r", x, x, y, y, x, y, True))
    out.append(Char("\n", x, x, y, y, x, y, True))
    return out


def test_a_font_s_space_mapped_to_u0002_is_a_space_inside_a_line():
    """A real PDF maps its space glyph to U+0002: the words must not run together."""
    assert page_text(lines_from_chars(chars("Overview\x02of\x02the\x02model"))) == (
        "Overview of the model"
    )


def test_u0002_at_a_line_end_is_a_soft_hyphen():
    lines = lines_from_chars(chars("Understanding the Tech\x02") + chars("nology models", y=686.0))
    assert page_text(lines) == "Understanding the Technology models"
