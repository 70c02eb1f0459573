"""The document page for a signed-in reader (issue 13, item 7): its queries are bounded,
and do not grow with the comments, replies, related documents or recent downloads it
shows (a warm page's own bound: test_document_page_signed_in.py)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# The signed-in page's queries (session, user, document, tags, pages, the reader's account,
# download record, penalty and caps, rules, related, 最近下载, ratings, comments,
# favourites, notifications), plus the view written during the request in tests
# (WENKU_VIEW_FLUSH_SECONDS=0: four statements a server leaves to its background thread).
MOST_QUERIES = 25 + 1


@pytest.fixture
def page(publish, make_doc, other_user, monkeypatch):  # type: ignore[no-untyped-def]
    """page(n) → a published document with ``n`` comments by as many people, each with
    a reply, their ratings, ``n`` related documents which they downloaded (最近下载);
    and a signed-in reader (not its uploader) on it."""
    import itertools

    from django.utils import timezone

    from wenku.accounts.models import User
    from wenku.community import domain
    from wenku.economy import downloads
    from wenku.search.models import RelatedList

    people = itertools.count()

    monkeypatch.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())

    def make(n: int):  # type: ignore[no-untyped-def]
        doc = publish()
        related = [make_doc(f"相关文档{i}") for i in range(n)]
        RelatedList.objects.update_or_create(
            document=doc, defaults={"ids": [d.pk for d in related], "computed_at": timezone.now()}
        )
        for i in range(n):
            k = next(people)
            person = User.objects.create_user(f"reader{k}", f"reader{k}@example.com", "pw")
            comment = domain.add_comment(person, doc, f"第{i}条评论，写得很好")
            domain.add_comment(other_user, doc, f"回复第{i}条", answering=comment)
            domain.rate(person, doc, 1 + i % 5)
            downloads.download(person, related[i], f"198.51.100.{k + 1}")
        reader = Client(HTTP_USER_AGENT="Mozilla/5.0 Chrome/120")
        reader.force_login(other_user)
        return doc, reader

    return make


def queries_of(reader: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = reader.get(url)
    assert response.status_code == 200 and not response.has_header("X-Page-Cache")
    return len(ctx.captured_queries)


def test_the_signed_in_document_page_makes_few_queries(page, django_assert_max_num_queries):
    doc, reader = page(3)
    reader.get(doc.get_absolute_url())  # the first view of the day writes more
    with django_assert_max_num_queries(MOST_QUERIES):
        page_ = reader.get(doc.get_absolute_url())
    html = page_.content.decode()
    assert "第2条评论" in html and "回复第2条" in html and html.count("相关文档2") == 2


def test_its_queries_do_not_grow_with_comments_or_related_documents(page):
    few_doc, few_reader = page(1)
    many_doc, many_reader = page(8)
    for reader, doc in ((few_reader, few_doc), (many_reader, many_doc)):
        reader.get(doc.get_absolute_url())
    few = queries_of(few_reader, few_doc.get_absolute_url())
    many = queries_of(many_reader, many_doc.get_absolute_url())
    assert many == few
