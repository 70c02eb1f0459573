"""Text for scanned pages: which pages need OCR, recognising them, and writing their text.

A page needs OCR when its PDF text is empty or negligible (under ``MIN_TEXT`` characters
that are not spaces) while it draws images: a scan, or a photographed page inside an
office file. The Read stage marks such pages ``ocr=pending``; publishing queues the work
after the document is published (it is readable at once; its text arrives later) and,
when it is done, runs what follows new text (counts, fingerprint, index, related lists).

Recognition runs in a child process (``ocr_engine``), never in the worker itself: one
process per batch of pages, with an address-space limit (``WENKU_OCR_MEMORY_MB``) and a
time limit per page (``WENKU_OCR_PAGE_SECONDS``), killed with its whole process group on a
timeout; a page that times out or crashes its engine fails alone and the batch goes on in
a fresh process. The engine's lines are put in reading order (``reading_order``): columns
left to right, vertical text right to left, side-by-side cells as rows.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import logging
import os
import re
import resource
import select
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from wenku.config import conf
from wenku.core.storage import get_storage
from wenku.ingest.counting import count_chars
from wenku.ingest.models import Conversion, OcrState, Page
from wenku.worker.slots import slot

log = logging.getLogger(__name__)
MIN_TEXT = 20  # a page with fewer printed characters than this and an image is a scan
START_SECONDS = 60.0  # loading the models


@dataclass(frozen=True)
class OcrLine:
    left: float
    top: float
    right: float
    bottom: float
    text: str

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class PageResult:
    number: int
    text: str = ""
    error: str = ""


@dataclass(frozen=True)
class OcrSettings:
    python: str
    memory_mb: int
    page_seconds: float
    dpi: int = 200

    @classmethod
    def from_conf(cls) -> OcrSettings:
        w = conf()
        return cls(sys.executable, w.ocr_memory_mb, float(w.ocr_page_seconds))


def needs_ocr(text: str, has_images: bool) -> bool:
    return has_images and len("".join(text.split())) < MIN_TEXT


# --- reading order


def reading_order(lines: Sequence[OcrLine], page_width: float) -> list[OcrLine]:
    """The engine's lines (which it sorts top to bottom, then left to right) in the order a
    reader reads them: a vertical page by columns right to left; otherwise sections split
    by lines crossing a column gutter, each read column by column, and within a column
    side-by-side lines (table cells) as one row."""
    lines = [line for line in lines if line.text.strip()]
    if not lines:
        return []
    tall = sum(1 for line in lines if line.height > 1.5 * line.width)
    if tall >= 0.6 * len(lines):
        return sorted(lines, key=lambda line: (-line.right, line.top))
    gutters = _gutters(lines, page_width)
    ordered: list[OcrLine] = []
    for section in _sections(sorted(lines, key=lambda line: line.top), gutters):
        for column in _columns(section, gutters):
            ordered.extend(_rows(column))
    return ordered


def _gutters(lines: Sequence[OcrLine], page_width: float) -> list[float]:
    """x positions that wide lines (≥ 0.2 × page width) do not cross — but for a few, which
    span the columns — with three or more of them wholly on each side: the gaps between
    columns."""
    wide = [line for line in lines if line.width >= 0.2 * page_width]
    if len(wide) < 6:
        return []
    left_edge = min(line.left for line in wide)
    right_edge = max(line.right for line in wide)
    step = max(page_width / 200, 1.0)
    samples: list[tuple[float, int, bool]] = []  # (x, lines crossing, free)
    x = left_edge + step
    while x < right_edge:
        crossed = sum(1 for line in wide if line.left < x < line.right)
        left = sum(1 for line in wide if line.right <= x)
        right = sum(1 for line in wide if line.left >= x)
        # A few lines may cross (titles over both columns: they become section breaks).
        samples.append((x, crossed, crossed <= 0.25 * len(wide) and left >= 3 and right >= 3))
        x += step
    gutters: list[float] = []
    for free, run in itertools.groupby(samples, key=lambda sample: sample[2]):
        if free:
            gutters.append(_clearest(list(run)))
    return gutters


def _clearest(run: list[tuple[float, int, bool]]) -> float:
    """The middle of the widest stretch of a free band that the fewest lines cross."""
    fewest = min(crossed for _, crossed, _ in run)
    best: list[float] = []
    for clear, stretch in itertools.groupby(run, key=lambda sample: sample[1] == fewest):
        xs = [x for x, _, _ in stretch]
        if clear and len(xs) > len(best):
            best = xs
    return (best[0] + best[-1]) / 2


def _sections(lines: list[OcrLine], gutters: list[float]) -> Iterator[list[OcrLine]]:
    """Runs of lines between lines that cross a gutter (a title over both columns)."""
    section: list[OcrLine] = []
    for line in lines:
        if gutters and any(line.left < g < line.right for g in gutters):
            if section:
                yield section
            yield [line]
            section = []
        else:
            section.append(line)
    if section:
        yield section


def _columns(section: list[OcrLine], gutters: list[float]) -> list[list[OcrLine]]:
    bounds = [float("-inf"), *gutters, float("inf")]
    columns: list[list[OcrLine]] = [[] for _ in range(len(bounds) - 1)]
    for line in section:
        centre = (line.left + line.right) / 2
        for index in range(len(bounds) - 1):
            if bounds[index] <= centre < bounds[index + 1]:
                columns[index].append(line)
                break
    return [c for c in columns if c]


def _rows(column: list[OcrLine]) -> list[OcrLine]:
    """Top to bottom; lines side by side (vertically overlapping by half their height and
    not overlapping horizontally) form one row, read left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted(column, key=lambda line: line.top):
        row = rows[-1] if rows else None
        if row is not None:
            overlap = min(line.bottom, max(r.bottom for r in row)) - max(
                line.top, min(r.top for r in row)
            )
            beside = all(line.left >= r.right - 1 or line.right <= r.left + 1 for r in row)
            usual = statistics.median(r.height for r in row)
            if beside and overlap >= 0.5 * min(line.height, usual):
                row.append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda line: line.left)]


_CJK = (
    r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
)
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def page_text(lines: Sequence[OcrLine], page_width: float) -> str:
    """The page's text: its lines in reading order, one per line, without the spaces an
    engine puts between CJK characters."""
    ordered = reading_order(lines, page_width)
    return "\n".join(_CJK_SPACE.sub("", line.text.strip()) for line in ordered)


# --- running the engine


def recognise(pdf: Path, numbers: Sequence[int], settings: OcrSettings) -> list[PageResult]:
    """Recognise pages ``numbers`` of ``pdf`` in child processes; a result per page."""
    results: list[PageResult] = []
    remaining = list(numbers)
    while remaining:
        done = _run_engine(pdf, remaining, settings)
        results.extend(done)
        finished = {r.number for r in done}
        remaining = [n for n in remaining if n not in finished]
    return results


def _run_engine(pdf: Path, numbers: list[int], settings: OcrSettings) -> list[PageResult]:
    """One engine process over ``numbers``; returns at least one result (the page it was on
    fails if the process times out or dies), so the caller always makes progress."""
    limit = settings.memory_mb * 1024 * 1024

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    proc = subprocess.Popen(
        [settings.python, "-m", "wenku.ingest.ocr_engine"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
        preexec_fn=limits,
    )
    results: list[PageResult] = []
    reader = _Lines(proc)
    try:
        assert proc.stdin is not None
        request = {"pdf": str(pdf), "pages": numbers, "dpi": settings.dpi}
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        proc.stdin.close()
        if not reader.next(START_SECONDS).get("ready"):
            raise EOFError("the OCR engine did not start")
        for number in numbers:
            answer = reader.next(settings.page_seconds)
            results.append(_result(number, answer))
    except TimeoutError:
        number = numbers[len(results)]
        log.warning("OCR of page %s timed out after %ss", number, settings.page_seconds)
        results.append(PageResult(number, error="timeout"))
    except (EOFError, BrokenPipeError, ValueError) as exc:
        number = numbers[len(results)]
        log.warning("OCR engine stopped at page %s: %s", number, exc)
        results.append(PageResult(number, error="engine stopped"))
    finally:
        _kill(proc)
    return results


def _result(number: int, answer: dict) -> PageResult:
    if answer.get("page") != number:
        raise ValueError(f"answer for page {answer.get('page')}, expected {number}")
    if "error" in answer:
        return PageResult(number, error=str(answer["error"]))
    lines = [OcrLine(a[0], a[1], a[2], a[3], str(a[4])) for a in answer.get("lines", [])]
    return PageResult(number, text=page_text(lines, float(answer.get("width") or 595)))


class _Lines:
    """JSON lines from the engine's stdout, each awaited with a deadline."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.fd = proc.stdout.fileno()
        self.buffer = b""

    def next(self, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    raise EOFError("the OCR engine exited")
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


# --- pages of a conversion


def pending_pages(conversion: Conversion, limit: int) -> list[int]:
    """Numbers of pages still waiting for OCR, first pages first."""
    return list(
        Page.objects.filter(conversion=conversion, ocr=OcrState.PENDING)
        .order_by("number")
        .values_list("number", flat=True)[:limit]
    )


def recognise_pages(conversion: Conversion, numbers: Sequence[int]) -> list[PageResult]:
    """Recognise these pages of a ready conversion and store their text (marked as OCR'd)
    and 字数; the conversion's count follows. Pages that fail are marked failed, keeping
    whatever text they had."""
    storage = get_storage()
    # At most WENKU_OCR_CONCURRENCY engines on this machine (each takes a core and ~1.5 GB).
    with storage.local_file(conversion.pdf_key) as pdf, slot("ocr", conf().ocr_concurrency):
        results = recognise(pdf, numbers, OcrSettings.from_conf())
    store_results(conversion, results)
    return results


def store_results(conversion: Conversion, results: Sequence[PageResult]) -> None:
    with transaction.atomic():
        for result in results:
            pages = Page.objects.filter(conversion=conversion, number=result.number)
            if result.error:
                pages.update(ocr=OcrState.FAILED)
            else:
                pages.update(
                    text=result.text,
                    char_count=count_chars(result.text),
                    blocks=None,
                    ocr=OcrState.DONE,
                )
        recount(conversion)


def recount(conversion: Conversion) -> None:
    """The conversion's 字数 from its pages."""
    total = sum(Page.objects.filter(conversion=conversion).values_list("char_count", flat=True))
    Conversion.objects.filter(pk=conversion.pk).update(char_count=total)
    conversion.char_count = total


# --- a scanned-looking page with known text (wenku doctor, tests, bench/ocr.py)

SAMPLE_LINES = (
    "各企业要落实一企一策要求，全面推进雨污分流改造。",
    "审批时限压缩至五个工作日，群众满意度持续提升。",
    "朱镕基同志强调，2024年3月15日前完成21.05亿元投资。",
)


def cjk_font() -> str:
    """The file of a Chinese serif face fontconfig knows (fonts-noto-cjk), or ''."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "Noto Serif CJK SC:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return found if found and Path(found).is_file() else ""


def scanned_page(
    pages: Sequence[Sequence[str]], *, dpi: int = 200, font_size: float = 14.0
) -> bytes:
    """A PDF of A4 pages that are only images of ``pages``' lines (as a scanner makes them):
    no text layer at all, so only OCR can read them."""
    from PIL import Image, ImageDraw, ImageFont

    path = cjk_font()
    if not path:
        raise RuntimeError("no Chinese font: install fonts-noto-cjk")
    index = _face_index(path, "Noto Serif CJK SC")
    font = ImageFont.truetype(path, size=round(font_size / 72 * dpi), index=index)
    images = []
    for lines in pages:
        image = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
        draw = ImageDraw.Draw(image)
        y = dpi  # an inch from the top
        for line in lines:
            draw.text((dpi, y), line, font=font, fill=0)
            y += round(font_size * 1.8 / 72 * dpi)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def _face_index(path: str, family: str) -> int:
    """The index of ``family`` inside a font collection (.ttc), else 0."""
    from PIL import ImageFont

    for index in range(16):
        try:
            face = ImageFont.truetype(path, size=10, index=index)
        except OSError:
            break
        if face.getname()[0] == family:
            return index
    return 0


@dataclass(frozen=True)
class OcrCheck:
    ok: bool
    detail: str


def selftest(settings: OcrSettings | None = None) -> OcrCheck:
    """Recognise a rendered Chinese page with the real engine (as jobs run it) and compare
    with its text: what ``wenku doctor`` reports."""
    import tempfile

    settings = settings or OcrSettings.from_conf()
    truth = "".join(SAMPLE_LINES)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "sample.pdf"
        pdf.write_bytes(scanned_page([SAMPLE_LINES]))
        started = time.monotonic()
        [result] = recognise(pdf, [1], settings)
        seconds = time.monotonic() - started
    if result.error:
        return OcrCheck(False, f"the engine failed on a Chinese page: {result.error}")
    want, got = _letters(truth), _letters(result.text)
    errors = _distance(want, got)
    rate = errors / max(len(want), 1)
    detail = f"a rendered Chinese page read with {rate:.1%} errors in {seconds:.1f}s"
    return OcrCheck(rate <= 0.05, detail)


_LETTERS = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")


def _letters(text: str) -> str:
    return "".join(_LETTERS.findall(text))


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (characters)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
