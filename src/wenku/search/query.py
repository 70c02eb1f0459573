"""What a reader typed, turned into clauses every backend understands.

The syntax is small on purpose and never fails: words are AND-ed; "a phrase" in
straight or Chinese quotes must appear as written; -word excludes. Everything else
(operators, brackets, SQL, Tantivy syntax, control characters) is ordinary text that
segmentation reduces to words or drops. An unbalanced quote is ignored, an overlong
query is cut, and the ``notes`` say so, for the page to show.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from wenku.search.segment import words

MAX_QUERY_CHARS = 100
MAX_CLAUSES = 12
_QUOTES = re.compile(r'["“”„«»「」『』]')


@dataclass(frozen=True)
class Clause:
    """One or more tokens; a phrase needs them adjacent and in order."""

    tokens: tuple[str, ...]
    phrase: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    clauses: tuple[Clause, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    @property
    def has_phrase(self) -> bool:
        return any(c.phrase for c in self.positive)

    @property
    def empty(self) -> bool:
        return not self.positive

    def terms(self) -> list[str]:
        """Every positive token, once, in order (for highlighting and OR fallback)."""
        seen: dict[str, None] = {}
        for clause in self.positive:
            seen.update(dict.fromkeys(clause.tokens))
        return list(seen)

    def relaxed(self) -> ParsedQuery:
        """Phrases loosened to their words (the first fallback when nothing matches)."""
        out: list[Clause] = []
        for clause in self.clauses:
            if clause.phrase and not clause.negated:
                out.extend(Clause((t,)) for t in clause.tokens)
            else:
                out.append(clause)
        return ParsedQuery(self.text, _dedupe(out), self.notes)


def clean(raw: str) -> tuple[str, list[str]]:
    """Control characters become spaces; an overlong query is cut (with a note)."""
    notes: list[str] = []
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in raw or "")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(
            _("Your query was long: only its first %(n)s characters were used.")
            % {"n": MAX_QUERY_CHARS}
        )
    return text, notes


def parse(raw: str) -> ParsedQuery:
    """Parse a reader's query; never raises."""
    text, notes = clean(raw)
    parts = _QUOTES.split(text)
    if len(parts) % 2 == 0:  # an odd number of quotes: the last one opens nothing
        parts = [*parts[:-2], parts[-2] + " " + parts[-1]]
        notes.append(_("An unmatched quotation mark was ignored."))
    clauses: list[Clause] = []
    for index, part in enumerate(parts):
        if index % 2:
            clauses.extend(_phrase(part))
        else:
            for chunk in part.split():
                clauses.extend(_chunk(chunk))
    unique = _dedupe(clauses)
    if len(unique) > MAX_CLAUSES:
        unique = unique[:MAX_CLAUSES]
        notes.append(_("Only the first %(n)s words were used.") % {"n": MAX_CLAUSES})
    return ParsedQuery(text, unique, tuple(notes))


def _phrase(text: str, negated: bool = False) -> list[Clause]:
    tokens = tuple(words(text))
    if not tokens:
        return []
    return [Clause(tokens, phrase=len(tokens) > 1, negated=negated)]


def _chunk(chunk: str) -> list[Clause]:
    if chunk.startswith("-") and len(chunk) > 1:
        return _phrase(chunk[1:], negated=True)
    return [Clause((t,)) for t in words(chunk)]


def _dedupe(clauses: list[Clause]) -> tuple[Clause, ...]:
    return tuple(dict.fromkeys(clauses))
