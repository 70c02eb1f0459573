"""Snippets and highlights cut from a page's original text.

Matching works on a normalised copy (NFKC, lowercase, whitespace folded) mapped back
character by character to the original, so what the reader sees is the page's own
text, with the words of the query marked. The output is HTML-escaped before ``<mark>``
tags are added: it is safe to render.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 120
LEAD = 20  # characters shown before the first match of a window
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Folded:
    """A normalised copy of a text and, per character of it, where it came from."""

    text: str
    origin: list[int]


def fold(text: str, drop_cjk_spaces: bool = False) -> Folded:
    """Normalise character by character: NFKC, lowercase, whitespace runs → one space.

    With ``drop_cjk_spaces``, whitespace next to a non-ASCII character is dropped
    (PDF text breaks lines inside Chinese sentences), so a phrase matches across them.
    """
    out: list[str] = []
    origin: list[int] = []
    pending_space = -1
    for i, ch in enumerate(text):
        if ch.isspace():
            if pending_space < 0:
                pending_space = i
            continue
        norm = unicodedata.normalize("NFKC", ch).lower()
        if pending_space >= 0 and out:
            joins_ascii = out[-1].isascii() and norm[:1].isascii()
            if not drop_cjk_spaces or joins_ascii:
                out.append(" ")
                origin.append(pending_space)
        pending_space = -1
        for c in norm:
            out.append(c)
            origin.append(i)
    return Folded("".join(out), origin)


def find(folded: str, term: str) -> list[int]:
    """Start offsets of ``term`` in ``folded``; ASCII words must not be parts of words."""
    hits: list[int] = []
    start = folded.find(term)
    ascii_word = term.isascii() and term[:1].isalnum()
    while start >= 0 and term:
        end = start + len(term)
        bounded = not ascii_word or (
            (start == 0 or not _ascii_alnum(folded[start - 1]))
            and (end == len(folded) or not _ascii_alnum(folded[end]))
        )
        if bounded:
            hits.append(start)
        start = folded.find(term, start + 1)
    return hits


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def highlight(
    text: str, terms: Sequence[str], width: int = SNIPPET_CHARS, drop_cjk_spaces: bool = False
) -> SafeString:
    """The ``width`` characters of ``text`` richest in ``terms``, with them marked."""
    folded = fold(text, drop_cjk_spaces)
    if not folded.text:
        return mark_safe("")
    return _marked(text, folded, _spans(folded, terms), width)


def found_snippet(text: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> SafeString:
    """``highlight`` where the text holds one of ``terms`` (across a line break inside a
    Chinese sentence too), else "": a snippet without one says nothing about why the
    document was found. One normalisation of the text serves both."""
    folded = fold(text, drop_cjk_spaces=True)
    spans = _spans(folded, [t.lower() for t in terms])
    return _marked(text, folded, spans, width) if spans else mark_safe("")


def _spans(folded: Folded, terms: Sequence[str]) -> list[tuple[int, int, str]]:
    """Where each term occurs in the folded text: (start, end, term), in order."""
    return sorted(
        (s, s + len(t), t) for t in dict.fromkeys(terms) if t for s in find(folded.text, t)
    )


def _marked(text: str, folded: Folded, spans: list[tuple[int, int, str]], width: int) -> SafeString:
    start = _best_window(spans, width)
    return _render(text, folded, spans, start, min(len(folded.text), start + width))


def _best_window(spans: list[tuple[int, int, str]], width: int) -> int:
    best, best_score = 0, -1
    for s, _e, _t in spans:
        begin = max(0, s - LEAD)
        distinct = {t for s2, e2, t in spans if s2 >= begin and e2 <= begin + width}
        if len(distinct) > best_score:
            best, best_score = begin, len(distinct)
    return best


def _render(
    text: str, folded: Folded, spans: list[tuple[int, int, str]], start: int, end: int
) -> SafeString:
    parts: list[str] = ["…"] if start > 0 else []
    cursor = start
    for s, e, _t in spans:
        if s < cursor or e > end:
            continue
        parts.append(_plain(text, folded, cursor, s))
        parts.append("<mark>" + _plain(text, folded, s, e) + "</mark>")
        cursor = e
    parts.append(_plain(text, folded, cursor, end))
    if end < len(folded.text):
        parts.append("…")
    return mark_safe("".join(parts))  # every piece of text went through escape()


def _plain(text: str, folded: Folded, start: int, end: int) -> str:
    """Original text behind folded[start:end], whitespace folded, escaped."""
    if start >= end:
        return ""
    first = folded.origin[start]
    last = folded.origin[end - 1] + 1
    return str(escape(_SPACES.sub(" ", text[first:last])))
