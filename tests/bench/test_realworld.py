"""bench/realworld.py's judge: which reference each outcome is measured against, and when a
refusal is a wrong one. Fake outcomes and manifest entries; no corpus, no conversion.

The script is loaded from its file with bench/ on ``sys.path`` (it imports its neighbours
as the benchmarks do)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load_bench():  # type: ignore[no-untyped-def]
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_realworld", BENCH / "realworld.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


realworld = _load_bench()


def entry(fmt: str, **reference: Any) -> dict[str, Any]:
    saved = reference.pop("saved", None)
    if saved is not None:
        reference["saved_metadata"] = {"meta_pages": saved}
    return {"file": f"{fmt}/x.{fmt}", "format": fmt, "reference": reference}


def judged(fmt: str, pages: int | None = None, status: str = "ready", code: str = "", **ref):  # type: ignore[no-untyped-def]
    outcome = realworld.Outcome(
        file="x", format=fmt, status=status, seconds=1.0, pages=pages, code=code
    )
    realworld.judge(outcome, entry(fmt, **ref))
    return outcome


def test_a_docx_is_judged_against_the_page_count_word_saved_even_with_few_cjk_characters():
    """poi-tl's OKR.docx: 59 CJK characters, Word saved 2 pages, soffice printed 1; Wenku's
    2 agree with Word and are no disagreement, 1 is one."""
    okr = {"soffice_pages": 1, "soffice_cjk": 59, "saved": 2}
    assert judged("docx", pages=2, **okr).notes == []
    assert judged("docx", pages=1, **okr).notes == ["pages 1 vs Word 2"]


def test_a_doc_s_saved_count_is_the_reference_only_when_it_is_chinese():
    """Word 97's summary counts are often stale (poi's TestShiftJIS.doc says 1 of its 11)."""
    stale = {"soffice_pages": 11, "soffice_cjk": 0, "saved": 1}
    assert judged("doc", pages=11, **stale).notes == []
    thesis = {"soffice_pages": 31, "soffice_cjk": 6000, "saved": 22}
    assert judged("doc", pages=31, **thesis).notes == ["pages 31 vs Word 22"]
    assert judged("doc", pages=23, **thesis).notes == []  # within ±10 %


def test_without_a_saved_count_office_files_are_judged_against_soffice_and_pdfs_exactly():
    assert judged("docx", pages=12, soffice_pages=10, soffice_cjk=500).notes == [
        "pages 12 vs soffice 10"
    ]
    assert judged("xlsx", pages=3, soffice_pages=9).notes == ["sheet pages 3 vs soffice 9"]
    assert judged("pdf", pages=3, pypdfium2_pages=4).notes == ["pages 3 vs PDFium 4"]
    assert judged("pdf", pages=4, pypdfium2_pages=4).notes == []


def test_a_refusal_is_wrong_only_when_a_reference_read_the_file_and_the_reason_is_no_policy():
    assert judged("doc", status="failed", code="damaged", soffice_pages=1).verdict == (
        "wrong_refusal"
    )
    assert judged("doc", status="failed", code="macros", soffice_pages=1).verdict == (
        "true_refusal"
    )
    assert judged("doc", status="failed", code="damaged", soffice_pages="NOPDF").verdict == (
        "true_refusal"
    )
    assert realworld.readable_by_reference({"codec": "utf-8"})
    assert not realworld.readable_by_reference({"pdfinfo_pages": "ERR", "soffice_pages": 0})


def test_pdf_syntax_published_as_text_is_wrong_content():
    outcome = realworld.Outcome(
        file="x", format="pdf", status="ready", seconds=1.0, pages=1, text_head="1 0 obj <<"
    )
    realworld.judge(outcome, entry("pdf", pypdfium2_pages=1))
    assert outcome.verdict == "wrong_content"
