"""Banned words, matched fast: one Aho-Corasick automaton (pyahocorasick) over the
admin-edited list, rebuilt in each process when the list changes.

Matching is on NFKC-folded, lower-cased text, so full-width and capital variants match.
Each word has an action: ``block`` (refuse), ``hold`` (hold for review), ``mask``
(comments: shown as ＊).
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

import ahocorasick
from django.core.cache import cache

from wenku.moderation.models import BANNED_WORDS_CACHE_KEY, BannedWord, WordAction

_SEVERITY = {WordAction.MASK: 0, WordAction.HOLD: 1, WordAction.BLOCK: 2}
_lock = threading.Lock()
_built: tuple[object, ahocorasick.Automaton | None, dict[str, str]] | None = None


@dataclass(frozen=True)
class Found:
    """Banned words found in a text: each word once, with its action."""

    words: dict[str, str]
    spans: list[tuple[int, int]]  # [start, end) in the text, for masking

    @property
    def action(self) -> str:
        """The strongest action among the words found ('' if none)."""
        if not self.words:
            return ""
        return max(self.words.values(), key=lambda a: _SEVERITY[WordAction(a)])

    def __bool__(self) -> bool:
        return bool(self.words)


NOTHING = Found({}, [])


def fold(text: str) -> str:
    """NFKC and lower case, one character for one (so spans map back onto the text)."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch).lower()
        out.append(folded if len(folded) == 1 else ch.lower())
    return "".join(out)


def _automaton() -> tuple[ahocorasick.Automaton | None, dict[str, str]]:
    global _built
    version = cache.get(BANNED_WORDS_CACHE_KEY)
    current = _built
    if current is not None and current[0] == version:
        return current[1], current[2]
    with _lock:
        actions = {fold(w): a for w, a in BannedWord.objects.values_list("word", "action") if w}
        automaton = None
        if actions:
            automaton = ahocorasick.Automaton()
            for word, action in actions.items():
                automaton.add_word(word, (word, action))
            automaton.make_automaton()
        _built = (version, automaton, actions)
        return automaton, actions


def reset() -> None:
    """Forget this process's automaton (tests; the cache version does it in production)."""
    global _built
    _built = None


def find(*texts: str) -> Found:
    """The banned words in ``texts`` (title, description, tags, body …)."""
    automaton, _actions = _automaton()
    if automaton is None:
        return NOTHING
    words: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    for text in texts:
        if not text:
            continue
        for end, (word, action) in automaton.iter(fold(text)):
            words[word] = action
            spans.append((end - len(word) + 1, end + 1))
    return Found(words, spans) if words else NOTHING


def mask(text: str) -> str:
    """``text`` with every banned word (whatever its action) replaced by ＊ of its length."""
    found = find(text)
    if not found:
        return text
    chars = list(text)
    for start, end in found.spans:
        for i in range(start, end):
            chars[i] = "＊"
    return "".join(chars)
