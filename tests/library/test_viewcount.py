"""Views count people once a day; reloads, crawlers, uploaders and prefetches don't count."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories.pdf import make_pdf
from wenku.library import viewcount
from wenku.library.models import DailyStats, Document

pytestmark = pytest.mark.django_db
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def doc(ingested):
    return ingested("a.pdf", make_pdf(2))


def views(doc: Document) -> int:
    viewcount.flush()
    return Document.objects.get(pk=doc.pk).view_count


def visit(client: Client, doc: Document, agent: str = CHROME, **headers: str) -> None:
    assert client.get(doc.get_absolute_url(), HTTP_USER_AGENT=agent, **headers).status_code == 200


def test_reloads_count_once(doc):
    reader = Client()
    for _ in range(5):
        visit(reader, doc)
    assert views(doc) == 1
    assert reader.cookies[viewcount.COOKIE].value  # remembered by a cookie


def test_different_people_count(doc, other_user):
    visit(Client(), doc)
    visit(Client(REMOTE_ADDR="10.1.2.3"), doc, FIREFOX)
    logged_in = Client()
    logged_in.force_login(other_user)
    visit(logged_in, doc)
    visit(logged_in, doc)
    assert views(doc) == 3
    assert DailyStats.objects.get(document=doc).views == 3


def test_a_client_refusing_cookies_counts_once_a_day(doc):
    for _ in range(3):
        visit(Client(), doc)  # a fresh client each time: no cookie sent
    assert views(doc) == 1


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile "
        "Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "python-requests/2.31.0",
        "curl/8.5.0",
        "",
    ],
)
def test_crawlers_do_not_count(doc, agent):
    visit(Client(), doc, agent)
    assert views(doc) == 0


def test_prefetch_and_the_uploader_do_not_count(doc, user):
    visit(Client(), doc, HTTP_SEC_PURPOSE="prefetch")
    owner = Client()
    owner.force_login(user)
    visit(owner, doc)
    assert views(doc) == 0


def test_views_of_a_deleted_document_are_dropped_not_retried(doc):
    from django.db import transaction

    viewcount._pending.put((doc.pk + 999, "cdeadbeef", doc.created_at.date()))
    with transaction.atomic():
        assert viewcount.flush() == 0
    assert viewcount._pending.empty()


def test_one_flush_counts_many_documents_and_days(ingested, doc):
    """The writer adds a whole batch in a few statements: each document's total is the sum
    of its new views over the days, each day's row its own, a repeat counts once."""
    from datetime import timedelta

    from wenku.library import counters

    other = ingested("b.pdf", make_pdf(3))
    today = doc.created_at.date()
    yesterday = today - timedelta(days=1)
    for visitor in ("c1", "c2", "c3"):
        viewcount._pending.put((doc.pk, visitor, today))
    viewcount._pending.put((doc.pk, "c1", today))  # the same visitor again: not new
    viewcount._pending.put((doc.pk, "c1", yesterday))
    viewcount._pending.put((other.pk, "c1", today))
    assert viewcount.flush() == 5
    assert Document.objects.get(pk=doc.pk).view_count == 4
    assert Document.objects.get(pk=other.pk).view_count == 1
    days = {(s.document_id, s.day): s.views for s in DailyStats.objects.all()}
    assert days == {(doc.pk, today): 3, (doc.pk, yesterday): 1, (other.pk, today): 1}

    counters.add_many(
        {(other.pk, today): (2, 1), (other.pk, yesterday): (0, 2), (doc.pk, today): (0, 0)}
    )
    other.refresh_from_db()
    assert (other.view_count, other.download_count) == (3, 3)
    assert DailyStats.objects.get(document=other, day=yesterday).downloads == 2
    assert Document.objects.get(pk=doc.pk).view_count == 4
