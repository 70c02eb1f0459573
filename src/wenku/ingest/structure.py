"""Headings and paragraphs of a PDF page, recovered from where its characters sit.

A PDF keeps characters and their positions, not paragraphs. Readers (and search
engines) of the free pages get real HTML, so the lines of a page are rebuilt from
PDFium's character stream and grouped:

- a line set noticeably larger than the page's body text, and short, is a heading;
- a paragraph ends at a heading, a wider vertical gap, a line that stops well before
  the right margin, or before a line that starts indented (Chinese first-line indent).

Lines are joined without a space between CJK characters and with one otherwise.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

Block = dict[str, str]  # {"k": "h2" | "h3" | "p", "t": text}

_CJK_EDGE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_BULLET = re.compile(r"^[•●◦▪■□◆◇·\uf06c\uf0a7\uf0b7]\s*")


@dataclass
class Line:
    text: str
    size: float
    left: float
    right: float
    top: float
    bottom: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def page_lines(textpage: pdfium.PdfTextPage) -> list[Line]:
    """The page's lines in reading order, as PDFium reports them (it marks line ends)."""
    lines: list[Line] = []
    chars: list[str] = []
    sizes: list[float] = []
    boxes: list[tuple[float, float, float, float]] = []

    def close_line() -> None:
        text = "".join(chars).strip()
        if text and boxes:
            lines.append(
                Line(
                    text=text,
                    size=statistics.median(sizes) if sizes else 0.0,
                    left=min(b[0] for b in boxes),
                    right=max(b[1] for b in boxes),
                    bottom=min(b[2] for b in boxes),
                    top=max(b[3] for b in boxes),
                )
            )
        chars.clear()
        sizes.clear()
        boxes.clear()

    raw = textpage.raw
    for index in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(raw, index))
        if char in "\r\n":
            close_line()
            continue
        chars.append(char)
        if char.isspace():
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, index)
        if size > 0:
            sizes.append(size)
        left, bottom, right, top = textpage.get_charbox(index)
        if right > left:
            boxes.append((left, right, bottom, top))
    close_line()
    return lines


def blocks_from_lines(lines: list[Line]) -> list[Block]:
    if not lines:
        return []
    weights = [(line.size, len(line.text)) for line in lines if line.size > 0]
    body = _weighted_median(weights) if weights else 0.0
    margin_left = min(line.left for line in lines)
    margin_right = max(line.right for line in lines)
    # Glyph boxes are tight around the ink, so compare the distance between line middles
    # with the page's usual line pitch rather than gaps between boxes.
    pitches = [a.middle - b.middle for a, b in itertools.pairwise(lines)]
    usual = statistics.median([p for p in pitches if p > 0] or [0.0])
    blocks: list[Block] = []
    paragraph: list[Line] = []

    def flush() -> None:
        if paragraph:
            blocks.append({"k": "p", "t": _join(paragraph)})
            paragraph.clear()

    for line in lines:
        level = _heading_level(line, body)
        if level:
            flush()
            blocks.append({"k": level, "t": line.text})
            continue
        if paragraph and _starts_paragraph(paragraph[-1], line, margin_left, margin_right, usual):
            flush()
        paragraph.append(line)
    flush()
    return blocks


def _heading_level(line: Line, body: float) -> str:
    if body <= 0 or len(line.text) > 80:
        return ""
    if line.size >= body * 1.4:
        return "h2"
    if line.size >= body * 1.15:
        return "h3"
    return ""


def _starts_paragraph(
    prev: Line, line: Line, margin_left: float, margin_right: float, usual_pitch: float
) -> bool:
    size = line.size or prev.size or 10.0
    pitch = prev.middle - line.middle
    if usual_pitch > 0 and (pitch > 1.6 * usual_pitch or pitch < 0):
        return True  # extra space between the lines, or a new column or region
    if prev.right < margin_right - 2.5 * size:
        return True  # the previous line stopped short: its paragraph ended
    if line.left > margin_left + 1.5 * size:
        return True  # first-line indent
    return bool(_BULLET.match(line.text))


def _join(lines: list[Line]) -> str:
    out = _BULLET.sub("", lines[0].text)
    for line in lines[1:]:
        text = _BULLET.sub("", line.text)
        if _CJK_EDGE.match(out[-1:]) or _CJK_EDGE.match(text[:1]):
            out += text
        else:
            out += " " + text
    return out


def _weighted_median(pairs: list[tuple[float, int]]) -> float:
    pairs = sorted(pairs)
    half = sum(weight for _, weight in pairs) / 2
    running = 0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]
