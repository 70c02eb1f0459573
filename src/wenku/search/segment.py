"""Chinese word segmentation for indexing and querying (docs/architecture.md, "Search").

rjieba (jieba-rs) in precise mode with HMM, after normalising the text:
NFKC (full-width letters, digits and punctuation become half-width), lowercase.
Punctuation and spaces are dropped; numbers and codes stay whole (21.05, 12.5%,
gb/t, 7714-2015, covid-19). Two token streams come out of one text:

- ``words``: precise-mode tokens, in order (positions matter: phrase queries);
- ``subwords``: search-mode tokens (``cut_for_search``) plus the parts of codes,
  so 所得税 finds 个人所得税法 and covid finds covid-19.

Indexing and querying must use the same functions, so the same text always gives
the same tokens whichever backend stores them.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import rjieba

from wenku.config import conf

# A code or number: letters/digits joined by . / - _ + and an optional trailing %.
_CODE = re.compile(r"[a-z0-9]+(?:[./\-_+][a-z0-9]+)*%?")
_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789./-_+%")
_CODE_SPLIT = re.compile(r"[/\-_+]")
MAX_TOKEN_CHARS = 40  # longer "words" are noise (hashes, base64) and would bloat the index

_lock = threading.Lock()
_jieba: rjieba.Jieba | None = None


@dataclass(frozen=True)
class Segmented:
    words: list[str]
    subwords: list[str]


def normalize(text: str) -> str:
    """NFKC + lowercase: full-width → half-width, compatibility forms folded."""
    return unicodedata.normalize("NFKC", text).lower()


def load_dictionary(extra: Path | None = None) -> rjieba.Jieba:
    """A segmenter with jieba's dictionary, the built-in domain words and a site's file."""
    jieba = rjieba.Jieba()
    lines = resources.files("wenku.search").joinpath("userdict.txt").read_text("utf-8")
    _add_words(jieba, lines.splitlines())
    if extra is not None:
        _add_words(jieba, extra.read_text("utf-8").splitlines())
    return jieba


def _add_words(jieba: rjieba.Jieba, lines: Iterable[str]) -> None:
    for line in lines:
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        word = normalize(parts[0])
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        # Without a frequency, jieba's suggestion is the one that keeps the word whole.
        jieba.add_word(word, freq if freq is not None else jieba.suggest_freq(word), None)


def segmenter() -> rjieba.Jieba:
    """This process's segmenter, loaded once (WENKU_SEARCH_USER_DICT read on first use)."""
    global _jieba
    with _lock:
        if _jieba is None:
            path = conf().search_user_dict or ""
            _jieba = load_dictionary(Path(path) if path else None)
        return _jieba


def reset_segmenter() -> None:
    """Forget the loaded dictionary (tests; a changed WENKU_SEARCH_USER_DICT)."""
    global _jieba
    with _lock:
        _jieba = None


def words(text: str) -> list[str]:
    """Precise-mode tokens of ``text``, normalised, punctuation dropped, codes whole."""
    return _precise(normalize(text))


def segment(text: str) -> Segmented:
    """Both token streams of ``text`` (see the module docstring)."""
    norm = normalize(text)
    precise = _precise(norm)
    sub = [t for t in segmenter().cut_for_search(norm) if _keep(t)]
    parts = {p for t in precise if _CODE_SPLIT.search(t) for p in _CODE_SPLIT.split(t) if p}
    sub.extend(sorted(parts - set(sub)))
    return Segmented(precise, [t for t in sub if len(t) <= MAX_TOKEN_CHARS])


def _precise(norm: str) -> list[str]:
    out: list[str] = []
    run: list[str] = []
    run_end = -1
    for token, start, end in segmenter().tokenize(norm):
        if _is_code_part(token) and (not run or start == run_end):
            run.append(token)
            run_end = end
            continue
        _flush(run, out)
        run = [token] if _is_code_part(token) else []
        run_end = end
        if not run and _keep(token):
            out.append(token)
    _flush(run, out)
    return [t for t in out if len(t) <= MAX_TOKEN_CHARS]


def _is_code_part(token: str) -> bool:
    return bool(token) and all(c in _CODE_CHARS for c in token)


def _flush(run: list[str], out: list[str]) -> None:
    """A run of touching ASCII tokens (gb / t, covid-19, 12.5%) becomes whole codes."""
    if run:
        out.extend(m.group() for m in _CODE.finditer("".join(run)))
        run.clear()


def _keep(token: str) -> bool:
    return any(c.isalnum() for c in token)
