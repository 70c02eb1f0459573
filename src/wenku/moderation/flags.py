"""Automatic flags on a converted upload, for the review queue: junk and the other
things a moderator wants pointed out. Computed from what the pipeline extracted (the
pages' text, the counts), never from the raw file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from wenku.moderation import words
from wenku.moderation.models import Policy, WordAction

FLAGS = {
    "banned_words": _("banned words"),
    "little_text": _("very little text per page"),
    "no_text": _("scanned pages without text"),
    "toc_only": _("only a table of contents"),
    "title_unrelated": _("title unrelated to the text"),
    "tiny_file": _("tiny file"),
}
# Flags that make an upload junk: held when the policy says so, and never rewarded.
JUNK = frozenset({"little_text", "no_text", "toc_only", "tiny_file"})

_TOC_LEADERS = re.compile(r"(\.{3,}|…{2,}|·{3,}|-{3,}|_{3,})\s*\d{1,4}\s*$")
_TOC_SHORT = re.compile(r"\S\s+\d{1,4}\s*$")
_TOC_SHORT_LINE = 40
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z]{3,}")


def compute(
    *,
    title: str,
    description: str,
    tags: Sequence[str],
    size: int,
    pages: Sequence[str],
    char_count: int,
    policy: Policy | None = None,
) -> list[str]:
    """The flag codes of an upload (see ``FLAGS``), in a stable order."""
    policy = policy or Policy.current()
    found: list[str] = []
    text = "\n".join(pages)
    banned = words.find(title, description, " ".join(tags), text)
    if banned and banned.action != WordAction.MASK:
        found.append("banned_words")
    if pages and not text.strip():
        found.append("no_text")
    elif pages and char_count / len(pages) < policy.min_chars_per_page:
        found.append("little_text")
    if _toc_only(text):
        found.append("toc_only")
    if _title_unrelated(title, text):
        found.append("title_unrelated")
    if size < policy.tiny_file_bytes:
        found.append("tiny_file")
    return found


def is_junk(flags: Sequence[str]) -> bool:
    return any(f in JUNK for f in flags)


def _toc_only(text: str) -> bool:
    """Most of several lines are entries: a page number after leaders (……12), or a short
    heading followed by its page number (第一章 总则 3)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 5:
        return False
    entries = sum(
        1
        for line in lines
        if _TOC_LEADERS.search(line) or (len(line) <= _TOC_SHORT_LINE and _TOC_SHORT.search(line))
    )
    return entries / len(lines) >= 0.6


def _title_unrelated(title: str, text: str) -> bool:
    """No two-character piece (Chinese) or word (Latin) of the title occurs in the text;
    only judged when both have something to compare."""
    folded_title, folded_text = words.fold(title), words.fold(text)
    if len(folded_text) < 200:
        return False
    cjk = "".join(_CJK.findall(folded_title))
    pieces = {cjk[i : i + 2] for i in range(len(cjk) - 1)}
    pieces |= set(_LATIN.findall(folded_title))
    if len(pieces) < 2:
        return False
    return not any(piece in folded_text for piece in pieces)


def labels(codes: Sequence[str]) -> list[str]:
    return [str(FLAGS.get(code, code)) for code in codes]
