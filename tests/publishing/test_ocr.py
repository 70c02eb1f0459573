"""Scanned documents: readable at once, searchable once OCR has read them — with the real
engine (RapidOCR in a child process), a page or two, so the live tier stays quick."""

from __future__ import annotations

import re
import sys

import pytest

from wenku.ingest import ocr
from wenku.ingest.counting import count_chars
from wenku.ingest.models import OcrState

pytestmark = [pytest.mark.live, pytest.mark.django_db]

PAGE_ONE = ("各企业要落实一企一策要求，全面推进雨污分流改造。", "审批时限压缩至五个工作日。")
PAGE_TWO = ("智慧园区平台建设完成后，群众满意度持续提升。", "朱镕基同志强调安全生产责任重于泰山。")


def letters(text: str) -> str:
    """What the character error rate compares: CJK, digits and letters."""
    return "".join(re.findall(r"[\u4e00-\u9fff0-9A-Za-z]", text))


def ready_jobs():
    """Queued jobs in the order a worker takes them (priority first)."""
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.ready())


def test_a_scan_is_published_at_once_and_its_text_follows_page_by_page(
    client, ingested, upload, settings
):
    """Given a two-page scan and jobs of one page each, when it is published, then it is
    readable with no text yet and an OCR job waits behind any upload; each OCR job reads
    one page, stores its text marked as OCR'd and queues the next; at the end 字数, search
    with page hits and snippets, in-document search, the text for search engines, related
    documents and the fingerprint follow the new text."""
    from tests.factories.pdf import make_cjk_pdf, make_pdf, wrapped
    from wenku.ingest.models import Page
    from wenku.publishing.ocr import OCR_PRIORITY, recognise_pages
    from wenku.search.models import Fingerprint
    from wenku.search.related import related_documents
    from wenku.search.service import SearchParams, run_search
    from wenku.search.within import search_within

    settings.WENKU = settings.WENKU.replace(ocr_pages_per_job=1)
    printed = "本年度园区重点工作：智慧园区平台上线运行，雨污分流工程通过验收，安全生产零事故。"
    report = ingested("园区报告.pdf", make_cjk_pdf([wrapped(printed, chars_per_line=30)]))
    doc = ingested("扫描件.pdf", ocr.scanned_page([PAGE_ONE, PAGE_TWO]), title="扫描件")
    assert doc.status == "ready" and doc.char_count == 0
    assert doc not in related_documents(report)  # a scan without text relates to nothing
    assert not bytes(Fingerprint.objects.get(conversion=doc.conversion).signature)
    pages = Page.objects.filter(conversion=doc.conversion).order_by("number")
    assert [p.ocr for p in pages] == [OcrState.PENDING, OcrState.PENDING]
    for done in ready_jobs():  # the scan's own publishing job, which the fixture ran
        if done.queue_name == "ingest":
            done.delete()
    [job] = ready_jobs()
    assert (job.queue_name, job.priority) == ("ocr", OCR_PRIORITY)

    later = upload("later.pdf", make_pdf(1, text="uploaded meanwhile"))
    assert ready_jobs()[0].args_kwargs["args"] == [later.pk]  # the upload goes first
    job.delete()

    assert recognise_pages.call(doc.conversion_id) == "1 pages recognised, 0 failed"
    first, second = Page.objects.filter(conversion=doc.conversion).order_by("number")
    assert first.ocr == OcrState.DONE and second.ocr == OcrState.PENDING
    assert letters(first.text) == letters("".join(PAGE_ONE))
    assert [j.args_kwargs["args"] for j in ready_jobs() if j.queue_name == "ocr"] == [
        [doc.conversion_id]
    ]

    recognise_pages.call(doc.conversion_id)
    second.refresh_from_db()
    assert second.ocr == OcrState.DONE
    assert letters(second.text) == letters("".join(PAGE_TWO))
    doc.refresh_from_db()
    assert doc.char_count == count_chars("".join(PAGE_ONE + PAGE_TWO))
    [hit] = [h for h in run_search(SearchParams(q="智慧园区"), None).hits if h.document == doc]
    assert hit.page == 2 and "<mark>" in hit.snippet
    assert "智慧园区平台" in re.sub("</?mark>", "", hit.snippet)
    assert [m.number for m in search_within(doc, "雨污分流", doc.owner).matches] == [1]
    assert bytes(Fingerprint.objects.get(conversion=doc.conversion).signature)
    assert doc in related_documents(report)  # the report's list was refreshed by the OCR
    html = client.get(doc.get_absolute_url()).content.decode()
    assert re.search(r'<meta name="description" content="[^"]*一企一策', html)
    assert "朱镕基同志强调" in html.split('id="t2"', 1)[1]  # page 2's free text


def test_a_page_past_its_time_or_memory_fails_alone(tmp_path):
    """The engine is killed at the page's time limit; under a memory limit it cannot load
    in, it stops: either way the page fails with a reason and the call returns."""
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(ocr.scanned_page([PAGE_ONE]))
    slow = ocr.OcrSettings(sys.executable, memory_mb=3072, page_seconds=0.01)
    assert ocr.recognise(pdf, [1], slow) == [ocr.PageResult(1, error="timeout")]
    small = ocr.OcrSettings(sys.executable, memory_mb=200, page_seconds=60)
    assert ocr.recognise(pdf, [1], small) == [ocr.PageResult(1, error="engine stopped")]


@pytest.mark.parametrize("action", ["block", "hold"])
def test_banned_words_in_recognised_text_send_a_scan_back_to_review(ingested, action):
    """Given a banned word that a scan shows only as an image, When OCR reads it after the
    publish, Then the scan goes back to review (a moderator decides: the machine may have
    misread), out of search, with the reason and the step in the audit log."""
    from wenku.moderation.models import AuditEntry, BannedWord, Review
    from wenku.publishing.ocr import recognise_pages
    from wenku.search.service import SearchParams, run_search

    BannedWord.objects.create(word="雨污分流", action=action)
    doc = ingested("扫描件.pdf", ocr.scanned_page([PAGE_ONE]), title="园区扫描件")
    assert doc.status == "ready"
    assert [h.document.pk for h in run_search(SearchParams(q="园区扫描件"), None).hits] == [doc.pk]
    recognise_pages.call(doc.conversion_id)
    doc.refresh_from_db()
    review = Review.objects.get(document=doc)
    assert doc.status == "held" and review.state == "pending"
    assert "banned_words" in review.flags and "审核" in review.reason
    assert not run_search(SearchParams(q="园区扫描件"), None).hits
    assert AuditEntry.objects.get(document=doc).action == "hold_after_ocr"


def test_a_scanned_copy_of_an_earlier_document_is_held_once_its_text_is_read(
    ingested, make_doc, other_user
):
    """Given a published text document, When another uploader's scan of the same text is
    published (no text yet: nothing to compare) and then read by OCR, Then the scan is
    held as a copy of the original, and the original stays published."""
    from wenku.moderation.models import Review
    from wenku.publishing.ocr import recognise_pages
    from wenku.search import fingerprint

    text = "".join(PAGE_ONE + PAGE_TWO)
    original = make_doc("园区治理报告", [text])
    fingerprint.store(original.conversion, fingerprint.fingerprint_text(text))
    scan = ingested("扫描.pdf", ocr.scanned_page([PAGE_ONE + PAGE_TWO]), owner=other_user)
    assert scan.status == "ready"
    recognise_pages.call(scan.conversion_id)
    scan.refresh_from_db()
    original.refresh_from_db()
    assert (scan.status, original.status) == ("held", "ready")
    review = Review.objects.get(document=scan)
    assert review.matches[0][0] == original.pk and "园区治理报告" in review.reason
