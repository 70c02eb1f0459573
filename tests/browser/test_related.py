"""您可能关注的文档 on a young site (issue 12, item 4), as a visitor sees it in a browser.

Lists were stored at publish and refreshed after 24 hours, so the first documents of a
new library showed an empty (or unrelated) list for a day. Publishing now also refreshes
the stored lists of the new document's nearest neighbours.
"""

from __future__ import annotations

import os

import pytest

from tests.publishing.test_publishing import RIVERS, THEATRE, about

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


def test_the_first_document_lists_the_later_ones_of_its_subject(page, live_server, publish):
    """Given the first document of a new library (its list stored while it was alone),
    When two more on its subject and one on another are published, Then its page shows
    您可能关注的文档 at once, naming the two of its subject first."""
    first = publish(title="River survey", text=about(RIVERS, 1))
    publish(title="Theatre notes", text=about(THEATRE, 2))
    second = publish(title="River report", text=about(RIVERS, 3))
    third = publish(title="Glacier and valley walks", text=about(RIVERS, 7))

    page.goto(f"{live_server.url}{first.get_absolute_url()}")
    section = page.locator("section[aria-labelledby=related-title]")
    assert section.is_visible(), "您可能关注的文档 is missing from the first document's page"
    assert "您可能关注的文档" in section.locator("h2").inner_text()
    titles = section.locator("a.title").all_inner_texts()
    assert set(titles[:2]) == {second.title, third.title}, titles
    section.get_by_text(second.title).click()
    page.wait_for_url(f"**{second.get_absolute_url()}")
