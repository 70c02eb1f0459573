"""The sandboxed LibreOffice: timeouts kill everything, links are never followed."""

from __future__ import annotations

import http.server
import os
import threading
import time
from pathlib import Path

import psutil
import pypdfium2 as pdfium
import pytest

from tests.factories import documents as f
from tests.processes import running
from wenku.ingest.errors import IngestError
from wenku.ingest.office.client import OfficeConverter, OfficeSettings
from wenku.ingest.selftest import check_cjk

pytestmark = pytest.mark.live


def soffice_processes() -> list[psutil.Process]:
    """Live (not zombie) soffice.bin processes on this machine."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline", "status"]):
        try:
            if proc.info["name"] == "soffice.bin" and proc.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def descendants(pid: int) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


@pytest.fixture
def fresh_office(tmp_path):
    """A private LibreOffice, for tests that kill or exhaust it."""
    base = OfficeSettings.from_django()
    converter = OfficeConverter(OfficeSettings(**{**base.__dict__, "workdir": tmp_path / "office"}))
    converter.start()
    yield converter
    converter.close()


def wait_gone(pids: set[int], seconds: float = 5.0) -> set[int]:
    deadline = time.monotonic() + seconds
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {p for p in alive if running(p)}
        time.sleep(0.05)
    return alive


def test_timeout_kills_the_whole_process_group(fresh_office, tmp_path):
    """Given a conversion slower than its timeout, LibreOffice and every child are killed."""
    source = tmp_path / "big.docx"
    source.write_bytes(f.make_docx(60))
    sandbox = fresh_office.sandbox_pid
    inside = descendants(sandbox)
    soffice = {p.pid for p in soffice_processes() if p.pid in inside}
    assert soffice, "LibreOffice should be running inside the sandbox"
    with pytest.raises(IngestError) as caught:
        fresh_office.convert(source, tmp_path / "out.pdf", timeout=0.05)
    assert caught.value.code == "convert_timeout"
    assert wait_gone(inside | {sandbox}) == set()  # no orphaned soffice.bin
    # The next document gets a fresh LibreOffice.
    fresh_office.convert(source, tmp_path / "out.pdf")
    assert len(pdfium.PdfDocument(str(tmp_path / "out.pdf"))) >= 60


def test_crashed_libreoffice_is_replaced(fresh_office, tmp_path):
    source = tmp_path / "a.docx"
    source.write_bytes(f.make_docx(1))
    inside = descendants(fresh_office.sandbox_pid)
    (soffice,) = [p for p in soffice_processes() if p.pid in inside]
    os.kill(soffice.pid, 9)
    # The bridge finds its LibreOffice gone: the document is converted by a cold one and a
    # warm one is started again before the answer, so the next document finds it ready.
    fresh_office.convert(source, tmp_path / "out.pdf")
    assert (tmp_path / "out.pdf").stat().st_size > 0
    (replaced,) = [p for p in soffice_processes() if p.pid in descendants(fresh_office.sandbox_pid)]
    assert replaced.pid != soffice.pid
    fresh_office.convert(source, tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").stat().st_size > 0


def test_restart_after_n_conversions(tmp_path):
    base = OfficeSettings.from_django()
    settings = OfficeSettings(**{**base.__dict__, "workdir": tmp_path / "o", "restart_after": 2})
    source = tmp_path / "a.docx"
    source.write_bytes(f.make_docx(1))
    with OfficeConverter(settings) as office:
        office.convert(source, tmp_path / "1.pdf")
        first = office.sandbox_pid
        office.convert(source, tmp_path / "2.pdf")
        assert office.sandbox_pid is None  # retired after its second conversion
        office.convert(source, tmp_path / "3.pdf")
        assert office.sandbox_pid not in (None, first)


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(_png())

    do_HEAD = do_OPTIONS = do_PROPFIND = do_GET

    def log_message(self, *args):
        pass


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def image_objects(pdf_path: Path) -> int:
    doc = pdfium.PdfDocument(str(pdf_path))
    count = 0
    for page in doc:
        count += sum(1 for obj in page.get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE)
    return count


@pytest.fixture(params=["bwrap", "none"])
def any_sandbox(request, office, tmp_path):
    """The shared sandboxed LibreOffice, and one with only the hardened profile (no bwrap)."""
    if request.param == "bwrap":
        yield office
        return
    base = OfficeSettings.from_django()
    with OfficeConverter(
        OfficeSettings(**{**base.__dict__, "workdir": tmp_path / "o", "sandbox": "none"})
    ) as unsandboxed:
        yield unsandboxed


def test_external_image_link_to_a_web_server_is_not_fetched(any_sandbox, tmp_path):
    office = any_sandbox
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/tracker.png"
        # The server really works: a plain request reaches it.
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/probe") as response:
            response.read()
        assert _Recorder.hits == ["/probe"]
        source = tmp_path / "linked.docx"
        source.write_bytes(f.external_image_docx(url))
        office.convert(source, tmp_path / "out.pdf")
        time.sleep(0.5)
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.hits == ["/probe"]  # LibreOffice asked for nothing
    assert image_objects(tmp_path / "out.pdf") == 0


def test_external_image_link_to_a_local_file_is_not_embedded(any_sandbox, tmp_path):
    office = any_sandbox
    secret = tmp_path / "secret.png"
    secret.write_bytes(_png())
    source = tmp_path / "linked.docx"
    source.write_bytes(f.external_image_docx(secret.as_uri()))
    office.convert(source, tmp_path / "out.pdf")
    assert image_objects(tmp_path / "out.pdf") == 0
    # The same image embedded normally does appear: the check above can see images.
    import docx

    document = docx.Document()
    document.add_picture(str(secret))
    document.save(tmp_path / "embedded.docx")
    office.convert(tmp_path / "embedded.docx", tmp_path / "embedded.pdf")
    assert image_objects(tmp_path / "embedded.pdf") == 1


def test_chinese_renders_with_real_glyphs(office, tmp_path):
    result = check_cjk(office, tmp_path)
    assert result.ok, result.detail


def test_libreoffice_runs_under_the_address_space_limit(fresh_office):
    inside = descendants(fresh_office.sandbox_pid)
    (soffice,) = [p for p in soffice_processes() if p.pid in inside]
    limits = Path(f"/proc/{soffice.pid}/limits").read_text()
    line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
    expected = fresh_office.settings.memory_mb * 1024 * 1024
    assert line.split()[3] == str(expected)


def test_libreoffice_has_no_network(fresh_office):
    """Inside the sandbox there is no interface but loopback (and that one is down)."""
    inside = descendants(fresh_office.sandbox_pid)
    (soffice,) = [p for p in soffice_processes() if p.pid in inside]
    devices = Path(f"/proc/{soffice.pid}/net/dev").read_text().splitlines()[2:]
    assert [d.split(":")[0].strip() for d in devices] == ["lo"]


def test_the_cjk_self_test_notices_missing_chinese_fonts(tmp_path):
    """Given a LibreOffice that sees only Latin fonts, the self-test reports boxes, not glyphs."""
    latin_only = tmp_path / "fonts.conf"
    latin_only.write_text(
        '<?xml version="1.0"?><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>/tmp/fc-latin-only</cachedir>"
        "</fontconfig>"
    )
    base = OfficeSettings.from_django()
    settings = OfficeSettings(
        **{**base.__dict__, "workdir": tmp_path / "o", "fonts_conf": latin_only}
    )
    with OfficeConverter(settings) as office:
        result = check_cjk(office, tmp_path)
    assert not result.ok
    assert "fonts-noto-cjk" in result.detail


FACES = {  # the font a Chinese Word file asks for → the face its PDF must use
    "宋体": "UMingCN",
    "仿宋": "UMingCN",
    "楷体": "UKaiCN",
    "新細明體": "UMingCN",
    "ＭＳ 明朝": "UMingCN",
    "黑体": "NotoSansCJK",
}


def used_fonts(pdf: Path) -> dict[str, set[str]]:
    """Each line's text → the names of the fonts its characters are set in (PDFium)."""
    import ctypes

    import pypdfium2.raw as raw

    out: dict[str, set[str]] = {}
    for page in pdfium.PdfDocument(pdf):
        textpage = page.get_textpage()
        line, fonts = "", set()
        for index in range(textpage.count_chars()):
            char = textpage.get_text_range(index, 1)
            if char in "\r\n":
                if line:
                    out[line] = fonts
                line, fonts = "", set()
                continue
            buffer = ctypes.create_string_buffer(256)
            size = raw.FPDFText_GetFontInfo(textpage, index, buffer, 256, None)
            fonts.add(buffer.raw[: max(size - 1, 0)].decode("utf-8", "replace").split("+")[-1])
            line += char
        if line:
            out[line] = fonts
    return out


def test_chinese_font_names_are_set_in_the_faces_measured_closest_to_word(office, tmp_path):
    """Given a Word file with a paragraph in each Chinese font name (and the Traditional
    Chinese and Japanese names of the Song style), then each is set in the face
    bench/fonts.py measured closest to Word's page counts — not in fontconfig's fallback."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    for name in FACES:
        run = document.add_paragraph().add_run(f"{name}段落文字测试")
        run.font.name = name
        run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    source, target = tmp_path / "fonts.docx", tmp_path / "fonts.pdf"
    document.save(source)
    office.convert(source, target)
    fonts = used_fonts(target)
    for name, face in FACES.items():
        [line] = [line for line in fonts if line.startswith(name)]
        assert {face} == {font[: len(face)] for font in fonts[line]}, (name, fonts[line])
