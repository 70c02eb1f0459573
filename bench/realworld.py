"""Real-world regression benchmark: Wenku's whole pipeline over files nobody here wrote.

Run from the repository root:
``.venv/bin/python bench/realworld.py --corpus ../shared/corpus-real``
(``--only docx,doc`` for some formats, ``--files Pages-tree,6137883240824832`` for the
files whose names hold one of these parts, ``--json out.json`` to keep every outcome).

Every file of the corpus (its ``manifest.json`` lists them, each with reference figures
taken with other tools — see the corpus README) is uploaded and converted in this process
by the real job (``publishing.intake.upload`` + ``publishing.jobs.process``: preflight,
LibreOffice in its sandbox, PDFium, counting, rendering, fingerprint, publish) on a fresh
data folder and SQLite database, one file at a time, with default settings (OCR off: its
own benchmark is bench/ocr.py). Each outcome is judged against the references:

- **ready** (converted: the document's conversion is ready, whatever the review then
  decided — a copy or a near-empty file held or rejected by moderation is counted in its
  own column, not as a refusal), with disagreements: pages against PDFium's count (PDF:
  must be equal), against Word's own saved count for .docx files that carry one
  (docProps/app.xml; a .doc's only when it is Chinese: ±10 %, the layout goal — Word's
  count with Word's fonts is the truth a plain soffice with other fonts only
  approximates), else against a plain
  ``soffice --convert-to pdf``'s (±10 %); spreadsheets are printed whole (columns widened,
  sheets fitted to the page width), so their page counts against soffice's clipped strips
  are listed apart, as "sheet pages"; 字数 against the reference's (±10 %); a PDF whose
  text is PDF syntax, or a text file whose CJK count is far from the decoded truth, is
  **wrong content**;
- **failed with a true reason**: no reference tool read the file either, or the reason
  is one a valid file may have (macros, entity tricks, zip bombs, size and page caps);
- **failed wrongly**: a reference tool read it, and Wenku refused it.

Prints, per format: files, ready, held or rejected by the review, true refusals, wrong
refusals, wrong content, page, sheet-page and 字数 disagreements, seconds; then every
disagreement and wrong outcome with its detail, and the Word page-count comparison (the
share of Chinese Word files within ±10 % of Word's saved count).
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness

# Reasons a valid file may be refused for: the site's policy, not a misreading.
TRUE_REASONS_FOR_VALID = frozenset(
    {"macros", "macro_format", "xml_dtd", "zip_bomb", "zip_ratio", "zip_entries", "too_large",
     "too_many_pages", "executable", "archive",
     "no_pages"}  # an empty presentation: soffice prints one blank page, Wenku says so
)  # fmt: skip
TOLERANCE = 0.10
SHEETS = frozenset({"xls", "xlsx", "ods"})
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PDF_SYNTAX = re.compile(r"\d+ 0 obj|endobj|/Type\s*/Page|xref")


@dataclass
class Outcome:
    file: str
    format: str
    status: str  # ready | failed: the conversion's
    seconds: float
    review: str = ""  # held | rejected: the moderation review's decision on a ready one
    review_reason: str = ""
    code: str = ""
    pages: int | None = None
    chars: int | None = None
    cjk: int = 0
    text_head: str = ""
    verdict: str = ""  # ready | true_refusal | wrong_refusal | wrong_content
    notes: list[str] = field(default_factory=list)


def readable_by_reference(ref: dict[str, Any]) -> bool:
    """Another tool read it: a page count (not an error), or a decoding."""
    counts = (ref.get(k) for k in ("pypdfium2_pages", "pdfinfo_pages", "soffice_pages"))
    return any(str(c).isdigit() and int(c) > 0 for c in counts) or bool(ref.get("codec"))


def judge(outcome: Outcome, entry: dict[str, Any]) -> None:
    ref = entry.get("reference", {})
    if outcome.status != "ready":
        valid = readable_by_reference(ref)
        ok = not valid or outcome.code in TRUE_REASONS_FOR_VALID
        outcome.verdict = "true_refusal" if ok else "wrong_refusal"
        return
    outcome.verdict = "ready"
    if entry["format"] == "pdf" and PDF_SYNTAX.search(outcome.text_head):
        outcome.verdict = "wrong_content"
        outcome.notes.append("the text is PDF syntax")
    if ref.get("codec") and ref.get("true_cjk"):
        true_cjk = int(ref["true_cjk"])
        if abs(outcome.cjk - true_cjk) > TOLERANCE * true_cjk:
            outcome.verdict = "wrong_content"
            outcome.notes.append(f"CJK {outcome.cjk} vs decoded truth {true_cjk} ({ref['codec']})")
    judge_pages(outcome, entry)
    want_chars = ref.get("soffice_zishu") or ref.get("poppler_zishu")
    if str(want_chars).isdigit() and outcome.chars is not None:
        want = int(want_chars)
        if abs(outcome.chars - want) > max(TOLERANCE * want, 2):
            outcome.notes.append(f"字数 {outcome.chars} vs reference {want}")


def judge_pages(outcome: Outcome, entry: dict[str, Any]) -> None:
    """Pages against the reference that is the truth for the format (module docstring)."""
    ref = entry.get("reference", {})
    fmt = entry["format"]
    if fmt == "pdf":
        source, want = "PDFium", ref.get("pypdfium2_pages")
    elif word_saved_count_is_truth(entry):
        source, want = "Word", word_pages(entry)
    else:
        source, want = "soffice", ref.get("soffice_pages")
    if not str(want).isdigit() or outcome.pages is None:
        return
    want = int(want)
    if fmt == "pdf" and outcome.pages != want:
        outcome.notes.append(f"pages {outcome.pages} vs {source} {want}")
    elif fmt != "pdf" and abs(outcome.pages - want) > TOLERANCE * want:
        label = "sheet pages" if fmt in SHEETS else "pages"
        outcome.notes.append(f"{label} {outcome.pages} vs {source} {want}")


def word_saved_count_is_truth(entry: dict[str, Any]) -> bool:
    """Whether the page count Word saved is the reference: always in a .docx (app.xml's
    Pages, written as Word laid the file out: poi-tl's OKR.docx, 59 CJK characters, is
    Word's 2 pages and soffice's 1); in a .doc only for a Chinese file, the layout goal —
    Word 97's summary counts are often stale (a .doc saying 1 page of its 11)."""
    if not word_pages(entry):
        return False
    return entry["format"] == "docx" or (entry["format"] == "doc" and chinese(entry))


def chinese(entry: dict[str, Any]) -> bool:
    """A Chinese file (≥ 100 CJK characters): the layout goal is Word's saved count. (Other
    Word files keep soffice's: Word 97's saved counts are often stale — a .doc saying 1
    page of its 11.)"""
    return int(entry.get("reference", {}).get("soffice_cjk") or 0) >= 100


def word_pages(entry: dict[str, Any]) -> int | None:
    saved = entry.get("reference", {}).get("saved_metadata") or {}
    pages = saved.get("meta_pages")
    return int(pages) if pages else None


def run(corpus: Path, only: set[str], files: list[str]) -> list[Outcome]:
    from django.contrib.auth import get_user_model

    from wenku.ingest.models import Page, Status
    from wenku.library.details import UploadDetails
    from wenku.library.models import Document
    from wenku.publishing import intake, jobs

    owner = get_user_model().objects.create_user("bench", "bench@example.com", "x" * 20)
    manifest = json.loads((corpus / "manifest.json").read_text("utf-8"))
    outcomes = []
    for number, entry in enumerate(manifest, 1):
        if only and entry["format"] not in only:
            continue
        if files and not any(part in entry["file"] for part in files):
            continue
        path = corpus / entry["file"]
        started = time.perf_counter()
        doc = intake.upload(
            owner=owner,
            stream=io.BytesIO(path.read_bytes()),
            original_name=path.name.split("__", 1)[-1],
            details=UploadDetails.build(staff=True, title=f"file {number}"),
        )
        jobs.process(doc.pk)
        seconds = time.perf_counter() - started
        doc = Document.objects.select_related("conversion").get(pk=doc.pk)
        converted = doc.conversion is not None and doc.conversion.status == Status.READY
        text = "\n".join(
            Page.objects.filter(conversion_id=doc.conversion_id)
            .order_by("number")
            .values_list("text", flat=True)
        )
        outcome = Outcome(
            file=entry["file"],
            format=entry["format"],
            status=Status.READY if converted else doc.status,
            seconds=seconds,
            review=doc.status if converted and doc.status in {"held", "rejected"} else "",
            review_reason=review_reason(doc),
            code=doc.failure_code,
            pages=doc.page_count,
            chars=doc.char_count,
            cjk=len(CJK.findall(text)),
            text_head=text[:4000],
        )
        judge(outcome, entry)
        outcomes.append(outcome)
        mark = outcome.verdict if not outcome.notes else outcome.verdict + " *"
        print(f"  {number:3d} {entry['file'][:70]:70s} {mark:14s} {seconds:6.1f}s", flush=True)
    return outcomes


def summary_row(name: str, group: list[Outcome]) -> list[str]:
    count = collections.Counter(o.verdict for o in group)

    def noted(prefix: str) -> str:
        return str(sum(1 for o in group if any(n.startswith(prefix) for n in o.notes)))

    return [
        name,
        str(len(group)),
        str(count["ready"] + count["wrong_content"]),
        str(sum(1 for o in group if o.review)),
        str(count["true_refusal"]),
        str(count["wrong_refusal"]),
        str(count["wrong_content"]),
        noted("pages"),
        noted("sheet pages"),
        noted("字数"),
        f"{sum(o.seconds for o in group):.1f}",
    ]


def review_reason(doc: Any) -> str:
    from wenku.moderation.models import Review

    review = Review.objects.filter(document=doc).first()
    if review is None:
        return ""
    return "; ".join(filter(None, [review.reason, ", ".join(map(str, review.flags))]))


def report(outcomes: list[Outcome], manifest: list[dict[str, Any]]) -> None:
    by_format: dict[str, list[Outcome]] = collections.defaultdict(list)
    for o in outcomes:
        by_format[o.format].append(o)
    rows = [summary_row(fmt, by_format[fmt]) for fmt in sorted(by_format)]
    rows.append(summary_row("**all**", outcomes))
    total = collections.Counter(o.verdict for o in outcomes)
    header = ["format", "files", "ready", "of which held/rejected by review",
              "refused (true)", "refused (wrongly)", "wrong content", "pages ≠",
              "sheet pages ≠ soffice", "字数 ≠", "seconds"]  # fmt: skip
    print()
    print(harness.table(header, rows))
    print("\nRefusals (true and wrong):")
    for o in outcomes:
        if o.verdict in {"true_refusal", "wrong_refusal"}:
            print(f"- {o.verdict:13s} {o.file}: {o.code}")
    print("\nConverted, then held or rejected by the moderation review:")
    for o in outcomes:
        if o.review:
            print(f"- {o.review:9s} {o.file}: {o.pages} pages, {o.chars} 字; {o.review_reason}")
    print("\nWrong content and disagreements:")
    for o in outcomes:
        if o.notes:
            print(f"- {o.verdict:13s} {o.file}: {'; '.join(o.notes)}")
    word_table(outcomes, manifest)
    print(f"\n{harness.verdict(total['wrong_refusal'] == 0 and total['wrong_content'] == 0)}: "
          f"{total['wrong_refusal']} valid files refused, {total['wrong_content']} wrong "
          "content published")  # fmt: skip


def rejudge(path: Path, manifest: list[dict[str, Any]]) -> list[Outcome]:
    """Outcomes a --json run wrote, judged again (older runs counted a held document as
    refused: their status was the document's, not its conversion's)."""
    entries = {e["file"]: e for e in manifest}
    outcomes = []
    for row in json.loads(path.read_text("utf-8")):
        row = {k: v for k, v in row.items() if k not in {"verdict", "notes"}}
        if row["status"] in {"held", "rejected"}:
            row["review"], row["status"] = row["status"], "ready"
        outcome = Outcome(**row)
        judge(outcome, entries[outcome.file])
        outcomes.append(outcome)
    return outcomes


def word_table(outcomes: list[Outcome], manifest: list[dict[str, Any]]) -> None:
    """Chinese Word files with Word's own saved page count: how close the layout comes."""
    entries = {e["file"]: e for e in manifest}
    rows, within = [], 0
    for o in outcomes:
        entry = entries[o.file]
        saved = word_pages(entry)
        if o.format not in {"doc", "docx"} or not saved or not chinese(entry) or o.pages is None:
            continue
        off = (o.pages - saved) / saved
        within += abs(off) <= TOLERANCE
        rows.append([o.file, str(saved), str(o.pages), f"{off:+.0%}"])
    if not rows:
        return
    print("\nChinese Word files against Word's saved page count:")
    print(harness.table(["file", "Word", "Wenku", "difference"], rows))
    print(f"within ±10 %: {within} of {len(rows)} ({within / len(rows):.0%})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus-real"))
    parser.add_argument("--only", default="", help="comma-separated formats, e.g. docx,doc")
    parser.add_argument(
        "--files",
        default="",
        help="comma-separated parts of file names, e.g. Pages-tree,bug1782186",
    )
    parser.add_argument("--json", type=Path, help="also write every outcome here")
    parser.add_argument(
        "--rejudge", type=Path, help="judge and report the outcomes a --json run wrote"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if not (corpus / "manifest.json").is_file():
        print(f"no manifest.json in {corpus}", file=sys.stderr)
        return 2
    manifest = json.loads((corpus / "manifest.json").read_text("utf-8"))
    if args.rejudge:
        report(rejudge(args.rejudge, manifest), manifest)
        return 0
    print(harness.machine_line())
    print(f"corpus: {corpus}")
    with harness.work_folder("wenku-realworld-", keep=args.keep) as data:
        harness.setup_django(data, migrate=True, WENKU_OCR="false")
        only = {f for f in args.only.split(",") if f}
        files = [f for f in args.files.split(",") if f]
        started = time.perf_counter()
        try:
            outcomes = run(corpus, only, files)
        finally:
            from wenku.ingest.runtime import reset_context

            reset_context()
        report(outcomes, manifest)
        print(f"\nwall time: {time.perf_counter() - started:.0f}s")
        if args.json:
            args.json.write_text(
                json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=1)
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
