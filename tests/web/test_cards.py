"""The document page's 最近下载 box, kept as HTML per category (web/cards.py): the same
box as rendered afresh, read once for many pages of a category, and a document that left
the site never listed by a kept box."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from wenku.core import pagecache
from wenku.economy.downloads import download
from wenku.economy.queries import recent_downloads_near
from wenku.library.models import Category, Document
from wenku.web import cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(publish, other_user):  # type: ignore[no-untyped-def]
    """(two documents of one category, three others of it that a reader downloaded)."""
    category = Category.objects.create(name="合同", slug="hetong")
    read = [publish(title=f"在读的合同{n}", category=category) for n in range(2)]
    downloaded = [publish(title=f"下载过的合同{n}", category=category) for n in range(3)]
    for doc in downloaded:
        download(other_user, doc)
    return read, downloaded


def made_whole(doc: Document) -> str:
    """The page made anew for a guest (its kept page dropped first)."""
    pagecache.invalidate_documents([doc.pk])
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(doc.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_kept_box_is_the_box_rendered_afresh(shelf):
    read, _downloaded = shelf
    category = read[0].category
    with translation.override("zh-hans"):
        fresh = render_to_string(
            "economy/_recent_downloads.html",
            {"recent_downloads": recent_downloads_near(category)},
        )
        assert cards.recent_download_cards(category) == fresh  # made and kept
        assert cards.recent_download_cards(category) == fresh  # kept
    html = made_whole(read[0])
    assert fresh in html and "下载过的合同2" in html


def test_the_pages_of_a_category_read_its_feed_once(shelf, monkeypatch):
    read, _downloaded = shelf
    reads = []
    real = cards.recent_downloads_near
    monkeypatch.setattr(cards, "recent_downloads_near", lambda c: reads.append(c.pk) or real(c))
    first, second = made_whole(read[0]), made_whole(read[1])
    assert len(reads) == 1 and "下载过的合同0" in first and "下载过的合同0" in second


def test_a_document_that_left_the_site_leaves_the_kept_box(shelf):
    read, downloaded = shelf
    assert "下载过的合同1" in made_whole(read[0])
    # What a takedown does to every kept page (publishing.reactions), here without its
    # moderation: the row's status, and the site's pages dropped.
    Document.objects.filter(pk=downloaded[1].pk).update(status="taken_down")
    pagecache.invalidate_all()
    html = made_whole(read[1])
    assert "下载过的合同1" not in html and "下载过的合同0" in html


def test_a_render_that_straddles_a_takedown_is_not_served(shelf, monkeypatch):
    """A box rendered from data read before a takedown, kept after it, is kept under the
    generation read before rendering, so the next page renders it again."""
    read, downloaded = shelf

    def read_then_take_down(category):  # type: ignore[no-untyped-def]
        found = recent_downloads_near(category)
        Document.objects.filter(pk=downloaded[2].pk).update(status="taken_down")
        pagecache.invalidate_all()
        return found

    monkeypatch.setattr(cards, "recent_downloads_near", read_then_take_down)
    assert "下载过的合同2" in made_whole(read[0])  # read before the takedown
    monkeypatch.setattr(cards, "recent_downloads_near", recent_downloads_near)
    assert "下载过的合同2" not in made_whole(read[1])
