"""Every word of a Chinese document is found by search, wherever its lines happened to end.

The PDFs are generated (tests/factories/pdf.py) with their words forced across line ends:
a narrow column, justified lines spread by character spacing, two columns side by side,
and quotes drawn after their line (as LibreOffice draws full-width punctuation). They go
through the real publishing job (text read by PDFium, segmented, indexed), and every word
of the source must then be found — by the search backend under test and by search inside
the document. Before page text was de-wrapped, a word cut by a line end (雨污|分流) was
found by neither.
"""

from __future__ import annotations

import re

import pytest

from tests.factories.pdf import Run, make_cjk_pdf, wrapped
from wenku.core.storage import get_storage
from wenku.search.backends.base import EngineQuery
from wenku.search.query import parse
from wenku.search.segment import words
from wenku.search.within import search_within

pytestmark = pytest.mark.django_db

SOURCE = (
    "各企业要落实一企一策要求，全面推进雨污分流改造和污水处理设施建设，实行一窗受理、"
    "集成服务，提升政务服务效能。智慧园区平台建设完成后，企业申报材料减少三分之一，"
    "审批时限压缩至五个工作日。下一步将深化放管服改革，优化营商环境，推动高质量发展，"
    "加强生态环境保护，确保各项任务落到实处。"
)
MORE = (
    "本年度共组织安全生产检查十二次，排查整改隐患四十余处，开展应急演练六场。"
    "职工培训覆盖率达到百分之九十五，群众满意度持续提升，信访事项按期办结。"
)
QUOTED = "实行“一窗受理、集成服务”，落实“一企一策”要求，推进“雨污分流”改造。"


def source_words(text: str) -> list[str]:
    """The source's words a reader would search for: two or more characters, CJK."""
    return sorted(
        {w for w in words(text) if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)}
    )


def narrow_column() -> bytes:
    return make_cjk_pdf([wrapped(SOURCE, chars_per_line=7)])


def justified() -> bytes:
    """Lines of 13 characters spread to the width of 15 (character spacing), as Word and
    LibreOffice justify Chinese text."""
    runs = wrapped(SOURCE, chars_per_line=13)
    width = 15 * 12.0
    spread = [
        Run(r.x, r.y, r.text, r.size, (width - (r.x - 72) - len(r.text) * r.size) / len(r.text))
        for r in runs[:-1]
    ]
    return make_cjk_pdf([[*spread, runs[-1]]])


def two_columns() -> bytes:
    half = len(SOURCE) // 2
    left = wrapped(SOURCE[:half], chars_per_line=9, x=60)
    right = wrapped(SOURCE[half:], chars_per_line=9, x=320, indent=0)
    return make_cjk_pdf([left + right])


def quotes_drawn_later() -> bytes:
    """Each line drawn without its quotes, the quotes afterwards in the gaps left for them
    (so PDFium meets them after the line's other characters)."""
    runs, stray = [], []
    for run in wrapped(QUOTED, chars_per_line=10, indent=0):
        for i, c in enumerate(run.text):
            at = Run(run.x + i * run.size, run.y, c, run.size)
            (stray if c in "“”" else runs).append(at)
    return make_cjk_pdf([runs + stray])


LAYOUTS = {
    "narrow column": (narrow_column, SOURCE),
    "justified": (justified, SOURCE),
    "two columns": (two_columns, SOURCE),
    "quotes drawn later": (quotes_drawn_later, QUOTED),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_word_is_found(layout, backend, ingested):
    make, source = LAYOUTS[layout]
    pdf = make()
    assert cut_words(pdf, source)  # the layout does cut words at line ends
    doc = ingested(f"{layout}.pdf", pdf, title="年度工作报告")
    assert doc.status == "ready", doc.failure_reason
    missing_in_index = [
        w
        for w in source_words(source)
        if doc.pk not in {hit for hit, _ in backend.search(EngineQuery(parse(w), limit=10)).hits}
    ]
    missing_within = [
        w for w in source_words(source) if not search_within(doc, w, doc.owner).matches
    ]
    assert missing_in_index == []
    assert missing_within == []


def test_punctuation_stays_where_it_is_printed(ingested):
    doc = ingested("quotes.pdf", quotes_drawn_later())
    text = doc.conversion.pages.get(number=1).text
    assert text == QUOTED.replace(" ", "")


def test_a_phrase_across_a_line_end_is_found_within_the_document(ingested):
    """Given 雨污分流 split over two lines, when a reader searches inside the document,
    then the phrase is found, and the snippet shows it whole."""
    doc = ingested("narrow.pdf", narrow_column())
    result = search_within(doc, "雨污分流改造", doc.owner)
    assert [m.number for m in result.matches] == [1]
    assert result.mode == "phrase"
    assert "雨 污" not in str(result.matches[0].snippet)


def test_the_fingerprint_and_the_text_for_search_engines_read_words_whole(client, ingested):
    """Given the report in a narrow column (落实 and 雨污分流 cut by line ends), then its
    fingerprint is the one of the source paragraph itself, whatever the lines, and the
    document page's free text and description show the words whole (no 雨污 分流)."""
    from wenku.search.fingerprint import fingerprint_text
    from wenku.search.models import Fingerprint

    doc = ingested("narrow.pdf", narrow_column(), title="年度工作报告")
    assert doc.status == "ready", doc.failure_reason
    stored = Fingerprint.objects.get(conversion=doc.conversion)
    assert stored.text_sha256 == fingerprint_text(SOURCE).text_sha256
    html = client.get(doc.get_absolute_url()).content.decode()
    opening = "各企业要落实一企一策要求，全面推进雨污分流改造"
    [description] = re.findall(r'<meta name="description" content="([^"]*)"', html)
    assert opening in description
    free_text = html.split('id="t1"', 1)[1]
    assert f"<p>{SOURCE}</p>" in free_text


def cut_words(pdf: bytes, source: str) -> list[str]:
    """The source's words that PDFium's own text (its line breaks kept) cuts at a line end."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    raw = "".join(page.get_textpage().get_text_range() for page in document)
    return [
        w
        for w in source_words(source)
        if any(f"{w[:i]}\r\n{w[i:]}" in raw for i in range(1, len(w)))
    ]


def narrow_justified_docx() -> bytes:
    """A Word file in two narrow, justified columns, with full-width quotes."""
    import io

    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.font.name = "宋体"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    columns = OxmlElement("w:cols")
    columns.set(qn("w:num"), "2")
    document.sections[0]._sectPr.append(columns)
    for text in (SOURCE, QUOTED, MORE):
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.live
def test_every_word_of_a_word_file_is_found(backend, ingest, ingested):
    """Given a Word file whose justified lines in narrow columns cut words, when it is
    converted by LibreOffice and indexed, then every word of its text is found."""
    doc = ingested("两栏.docx", narrow_justified_docx(), title="年度工作报告")
    assert doc.status == "ready", doc.failure_reason
    source = SOURCE + QUOTED + MORE
    hits = {
        w: doc.pk in {h for h, _ in backend.search(EngineQuery(parse(w), limit=10)).hits}
        for w in source_words(source)
    }
    assert [w for w, found in hits.items() if not found] == []
    text = doc.conversion.pages.get(number=1).text
    assert "“一窗受理、集成服务”" in text
    with get_storage().local_file(doc.conversion.pdf_key) as pdf:
        assert cut_words(pdf.read_bytes(), source)  # LibreOffice's lines did cut words


def test_latin_hyphenation_is_undone_and_paragraph_breaks_are_kept(ingested):
    """Given a paragraph of full lines with a Latin word hyphenated at a line end, then an
    indented Chinese paragraph, then the page text is the two paragraphs, one per line,
    with the word whole (international, not inter- national) and one space between the
    other Latin lines' words."""
    lines = [
        "Search finds every inter-",
        "national word across line",
        "ends, and every segmented",
        "word too.",
    ]
    latin = [Run(72, 770 - 18 * i, text) for i, text in enumerate(lines)]
    second = wrapped(
        "第二段从这里开始，雨污分流改造工程按期完工。", chars_per_line=25, top=770 - 18 * 4
    )
    doc = ingested("hyphens.pdf", make_cjk_pdf([latin + second]))
    assert doc.status == "ready", doc.failure_reason
    assert doc.conversion.pages.get(number=1).text == (
        "Search finds every international word across line ends, and every segmented word too.\n"
        "第二段从这里开始，雨污分流改造工程按期完工。"
    )
    assert [m.number for m in search_within(doc, "international", doc.owner).matches] == [1]
