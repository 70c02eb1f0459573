"""Headings and paragraphs come back out of the PDF for the free pages' text."""

from __future__ import annotations

import io

import docx
import pytest
from docx.shared import Pt

from tests.factories.documents import chinese

pytestmark = [pytest.mark.live, pytest.mark.django_db]


def squeeze(text: str) -> str:
    return "".join(text.split())


def word_file(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading("二〇二四年工作总结", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.add_heading("下一步计划", level=2)
    document.add_paragraph("Plans for next year, in English, wrapped across lines " * 4)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_headings_and_paragraphs_of_a_word_file(ingested):
    paragraphs = [chinese(180, 1) + "。", chinese(40, 2) + "。", chinese(260, 3) + "。"]
    doc = ingested("总结.docx", word_file(paragraphs))
    blocks = doc.conversion.pages.get(number=1).blocks
    kinds = [b["k"] for b in blocks]
    assert kinds[0] in {"h2", "h3"} and squeeze(blocks[0]["t"]) == "二〇二四年工作总结"
    body = [squeeze(b["t"]) for b in blocks if b["k"] == "p"]
    assert body[:3] == [squeeze(p) for p in paragraphs]  # lines rejoined, without spaces
    heading = next(i for i, b in enumerate(blocks) if squeeze(b["t"]) == "下一步计划")
    assert blocks[heading]["k"] in {"h2", "h3"}
    english = blocks[heading + 1]["t"]
    assert english.startswith("Plans for next year") and "  " not in english
    assert "lines Plans" in english  # Latin lines joined with a space


def test_only_the_first_pages_get_blocks(ingested, ingest):
    import dataclasses

    from tests.factories.pdf import make_pdf

    ingest.render = dataclasses.replace(ingest.render, structured_pages=2)
    doc = ingested("a.pdf", make_pdf(4))
    blocks = list(doc.conversion.pages.values_list("blocks", flat=True))
    assert blocks[0] and blocks[1] and blocks[2] is None and blocks[3] is None
