"""The PDF repair's second step, poppler, and the sandbox it runs in (LibreOffice's)."""

from __future__ import annotations

import socket
import sys
import time
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from tests.factories.pdf import make_pdf
from wenku.ingest import repair, sandbox
from wenku.ingest.office.client import OfficeSettings


def broken_encryption(pages: int = 2, text: str = "kept") -> bytes:
    """A PDF whose trailer names an encryption dictionary without its /O and /U keys:
    PDFium asks for a password and qpdf gives up; poppler finds it broken and reads the
    file as unencrypted (as pdf.js's issue15893_reduced.pdf and bug1782186.pdf)."""
    data = make_pdf(pages, text=text)
    data = data.replace(
        b"trailer\n<<", b"trailer\n<< /Encrypt 99 0 R /ID [<00112233445566778899aabbccddeeff>]"
    )
    encrypt = b"99 0 obj\n<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 >>\nendobj\n"
    return data.replace(b"xref\n0", encrypt + b"xref\n0", 1)


def settings(**changes: object) -> OfficeSettings:
    return replace(OfficeSettings.from_django(), **changes)  # type: ignore[arg-type]


def texts(path: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


@pytest.mark.parametrize("kind", ["bwrap", "none"])
def test_poppler_redraws_what_pdfium_and_qpdf_refuse(tmp_path, kind):
    """Given a PDF with a broken encryption dictionary, then qpdf makes no copy, and
    poppler's, in either sandbox setting, is one PDFium reads with each page's text."""
    work = tmp_path / "job"
    work.mkdir()
    source = work / "upload.pdf"
    source.write_bytes(broken_encryption())
    with pytest.raises(pdfium.PdfiumError, match=r"(?i)password"):
        pdfium.PdfDocument(str(source))
    assert repair.qpdf(source, work / "qpdf.pdf") is None
    made = repair.poppler(source, work / "poppler.pdf", settings(sandbox=kind))
    assert made is not None
    assert texts(made) == ["kept 1", "kept 2"]
    assert sorted(p.name for p in work.iterdir()) == ["poppler.pdf", "upload.pdf"]  # no leftovers


def test_a_real_password_stops_poppler_too(tmp_path):
    source = tmp_path / "locked.pdf"
    source.write_bytes(make_pdf(1, user_password=b"secret"))
    assert repair.poppler(source, tmp_path / "out.pdf", settings()) is None
    assert list(repair.copies(source, tmp_path)) == []


def test_without_pdftocairo_the_step_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(repair, "pdftocairo", lambda: None)
    source = tmp_path / "upload.pdf"
    source.write_bytes(broken_encryption())
    assert repair.poppler(source, tmp_path / "out.pdf", settings()) is None


def test_the_doctor_s_self_test_redraws_a_page(tmp_path):
    assert repair.selftest(tmp_path, settings())


# --- the sandbox (bubblewrap, as LibreOffice's)

PROBE = """
import pathlib, socket, sys
outside, port = sys.argv[1], int(sys.argv[2])
seen = []
seen.append("outside:" + str(pathlib.Path(outside).exists()))
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    seen.append("network:yes")
except OSError:
    seen.append("network:no")
if len(sys.argv) > 3:
    try:
        open(sys.argv[3], "w")
        seen.append("usr:writable")
    except OSError:
        seen.append("usr:read-only")
pathlib.Path("result.txt").write_text(" ".join(seen))
"""


def run_probe(tmp_path: Path, kind: str) -> str:
    jobdir = tmp_path / "job"
    jobdir.mkdir(parents=True)
    outside = tmp_path / "secret.txt"
    outside.write_text("not for documents")
    (jobdir / "probe.py").write_text(PROBE)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        seen = sandbox.inside(jobdir, kind)
        # Without the sandbox the probe runs as this process does: it must not write in /usr.
        python, usr = (
            ("/usr/bin/python3", ["/usr/wenku-probe"]) if kind == "bwrap" else (sys.executable, [])
        )
        code = sandbox.run(
            [python, str(seen / "probe.py"), str(outside), str(port), *usr],
            jobdir=jobdir,
            sandbox=kind,
            timeout=30,
            memory_mb=1024,
            fonts_conf=OfficeSettings.from_django().fonts_conf,
        )
    assert code == 0
    return (jobdir / "result.txt").read_text()


def test_in_the_sandbox_a_program_sees_only_its_job_folder_and_no_network(tmp_path):
    """Given a program in the sandbox, then it writes in its job folder, but neither sees
    a file beside it, nor reaches a server on this machine's loopback, nor writes in /usr;
    without the sandbox ("none") it would see the file and reach the server."""
    assert run_probe(tmp_path / "b", "bwrap") == "outside:False network:no usr:read-only"
    assert run_probe(tmp_path / "n", "none") == "outside:True network:yes"


def test_a_program_out_of_time_is_stopped(tmp_path):
    started = time.monotonic()
    code = sandbox.run(
        ["/bin/sh", "-c", "sleep 60 & sleep 60"],
        jobdir=tmp_path,
        sandbox="bwrap",
        timeout=1,
        memory_mb=512,
        fonts_conf=OfficeSettings.from_django().fonts_conf,
    )
    assert code is None
    assert time.monotonic() - started < 10


def test_a_program_runs_under_the_address_space_limit(tmp_path):
    def allocate(mb: int) -> int | None:
        return sandbox.run(
            ["/usr/bin/python3", "-c", f"bytearray({mb} * 1024 * 1024)"],
            jobdir=tmp_path,
            sandbox="bwrap",
            timeout=30,
            memory_mb=256,
            fonts_conf=OfficeSettings.from_django().fonts_conf,
        )

    assert allocate(32) == 0
    assert allocate(600) not in (0, None)


def test_the_doctor_warns_without_pdftocairo(monkeypatch):
    """Given no pdftocairo, then `wenku doctor` warns (Wenku works without the step) and
    says what to install."""
    from wenku.cli import doctor

    monkeypatch.setattr(repair, "pdftocairo", lambda: None)
    [result] = doctor.check_poppler()
    assert (result.ok, result.optional, result.detail) == (False, True, "pdftocairo not found")
    assert "poppler-utils" in result.fix
