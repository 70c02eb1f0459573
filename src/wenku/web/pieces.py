"""A reader's own parts of a kept document page (its holes, ``core.splice``): the header's
menu, the download box and pay bar, the preview's end, the rating, favourite and comment
forms.

Each piece is made from plain values only (``_Values``, named tuples: hashed in C): what
its template shows, read from the reader's request, the document, the download quote and
the community block. A process keeps what a template made from such values (``_made``),
so the next reader with the same values gets the piece without a template: the same
balance, rating, folders, price and language. Values that name the document (its id, in
URLs) are made with ``ANY_ID`` in its place, which the served piece turns back into the
id: a reader's pieces serve every document with the same values.

A piece's context is its values and nothing else, so it cannot show anything its values
do not hold; ``tests/library/test_reader_pieces.py`` renders every piece from the real
objects too, in every state of a quote and a reader, and compares.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from django.http import HttpRequest
from django.template import Context, Template
from django.template.loader import get_template
from django.utils.translation import get_language

from wenku.community.queries import readers_own
from wenku.core import splice
from wenku.economy import downloads
from wenku.economy.context_processors import account as header_account
from wenku.library.models import Document
from wenku.notifications.context_processors import notifications

# The holes' names, the templates that fill them (which the page includes when it is
# made whole), and the values each template is given.
READER_PIECES = {
    "menu": ("accounts/_menu.html", ("user", "request", "unread_notifications", "header_account")),
    "quote": ("economy/_preview_quote.html", ("doc", "request", "download_quote")),
    "box": ("economy/_download_box.html", ("doc", "request", "download_quote")),
    "pay_bar": ("economy/_pay_bar.html", ("doc", "request", "download_quote")),
    "rate": ("community/_rate.html", ("doc", "request", "user", "community")),
    "favourite": ("community/_favourite.html", ("doc", "user", "community")),
    "comment_form": ("community/_comment_form.html", ("user", "community")),
}

# What kept pieces hold for the document's id: more digits than any integer column holds,
# so no number on a piece is this; a text holding it is made for its document alone.
ANY_ID = "98765432109876543210"


class _Document(NamedTuple):
    pk: str
    pricing: str
    price: int


class _Request(NamedTuple):
    get_full_path: str  # what the templates ask of the request: the page's own path


class _User(NamedTuple):
    is_authenticated: bool
    username: str


class _Account(NamedTuple):
    balance: int
    vip: bool


class _Quote(NamedTuple):
    refusal: str
    ok: bool
    allowed: bool
    cost: int
    balance: int
    signed_in: bool
    message: str


class _Folder(NamedTuple):
    pk: int | None
    name: str


class _Favourite(NamedTuple):
    folder: _Folder | None


class _Community(NamedTuple):
    my_rating: int | None
    can_rate: bool
    favourite: _Favourite | None
    folders: tuple[_Folder, ...]
    comment_url: str


_Values = dict[str, Any]


def reader_pieces(
    request: HttpRequest, doc: Document, quote: downloads.Quote, holes: frozenset[str]
) -> dict[str, str]:
    """The reader's pieces for the page's ``holes``, their forms holding
    ``splice.PIECE_TOKEN`` for a CSRF token."""
    values = _values(request, doc, quote, holes)
    language = get_language()
    if _names_any_id(request, values):  # a text holding ANY_ID: made for this document alone
        exact = _values(request, doc, quote, holes, document_id=str(doc.pk))
        return {name: _render(name, exact) for name in holes}
    shown = str(doc.pk)
    return {
        name: _made(name, language, *(values[v] for v in READER_PIECES[name][1])).replace(
            ANY_ID, shown
        )
        for name in holes
    }


def _values(
    request: HttpRequest,
    doc: Document,
    quote: downloads.Quote,
    holes: frozenset[str],
    document_id: str = ANY_ID,
) -> _Values:
    """Every value the ``holes``' templates show, with ``document_id`` for the
    document's id."""
    user = request.user
    own = str(doc.pk)
    values: _Values = {
        "doc": _Document(document_id, doc.pricing, doc.price),
        "request": _Request(request.get_full_path().replace(own, document_id)),
        "user": _User(user.is_authenticated, user.get_username()),
        "download_quote": _Quote(
            quote.refusal,
            quote.ok,
            quote.allowed,
            quote.cost,
            quote.balance,
            quote.signed_in,
            str(quote.message),
        ),
    }
    if user.is_authenticated and "menu" in holes:
        account = header_account(request)["header_account"]
        values["header_account"] = _Account(account["balance"], account["vip"])
        values["unread_notifications"] = notifications(request)["unread_notifications"]
    else:
        values["header_account"], values["unread_notifications"] = None, None
    if holes & {"rate", "favourite", "comment_form"}:
        mine = readers_own(user, doc)
        favourite = mine["favourite"]
        folder = favourite.folder if favourite is not None else None
        values["community"] = _Community(
            mine["my_rating"],
            mine["can_rate"],
            None if favourite is None else _Favourite(folder and _Folder(folder.pk, folder.name)),
            tuple(_Folder(f["pk"], f["name"]) for f in mine["folders"]),
            mine.get("comment_url", "").replace(own, document_id),
        )
    else:
        values["community"] = None
    return values


def _names_any_id(request: HttpRequest, values: _Values) -> bool:
    """Does a text of the request, the reader or the site hold ``ANY_ID``?"""
    community, user = values["community"], values["user"]
    texts = [request.get_full_path(), user.username, values["download_quote"].message]
    if community is not None:
        texts += [f.name for f in community.folders]
        if community.favourite is not None and community.favourite.folder is not None:
            texts.append(community.favourite.folder.name)
    return any(ANY_ID in text for text in texts)


@functools.lru_cache(maxsize=8192)
def _made(name: str, language: str, *values: Any) -> str:
    """The piece ``name`` made from exactly these values in ``language`` (the active
    one: it is part of the key), kept for whoever has the same."""
    return _render(name, dict(zip(READER_PIECES[name][1], values, strict=True)))


def _render(name: str, values: _Values) -> str:
    template, given = READER_PIECES[name]
    context = {v: values[v] for v in given} | {"csrf_token": splice.PIECE_TOKEN}
    return _template(template).render(Context(context, autoescape=True))


def _template(name: str) -> Template:
    return get_template(name).template  # type: ignore[attr-defined,no-any-return]
