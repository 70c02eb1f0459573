"""您是不是要找: a spelling suggestion for a query that finds little, from the library's
own words.

The vocabulary is the words of the titles and the keywords (the most frequent words of
each document's text, kept with its fingerprint) of the most viewed public documents,
counted by how many documents use them, each kept only when at least two do. A word of
the query that the vocabulary does not know is compared with the words of the same
length that differ from it in one character (工作总洁 → 工作总结, managenent → management); the most
used one wins. Words are found as substrings of the query, longest first, so a typo inside
a longer run of Chinese characters (which segmentation splits into pieces) is caught too.
The suggestion is offered only when it finds documents (the caller checks).

Built on first need and kept in the process for ``CACHE_SECONDS``: a few hundred
milliseconds for a library of 10,000 documents, and only searches that find little pay it.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from wenku.library.models import Document
from wenku.search.models import Fingerprint
from wenku.search.segment import words

CACHE_SECONDS = 600
SAMPLE = 50_000  # the most viewed documents whose words make the vocabulary
MIN_DOCS = 2  # a word used by one document only may itself be the typo
LENGTHS = range(2, 9)
_lock = threading.Lock()


@dataclass
class Vocabulary:
    counts: Counter[str]
    neighbours: dict[str, list[str]]  # "工作总?" → ["工作总结", "工作总体"]
    built: float


_vocabulary: Vocabulary | None = None


def build() -> Vocabulary:
    """Count the words of the sample (each once per document)."""
    counts: Counter[str] = Counter()
    docs = Document.objects.public().order_by("-view_count", "-pk")[:SAMPLE]
    rows = docs.values_list("title", "conversion_id")
    keywords = dict(
        Fingerprint.objects.filter(conversion_id__in=[c for _, c in rows]).values_list(
            "conversion_id", "keywords"
        )
    )
    for title, conversion_id in rows:
        found = {w for w in words(title) if len(w) in LENGTHS}
        found.update(w for w, _n in (keywords.get(conversion_id) or []) if len(w) in LENGTHS)
        counts.update(found)
    kept = Counter({w: n for w, n in counts.items() if n >= MIN_DOCS and not w.isdigit()})
    neighbours: dict[str, list[str]] = defaultdict(list)
    for word in kept:
        for i in range(len(word)):
            neighbours[_blank(word, i)].append(word)
    return Vocabulary(kept, dict(neighbours), time.monotonic())


def vocabulary() -> Vocabulary:
    global _vocabulary
    with _lock:
        if _vocabulary is None or time.monotonic() - _vocabulary.built > CACHE_SECONDS:
            _vocabulary = build()
        return _vocabulary


def reset() -> None:
    """Forget the vocabulary (tests; a site whose library changed a lot)."""
    global _vocabulary
    with _lock:
        _vocabulary = None


def suggest(query: str) -> str:
    """The query with its best one-character correction, or "" when none is better."""
    text = unicodedata.normalize("NFKC", query).strip().lower()
    if not text or len(text) > 60:
        return ""
    known = vocabulary()
    best: tuple[int, int, str, str] | None = None  # (length, uses, wrong, right)
    for piece in _pieces(text):
        if piece in known.counts:
            continue
        for i in range(len(piece)):
            for candidate in known.neighbours.get(_blank(piece, i), ()):
                key = (len(piece), known.counts[candidate], piece, candidate)
                if best is None or key[:2] > best[:2]:
                    best = key
        if best is not None and best[0] > len(piece):
            break  # nothing shorter can beat a longer correction
    if best is None:
        return ""
    _length, _uses, wrong, right = best
    return text.replace(wrong, right, 1)


def _pieces(text: str) -> list[str]:
    """Substrings of the query's runs of letters (no spaces), longest first."""
    out = [
        run[start : start + length]
        for run in text.split()
        for length in LENGTHS
        for start in range(0, len(run) - length + 1)
    ]
    out.sort(key=len, reverse=True)
    return out


def _blank(word: str, index: int) -> str:
    return word[:index] + "\u0000" + word[index + 1 :]
