"""Repaired copies of an uploaded PDF that PDFium cannot read whole, best first.

qpdf (pikepdf) comes first: it rebuilds the cross-reference table and the header from the
file's own objects, which stay as they were (text, fonts, links). poppler comes second, for
what qpdf refuses — fuzzed dictionaries, an encryption dictionary poppler finds broken and
ignores, a page tree that loops (the real-world corpus: four files that PDFium and qpdf
refused and one PDFium read a page of two; poppler read them all). ``pdftocairo -pdf``
redraws every page poppler reads into a new PDF through cairo: text stays text, in
embedded fonts with Unicode maps, and reads back the same in most files, but not all — a
CJK font that carries no Unicode map of its own (read through Adobe's character
collections, which poppler-data provides) comes back as U+FFFD. So poppler's copy is the
last resort, and the read stage does not trade text for pages (``stages.Read``).

poppler is one more parser on the most hostile files, so it runs in the sandbox
LibreOffice runs in (``ingest.sandbox``), under LibreOffice's settings: the same
isolation (or none, with ``WENKU_OFFICE_SANDBOX=none``), time limit and memory limit.
Without pdftocairo the step is skipped.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from wenku.ingest import pdf as pdfmod
from wenku.ingest import sandbox
from wenku.ingest.errors import IngestError
from wenku.ingest.office.client import OfficeSettings

log = logging.getLogger(__name__)


def copies(source: Path, workdir: Path) -> Iterator[Path]:
    """Repaired copies of ``source`` written in ``workdir`` (qpdf's, then poppler's), each
    made only when the one before was not taken, and each one PDFium opens with pages."""
    made = qpdf(source, workdir / "repaired-qpdf.pdf")
    if made is not None and _opens(made):
        yield made
    made = poppler(source, workdir / "repaired-poppler.pdf", OfficeSettings.from_django())
    if made is not None and _opens(made):
        yield made


def qpdf(source: Path, target: Path) -> Path | None:
    """qpdf's copy: cross-reference table recovered from the objects, header restored. None
    if qpdf cannot (an encrypted PDF among them)."""
    import pikepdf

    try:
        with pikepdf.open(source, attempt_recovery=True) as pdf:
            if len(pdf.pages) == 0:
                return None
            pdf.save(target)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError, RuntimeError):
        return None
    return target


def poppler(source: Path, target: Path, office: OfficeSettings) -> Path | None:
    """poppler's copy, redrawn by ``pdftocairo -pdf`` in the sandbox. None without
    pdftocairo, or if poppler cannot read the file (a real password among the reasons),
    runs out of time or memory, or writes nothing."""
    program = pdftocairo()
    if program is None:
        return None
    jobdir = target.parent / f"poppler-{secrets.token_hex(4)}"
    jobdir.mkdir()
    try:
        shutil.copyfile(source, jobdir / "in.pdf")
        seen = sandbox.inside(Path(os.path.realpath(jobdir)), office.sandbox)
        try:
            code = sandbox.run(
                [program, "-pdf", str(seen / "in.pdf"), str(seen / "out.pdf")],
                jobdir=jobdir,
                sandbox=office.sandbox,
                timeout=office.timeout,
                memory_mb=office.memory_mb,
                fonts_conf=office.fonts_conf,
            )
        except OSError as exc:
            log.error("cannot start pdftocairo: %s", exc)
            return None
        made = jobdir / "out.pdf"
        if code != 0 or not made.is_file() or made.stat().st_size == 0:
            log.info("poppler could not repair %s (exit %s)", source.name, code)
            return None
        shutil.move(made, target)
        return target
    finally:
        shutil.rmtree(jobdir, ignore_errors=True)


def selftest(workdir: Path, office: OfficeSettings) -> bool:
    """Whether poppler redraws a one-page PDF in the sandbox into one PDFium reads."""
    source = workdir / "blank.pdf"
    with pdfmod.PDFIUM_LOCK:
        blank = pdfmod.pdfium.PdfDocument.new()
        try:
            blank.new_page(595, 842)
            blank.save(str(source))
        finally:
            blank.close()
    made = poppler(source, workdir / "redrawn.pdf", office)
    return made is not None and _opens(made)


def pdftocairo() -> str | None:
    """poppler's pdftocairo where a sandboxed program finds it (/usr/bin), if installed."""
    return shutil.which("pdftocairo", path="/usr/bin:/bin")


def _opens(path: Path) -> bool:
    try:
        with pdfmod.open_pdf(path) as doc:
            return pdfmod.page_count(doc) > 0
    except IngestError:
        return False
