"""A reader's own parts of a kept document page (``web.pieces``) are made from plain
values and kept per process for the next reader with the same values, on any document:
each must be exactly what its template makes from the real request, reader, document,
download quote and community block, in every state they can be in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import timezone, translation

from tests.economy.conftest import give
from wenku.community import domain as community
from wenku.community.queries import readers_own
from wenku.core import splice
from wenku.economy import downloads
from wenku.economy.context_processors import account
from wenku.notifications.context_processors import notifications
from wenku.web import pieces

pytestmark = pytest.mark.django_db

HOLES = frozenset(pieces.READER_PIECES)


@pytest.fixture(autouse=True)
def _nothing_kept():  # type: ignore[no-untyped-def]
    pieces._made.cache_clear()
    yield
    pieces._made.cache_clear()


@pytest.fixture
def made(monkeypatch):  # type: ignore[no-untyped-def]
    """The pieces a template made (the rest were kept ones)."""
    names: list[str] = []
    real = pieces._render

    def counted(name, values):  # type: ignore[no-untyped-def]
        names.append(name)
        return real(name, values)

    monkeypatch.setattr(pieces, "_render", counted)
    return names


def person(name: str):  # type: ignore[no-untyped-def]
    from wenku.accounts.models import User

    return User.objects.create_user(name, f"{name}@example.com", "correct horse battery")


def request_for(user, doc):  # type: ignore[no-untyped-def]
    request = RequestFactory().get(doc.get_absolute_url())
    request.user = user
    return request


def by_template(request, doc, quote) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each piece as its template makes it from the real objects."""
    user = request.user
    context = {
        "request": request,
        "user": user,
        "doc": doc,
        "download_quote": quote,
        "community": readers_own(user, doc),
        "csrf_token": splice.PIECE_TOKEN,
    }
    context |= account(request) | notifications(request)
    return {
        name: get_template(template).template.render(Context(context, autoescape=True))
        for name, (template, _) in pieces.READER_PIECES.items()
    }


def pieces_for(user, doc) -> tuple[dict[str, str], dict[str, str]]:  # type: ignore[no-untyped-def]
    """(the kept pieces, the template's) for ``user`` reading ``doc``."""
    request = request_for(user, doc)
    quote = downloads.quote(user, doc, "198.51.100.7")
    return pieces.reader_pieces(request, doc, quote, HOLES), by_template(request, doc, quote)


def readers(make_doc, owner):  # type: ignore[no-untyped-def]
    """A reader (or guest) in each state a piece shows, and a document for each."""
    from wenku.economy.domain import grant_vip
    from wenku.moderation.models import Penalty, PenaltyKind
    from wenku.notifications.domain import notify

    def doc(pricing: str, price: int):  # type: ignore[no-untyped-def]
        return make_doc(f"{pricing} {price}", pricing=pricing, price=price)

    poor, rich, member, buyer, barred, odd = (
        person(n) for n in ("poor", "rich", "member", "buyer", "barred", "n" + pieces.ANY_ID)
    )
    give(rich, 40)
    give(buyer, 10)
    grant_vip(member, 30)
    notify(rich, "comment", text="hello", actor=poor)
    folder = community.create_folder(rich, "我的文件夹")
    community.create_folder(poor, "<b>读书</b>")
    Penalty.objects.create(
        user=barred,
        kind=PenaltyKind.DOWNLOAD,
        until=timezone.now() + timedelta(days=2),
        reason=f"spam {pieces.ANY_ID}",
    )
    cases = [
        (AnonymousUser(), doc("points", 5)),
        (AnonymousUser(), doc("vip_only", 0)),
        (AnonymousUser(), doc("free", 0)),
        (poor, doc("points", 5)),
        (poor, doc("vip_free", 3)),
        (rich, doc("points", 5)),
        (member, doc("vip_free", 3)),
        (member, doc("vip_only", 0)),
        (barred, doc("points", 1)),
        (odd, doc("free", 0)),
        (owner, doc("points", 5)),
    ]
    rated = doc("points", 7)
    community.rate(rich, rated, 4)
    community.add_favourite(rich, rated, folder)
    saved = doc("free", 0)
    community.add_favourite(poor, saved, None)
    bought = doc("points", 2)
    downloads.download(buyer, bought)
    return [*cases, (rich, rated), (poor, saved), (buyer, bought)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_piece_is_what_its_template_makes_of_the_real_objects(make_doc, user, language, made):
    with translation.override(language):
        for reader, doc in readers(make_doc, user):
            kept, template = pieces_for(reader, doc)
            assert kept == template, (reader, doc.pricing, doc.price)
            again, _ = pieces_for(reader, doc)  # kept now, unless the values name ANY_ID
            assert again == template
    assert made  # the first of each was made by its template


def test_a_reader_s_pieces_serve_every_document_with_the_same_values(make_doc, made):
    reader = person("reader")
    give(reader, 20)
    first, second = (make_doc(t, pricing="points", price=3) for t in ("一", "二"))
    kept, template = pieces_for(reader, first)
    assert kept == template and sorted(made) == sorted(HOLES)
    made.clear()
    kept, template = pieces_for(reader, second)
    assert kept == template and made == []  # no template: each piece was kept
    assert f"/d/{second.pk}/" in kept["rate"] and f"/d/{first.pk}/" not in "".join(kept.values())
    community.rate(reader, second, 5)  # new values: the community block's pieces anew
    kept, template = pieces_for(reader, second)
    assert kept == template and sorted(made) == ["comment_form", "favourite", "rate"]


def test_a_text_naming_the_kept_id_is_made_for_its_document_alone(make_doc, made):
    """A username holding ``ANY_ID`` would be turned into the document's id if its pieces
    were kept: they are made each time, with the document's own id."""
    doc = make_doc("文档", pricing="points", price=3)
    odd = person(f"x{pieces.ANY_ID}")
    for _ in range(2):
        kept, template = pieces_for(odd, doc)
        assert kept == template and f"x{pieces.ANY_ID}" in kept["menu"]
    assert len(made) == 2 * len(HOLES)
