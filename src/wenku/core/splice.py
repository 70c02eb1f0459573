"""A page kept once for many readers, with holes where each reader's own parts go.

A view renders the page with ``reader_slots`` set to a fresh ``nonce()``; its templates
then write, instead of what differs from reader to reader, a mark
``<!--wk:NONCE:NAME-->`` (the header's menu, the download box, the rating form ...), and
for a comment's actions both versions, its author's and everyone else's, between
``<!--wk:NONCE:own:AUTHOR-->``, ``<!--wk:NONCE:other-->`` and ``<!--wk:NONCE:end-->``.
Every CSRF token in it is ``placeholder(nonce)``. ``cut`` turns that HTML into ``Holed``
parts, kept in the page cache; ``fill`` puts a reader's pieces, their own choice of each
comment's actions and their CSRF token into it, per request, without a template.

Marks cannot come from what users write: every user string on the page is escaped, so
it holds no ``<``; and the nonce is never served, so a mark cannot be guessed either
(one that is not this page's own is left as it is).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.html import format_html


@dataclass(frozen=True)
class Slot:
    """Where the reader's piece ``name`` goes."""

    name: str


@dataclass(frozen=True)
class Choice:
    """One of two versions: ``own`` for the reader whose id is ``author``, ``other`` for
    every other signed-in reader, nothing for a guest."""

    author: int
    own: str
    other: str


Part = str | Slot | Choice


@dataclass(frozen=True)
class Holed:
    parts: tuple[Part, ...]
    csrf: str  # the CSRF field as the page holds it, to be replaced by the reader's
    holes: frozenset[str]  # the names of the pieces it needs


def nonce() -> str:
    return secrets.token_hex(8)


def placeholder(nonce: str) -> str:
    """The CSRF token the page is rendered with (a template's ``csrf_token``)."""
    return f"wk{nonce}"


def csrf_field(token: str) -> str:
    """The form field ``{% csrf_token %}`` writes, exactly."""
    return str(format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token))


def cut(html: str, nonce: str) -> Holed:
    """The page's parts between its marks (``ValueError`` if a choice is left open)."""
    marks = re.compile(rf"<!--wk:{re.escape(nonce)}:(\w+?)(?::(\d+))?-->")
    parts: list[Part] = []
    choice: list[object] | None = None
    start = 0
    for mark in marks.finditer(html):
        text, start = html[start : mark.start()], mark.end()
        name, number = mark.group(1), mark.group(2)
        if name == "own":
            parts.append(text)
            choice = [int(number)]
        elif name in ("other", "end"):
            if choice is None:
                raise ValueError(f"<!--wk:…:{name}--> outside a choice")
            choice.append(text)
            if name == "end":
                parts.append(Choice(*choice))  # type: ignore[arg-type]
                choice = None
        else:
            parts.append(text)
            parts.append(Slot(name))
    if choice is not None:
        raise ValueError("a choice is not closed")
    parts.append(html[start:])
    holes = frozenset(part.name for part in parts if isinstance(part, Slot))
    return Holed(tuple(p for p in parts if p != ""), csrf_field(placeholder(nonce)), holes)


# The CSRF token the reader's own pieces are rendered with (so a piece can be kept and
# reused: ``fill`` puts the reader's token in its place).
PIECE_TOKEN = "wk-piece-token"
_PIECE_FIELD = csrf_field(PIECE_TOKEN)


def fill(
    holed: Holed, pieces: Mapping[str, str], reader: int | None, token: Callable[[], str]
) -> str:
    """The page for one reader: their ``pieces`` in the slots, their choice of each
    comment's actions (``reader``: their id, None for a guest), their CSRF token in the
    page's and the pieces' forms (asked for only if there is a form)."""
    out = []
    for part in holed.parts:
        if type(part) is str:
            out.append(part)
        elif type(part) is Slot:
            out.append(pieces[part.name])
        elif reader is not None:
            out.append(part.own if part.author == reader else part.other)  # type: ignore[union-attr]
    page = "".join(out)
    placeholders = [p for p in (holed.csrf, _PIECE_FIELD) if p in page]
    if placeholders:
        field = csrf_field(token())
        for placeholder in placeholders:
            page = page.replace(placeholder, field)
    return page
