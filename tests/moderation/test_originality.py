"""Originality at upload: exact copies by file and by text are refused with a link to the
original, near-copies are held with the matching passages as evidence, the fingerprints
of taken-down documents block re-uploads, and search folds copies under the original."""

from __future__ import annotations

import re

import pytest

from tests.factories.pdf import make_pdf
from tests.factories.published import words
from wenku.moderation.models import Review
from wenku.publishing import intake
from wenku.publishing.jobs import process
from wenku.search import originality

pytestmark = pytest.mark.django_db


def test_the_same_file_again_is_refused_at_once_with_a_link(publish, upload, user, other_user):
    """您已上传过该文档: the same uploader's second upload of a file names the first; another
    uploader's is refused as a copy of a published document."""
    text = words(7001)
    original = publish(text=text)
    data = make_pdf(3, text=text)  # the very bytes publish() uploaded
    with pytest.raises(intake.Refused) as mine:
        upload("again.pdf", data)
    assert mine.value.original == original and "您已上传过该文档" in str(mine.value)
    with pytest.raises(intake.Refused) as theirs:
        upload("again.pdf", data, owner=other_user)
    assert theirs.value.original == original and "完全相同" in str(theirs.value)


def test_the_same_text_in_another_file_is_refused_with_a_link(publish, upload, other_user):
    """A docx and its PDF export are the same document: different bytes, the same text."""
    text = words(7002)
    original = publish(text=text)
    copy = upload("export.pdf", make_pdf(3, text=text, size=(600.0, 842.0)), owner=other_user)
    process(copy.pk)
    copy.refresh_from_db()
    review = Review.objects.get(document=copy)
    assert copy.status == "rejected" and review.state == "rejected"
    assert original.get_absolute_url() in review.reason
    assert review.matches == [[original.pk, 1.0, "text"]]


def test_a_near_copy_is_held_with_its_evidence(publish, upload, other_user):
    text = words(7003, 40)
    original = publish(text=text, pages=6)
    copy = upload("copy.pdf", make_pdf(7, text=text), owner=other_user)
    process(copy.pk)
    copy.refresh_from_db()
    review = Review.objects.get(document=copy)
    assert copy.status == "held" and review.state == "pending"
    assert review.similarity >= 0.5 and review.matches[0][0] == original.pk
    assert original.title in review.reason
    found = originality.check(copy)
    assert [m.document.pk for m in found.matches] == [original.pk]
    passages = originality.passages(copy, original)
    assert passages and passages[0].page == 1 and passages[0].other_page == 1
    assert text.split()[0] in passages[0].text and text.split()[0] in passages[0].other_text


def test_passages_pair_edited_sentences_and_keep_pages(make_doc, other_user):
    """Given two documents sharing two sentences (one lightly edited) on different pages,
    When their passages are compared, Then both pairs are found with their page numbers."""
    from wenku.search import fingerprint

    shared = "第一章 总则。本办法适用于全体员工的年度考核工作。"
    edited = "第一章 总则。本办法适用于全体员工的年度考核工作！"
    a = make_doc(
        "原文", ["前言部分介绍背景。", shared, "考核结果分为优秀、良好、合格和不合格四个等级。"]
    )
    b = make_doc(
        "改写", [edited + "考核结果分为优秀、良好、合格与不合格四个等级。"], owner=other_user
    )
    for doc in (a, b):
        text = "\n".join(doc.conversion.pages.values_list("text", flat=True))
        fingerprint.store(doc.conversion, fingerprint.fingerprint_text(text))
    found = originality.passages(a, b)
    assert [(p.page, p.other_page) for p in found] == [(2, 1), (3, 1)]
    assert "年度考核" in found[0].text and "年度考核" in found[0].other_text
    assert "四个等级" in found[1].other_text


def test_taken_down_content_cannot_come_back(publish, upload, other_user, staff):
    """The fingerprints of a taken-down document refuse its file and its text again, and
    hold a near-copy of it for a moderator, saying why."""
    from wenku.library.models import Document
    from wenku.publishing import decisions

    text = words(7004)
    original = publish(text=text)
    notice, _created = decisions.file_notice(
        other_user,
        original,
        claimant_name="某出版社",
        claimant_identity="91110000MA00000000",
        contact="legal@example.com",
        work="《某教材》第三章",
        proof_links="https://example.com/isbn",
    )
    decisions.take_down(notice, staff)
    assert Document.objects.get(pk=original.pk).status == "taken_down"
    with pytest.raises(intake.Refused):
        upload("same.pdf", make_pdf(3, text=text), owner=other_user)
    retyped = upload("retyped.pdf", make_pdf(3, text=text, size=(600.0, 842.0)))
    process(retyped.pk)
    retyped.refresh_from_db()
    assert retyped.status == "rejected"
    assert "下架" in Review.objects.get(document=retyped).reason
    longer = upload("longer.pdf", make_pdf(4, text=text), owner=other_user)  # a near-copy
    process(longer.pk)
    longer.refresh_from_db()
    assert longer.status == "held"
    assert "因版权通知下架的文档相似" in Review.objects.get(document=longer).reason


def test_near_copies_fold_under_the_earliest_original_in_search(
    publish, upload, other_user, staff, client
):
    """A copy never outranks its original: the results show the original once, with
    另有 N 份相似文档 under it, even when the copy is the better match."""
    from wenku.publishing import decisions

    text = words(7005, 40)
    original = publish(text=text, pages=6, title="original report")
    copy = upload("copy.pdf", make_pdf(7, text=text), owner=other_user, title="copy report plus")
    process(copy.pk)
    decisions.approve([copy.pk], staff)
    html = client.get("/search", {"q": "copy report plus"}).content.decode()
    results = html.split('<ol class="hits"')[1].split("</ol>")[0]
    titles = re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', results)
    assert titles == [original.title]
    folded = html.split('class="similar-copies"')[1].split("</details>")[0]
    assert copy.get_absolute_url() in folded and "copy report plus" in folded
    api = client.get("/api/v1/search", {"q": "copy report plus"}).json()
    assert [(h["document"]["id"], h["similar"]) for h in api["results"]] == [
        (original.pk, [copy.pk])
    ]


def _export_pdf(docx: bytes, folder) -> bytes:  # type: ignore[no-untyped-def]
    """The Word file exported to PDF by LibreOffice, as an uploader's word processor
    would (its own profile: the session's converter is not disturbed)."""
    import subprocess

    (folder / "report.docx").write_bytes(docx)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "out"),
            str(folder / "report.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (folder / "out" / "report.pdf").read_bytes()


@pytest.mark.live
def test_a_word_file_and_its_pdf_export_are_the_same_document(ingested, user, other_user, tmp_path):
    """Given a Word file published by real LibreOffice, When its PDF export (other bytes,
    another format) is uploaded by another user and by the uploader, Then both are refused
    as the same text with a link to the original — the uploader's with 您已上传过该文档."""
    from tests.factories import documents as f

    word = f.make_docx(3, seed=77, title="年度考核办法")
    original = ingested("考核办法.docx", word)
    assert original.status == "ready" and original.format == "docx"
    exported = _export_pdf(word, tmp_path)
    theirs = ingested("考核办法.pdf", exported, owner=other_user)
    mine = ingested("考核办法-导出.pdf", exported)
    for copy in (theirs, mine):
        review = Review.objects.get(document=copy)
        assert copy.status == "rejected", review.matches
        assert review.matches[0][:3] == [original.pk, 1.0, "text"]
        assert original.get_absolute_url() in review.reason
    assert "完全相同" in Review.objects.get(document=theirs).reason
    assert "您已上传过该文档" in Review.objects.get(document=mine).reason


def test_the_same_file_twice_before_it_is_converted_publishes_one(upload, job_context, user):
    """Given one file uploaded twice by its uploader before the first was converted (a
    double submit), When the job runs, Then one is published and the other is refused as
    您已上传过该文档 with a link — never a second public copy."""
    from wenku.library.models import Document

    data = make_pdf(3, text=words(7006))
    first, second = upload("a.pdf", data), upload("a (1).pdf", data)
    assert first.conversion_id == second.conversion_id
    process(first.pk)
    statuses = dict(Document.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk]) == ("ready", "rejected")
    reason = Review.objects.get(document=second).reason
    assert "您已上传过该文档" in reason and first.get_absolute_url() in reason
    assert Document.objects.public().count() == 1
