from __future__ import annotations

import argparse
import importlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wenku.config import conf

NAME = "doctor"
HELP = "Check every dependency for real (including a Chinese conversion) and say what to install."

SYSTEM_PACKAGES = (
    "libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui python3-uno "
    "fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai fonts-crosextra-carlito "
    "fonts-crosextra-caladea fonts-liberation2 bubblewrap poppler-utils poppler-data"
)
APT = f"apt-get install --no-install-recommends {SYSTEM_PACKAGES}"


@dataclass
class Result:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False  # Wenku works without it: a warning, not a failure


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def handle(args: argparse.Namespace) -> int:
    results: list[Result] = []
    for check in CHECKS:
        try:
            results.extend(check())
        except Exception as exc:  # a check that crashes is a failed check, not a crashed doctor
            results.append(Result(check.__name__.removeprefix("check_"), False, repr(exc)))
    for r in results:
        mark = "ok  " if r.ok else ("warn" if r.optional else "FAIL")
        print(f"[{mark}] {r.name}: {r.detail}")
        if not r.ok and r.fix:
            print(f"       fix: {r.fix}")
    failed = [r for r in results if not r.ok and not r.optional]
    print()
    print("All checks passed." if not failed else f"{len(failed)} check(s) failed.")
    return 1 if failed else 0


def check_python() -> list[Result]:
    out = [
        Result("python", sys.version_info >= (3, 11), sys.version.split()[0], "use Python 3.11+")
    ]
    for module in ("pypdfium2", "PIL", "django_tasks_db", "ninja", "charset_normalizer", "lxml"):
        try:
            importlib.import_module(module)
            out.append(Result(f"module {module}", True, "importable"))
        except ImportError as exc:
            out.append(Result(f"module {module}", False, str(exc), "pip install -e ."))
    from PIL import features

    out.append(
        Result("Pillow WebP", bool(features.check("webp")), "WebP encoder", "reinstall Pillow")
    )
    return out


def check_data_dir() -> list[Result]:
    from django.conf import settings

    data = Path(settings.DATA_DIR)
    probe = data / "tmp" / ".doctor"
    probe.write_text("ok")
    probe.unlink()
    free = shutil.disk_usage(data).free / 1024**3
    return [
        Result("data folder", True, f"{data} is writable"),
        Result("free disk", free >= 1, f"{free:.1f} GB free", "free some disk space"),
    ]


def check_database() -> list[Result]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    out = [Result("database", True, f"{connection.vendor} reachable")]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        out.append(
            Result("sqlite journal", mode == "wal", mode, "check the data folder's filesystem")
        )
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    out.append(
        Result("migrations", not pending, f"{len(pending)} pending", "run `wenku manage migrate`")
    )
    return out


def check_libreoffice() -> list[Result]:

    w = conf()
    soffice = Path(w.soffice)
    out = [Result("soffice.bin", soffice.is_file(), str(soffice), APT)]
    uno = subprocess.run([w.uno_python, "-c", "import uno"], capture_output=True)
    out.append(Result("python3-uno", uno.returncode == 0, w.uno_python + " -c 'import uno'", APT))
    if w.office_sandbox == "bwrap":
        bwrap = (
            subprocess.run(
                [
                    "bwrap",
                    "--unshare-all",
                    "--ro-bind",
                    "/usr",
                    "/usr",
                    "--symlink",
                    "usr/lib",
                    "/lib",
                    "--symlink",
                    "usr/lib64",
                    "/lib64",
                    "--symlink",
                    "usr/bin",
                    "/bin",
                    "true",
                ],
                capture_output=True,
                text=True,
            )
            if shutil.which("bwrap")
            else None
        )
        ok = bwrap is not None and bwrap.returncode == 0
        detail = "sandbox works" if ok else (bwrap.stderr.strip() if bwrap else "bwrap not found")
        out.append(
            Result(
                "bubblewrap",
                ok,
                detail,
                APT
                if bwrap is None
                else "allow unprivileged user namespaces, or set WENKU_OFFICE_SANDBOX=none",
            )
        )
    return out


def check_poppler() -> list[Result]:
    """poppler's PDF repair, for real: pdftocairo redraws a PDF in LibreOffice's sandbox.
    Optional: without it, PDFs only poppler reads are refused as damaged."""
    from wenku.ingest import repair
    from wenku.ingest.office.client import OfficeSettings

    name = "poppler (repairs PDFs that only poppler reads)"
    if repair.pdftocairo() is None:
        return [Result(name, False, "pdftocairo not found", APT, optional=True)]
    office = OfficeSettings.from_django()
    with tempfile.TemporaryDirectory() as tmp:
        ok = repair.selftest(Path(tmp), office)
    outcome = "redraws a page" if ok else "failed on a blank page"
    detail = f"pdftocairo {outcome} (sandbox: {office.sandbox})"
    return [Result(name, ok, detail, "see the LibreOffice checks above", optional=True)]


def check_fonts() -> list[Result]:
    if not shutil.which("fc-list"):
        return [Result("fonts", False, "fc-list not found", APT)]
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True
    ).stdout
    out = []
    for family in ("Noto Sans CJK SC", "Noto Serif CJK SC", "AR PL UMing CN", "AR PL UKai CN"):
        out.append(
            Result(
                f"font {family}",
                family in listed,
                "installed" if family in listed else "missing",
                APT,
            )
        )
    return out


def check_conversion() -> list[Result]:
    from wenku.ingest.office.client import OfficeConverter, OfficeSettings
    from wenku.ingest.selftest import check_cjk

    with (
        tempfile.TemporaryDirectory() as tmp,
        OfficeConverter(OfficeSettings.from_django()) as office,
    ):
        result = check_cjk(office, Path(tmp))
    return [Result("Chinese conversion", result.ok, result.detail, APT)]


def check_ocr() -> list[Result]:
    """OCR of scanned pages: the engine on a rendered Chinese page (WENKU_OCR=false: off)."""
    if not conf().ocr:
        return [Result("OCR", True, "off (WENKU_OCR=false): scans stay without text")]
    from wenku.ingest.ocr import selftest

    result = selftest()
    fix = "pip install rapidocr==3.10.0 onnxruntime (or set WENKU_OCR=false)"
    return [Result("OCR (scanned pages)", result.ok, result.detail, fix)]


def check_geo() -> list[Result]:
    """IP data is optional: without it Wenku runs and shows no province, so this only warns."""
    from wenku.core import geo

    found = geo.get_geo()
    detail = "; ".join(f"{s.path}: {s.detail}" for s in found.status)
    return [
        Result(
            "IP data (uploader's province)",
            bool(found.readers),
            detail,
            "run `wenku geo update` (or set WENKU_IP2REGION_DB); pages show no province until then",
            optional=True,
        )
    ]


def check_public_site() -> list[Result]:
    """What a site opened to the internet needs (warnings: a site on this machine only
    does without them). `wenku serve` refuses a public address without a site URL or
    allowed hosts; the rest is docs/operations.md's public site checklist."""
    from django.conf import settings

    from wenku.cli.publicsite import report

    return [
        Result(f"public site: {f.name}", f.ok, f.detail, f.fix, optional=True)
        for f in report(conf(), debug=settings.DEBUG)
    ]


RUM_FIX = (
    "as a superuser of the database: CREATE EXTENSION IF NOT EXISTS rum; DROP INDEX "
    "search_pg_document_tsv; CREATE INDEX search_pg_document_tsv ON search_pg_document "
    "USING rum (tsv rum_tsvector_ops); CREATE INDEX IF NOT EXISTS search_pg_document_words "
    "ON search_pg_document USING gin (strip(tsv))  (docs/operations.md, scale mode)"
)


def check_search() -> list[Result]:
    """The search backend; in PostgreSQL, whether documents are ranked through RUM (a role
    that may not create the extension silently gets GIN, which finds the same documents
    and was not what the benchmarks measured)."""
    from wenku.search.backends import get_backend
    from wenku.search.backends.postgres_backend import WORDS_INDEX_SQL

    backend = get_backend()
    if backend.name != "postgres":
        return [Result("search", True, f"{backend.name}")]
    ranking = backend.ranking()  # type: ignore[attr-defined]
    found = [
        Result(
            "search",
            ranking == "rum",
            f"postgres, ranked through a {ranking.upper()} index",
            RUM_FIX,
            optional=True,
        )
    ]
    if ranking == "rum" and not backend.words_indexed():  # type: ignore[attr-defined]
        found.append(
            Result(
                "search counts",
                False,
                "no words index: matches are counted from RUM (slower for common words)",
                f"{WORDS_INDEX_SQL}  (docs/operations.md, scale mode)",
                optional=True,
            )
        )
    if not backend.all_paired():  # type: ignore[attr-defined]
        found.append(
            Result(
                "search phrases",
                False,
                "documents indexed without their common-word pairs: phrases are asked "
                "word by word (slower) until every document is indexed again",
                "wenku reindex --missing  (indexes them again while the site runs)",
                optional=True,
            )
        )
    return found


CHECKS: tuple[Callable[[], list[Result]], ...] = (
    check_python,
    check_data_dir,
    check_database,
    check_search,
    check_libreoffice,
    check_poppler,
    check_fonts,
    check_conversion,
    check_ocr,
    check_geo,
    check_public_site,
)
