"""Pages benchmark: the document page and the home page of a library of 10,000 documents.

Run from the repository root: ``.venv/bin/python bench/pages.py [--documents 10000]``.

The library (a fresh data folder, every run):

- ``--real`` (default 40) realistic Chinese documents (``corpus.py``: docx of 1-100
  pages, pptx decks, PDFs, xlsx, GBK txt, Markdown) go through the real pipeline with
  ``wenku import --wait``;
- the rest of the ``--documents`` are database rows (``bulk_create``) that reuse those
  conversions, as identical uploads do in Wenku, with their own titles, descriptions
  (or none, then the page reads its excerpt from the text), categories in a tree,
  tags, uploaders, view counts, pricing, upload addresses and publish dates;
- then ``wenku reindex --related`` indexes them all and stores each one's related
  documents, as the worker does for every document it publishes.

Server time: the WSGI application (``wenku.wsgi.application``, every middleware,
real templates, SQLite in WAL mode as ``wenku serve`` uses it) is called in this
process with a hand-built WSGI environ, ``--requests`` times for document pages
(random documents) and for the home page, after a warm-up; the time runs from the
call to the response's ``close()``. Requests look like a returning anonymous reader
in a browser: a browser User-Agent and the visitor and CSRF cookies of one of 1,000
visitors. Each request's time is split, through Django's own hooks, into template
rendering, SQL execution and opening/closing the database connection (the rest is
middleware, the view and the ORM in Python). SQL queries per page are counted in a
separate pass (CaptureQueriesContext); ``--profile N`` adds a cProfile of N
document-page requests.

Requests per second: ``wenku serve --no-worker`` (its defaults: gunicorn gthread,
2 processes x 2 threads; no ingest worker, nothing is being converted) on
127.0.0.1 and a free port, loaded by ``wrk`` with a Lua script that picks a random
document (and visitor) per request; also the home page, and ``/robots.txt``, the
cheapest Django view, as the ceiling of the stack. wrk runs on the same machine and
takes CPU from the server: its own CPU time is reported.

Largest Contentful Paint: Debian's Chromium, driven by Playwright, opens document pages
from the same server (a desktop window of 1366 x 900, device pixel ratio 1) and reads the
last ``largest-contentful-paint`` entry once the page has loaded. Cold: a fresh browser
context (empty cache) for each of ``--lcp-samples`` random documents; warm: the same
document again in the same context (its images and static files cached, as for a reader
who comes back); the LCP element is named (the first page's image, normally).

Goals (the issues, for a 2-core machine): document page p50 <= 15 ms server time,
>= 500 requests/s (judged on document pages); document page LCP <= 1.0 s cold on
loopback (issue 12).
"""

from __future__ import annotations

import argparse
import cProfile
import html
import io
import pstats
import random
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import psutil
import requests

from corpus import (
    OBJECTS,
    SUBJECTS,
    TOPICS,
    ChineseText,
    docx_bytes,
    docx_to_pdf,
    gbk_text_bytes,
    markdown_text,
    pptx_bytes,
    xlsx_bytes,
)
from harness import (
    cpus,
    load_average,
    machine,
    new_site,
    percentile,
    run_wenku,
    running_server,
    setup_django,
    stats,
    table,
    verdict,
    work_folder,
)

GOAL_P50_MS = 15.0
GOAL_RPS = 500.0  # signed-in readers (issue 13; anonymous readers' until then)
GOAL_ANONYMOUS_RPS = 1500.0  # anonymous readers, page cache warm (issue 13)
GOAL_P99_MS = 50.0  # under load, wrk's p99 (issue 13)
GOAL_LCP_COLD_S = 1.0
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
# The last LCP candidate (buffered: those before the observer too), and what it is.
READ_LCP = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    const last = entries[entries.length - 1];
    const el = last.element;
    resolve([last.startTime, el ? (el.id || el.closest('[id]')?.id || el.tagName) : '']);
  }).observe({type: 'largest-contentful-paint', buffered: true});
})"""
VISITORS = 1000
SIGNED_IN = 100  # readers with a session, among the visitors
WARM_THREADS = 8
PAGE_URL_SECONDS = 600  # WENKU_PAGE_URL_SECONDS' default, which the page cache follows
WARMUP_REQUESTS = 50
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
BROWSER_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
    "Accept-Encoding": "gzip, deflate, br",
}


# --- the real documents


@dataclass(frozen=True)
class RealFile:
    path: Path
    format: str


DOCX_PAGES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100)


def build_real_files(
    folder: Path, count: int, rng: random.Random, docx_pages: tuple[int, ...] = DOCX_PAGES
) -> list[RealFile]:
    """``count`` different documents: mostly Word (of ``docx_pages`` pages in turn), then
    slides, PDFs and the rest."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = ["docx"] * 22 + ["pptx"] * 8 + ["pdf"] * 4 + ["xlsx", "xlsx", "txt", "txt", "md", "md"]
    rng.shuffle(kinds)
    files = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        text = ChineseText(random.Random(rng.getrandbits(64)))
        name = f"{i + 1:03d}-{text.title()}"
        if kind == "docx":
            data = docx_bytes(docx_pages[i % len(docx_pages)], text)
        elif kind == "pptx":
            data = pptx_bytes(rng.randint(5, 30), text)
        elif kind == "xlsx":
            data = xlsx_bytes(rng.randint(1, 3), rng.randint(30, 120), text)
        elif kind == "txt":
            data = gbk_text_bytes(rng.randint(3, 12), text)
        elif kind == "md":
            data = markdown_text(rng.randint(2, 8), text).encode()
        else:  # pdf: a Word report converted once, untimed
            source = folder / f"{name}.source.docx"
            source.write_bytes(docx_bytes(rng.choice((8, 16, 30, 50)), text))
            docx_to_pdf(source, folder / f"{name}.pdf")
            source.unlink()
            files.append(RealFile(folder / f"{name}.pdf", "pdf"))
            continue
        path = folder / f"{name}.{kind}"
        path.write_bytes(data)
        files.append(RealFile(path, kind))
    return files


def ingest_real_files(data_dir: Path, folder: Path) -> None:
    """A fresh site with an administrator, then ``wenku import --wait`` of the folder."""
    new_site(data_dir)
    run_wenku(data_dir, "import", str(folder), "--wait")


# --- the rest of the library, as rows


CATEGORY_TREE = {
    ("工作总结/汇报", "work"): ["年终总结", "述职报告", "工作计划", "调研报告"],
    ("教育/试卷", "exam"): ["小学试卷", "初中试卷", "高中试卷", "高考真题", "考研资料"],
    ("教案/课件", "teaching"): ["语文教案", "数学教案", "英语课件", "幼儿教育"],
    ("公文/党建", "official"): ["党建材料", "心得体会", "规章制度", "通知公告"],
    ("演讲稿", "speech"): ["主持词", "发言稿", "致辞"],
    ("合同/范本", "contract"): ["劳动合同", "租赁合同", "协议书", "表格模板"],
    ("技术资料", "tech"): ["计算机", "建筑工程", "机械电子", "医学"],
    ("English", "english"): ["Reports", "Lecture notes", "Papers"],
}
TAG_WORDS = (
    "总结 报告 计划 方案 教案 课件 试卷 真题 答案 合同 范本 模板 制度 党建 心得 演讲 "
    "发言 述职 调研 可行性 论文 开题 毕业设计 复习 期末 期中 高考 中考 考研 语文 数学 英语 "
    "物理 化学 生物 历史 地理 政治 管理 财务 审计 安全 质量 培训 营销 人力资源 信息化 "
    "数字化 工程 施工 招标 投标 预算 绩效 考核 规划 标准 规范 指南 手册 说明书 PPT Word Excel"
).split()
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐".replace("", " ").split()
EN_TOPICS = (
    "Annual Report", "Lecture Notes on Linear Algebra", "Project Proposal", "Meeting Minutes",
    "Course Syllabus", "Market Analysis", "Research Paper", "User Manual", "Business Plan",
)  # fmt: skip
SUFFIXES = (
    "", "", "", "（完整版）", "（精选）", "（最新）", "范文", "模板", "（word可编辑）", "PPT课件",
)  # fmt: skip
ORGS = (*SUBJECTS, "某某市", "某某县", "某公司", "某中学", "某医院")
DOCUMENT_FIELDS = (
    "title", "description", "owner", "category", "view_count", "download_count",
    "published_at", "upload_ip", "pricing", "price",
)  # fmt: skip
# Upload addresses: public ranges of Chinese provinces, and some loopback and LAN ones.
ADDRESS_PREFIXES = (
    "61.139.", "118.112.", "113.108.", "14.215.", "123.125.", "202.96.", "221.12.",
    "58.246.", "117.136.", "36.110.", "183.60.", "125.88.", "222.90.", "60.12.",
)  # fmt: skip


def populate(total: int, rng: random.Random) -> dict[str, object]:
    """Turn the imported documents into a library of ``total`` ready documents."""
    from django.db import connection, transaction
    from django.utils import timezone

    from wenku.accounts.models import User
    from wenku.ingest.models import Conversion
    from wenku.library.models import Category, Document, Tag

    imported = Document.objects.count()
    real = list(Document.objects.filter(status="ready").select_related("conversion"))
    conversions = [d.conversion for d in real]
    if not real:
        raise RuntimeError("no imported document is ready")
    now = timezone.now()
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(username=f"{rng.choice(SURNAMES)}{'老师 同学 工 经理'.split()[i % 4]}{i}")
                for i in range(60)
            ]
        )
        categories = []
        for position, ((name, slug), children) in enumerate(CATEGORY_TREE.items()):
            root = Category.objects.create(name=name, slug=slug, position=position)
            categories.append(root)
            categories += Category.objects.bulk_create(
                Category(name=child, slug=f"{slug}-{n}", parent=root, position=n)
                for n, child in enumerate(children)
            )
        tags = Tag.objects.bulk_create(Tag(name=word) for word in TAG_WORDS)
        for doc in real:  # the imported ones get the same kind of metadata
            _describe(doc, rng, users, categories, now)
        Document.objects.bulk_update(real, DOCUMENT_FIELDS)
        made = []
        for _ in range(total - len(real)):
            source = rng.choice(real)
            doc = Document(
                conversion_id=source.conversion_id,
                original_name=source.original_name,
                size=source.size,
                format=source.format,
                page_count=source.page_count,
                char_count=source.char_count,
                status="ready",
            )
            _describe(doc, rng, users, categories, now)
            made.append(doc)
        made = Document.objects.bulk_create(made, batch_size=1000)
        through = Document.tags.through
        links = [
            through(document_id=doc.pk, tag_id=tag.pk)
            for doc in real + made
            for tag in rng.sample(tags, rng.choice((0, 1, 2, 3, 3, 4, 5)))
        ]
        through.objects.bulk_create(links, batch_size=2000)
        with connection.cursor() as cursor:  # uploaded when published, give or take
            cursor.execute(
                "UPDATE library_document SET created_at = published_at"
                " WHERE published_at IS NOT NULL"  # an import that failed was never published
            )
    connection.close()
    return {
        "documents (ready)": Document.objects.filter(status="ready").count(),
        "imported through the pipeline and ready": f"{len(real)} of {imported}",
        "conversions": Conversion.objects.filter(documents__isnull=False).distinct().count(),
        "pages in those conversions": sum(c.page_count or 0 for c in set(conversions)),
        "categories": len(categories),
        "tags": len(tags),
        "tag links": len(links),
        "uploaders": len(users),
    }


def _describe(doc, rng, users, categories, now) -> None:  # type: ignore[no-untyped-def]
    """Random but plausible metadata for one document."""
    text = ChineseText(rng)
    if rng.random() < 0.1:
        doc.title = f"{rng.randint(2018, 2025)} {rng.choice(EN_TOPICS)} {rng.randint(1, 99)}"
    else:
        org = rng.choice(ORGS)
        doc.title = f"{rng.randint(2018, 2025)}年{org}{rng.choice((*TOPICS, *OBJECTS))}"
        doc.title += rng.choice(SUFFIXES)
    doc.description = text.paragraph(rng.randint(60, 220)) if rng.random() < 0.6 else ""
    doc.owner = rng.choice(users)
    doc.category = rng.choice(categories) if rng.random() < 0.95 else None
    doc.view_count = min(int(rng.paretovariate(1.1) * 20) - 20, 500_000)
    doc.download_count = doc.view_count // rng.randint(5, 50)
    doc.published_at = now - timedelta(seconds=rng.uniform(0, 730 * 86400))
    roll = rng.random()
    if roll < 0.85:
        doc.upload_ip = f"{rng.choice(ADDRESS_PREFIXES)}{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    elif roll < 0.9:
        doc.upload_ip = f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    elif roll < 0.92:
        doc.upload_ip = "127.0.0.1"
    else:
        doc.upload_ip = None
    doc.pricing = rng.choice(("free",) * 7 + ("points", "points", "vip_free"))
    doc.price = rng.choice((1, 2, 5, 10)) if doc.pricing != "free" else 0


def build_library(
    work: Path,
    documents: int,
    real: int,
    rng: random.Random,
    docx_pages: tuple[int, ...] = DOCX_PAGES,
) -> tuple[Path, dict[str, object]]:
    """A library of ``documents`` ready documents in ``work/data``, ``real`` of them
    imported through the pipeline, indexed, each with its related documents stored; Django
    is set up in this process on it. Returns the data folder and what the library holds."""
    data_dir = work / "data"
    started = time.perf_counter()
    print(f"building {real} real documents ...", flush=True)
    build_real_files(work / "corpus", real, rng, docx_pages)
    print("importing them through the pipeline (wenku import --wait) ...", flush=True)
    ingest_real_files(data_dir, work / "corpus")
    setup_django(data_dir)
    print(f"adding rows up to {documents} documents ...", flush=True)
    library = populate(documents, rng)
    # What the worker does for every published document: index it and store its related
    # documents (the page reads the stored list).
    print("indexing them and storing their related documents (wenku reindex --related) ...")
    t0 = time.perf_counter()
    run_wenku(data_dir, "reindex", "--related")
    library["reindex --related s"] = round(time.perf_counter() - t0)
    library["database MB"] = round(
        sum(p.stat().st_size for p in data_dir.glob("wenku.sqlite3*")) / 1024**2
    )
    print(f"  library ready after {time.perf_counter() - started:.0f} s: {library}", flush=True)
    return data_dir, library


# --- visitors


@dataclass(frozen=True)
class Visitor:
    cookie: str  # the Cookie header of a returning anonymous reader

    @classmethod
    def make(cls, rng: random.Random) -> Visitor:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        viewer = "".join(rng.choice("0123456789abcdef") for _ in range(24))
        csrf = "".join(rng.choice(alphabet) for _ in range(32))
        return cls(f"wk_v={viewer}; csrftoken={csrf}")


def signed_in_visitors(visitors: list[Visitor], count: int) -> list[Visitor]:
    """``count`` readers with accounts of their own (no points, no VIP), each signed in:
    a visitor's cookies and a session made by Django's own log-in."""
    from django.conf import settings
    from django.test import Client

    from wenku.accounts.models import User

    readers = []
    for i, visitor in enumerate(visitors[:count]):
        client = Client()
        client.force_login(User.objects.create_user(f"bench_reader_{i}"))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        readers.append(Visitor(f"{visitor.cookie}; {settings.SESSION_COOKIE_NAME}={session}"))
    return readers


# --- server time, in this process


@dataclass
class Timed:
    """One page's timed requests: wall and CPU time, and where the time went (ms)."""

    label: str
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    parts: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    size: int = 0


class WsgiCaller:
    """Calls the WSGI application as a server would, and times each call to ``close()``."""

    def __init__(self, visitors: list[Visitor], rng: random.Random) -> None:
        from wenku.wsgi import application

        self.app = application
        self.visitors = visitors
        self.rng = rng

    def environ(self, path: str) -> dict[str, object]:
        env: dict[str, object] = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_PORT": "50000",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_COOKIE": self.rng.choice(self.visitors).cookie,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for name, value in BROWSER_HEADERS.items():
            env["HTTP_" + name.upper().replace("-", "_")] = value
        return env

    def call(self, path: str) -> tuple[int, bytes, float]:
        environ = self.environ(path)
        status: list[str] = []

        def start_response(line: str, headers: list, exc_info: object = None) -> None:
            status.append(line)

        started = time.perf_counter()
        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        elapsed = time.perf_counter() - started
        return int(status[0].split()[0]), body, elapsed

    def run(self, label: str, paths: Callable[[], str], n: int) -> Timed:
        for _ in range(WARMUP_REQUESTS):
            self.call(paths())
        timed = Timed(label)
        with Breakdown() as parts:
            for _ in range(n):
                parts.reset()
                cpu = time.thread_time()
                code, body, elapsed = self.call(paths())
                timed.cpu_ms.append((time.thread_time() - cpu) * 1000)
                timed.ms.append(elapsed * 1000)
                for name, seconds in parts.totals.items():
                    timed.parts.setdefault(name, []).append(seconds * 1000)
                timed.statuses[code] = timed.statuses.get(code, 0) + 1
                timed.size += len(body)
        return timed

    def queries(self, paths: Callable[[], str], n: int) -> list[int]:
        """SQL queries per request (a diagnostic pass, not timed)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for _ in range(n):
            with CaptureQueriesContext(connection) as captured:
                self.call(paths())
            counts.append(len(captured.captured_queries))
        return counts


class Breakdown:
    """Adds up, per request, the time spent in three places, through Django's own hooks.

    - "template": rendering a template (``Template.render`` of the Django backend);
    - "SQL": inside ``cursor.execute()`` (an execute wrapper; fetching rows is not in it);
    - "DB connect + close": opening the SQLite connection (with its PRAGMAs) and closing
      it, which Django does on every request when CONN_MAX_AGE is 0 (the default).

    The rest of a request is Python: middleware, the view, building and compiling ORM
    queries, turning rows into objects.
    """

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._undo: list[Callable[[], None]] = []
        self._stack: list[list[float]] = []  # [started, time in nested parts]
        self._thread = threading.get_ident()  # not the view counter's thread

    def reset(self) -> None:
        self.totals = {"template": 0.0, "SQL": 0.0, "DB connect + close": 0.0}

    @contextmanager
    def _part(self, name: str) -> Iterator[None]:
        """Time spent in ``name`` itself: a query run while a template renders is SQL."""
        if threading.get_ident() != self._thread:
            yield
            return
        self._stack.append([time.perf_counter(), 0.0])
        try:
            yield
        finally:
            started, nested = self._stack.pop()
            elapsed = time.perf_counter() - started
            self.totals[name] = self.totals.get(name, 0.0) + elapsed - nested
            if self._stack:
                self._stack[-1][1] += elapsed

    def _wrap(self, owner: type, attribute: str, name: str) -> None:
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            with self._part(name):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)
        self._undo.append(lambda: setattr(owner, attribute, original))

    def _execute(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        with self._part("SQL"):
            return execute(sql, params, many, context)

    def __enter__(self) -> Breakdown:
        from django.db import connection, connections
        from django.template.backends.django import Template

        self.reset()
        wrapper = type(connections["default"])  # the backend's class, not the proxy's
        self._wrap(Template, "render", "template")
        self._wrap(wrapper, "connect", "DB connect + close")
        self._wrap(wrapper, "close", "DB connect + close")
        connection.execute_wrappers.append(self._execute)
        self._undo.append(lambda: connection.execute_wrappers.remove(self._execute))
        return self

    def __exit__(self, *exc: object) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


@dataclass
class Paints:
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    elements: dict[str, int] = field(default_factory=dict)


def measure_lcp(url: str, ids: list[int], samples: int, rng: random.Random) -> Paints:
    """LCP of ``samples`` random document pages, cold (a new context each) and warm."""
    from playwright.sync_api import sync_playwright

    paints = Paints()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for doc_id in rng.sample(ids, min(samples, len(ids))):
            context = browser.new_context(
                viewport={"width": 1366, "height": 900}, locale="zh-CN", user_agent=USER_AGENT
            )
            page = context.new_page()
            for run in (paints.cold, paints.warm):
                page.goto(f"{url}/d/{doc_id}/", wait_until="load")
                seconds, element = page.evaluate(READ_LCP)
                run.append(seconds / 1000)
                paints.elements[element] = paints.elements.get(element, 0) + 1
                page.goto("about:blank")
            context.close()
        browser.close()
    return paints


def lcp_section(paints: Paints) -> str:
    rows = []
    for label, values in (("cold (empty cache)", paints.cold), ("warm (cached)", paints.warm)):
        rows.append(
            [
                label,
                str(len(values)),
                f"{percentile(values, 50):.3f}",
                f"{percentile(values, 95):.3f}",
                f"{max(values):.3f}",
            ]
        )
    elements = ", ".join(f"{k or '?'} x{n}" for k, n in sorted(paints.elements.items()))
    return (
        table(["document page", "pages", "p50 s", "p95 s", "max s"], rows)
        + f"\n\nLCP element: {elements}"
    )


def profile_documents(caller: WsgiCaller, paths: Callable[[], str], n: int) -> str:
    """cProfile of ``n`` document-page requests: the top functions by own and by total time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        caller.call(paths())
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"cProfile of {n} document-page requests (times are totals over all of them)\n")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


# --- requests per second, against wenku serve


def server_cpu(root: psutil.Process) -> float:
    """CPU seconds used so far by the server (supervisor, gunicorn master and workers)."""
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def lua_script(paths: list[str], visitors: list[Visitor]) -> str:
    def table(values: list[str]) -> str:
        return "{" + ",".join(f'"{v}"' for v in values) + "}"

    headers = ", ".join(f'["{k}"] = "{v}"' for k, v in BROWSER_HEADERS.items())
    return f"""
local paths = {table(paths)}
local cookies = {table([v.cookie for v in visitors])}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 100 + seed)
end

function request()
  local headers = {{{headers}}}
  headers["Cookie"] = cookies[math.random(#cookies)]
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
"""


def warm_pages(
    url: str, paths: list[str], visitors: list[Visitor], threads: int = WARM_THREADS
) -> tuple[float, dict[int, int]]:
    """Request every path once, as anonymous readers, ``threads`` at a time, so that what
    the site caches per page is there before a measurement. Returns the seconds it took
    and the count of each status (a Python client, on the same CPUs: not a throughput)."""
    local = threading.local()
    rng = random.Random(len(paths))
    cookies = [rng.choice(visitors).cookie for _ in paths]

    def fetch(i: int) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        headers = {**BROWSER_HEADERS, "Cookie": cookies[i]}
        return session.get(url + paths[i], headers=headers, timeout=30).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        statuses = Counter(pool.map(fetch, range(len(paths))))
    return time.perf_counter() - started, dict(statuses)


def page_cache_window_left(now: float, page_url_seconds: int = PAGE_URL_SECONDS) -> float:
    """Seconds until the page cache's current window ends (core/pagecache.py keeps a page
    only until the end of the half of WENKU_PAGE_URL_SECONDS it was made in)."""
    half = max(1, page_url_seconds // 2)
    return half - now % half


def wait_for_page_cache_window(seconds: float) -> None:
    """Wait, if needed, for a page-cache window with ``seconds`` left in it, so that a warm
    pass and the run after it fall in one window (otherwise every kept page expires in
    the middle, and the run measures a cold cache)."""
    left = page_cache_window_left(time.time())
    if left < seconds:
        print(f"  waiting {left:.0f} s for the next page-cache window ...", flush=True)
        time.sleep(left + 1)


@dataclass
class Load:
    label: str
    rps: float = 0.0
    requests: int = 0
    seconds: float = 0.0
    latency: dict[str, float] | None = None  # percentile → ms, plus "avg" and "max"
    errors: str = ""
    non_2xx: int = 0
    server_cpu_ms: float = 0.0  # server CPU per request
    wrk_cpu_s: float = 0.0
    machine_cpu: float = 0.0  # % of all CPUs busy during the run
    other_cpu: float = 0.0  # ... of which neither the server nor wrk
    raw: str = ""

    @property
    def ceiling(self) -> float:
        """Requests/s if the server and wrk had every CPU to themselves, at this CPU cost."""
        per_request = self.server_cpu_ms + self.wrk_cpu_s * 1000 / max(self.requests, 1)
        return cpus() * 1000 / max(per_request, 1e-9)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def parse_wrk(label: str, output: str) -> Load:
    load = Load(label, raw=output)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        load.rps = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+)(\w+),", output):
        load.requests = int(m.group(1))
        load.seconds = _ms(m.group(2) + m.group(3)) / 1000
    latency: dict[str, float] = {}
    if m := re.search(r"Latency\s+(\S+)\s+\S+\s+(\S+)", output):
        latency["avg"], latency["max"] = _ms(m.group(1)), _ms(m.group(2))
    for pct, value in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.MULTILINE):
        latency[pct] = _ms(value)
    load.latency = latency
    if m := re.search(r"Socket errors: (.*)", output):
        load.errors = m.group(1).strip()
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        load.non_2xx = int(m.group(1))
    return load


def run_wrk(
    url: str,
    server: psutil.Process,
    label: str,
    script: Path,
    args: argparse.Namespace,
    seconds: float,
) -> Load:
    command = [
        "wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds:g}s",
        "--timeout", "10s", "--latency", "-s", str(script), url,
    ]  # fmt: skip
    cpu_before = server_cpu(server)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    psutil.cpu_percent(None)
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    machine = psutil.cpu_percent(None)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = server_cpu(server) - cpu_before
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr}")
    load = parse_wrk(label, result.stdout)
    load.server_cpu_ms = cpu / max(load.requests, 1) * 1000
    load.wrk_cpu_s = (wrk_after.ru_utime + wrk_after.ru_stime) - (
        wrk_before.ru_utime + wrk_before.ru_stime
    )
    load.machine_cpu = machine
    ours = (cpu + load.wrk_cpu_s) / max(load.seconds, 1e-9) / cpus() * 100
    load.other_cpu = max(0.0, machine - ours)
    return load


# --- the report


def wrk_version() -> str:
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (wrk.stdout or wrk.stderr).split(" [")[0].strip()


def server_time_section(results: list[Timed], queries: dict[str, list[int]]) -> str:
    rows = []
    for t in results:
        codes = ", ".join(f"{n}x {code}" for code, n in sorted(t.statuses.items()))
        q = queries.get(t.label, [])
        q_text = f"{min(q)}-{max(q)}" if q and min(q) != max(q) else (str(q[0]) if q else "—")
        s = stats(t.ms)
        rows.append(
            [
                t.label,
                str(s["n"]),
                *(f"{s[p]:.1f}" for p in ("p50", "p90", "p99", "mean", "max")),
                f"{percentile(t.cpu_ms, 50):.1f}",
                q_text,
                f"{t.size / len(t.ms) / 1024:.0f}",
                codes,
            ]
        )
    header = ["page", "requests", "p50 ms", "p90 ms", "p99 ms", "mean ms", "max ms"]
    header += ["CPU p50 ms", "SQL queries", "KB", "responses"]
    return table(header, rows)


REST = "the rest (middleware, view, ORM in Python)"


def breakdown_section(results: list[Timed]) -> str:
    """Mean ms per request in each part, and its share of the mean request."""
    rows = []
    for t in results:
        total = statistics.mean(t.ms)
        parts = {name: statistics.mean(values) for name, values in t.parts.items()}
        parts[REST] = total - sum(parts.values())
        cells = [f"{ms:.2f} ({ms / total * 100:.0f}%)" for ms in parts.values()]
        rows.append([t.label, f"{total:.2f}", *cells])
    names = [*results[0].parts, REST]
    return table(["page", "mean ms", *names], rows)


def load_section(loads: list[Load]) -> str:
    rows = []
    for load in loads:
        lat = load.latency or {}
        rows.append(
            [
                load.label,
                f"{load.rps:.0f}",
                str(load.requests),
                *(f"{lat.get(k, float('nan')):.1f}" for k in ("50", "90", "99", "max")),
                str(load.non_2xx),
                load.errors or "none",
                f"{load.server_cpu_ms:.1f}",
                f"{load.wrk_cpu_s / max(load.seconds, 1e-9) * 100:.0f}",
                f"{load.machine_cpu:.0f}",
                f"{load.other_cpu:.0f}",
                f"{load.ceiling:.0f}",
            ]
        )
    header = ["target", "requests/s", "requests", "p50 ms", "p90 ms", "p99 ms", "max ms"]
    header += ["non-2xx", "socket errors", "server CPU ms/request", "wrk CPU %", "machine CPU %"]
    header += ["other processes CPU %", "CPU-bound estimate req/s"]
    return table(header, rows)


ANONYMOUS = "document pages"
SIGNED_IN_LABEL = "document pages, signed in"


def goals_section(doc: Timed, loads: dict[str, Load], paints: Paints) -> str:
    p50 = percentile(doc.ms, 50)
    cold = percentile(paints.cold, 50)
    anonymous, signed_in = loads[ANONYMOUS], loads[SIGNED_IN_LABEL]
    lines = [
        f"{verdict(cold <= GOAL_LCP_COLD_S)}  document page LCP, cold: p50 {cold:.3f} s, "
        f"goal <= {GOAL_LCP_COLD_S:.1f} s",
        f"{verdict(p50 <= GOAL_P50_MS)}  document page server time: p50 {p50:.1f} ms, "
        f"goal <= {GOAL_P50_MS:.0f} ms",
        f"{verdict(anonymous.rps >= GOAL_ANONYMOUS_RPS)}  document pages, anonymous, after a "
        f"warm pass: {anonymous.rps:.0f} requests/s, goal >= {GOAL_ANONYMOUS_RPS:.0f}",
        f"{verdict(signed_in.rps >= GOAL_RPS)}  document pages, signed in: "
        f"{signed_in.rps:.0f} requests/s, goal >= {GOAL_RPS:.0f}",
    ]
    for load in (anonymous, signed_in):
        p99 = (load.latency or {}).get("99", float("nan"))
        lines.append(
            f"{verdict(p99 <= GOAL_P99_MS)}  {load.label} under load: p99 {p99:.1f} ms, "
            f"goal <= {GOAL_P99_MS:.0f} ms"
        )
    clean = set(doc.statuses) == {200} and not any(x.non_2xx or x.errors for x in loads.values())
    lines.append(f"{verdict(clean)}  every response a 200, no socket errors")
    if cpus() != 2:
        lines.append(f"note: the goals are set for a 2-core machine; this one has {cpus()}.")
    return "\n".join(lines)


# --- main


def measure(work: Path, args: argparse.Namespace, rng: random.Random, info: dict) -> None:
    started = time.perf_counter()
    data_dir, library = build_library(work, args.documents, args.real, rng)

    from django.db import connection

    from wenku.library import viewcount
    from wenku.library.models import Document

    ids = list(Document.objects.filter(status="ready").values_list("pk", flat=True))
    last_title = Document.objects.get(pk=ids[-1]).title
    visitors = [Visitor.make(rng) for _ in range(VISITORS)]
    readers = signed_in_visitors(visitors, SIGNED_IN)
    caller = WsgiCaller(visitors, rng)
    reader_caller = WsgiCaller(readers, rng)

    def document_path() -> str:
        return f"/d/{rng.choice(ids)}/"

    def home_path() -> str:
        return "/"

    print(f"server time: {args.requests} requests per page, in process ...", flush=True)
    timed = [
        caller.run("document page", document_path, args.requests),
        reader_caller.run("document page, signed in", document_path, args.requests),
        caller.run("home page", home_path, args.requests),
        caller.run("robots.txt", lambda: "/robots.txt", args.requests),
    ]
    queries = {
        "document page": caller.queries(document_path, 50),
        "document page, signed in": reader_caller.queries(document_path, 50),
        "home page": caller.queries(home_path, 5),
        "robots.txt": caller.queries(lambda: "/robots.txt", 5),
    }
    profile = profile_documents(caller, document_path, args.profile) if args.profile else ""
    viewcount.flush()  # this process's counted views, before the server starts
    connection.close()

    print("requests per second: wenku serve --no-worker and wrk ...", flush=True)
    loads: dict[str, Load] = {}
    document_paths = [f"/d/{i}/" for i in ids]
    scripts = {
        "robots.txt": lua_script(["/robots.txt"], visitors),
        ANONYMOUS: lua_script(document_paths, visitors),
        SIGNED_IN_LABEL: lua_script(document_paths, readers),
        "home page": lua_script(["/"], visitors),
    }
    with running_server(data_dir, worker=False, log_path=work / "serve.log") as server:
        url = server.url
        sample = requests.get(f"{url}/d/{ids[-1]}/", headers=BROWSER_HEADERS, timeout=10)
        if sample.status_code != 200 or html.escape(last_title) not in sample.text:
            raise RuntimeError(f"document page answered {sample.status_code}")
        info["gunicorn processes"] = str(
            sum(1 for p in server.tree() if "gunicorn" in " ".join(p.cmdline()))
        )
        print(f"largest contentful paint: {args.lcp_samples} document pages ...", flush=True)
        paints = measure_lcp(url, ids, args.lcp_samples, rng)
        print(f"  cold p50 {percentile(paints.cold, 50):.3f} s", flush=True)
        for label, text in scripts.items():
            script = work / f"{label.replace(' ', '-').replace(',', '')}.lua"
            script.write_text(text)
            if label == ANONYMOUS:
                # A warm page cache: every document once, then the run, in one window.
                # ... and the signed-in run after it (their pages use the same kept entries).
                run_seconds = 2 * (args.warmup + args.duration)
                wait_for_page_cache_window(args.warm_seconds + run_seconds + 10)
                seconds, statuses = warm_pages(url, document_paths, visitors)
                library["warm pass"] = (
                    f"{len(document_paths)} document pages in {seconds:.0f} s "
                    f"({len(document_paths) / seconds:.0f}/s, {WARM_THREADS} Python threads), "
                    + ", ".join(f"{n}x {code}" for code, n in sorted(statuses.items()))
                )
                print(f"  warm pass: {library['warm pass']}", flush=True)
            run_wrk(url, server.process, label, script, args, args.warmup)  # warm-up only
            load = run_wrk(url, server.process, label, script, args, args.duration)
            print(f"  {label}: {load.rps:.0f} requests/s", flush=True)
            loads[label] = load
    info["load average after"] = load_average()
    info["total seconds"] = f"{time.perf_counter() - started:.0f}"

    library_lines = [f"- {k}: {v}" for k, v in library.items()]
    library_lines.append(
        f"- so {library['documents (ready)']:,} documents share "
        f"{library['conversions']} conversions"
    )
    sections = [
        "## Machine\n\n" + "\n".join(f"- {k}: {v}" for k, v in info.items()),
        "## Library\n\n" + "\n".join(library_lines),
        "## Server time (in process, through wenku.wsgi.application)\n\n"
        + server_time_section(timed, queries),
        "## Where the server time goes (mean ms per request)\n\n" + breakdown_section(timed),
        f"## Load (wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration:g}s "
        "against wenku serve --no-worker)\n\n" + load_section(list(loads.values())),
        "## wrk output, document pages\n\n" + loads[ANONYMOUS].raw.strip(),
        "## wrk output, document pages, signed in\n\n" + loads[SIGNED_IN_LABEL].raw.strip(),
        "## Largest Contentful Paint (Chromium, desktop 1366 x 900, loopback)\n\n"
        + lcp_section(paints),
        "## Goals\n\n" + goals_section(timed[0], loads, paints),
    ]
    if profile:
        sections.insert(-1, "## Profile\n\n" + profile)
    print("\n\n" + "\n\n".join(sections))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000, help="documents (10000)")
    parser.add_argument("--real", type=int, default=40, help="imported documents (40)")
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per page")
    parser.add_argument("--duration", type=float, default=20, help="seconds of each wrk run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of wrk warm-up")
    parser.add_argument(
        "--warm-seconds",
        type=float,
        default=90,
        help="what the warm pass over every document is expected to take, at most (90)",
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile N document-page requests"
    )
    parser.add_argument(
        "--lcp-samples", type=int, default=20, help="document pages opened in Chromium (20)"
    )
    parser.add_argument("--seed", type=int, help="random seed (default: a new one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.real < 1 or args.documents < args.real:
        parser.error("need 1 <= --real <= --documents")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    seed = secrets.randbits(32) if args.seed is None else args.seed
    info = machine(wrk=wrk_version())
    info["seed"] = str(seed)
    with work_folder("wenku-bench-pages-", keep=args.keep) as work:
        measure(work, args, random.Random(seed), info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
