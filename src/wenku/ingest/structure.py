"""A PDF page's text as a reader sees it: lines in reading order, paragraphs de-wrapped,
and headings, recovered from where its characters sit.

A PDF keeps characters and their positions, not words or paragraphs. PDFium reports the
characters in the order they are drawn and marks where it thinks a line ends; taken as
they are, that text breaks words:

- a word wrapped at a line end is split by the line break (雨污 | 分流 is not 雨污分流);
- glyphs drawn in a second pass (LibreOffice draws full-width quotes in their own font
  after the line) come out at the line's end, with spaces where they belong;
- justified CJK text gets spaces PDFium invents between widely spaced characters.

So the page is rebuilt here: each line's characters are put back in the order they are
printed (left to right along the baseline; a line that is not horizontal keeps PDFium's
order), invented spaces are kept only where they separate words, and lines are grouped
into paragraphs:

- a line set noticeably larger than the page's body text, and short, is a heading;
- a paragraph ends at a heading, a wider vertical gap, a line that stops well before the
  right edge of its column, or before a line that starts indented (Chinese first-line
  indent) or with a bullet; it runs on into the next column when the last line of one
  column is full and the next column's first line is not indented.

Within a paragraph lines are joined without a space between CJK characters (or CJK
punctuation), with one between Latin words, and a Latin word hyphenated at the line end
is rejoined. ``page_text`` gives the page's paragraphs one per line — what the index,
snippets, in-document search and fingerprints read; ``blocks_from_lines`` the headings
and paragraphs shown as HTML under the free preview.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import statistics
from dataclasses import dataclass, field
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

Block = dict[str, str]  # {"k": "h2" | "h3" | "p", "t": text}

_CJK_CHAR = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
    r"\u201c\u201d\u2018\u2019\u2026\u2014\u00b7]"
)
_BULLET = re.compile(r"^[•●◦▪■□◆◇·\uf06c\uf0a7\uf0b7]\s*")
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_SOFT_HYPHENS = ("\u00ad", "\u0002")
_LINE_BREAKS = "\r\n"


def is_cjk(char: str) -> bool:
    """A character after which, or before which, a line break is no word boundary."""
    return bool(char) and bool(_CJK_CHAR.match(char))


class Char(NamedTuple):
    text: str
    left: float  # the box PDFium gives from the font's advance, ascent and descent
    right: float
    bottom: float
    top: float
    x: float  # origin on the baseline
    y: float
    generated: bool  # a space or line break PDFium inferred, not drawn

    @property
    def size(self) -> float:
        return self.top - self.bottom


@dataclass
class Line:
    text: str
    size: float
    left: float
    right: float
    top: float
    bottom: float
    baseline: float = 0.0
    hyphenated: bool = False  # ended with a hyphen PDFium marked as a soft one
    chars: list[Char] = field(default_factory=list, repr=False)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


# --- characters → lines


def page_chars(textpage: pdfium.PdfTextPage) -> list[Char]:
    """Every character PDFium found, with its box and baseline origin.

    Sizes come from the boxes, not from PDFium's font size, which is the size before the
    text matrix (1.0 in many PDFs that scale their text by the matrix)."""
    raw = textpage.raw
    x, y = ctypes.c_double(), ctypes.c_double()
    box = pdfium_c.FS_RECTF()
    unicode, generated = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_IsGenerated
    origin, loose = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetLooseCharBox
    hyphen = pdfium_c.FPDFText_IsHyphen
    chars: list[Char] = []
    append = chars.append
    for index in range(textpage.count_chars()):
        code = unicode(raw, index)
        if code == 0:
            continue
        text = chr(code)
        # A hyphen PDFium took for a word broken at the line end (reported as "-" or as
        # U+0002) is a soft hyphen; PDFium then runs the two lines together without a
        # break ("inter\ufffenational"), so the break is put back for the lines to be
        # rebuilt and the word rejoined.
        broken = hyphen(raw, index) and text in "-\u0002"
        if broken:
            text = "\u00ad"
        origin(raw, index, x, y)
        loose(raw, index, box)
        append(
            Char(
                text,
                box.left,
                box.right,
                box.bottom,
                box.top,
                x.value,
                y.value,
                bool(generated(raw, index)),
            )
        )
        if broken:
            append(Char("\n", box.right, box.right, y.value, y.value, x.value, y.value, True))
    return chars


def page_lines(textpage: pdfium.PdfTextPage) -> list[Line]:
    """The page's lines in reading order, each with its characters as printed."""
    return lines_from_chars(page_chars(textpage))


def lines_from_chars(chars: list[Char]) -> list[Line]:
    groups: list[list[Char]] = [[]]
    for char in chars:
        if char.text in _LINE_BREAKS:
            if groups[-1]:
                groups.append([])
            continue
        groups[-1].append(char)
    groups = _merge_stray_glyphs([g for g in groups if any(not c.text.isspace() for c in g)])
    lines = [_line(group) for group in _join_continued(groups)]
    return [line for line in lines if line.text]


def _drawn(group: list[Char]) -> list[Char]:
    return [c for c in group if not c.generated and not c.text.isspace()]


def _baseline(group: list[Char]) -> tuple[float, float]:
    """The group's baseline and its usual size."""
    drawn = _drawn(group) or group
    sizes = [c.size for c in drawn if c.size > 0]
    return statistics.median(c.y for c in drawn), statistics.median(sizes) if sizes else 10.0


def _is_horizontal(group: list[Char]) -> bool:
    drawn = _drawn(group)
    if len(drawn) < 2:
        return True
    _, size = _baseline(group)
    spread = max(c.y for c in drawn) - min(c.y for c in drawn)
    return spread <= 0.5 * size


@dataclass
class _Extent:
    """Where a group of characters sits: baseline, size, left and right; None when it has
    nothing drawn or is not horizontal."""

    baseline: float
    size: float
    left: float
    right: float

    @classmethod
    def of(cls, group: list[Char]) -> _Extent | None:
        drawn = _drawn(group)
        if not drawn or not _is_horizontal(group):
            return None
        base, size = _baseline(group)
        return cls(base, size, min(c.left for c in drawn), max(c.right for c in drawn))


def _merge_stray_glyphs(groups: list[list[Char]]) -> list[list[Char]]:
    """Fold a group drawn apart from its line (quotes or marks painted in a second pass)
    back into the earlier line it sits in: same baseline, inside that line's extent."""
    kept: list[tuple[list[Char], _Extent | None]] = []
    for group in groups:
        extent = _Extent.of(group) if len(_drawn(group)) <= 6 else None
        home = None
        if extent is not None:
            for earlier, e in reversed(kept[-40:]):
                if e is None:
                    continue
                tolerance = 0.3 * max(extent.size, e.size)
                inside = e.left - e.size <= extent.left and extent.right <= e.right + e.size
                if abs(extent.baseline - e.baseline) <= tolerance and inside:
                    home = earlier
                    break
        if home is not None:
            home.extend(group)
        else:
            kept.append((group, _Extent.of(group)))
    return [group for group, _ in kept]


def _join_continued(groups: list[list[Char]]) -> list[list[Char]]:
    """Rejoin a line PDFium broke where it goes on along the same baseline (it breaks at
    a change of font in scaled text: 第 | 0行第0 | 列 of one spreadsheet cell)."""
    joined: list[list[Char]] = []
    previous: _Extent | None = None
    for group in groups:
        extent = _Extent.of(group)
        if joined and previous is not None and extent is not None:
            size = max(previous.size, extent.size)
            gap = extent.left - previous.right
            same_line = abs(extent.baseline - previous.baseline) <= 0.25 * size
            if same_line and -0.25 * size <= gap <= 1.5 * size:
                if gap > 0.2 * size:
                    joined[-1].append(_space_at(previous.right, extent.baseline))
                joined[-1].extend(group)
                previous = _Extent(
                    previous.baseline, size, previous.left, max(previous.right, extent.right)
                )
                continue
        joined.append(group)
        previous = extent
    return joined


def _space_at(x: float, y: float) -> Char:
    return Char(" ", x, x, y, y, x, y, True)


def _line(group: list[Char]) -> Line:
    drawn = _drawn(group)
    base, size = _baseline(group)
    if _is_horizontal(group) and not any(_RTL.match(c.text) for c in drawn):
        text = _horizontal_text(group)
    else:
        text = "".join(c.text for c in group)
    # U+0002 stands for a soft hyphen at a line's end; inside a line it is a font's broken
    # mapping of the space (seen in real PDFs): a word boundary, not nothing.
    text = text.rstrip()
    hyphenated = text.endswith(_SOFT_HYPHENS)
    text = text.replace("\u00ad", "").replace("\u0002", " ")
    text = " ".join(text.split()) if not _has_cjk(text) else _squeeze_spaces(text)
    boxes = [c for c in drawn if c.right > c.left] or drawn or group
    return Line(
        text=text.strip() + ("\u00ad" if hyphenated else ""),
        size=size,
        left=min(c.left for c in boxes),
        right=max(c.right for c in boxes),
        bottom=min(c.bottom for c in boxes),
        top=max(c.top for c in boxes),
        baseline=base,
        hyphenated=hyphenated,
        chars=group,
    )


def _horizontal_text(group: list[Char]) -> str:
    """The characters in printed order (``_printed_order``). A space PDFium inferred is
    kept where it separates words, and dropped between CJK characters, where it only marks
    justified spacing or the hole a glyph drawn later fills."""
    ordered = _printed_order(group)
    out: list[str] = []
    for index, char in enumerate(ordered):
        if char.generated and char.text.isspace():
            before = out[-1] if out else ""
            after = next((c.text for c in ordered[index + 1 :] if not c.text.isspace()), "")
            if before in ("", " ") or not after or (is_cjk(before) and is_cjk(after)):
                continue
            out.append(" ")
            continue
        out.append(char.text)
    return "".join(out)


def _printed_order(group: list[Char]) -> list[Char]:
    """PDFium's order, with glyphs drawn later moved into the gaps left for them.

    The characters fall into runs that go left to right in drawing order. A later run
    whose glyphs all fit into gaps between the glyphs already placed (quotes painted after
    their line) is merged in by position; one whose glyphs lie on top of placed ones
    (text clipped by a cell and overdrawn by the next) keeps its drawing order after them:
    sorting it in would interleave two texts character by character."""
    runs: list[list[Char]] = []
    for char in group:
        if runs and char.x >= runs[-1][-1].x - 0.5:
            runs[-1].append(char)
        else:
            runs.append([char])
    placed = runs[0] if runs else []
    for run in runs[1:]:
        drawn = [c for c in placed if not c.text.isspace() and c.right > c.left]
        if all(_fits(c, drawn) for c in run if not c.text.isspace()):
            placed = sorted(placed + run, key=lambda c: c.x)
        else:
            placed = placed + run
    return placed


def _fits(char: Char, drawn: list[Char]) -> bool:
    """``char`` overlaps no drawn glyph by more than a third of its width."""
    width = max(char.right - char.left, 1e-6)
    return all(min(char.right, d.right) - max(char.left, d.left) <= width / 3 for d in drawn)


def _has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]+")


def _squeeze_spaces(text: str) -> str:
    return _SPACE_RUN.sub(" ", text)


# --- lines → paragraphs


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    """The page's lines grouped into paragraphs and headings (a heading is its own)."""
    if not lines:
        return []
    body = _body_size(lines)
    rights = _column_rights(lines)
    pitches = [a.middle - b.middle for a, b in itertools.pairwise(lines)]
    usual = statistics.median([p for p in pitches if p > 0] or [0.0])
    lefts = _column_lefts(lines)
    groups: list[list[Line]] = []
    for index, line in enumerate(lines):
        if _heading_level(line, body):
            groups.append([line])
            continue
        previous = lines[index - 1] if index else None
        if (
            groups
            and previous is not None
            and not _heading_level(previous, body)
            and not _starts_paragraph(previous, line, lefts[index], rights[index - 1], usual)
        ):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def page_text(lines: list[Line]) -> str:
    """The page's text: one paragraph (or heading) per line, wrapped lines rejoined."""
    return "\n".join(join_lines(group) for group in paragraphs(lines))


def blocks_from_lines(lines: list[Line]) -> list[Block]:
    if not lines:
        return []
    body = _body_size(lines)
    blocks: list[Block] = []
    for group in paragraphs(lines):
        level = _heading_level(group[0], body) if len(group) == 1 else ""
        if level:
            blocks.append({"k": level, "t": _visible(group[0].text)})
        else:
            blocks.append({"k": "p", "t": join_lines(group, bullets=False)})
    return blocks


def join_lines(lines: list[Line], *, bullets: bool = True) -> str:
    """One paragraph's lines as one string (``bullets``: keep a leading bullet sign)."""
    first = lines[0].text if bullets else _BULLET.sub("", lines[0].text)
    out = first
    for line in lines[1:]:
        out = join_two(out, _BULLET.sub("", line.text))
    return _visible(out)


def join_two(before: str, after: str) -> str:
    """Two wrapped lines of one paragraph as one text."""
    if not before or not after:
        return before + after
    if before.endswith("\u00ad"):
        return before[:-1] + after  # a soft hyphen: the word goes on
    last, first = before[-1], after[0]
    if last in "-\u2010" and len(before) > 1 and before[-2].isalpha() and first.islower():
        return before[:-1] + after  # a word hyphenated at the line end
    if is_cjk(last) or is_cjk(first):
        return before + after
    return before + " " + after


def _visible(text: str) -> str:
    return text.replace("\u00ad", "")


def _body_size(lines: list[Line]) -> float:
    weights = [(line.size, len(line.text)) for line in lines if line.size > 0]
    return _weighted_median(weights) if weights else 0.0


def _overlap(a: Line, b: Line) -> float:
    """How much of ``a``'s width ``b`` covers horizontally (0..1)."""
    width = max(a.right - a.left, 1e-6)
    return max(0.0, min(a.right, b.right) - max(a.left, b.left)) / width


def _column(lines: list[Line], index: int) -> list[Line]:
    """Lines near ``index`` that share its column: they cover most of its width, or it
    covers most of theirs (one column of a two-column page, not its neighbour)."""
    line = lines[index]
    near = lines[max(0, index - 30) : index + 31]
    return [o for o in near if _overlap(line, o) >= 0.5 or _overlap(o, line) >= 0.5]


def _column_rights(lines: list[Line]) -> list[float]:
    return [max(o.right for o in _column(lines, i)) for i in range(len(lines))]


def _column_lefts(lines: list[Line]) -> list[float]:
    return [min(o.left for o in _column(lines, i)) for i in range(len(lines))]


def _heading_level(line: Line, body: float) -> str:
    if body <= 0 or len(line.text) > 80:
        return ""
    if line.size >= body * 1.4:
        return "h2"
    if line.size >= body * 1.15:
        return "h3"
    return ""


def _starts_paragraph(
    prev: Line, line: Line, column_left: float, column_right: float, usual_pitch: float
) -> bool:
    size = line.size or prev.size or 10.0
    pitch = prev.middle - line.middle
    if usual_pitch > 0 and pitch > 1.6 * usual_pitch:
        return True  # extra space between the lines
    # A line higher up than the one before starts a new column or region; it goes on with
    # the paragraph only if the previous line filled its column and this one is not
    # indented (a paragraph running on from one column into the next).
    if prev.right < column_right - 2.5 * size:
        return True  # the previous line stopped short: its paragraph ended
    if line.left > column_left + 1.5 * size:
        return True  # first-line indent
    return bool(_BULLET.match(line.text))


def _weighted_median(pairs: list[tuple[float, int]]) -> float:
    pairs = sorted(pairs)
    half = sum(weight for _, weight in pairs) / 2
    running = 0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]
