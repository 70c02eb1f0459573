"""Ingest benchmark: Wenku's real pipeline against the anchors' method, on one mixed corpus.

Run from the repository root: ``.venv/bin/python bench/ingest.py [--runs 7] [--seed N]``.

Corpus (``corpus.py``, new random content every run unless ``--seed`` is given):
10-page docx, 100-page docx, 20-slide pptx, 4-sheet xlsx, 50-page PDF, GBK txt,
Markdown, EPUB, all realistic Chinese text.

Wenku is measured end to end through its HTTP API: ``wenku serve`` (gunicorn and one
worker with its warm, sandboxed LibreOffice) on a fresh data folder and a free port,
with default settings, after a warm-up upload of one small file per converter kind.
Every time runs from just before the upload request starts; "first page" is the
first 200 of ``GET /api/v1/documents/{id}/pages/1``, "ready" the first
``status`` of ``GET /api/v1/documents/{id}`` that ends processing: ``ready``, or
``held`` (converted, then held by the moderation review, e.g. the corpus's EPUB as a
near-copy of its other files; shown as such in the tables).

1. Latency: ``--runs`` different 10-page docx files, one at a time, idle worker.
2. Per format: each corpus file alone, idle worker; pages/s = pages / seconds to
   ready. The worker's own stage timings are read from the database afterwards.
3. Whole corpus: every corpus file uploaded at once to a second fresh server (so no
   conversion is reused), seconds until the last one is ready.

Peak RSS is sampled every 25 ms with psutil: the worker process alone, LibreOffice
as the sum over the worker's descendants (bubblewrap, UNO bridge, soffice.bin), and
the web server (gunicorn master and workers).

The anchors' method (moredoc, DocHub), per file and sequentially: a cold ``soffice
--headless --convert-to pdf`` with a fresh profile, then one ``pdftoppm`` process per
page (PNG, 1000 px wide like Wenku's page images). Totals are given for the pages
Wenku renders during ingest (WENKU_EAGER_PAGES, 5), for 12 and for every page. Their
best case is measured beside it: soffice reusing a profile kept from earlier runs
(moredoc uses the default profile) and JPEG pages, which pdftoppm writes far faster
than PNG (the PNG encoder, not rendering, takes most of its time). LibreOffice
cannot open EPUB (the anchors use calibre, not installed here), so the anchors' EPUB
row renders the PDF Wenku made and counts no conversion time, in the anchors' favour.
A PDF needs no conversion in either method.

Goals (the issue, for a 2-core machine): first page of the 10-page docx visible
≤ 1.5 s after upload (median), whole corpus ≥ 2x faster than the anchors, worker
RSS ≤ 400 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil
import pypdfium2
import requests

from corpus import CorpusFile, build_corpus, build_docx_samples, build_warmup
from harness import (
    START_SECONDS,
    WenkuServer,
    cpus,
    load_average,
    machine,
    new_site,
    run_wenku,
    table,
    verdict,
    work_folder,
)
from wenku.ingest import keys

PREVIEW_PAGES = 5  # WENKU_EAGER_PAGES' default: pages Wenku renders during ingest
PAGE_WIDTH = 1000  # WENKU_PAGE_WIDTH's default
SAMPLE_SECONDS = 0.025  # RSS sampling period
POLL_SECONDS = 0.05  # API polling period while a document is being processed
QUEUED_POLL_SECONDS = 0.5  # ... and while it waits in the queue behind others
DOC_TIMEOUT = 300.0
PROCESSED = ("ready", "held")  # statuses that end processing (held: by the review)
GOAL_FIRST_PAGE = 1.5
GOAL_SPEEDUP = 2.0
GOAL_WORKER_MB = 400
MB = 1024 * 1024


# --- peak memory


class PeakSampler:
    """Calls ``measure`` every SAMPLE_SECONDS in a thread and keeps each key's peak (bytes)."""

    def __init__(self, measure: Callable[[], dict[str, int]]) -> None:
        self.measure = measure
        self.peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while True:
            try:
                sample = self.measure()
            except psutil.Error:
                sample = {}
            for key, value in sample.items():
                self.peaks[key] = max(self.peaks.get(key, 0), value)
            if self._stop.wait(SAMPLE_SECONDS):
                return

    def peak_mb(self, key: str) -> float:
        return self.peaks.get(key, 0) / MB


def rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def tree_rss(process: psutil.Process, include_root: bool = True) -> int:
    try:
        descendants = process.children(recursive=True)
    except psutil.Error:
        return 0
    return sum(map(rss, descendants)) + (rss(process) if include_root else 0)


# --- the Wenku server


class IngestServer(WenkuServer):
    """``wenku serve`` with its worker and default settings, a user with an API token;
    started once the worker's LibreOffice is ready."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.token = ""
        self.worker: psutil.Process | None = None
        self.web: list[psutil.Process] = []

    def start(self, seconds: float = START_SECONDS) -> None:
        new_site(self.data_dir)
        self.token = run_wenku(self.data_dir, "token", "bench").strip().splitlines()[-1]
        super().start(seconds)
        self.wait_until(lambda: "LibreOffice ready" in self.log(), 120, "the worker's LibreOffice")
        self.worker, self.web = self._processes()

    def _processes(self) -> tuple[psutil.Process, list[psutil.Process]]:
        """The worker process, and the web server's (gunicorn master) process."""
        children = self.process.children()
        worker = next(p for p in children if "worker" in p.cmdline())
        web = [p for p in children if any("gunicorn" in part for part in p.cmdline())]
        return worker, web

    def memory(self) -> dict[str, int]:
        assert self.worker is not None
        return {
            "worker": rss(self.worker),
            "libreoffice": tree_rss(self.worker, include_root=False),
            "web": sum(tree_rss(p) for p in self.web),
        }

    def stage_rows(self) -> dict[str, dict]:
        """Per uploaded file (by SHA-256): the worker's stage timings and timestamps."""
        query = """
            SELECT c.sha256, c.timings, c.started_at, c.finished_at, MIN(d.created_at)
            FROM ingest_conversion c JOIN library_document d ON d.conversion_id = c.id
            GROUP BY c.id
        """
        uri = f"file:{self.data_dir / 'wenku.sqlite3'}?mode=ro"
        with sqlite3.connect(uri, uri=True) as db:
            rows = db.execute(query).fetchall()
        return {
            sha: {
                "timings": json.loads(timings or "{}"),
                "started": _when(started),
                "finished": _when(finished),
                "created": _when(created),
            }
            for sha, timings, started, finished, created in rows
        }

    def rendition_pdf(self, file: CorpusFile) -> Path:
        return self.data_dir / "files" / keys.pdf(sha256(file.path))


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- following uploads through the API


@dataclass
class Ingest:
    """One upload followed through the API; times are seconds since the upload started."""

    file: CorpusFile
    started: float
    doc_id: int = 0
    status: str = "queued"
    first_page: float | None = None
    ready: float | None = None
    pages: int | None = None
    failure: str = ""
    last_poll: float = 0.0

    @property
    def done(self) -> bool:
        return self.status in (*PROCESSED, "failed", "timeout")

    @property
    def pages_per_second(self) -> float | None:
        return self.pages / self.ready if self.pages and self.ready else None


class Client:
    def __init__(self, server: IngestServer) -> None:
        self.base = f"{server.url}/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {server.token}"

    def upload(self, file: CorpusFile) -> Ingest:
        ingest = Ingest(file, time.perf_counter())
        with open(file.path, "rb") as fh:
            response = self.http.post(
                f"{self.base}/documents", files={"file": (file.path.name, fh)}, timeout=60
            )
        response.raise_for_status()
        ingest.doc_id = response.json()["id"]
        return ingest

    def poll(self, ingest: Ingest) -> None:
        """Check page 1 (until seen) and the status; record what changed."""
        ingest.last_poll = time.perf_counter()
        if ingest.first_page is None:
            page = self.http.get(f"{self.base}/documents/{ingest.doc_id}/pages/1", timeout=30)
            if page.status_code == 200:
                ingest.first_page = time.perf_counter() - ingest.started
        detail = self.http.get(f"{self.base}/documents/{ingest.doc_id}", timeout=30).json()
        ingest.status = detail["status"]
        if ingest.status in PROCESSED:
            ingest.ready = time.perf_counter() - ingest.started
            ingest.first_page = ingest.first_page or ingest.ready
            ingest.pages = detail["pages"]
        elif ingest.status == "failed":
            ingest.failure = f"{detail['failure_stage']}: {detail['failure_reason']}"
        elif time.perf_counter() - ingest.started > DOC_TIMEOUT:
            ingest.status = "timeout"

    def follow(self, ingests: list[Ingest], queued_every: float = QUEUED_POLL_SECONDS) -> None:
        """Poll until every upload is ready or failed.

        Documents being processed are polled every POLL_SECONDS; queued ones every
        ``queued_every``, and all at once after one finishes (the worker then takes
        the next), so that polling stays a small load on a 2-core machine.
        """
        pending = list(ingests)
        rush = False
        while pending:
            for ingest in pending:
                waited = time.perf_counter() - ingest.last_poll
                if ingest.status != "queued" or waited >= queued_every or rush:
                    self.poll(ingest)
            rush = any(i.done for i in pending)
            pending = [i for i in pending if not i.done]
            time.sleep(POLL_SECONDS)

    def ingest_one(self, file: CorpusFile) -> Ingest:
        ingest = self.upload(file)
        self.follow([ingest], queued_every=POLL_SECONDS)
        return ingest

    def ingest_all(self, files: list[CorpusFile]) -> tuple[list[Ingest], float]:
        """Upload every file back to back; seconds from the first upload to the last ready."""
        started = time.perf_counter()
        ingests = [self.upload(file) for file in files]
        self.follow(ingests)
        return ingests, time.perf_counter() - started


def warm_up(client: Client, folder: Path, seed: int) -> None:
    """One small file per converter kind, so the timed uploads meet a warm worker."""
    client.follow([client.upload(f) for f in build_warmup(folder, seed)])
    time.sleep(1.0)


# --- the anchors' method


@dataclass
class AnchorRun:
    """The anchors' costs for one file, in seconds.

    The issue's method: a cold soffice with a fresh profile, then one pdftoppm PNG
    process per page. Their best case, measured beside it: soffice reusing a profile
    left by earlier runs (moredoc runs soffice with the default profile) and JPEG
    pages, which pdftoppm writes several times faster than PNG.
    """

    file: CorpusFile
    convert: float = 0.0  # cold soffice, fresh profile (0 when no conversion is needed)
    convert_kept_profile: float = 0.0  # cold soffice, profile kept from earlier runs
    png_pages: list[float] = field(default_factory=list)  # one pdftoppm process per page
    jpeg_pages: list[float] = field(default_factory=list)
    peak_rss: int = 0  # of the soffice process tree
    note: str = ""

    def seconds(self, pages: int | None = None) -> float:
        return self.convert + sum(self.png_pages[:pages])

    def best_case(self, pages: int | None = None) -> float:
        return self.convert_kept_profile + sum(self.jpeg_pages[:pages])

    @property
    def pages(self) -> int:
        return len(self.png_pages)


@dataclass(frozen=True)
class Converted:
    pdf: Path
    seconds: float
    peak_rss: int


def soffice_convert(source: Path, outdir: Path, profile: Path) -> Converted:
    """LibreOffice started for this one file, as the anchors do, with the given profile."""
    options = "--headless --norestore --convert-to pdf --outdir".split()
    argv = ["soffice", f"-env:UserInstallation={profile.as_uri()}", *options, str(outdir)]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*argv, str(source)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    root = psutil.Process(proc.pid)
    with PeakSampler(lambda: {"soffice": tree_rss(root)}) as sampler:
        proc.wait(timeout=600)
    seconds = time.perf_counter() - started
    pdf = outdir / f"{source.stem}.pdf"
    if proc.returncode != 0 or not pdf.is_file():
        raise RuntimeError(f"soffice could not convert {source.name}")
    return Converted(pdf, seconds, sampler.peaks.get("soffice", 0))


def pdftoppm_page(pdf: Path, number: int, outdir: Path, image: str) -> float:
    """One page to a 1000 px wide image (``image``: png or jpeg) by its own process."""
    options = f"-f {number} -l {number} -{image} -scale-to-x {PAGE_WIDTH} -scale-to-y -1"
    argv = ["pdftoppm", *options.split(), str(pdf), str(outdir / "page")]
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started


def run_anchor(file: CorpusFile, workdir: Path, kept_profile: Path, epub_pdf: Path) -> AnchorRun:
    outdir = Path(tempfile.mkdtemp(prefix="anchor-", dir=workdir))
    try:
        if file.format == "pdf":
            run, pdf = AnchorRun(file, note="no conversion in either method"), file.path
        elif file.format == "epub":
            note = "soffice cannot open EPUB: anchors render Wenku's PDF, no conversion counted"
            run, pdf = AnchorRun(file, note=note), epub_pdf
        else:
            fresh = soffice_convert(file.path, outdir / "fresh", outdir / "profile")
            kept = soffice_convert(file.path, outdir / "kept", kept_profile)
            run = AnchorRun(file, fresh.seconds, kept.seconds, peak_rss=fresh.peak_rss)
            pdf = fresh.pdf
        with pypdfium2.PdfDocument(str(pdf)) as doc:
            numbers = range(1, len(doc) + 1)
        run.png_pages = [pdftoppm_page(pdf, n, outdir, "png") for n in numbers]
        run.jpeg_pages = [pdftoppm_page(pdf, n, outdir, "jpeg") for n in numbers]
        return run
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def run_anchors(corpus: list[CorpusFile], workdir: Path, epub_pdf: Path) -> dict[Path, AnchorRun]:
    """Every corpus file through the anchors' method, one after the other."""
    kept_profile = workdir / "anchor-profile"
    warm = next(f for f in corpus if f.format == "docx")  # creates the kept profile, untimed
    soffice_convert(warm.path, Path(tempfile.mkdtemp(prefix="anchor-", dir=workdir)), kept_profile)
    return {f.path: run_anchor(f, workdir, kept_profile, epub_pdf) for f in corpus}


# --- the report


def tools() -> dict[str, str]:
    """The versions of what the anchors' method runs."""
    office = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout
    poppler = subprocess.run(["pdftoppm", "-v"], capture_output=True, text=True).stderr
    return {
        "libreoffice": " ".join(office.split()[:2]),
        "poppler": poppler.splitlines()[0] if poppler else "unknown",
    }


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def latency_section(samples: list[Ingest]) -> tuple[str, float]:
    """Median and samples of the 10-page docx; returns the first-page median too."""
    firsts = [s.first_page for s in samples if s.first_page is not None]
    readies = [s.ready for s in samples if s.ready is not None]
    median = statistics.median(firsts) if firsts else float("inf")
    rows = [
        [label, fmt(statistics.median(values) if values else None), ", ".join(map(fmt, values))]
        for label, values in (("first page visible", firsts), ("ready", readies))
    ]
    intro = f"{len(samples)} different 10-page docx files, uploaded one at a time (idle worker):"
    return f"{intro}\n\n" + table(["seconds after upload", "median", "samples"], rows), median


FORMAT_HEADER = [
    "format", "size KB", "pages", "first page s", "ready s", "pages/s",
    "anchors first page s", f"anchors {PREVIEW_PAGES} pages s", "anchors all pages s",
    f"anchors best case {PREVIEW_PAGES} pages s",
]  # fmt: skip


def format_section(sequential: list[Ingest], anchors: dict[Path, AnchorRun]) -> str:
    rows = [format_row(i, anchors[i.file.path]) for i in sequential]
    notes = [f"- {a.file.label}: {a.note}" for a in anchors.values() if a.note]
    return "\n".join([table(FORMAT_HEADER, rows), "", *notes])


def format_row(ingest: Ingest, anchor: AnchorRun) -> list[str]:
    pages = str(ingest.pages or "—")
    if ingest.pages != anchor.pages:
        pages += f" (anchors {anchor.pages})"
    wenku = [fmt(ingest.first_page), fmt(ingest.ready), fmt(ingest.pages_per_second, 1)]
    anchors = [fmt(anchor.seconds(n)) for n in (1, PREVIEW_PAGES, None)]
    anchors.append(fmt(anchor.best_case(PREVIEW_PAGES)))
    return [ingest.file.label, f"{ingest.file.size / 1024:.0f}", pages, *wenku, *anchors]


def stage_section(sequential: list[Ingest], stages: dict[str, dict]) -> str:
    """Where the worker spends each file's time (its own timings, from the database).

    "other" is the rest of the worker's time on the job: fetching the upload from
    storage, claiming, publishing (whose own timing is not stored).
    """
    names = ["preflight", "normalise", "read", "count", "render"]
    rows = []
    for ingest in sequential:
        row = stages.get(sha256(ingest.file.path))
        if row is None or row["started"] is None or row["finished"] is None:
            continue
        timings = row["timings"]
        wait = (row["started"] - row["created"]).total_seconds()
        busy = (row["finished"] - row["started"]).total_seconds()
        other = busy - sum(timings.get(n, 0) for n in names)
        cells = [fmt(timings.get(n)) for n in names]
        rows.append([ingest.file.label, fmt(wait), *cells, fmt(other), fmt(busy)])
    return table(["format", "queue wait", *names, "other", "worker total"], rows)


def batch_section(batch: list[Ingest], total: float) -> str:
    rows = [
        [i.file.label, i.status, fmt(i.first_page), fmt(i.ready), i.failure or ""] for i in batch
    ]
    return (
        table(["format", "status", "first page s", "ready s", "failure"], rows)
        + f"\n\nAll {len(batch)} files uploaded at once: last one ready after {total:.2f} s. "
        f"(Queued files are polled every {QUEUED_POLL_SECONDS} s, so the per-file times above "
        "are coarse; the last one is followed closely.)"
    )


@dataclass(frozen=True)
class Speedups:
    issue: float  # over the issue's method, PREVIEW_PAGES PNG pages per file
    best_case: float  # over the anchors' best case, PREVIEW_PAGES JPEG pages per file


def totals_section(
    batch: list[Ingest], batch_total: float, anchors: dict[Path, AnchorRun]
) -> tuple[str, Speedups]:
    """Whole-corpus seconds of each method, and Wenku's speed-up over each."""
    runs = list(anchors.values())
    n = PREVIEW_PAGES
    methods = {
        f"anchors: fresh profile, {n} PNG pages per file (the issue's method)": [
            a.seconds(n) for a in runs
        ],
        "anchors: fresh profile, 12 PNG pages per file": [a.seconds(12) for a in runs],
        "anchors: fresh profile, every page as PNG": [a.seconds() for a in runs],
        f"anchors' best case: kept profile, {n} JPEG pages per file": [
            a.best_case(n) for a in runs
        ],
    }
    rows = [["Wenku: every file uploaded at once, 1 worker", fmt(batch_total), "—"]]
    rows += [[m, fmt(sum(t)), f"{sum(t) / batch_total:.2f}x"] for m, t in methods.items()]
    pages = sum(i.pages or 0 for i in batch)
    lines = [
        table(["whole corpus (the anchors: file after file)", "seconds", "Wenku faster by"], rows),
        "",
        f"Wenku: {pages} pages in {batch_total:.2f} s = {pages / batch_total:.0f} pages/s",
        anchor_costs(runs),
    ]
    speedups = Speedups(
        issue=sum(a.seconds(n) for a in runs) / batch_total,
        best_case=sum(a.best_case(n) for a in runs) / batch_total,
    )
    return "\n".join(lines), speedups


def anchor_costs(runs: list[AnchorRun]) -> str:
    """What one step of the anchors' method costs on average."""
    fresh = [a.convert for a in runs if a.convert]
    kept = [a.convert_kept_profile for a in runs if a.convert_kept_profile]
    png = [t for a in runs for t in a.png_pages]
    jpeg = [t for a in runs for t in a.jpeg_pages]
    return (
        f"Anchors, mean per file: soffice {statistics.mean(fresh):.2f} s with a fresh profile "
        f"({min(fresh):.2f}-{max(fresh):.2f}), {statistics.mean(kept):.2f} s with a kept one; "
        f"mean per page ({len(png)} pages): pdftoppm {statistics.mean(png):.3f} s to PNG, "
        f"{statistics.mean(jpeg):.3f} s to JPEG"
    )


def memory_section(
    server_peaks: list[PeakSampler], anchors: dict[Path, AnchorRun]
) -> tuple[str, float]:
    """Peak RSS in MB; returns the worker's own peak too (the goal's figure)."""

    def peak(key: str) -> float:
        return max(s.peak_mb(key) for s in server_peaks)

    anchor = max((a.peak_rss for a in anchors.values()), default=0) / MB
    rows = [
        ["Wenku worker process (without LibreOffice)", peak("worker")],
        ["Wenku worker's LibreOffice (bwrap + UNO bridge + soffice.bin)", peak("libreoffice")],
        ["Wenku web server (gunicorn, all processes)", peak("web")],
        ["anchors' cold soffice (largest of the files)", anchor],
    ]
    text = table(["process", "peak RSS MB"], [[name, f"{mb:.0f}"] for name, mb in rows])
    return text, peak("worker")


def goals_section(
    median: float, speedups: Speedups, worker_mb: float, failures: list[Ingest]
) -> str:
    n = PREVIEW_PAGES
    lines = [
        f"{verdict(median <= GOAL_FIRST_PAGE)}  first page of the 10-page docx: "
        f"{fmt(median)} s (median), goal <= {GOAL_FIRST_PAGE} s",
        f"{verdict(speedups.issue >= GOAL_SPEEDUP)}  whole corpus: {speedups.issue:.2f}x faster "
        f"than the anchors ({n} PNG pages each), goal >= {GOAL_SPEEDUP:.0f}x",
        f"{verdict(speedups.best_case >= GOAL_SPEEDUP)}  whole corpus: {speedups.best_case:.2f}x "
        f"faster than the anchors' best case ({n} JPEG pages each), goal >= {GOAL_SPEEDUP:.0f}x",
        f"{verdict(worker_mb <= GOAL_WORKER_MB)}  worker RSS: {worker_mb:.0f} MB, "
        f"goal <= {GOAL_WORKER_MB} MB",
        f"{verdict(not failures)}  every upload ready",
    ]
    lines += [f"      {i.file.label}: {i.status} {i.failure}" for i in failures]
    if cpus() != 2:
        lines.append(f"note: the goals are set for a 2-core machine; this one has {cpus()}.")
    return "\n".join(lines)


# --- main


@dataclass
class Results:
    samples: list[Ingest]
    sequential: list[Ingest]
    batch: list[Ingest]
    batch_total: float
    anchors: dict[Path, AnchorRun]
    stages: dict[str, dict]
    peaks: list[PeakSampler]


def measure(work: Path, seed: int, runs: int) -> Results:
    print("building the corpus ...", flush=True)
    corpus = build_corpus(work / "corpus", seed)
    samples_files = build_docx_samples(work / "samples", seed + 1, runs)
    epub = next(f for f in corpus if f.format == "epub")

    print("server 1: latency samples and formats one at a time ...", flush=True)
    with IngestServer(work / "data-1") as server:
        client = Client(server)
        warm_up(client, work / "warm-1", seed + 2)
        with PeakSampler(server.memory) as peaks_1:
            samples = [_one_idle(client, f) for f in samples_files]
            sequential = [_one_idle(client, f) for f in corpus]
    stages = server.stage_rows()
    epub_pdf = server.rendition_pdf(epub)

    print("anchors: cold soffice + one pdftoppm per page ...", flush=True)
    anchors = run_anchors(corpus, work, epub_pdf)

    print("server 2: the whole corpus at once ...", flush=True)
    with IngestServer(work / "data-2") as server:
        client = Client(server)
        warm_up(client, work / "warm-2", seed + 3)
        with PeakSampler(server.memory) as peaks_2:
            batch, batch_total = client.ingest_all(corpus)
    return Results(samples, sequential, batch, batch_total, anchors, stages, [peaks_1, peaks_2])


def _one_idle(client: Client, file: CorpusFile) -> Ingest:
    time.sleep(0.5)  # let the worker go back to idle polling
    ingest = client.ingest_one(file)
    print(
        f"  {file.label:20} first page {fmt(ingest.first_page)} s, "
        f"ready {fmt(ingest.ready)} s, {ingest.status}",
        flush=True,
    )
    return ingest


def report(results: Results, info: dict[str, str], seed: int) -> None:
    latency, median = latency_section(results.samples)
    totals, speedups = totals_section(results.batch, results.batch_total, results.anchors)
    memory, worker_mb = memory_section(results.peaks, results.anchors)
    every = results.samples + results.sequential + results.batch
    failures = [i for i in every if i.status not in PROCESSED]
    machine_lines = [f"- {key}: {value}" for key, value in info.items()]
    sections = [
        "## Machine\n\n" + "\n".join(machine_lines) + f"\n- corpus seed: {seed}",
        "## First page, 10-page docx\n\n" + latency,
        "## Per format (each file alone, idle worker)\n\n"
        + format_section(results.sequential, results.anchors),
        "## Worker stages (seconds, the worker's own timings)\n\n"
        + stage_section(results.sequential, results.stages),
        "## Whole corpus at once\n\n" + batch_section(results.batch, results.batch_total),
        "## Totals\n\n" + totals,
        "## Peak RSS\n\n" + memory,
        "## Goals\n\n" + goals_section(median, speedups, worker_mb, failures),
    ]
    print("\n\n" + "\n\n".join(sections))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="10-page docx samples (default 7)")
    parser.add_argument("--seed", type=int, help="corpus seed (default: a new random one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    seed = secrets.randbits(32) if args.seed is None else args.seed
    info = machine(**tools())
    with work_folder("wenku-bench-", keep=args.keep) as work:
        results = measure(work, seed, args.runs)
        info["load average after"] = load_average()
        report(results, info, seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
