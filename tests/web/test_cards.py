"""The document page's related and 最近下载 cards, kept as HTML (web/cards.py): the same
cards as rendered afresh, read once for many pages, a refreshed related list shown at
once, and a document that left the site never listed by a kept card."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation

from wenku.core import pagecache
from wenku.economy.queries import recent_downloads_near
from wenku.library.models import Document
from wenku.search import related
from wenku.search.models import RelatedList
from wenku.web import cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(publish, make_doc):  # type: ignore[no-untyped-def]
    """(a published document, three documents stored as its related list)."""
    doc = publish(title="主文档")
    others = [make_doc(f"相关的文档{i}") for i in range(3)]
    RelatedList.objects.update_or_create(
        document=doc, defaults={"ids": [d.pk for d in others], "computed_at": timezone.now()}
    )
    return doc, others


def made_whole(doc: Document) -> str:
    """The page made anew for a guest (its kept page dropped first)."""
    pagecache.invalidate_documents([doc.pk])
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(doc.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_kept_cards_are_the_cards_rendered_afresh(linked):
    doc, others = linked
    with translation.override("zh-hans"):
        fresh = render_to_string(
            "library/_ranked.html", {"documents": related.related_documents(doc)}
        )
        feed = render_to_string(
            "economy/_recent_downloads.html",
            {"recent_downloads": recent_downloads_near(doc.category)},
        )
        assert cards.related_cards(doc) == fresh  # made and kept
        assert cards.related_cards(doc) == fresh  # kept
        assert cards.recent_download_cards(doc.category) == feed
        assert cards.recent_download_cards(doc.category) == feed
    html = made_whole(doc)
    assert fresh in html and all(d.title in html for d in others)


def test_pages_made_whole_read_the_related_documents_once(linked, monkeypatch):
    doc, _others = linked
    reads = []
    real = cards.related_documents
    monkeypatch.setattr(cards, "related_documents", lambda d: reads.append(d.pk) or real(d))
    first, second = made_whole(doc), made_whole(doc)
    assert reads == [doc.pk] and "相关的文档2" in first and "相关的文档2" in second


def test_a_refreshed_related_list_shows_at_once(linked, make_doc):
    doc, _others = linked
    assert "相关的文档0" in made_whole(doc)
    newer = make_doc("新的相关文档")
    RelatedList.objects.filter(document=doc).update(ids=[newer.pk])
    html = made_whole(doc)
    assert "新的相关文档" in html and "相关的文档0" not in html


def test_a_document_that_left_the_site_leaves_kept_cards(linked):
    doc, others = linked
    assert "相关的文档1" in made_whole(doc)
    # What a takedown does to every kept page (publishing.reactions), here without its
    # moderation: the row's status, and the site's pages dropped.
    Document.objects.filter(pk=others[1].pk).update(status="taken_down")
    pagecache.invalidate_all()
    html = made_whole(doc)
    assert "相关的文档1" not in html and "相关的文档0" in html


def test_a_render_that_straddles_a_takedown_is_not_served(linked, monkeypatch):
    """A card rendered from data read before a takedown, kept after it, is kept under the
    generation read before rendering, so the next page renders it again."""
    doc, others = linked

    def render_then_take_down(d):  # type: ignore[no-untyped-def]
        found = related.related_documents(d)
        Document.objects.filter(pk=others[2].pk).update(status="taken_down")
        pagecache.invalidate_all()
        return found

    monkeypatch.setattr(cards, "related_documents", render_then_take_down)
    assert "相关的文档2" in made_whole(doc)  # read before the takedown
    monkeypatch.setattr(cards, "related_documents", related.related_documents)
    assert "相关的文档2" not in made_whole(doc)
