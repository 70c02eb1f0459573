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

from django.utils.translation import gettext, pgettext

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
    """字数 for readers, in their language: '约5.78千字' (under 1,000 exact, under 10,000
    in 千, else in 万) or 'about 5.78k characters'.

    How large counts are grouped is the translation's choice: a catalogue that renders
    the switch below as "wan" counts in 千 and 万 (Chinese); others count in thousands.
    """
    if count < 1000:
        return gettext("about %(n)s characters") % {"n": count}
    if pgettext("grouping of character counts: thousands or wan", "thousands") == "wan":
        if count < 10000:
            return gettext("about %(n)s thousand characters") % {"n": f"{count / 1000:.2f}"}
        return gettext("about %(n)s ten thousand characters") % {"n": f"{count / 10000:.2f}"}
    return gettext("about %(n)sk characters") % {"n": _thousands(count)}


def _thousands(count: int) -> str:
    """5,780 → 5.78; 57,800 → 57.8; 578,000 → 578; 5,780,000 → 5,780."""
    value = count / 1000
    if value < 10:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if value < 100:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:,.0f}"
