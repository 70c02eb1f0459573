"""字数: how many characters a document has, counted the way Chinese readers expect.

Each CJK ideograph counts one, and so does each kana and each Hangul syllable (Japanese
and Korean text is counted the way word processors count East Asian characters); each
run of Latin, Greek or Cyrillic letters or digits counts one (a word, or a number such as
21.05, 12,345 or COVID-19). Punctuation, spaces, bullets and the prolonged-sound mark
count nothing. Full-width letters and digits are folded first.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = (
    "\u3400-\u4dbf"  # Extension A
    "\u4e00-\u9fff"  # Unified Ideographs
    "\uf900-\ufaff"  # Compatibility Ideographs
    "\U00020000-\U0003134f"  # Extensions B-H
    "\u3041-\u3096\u30a1-\u30fa\u31f0-\u31ff"  # hiragana, katakana (NFKC folds half-width)
    "\uac00-\ud7a3"  # Hangul syllables
)
_COUNTED = re.compile(
    rf"[{_CJK}]"
    r"|[0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+"
    r"(?:[.,'’\-][0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+)*"
)


def count_chars(text: str) -> int:
    """Count 字数 in text."""
    return sum(1 for _ in _COUNTED.finditer(unicodedata.normalize("NFKC", text)))


def format_chars(count: int) -> str:
    """'约5.78千字' style: under 1,000 exact, under 10,000 in 千, else in 万."""
    if count < 1000:
        return f"约{count}字"
    if count < 10000:
        return f"约{count / 1000:.2f}千字"
    return f"约{count / 10000:.2f}万字"
