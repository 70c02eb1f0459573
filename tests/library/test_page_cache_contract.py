"""What every page kept for anonymous readers must guarantee (issue 10, item 8).

The attack: the anonymous home-page cache stored one visitor's flash message and served
it to everyone for a minute. Whatever cache a page uses, per-visitor content never
reaches another visitor: a flash message, a query string echoed into the page (the
header's search box, the log-in link's ``next``), a signed-in reader's page, a CSRF
token, a cookie, another language.

``CACHED_PAGES`` names a page for every kind a view keeps with ``core.pagecache.store``;
a view that starts keeping a new kind of page fails ``test_every_kind_of_kept_page_is_
under_contract`` until its page is added here, and then passes the same tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.accounts.helpers import last_mail_to, link_in, register

pytestmark = pytest.mark.django_db
SOURCE = Path(__file__).resolve().parents[2] / "src" / "wenku"

# kind (as views store it) → the URL of such a page, given a published document
CACHED_PAGES: dict[str, Callable[[object], str]] = {
    "site": lambda doc: "/",
    "document": lambda doc: doc.get_absolute_url(),  # type: ignore[attr-defined]
    "search": lambda doc: "/search?q=%E5%85%AC%E5%BC%80",  # kept under its query string
}


def test_every_kind_of_kept_page_is_under_contract():
    stored = set()
    for module in SOURCE.rglob("*.py"):
        stored |= set(re.findall(r'pagecache\.store\(\s*\w+,\s*"(\w+)"', module.read_text()))
    assert stored, "no view keeps pages any more: drop this contract or point it anew"
    assert stored <= set(CACHED_PAGES), f"add a page of each kind to CACHED_PAGES: {stored}"


@pytest.fixture(params=sorted(CACHED_PAGES))
def url(request, publish) -> str:
    return CACHED_PAGES[request.param](publish(title="公开的文档"))


def reader() -> Client:
    """An anonymous reader of the English pages (one cache key for every such reader)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def visitor_with_a_message() -> tuple[Client, str]:
    """A real anonymous visitor with a flash message waiting: they confirmed their
    address (the message is queued and they are sent to the log-in page)."""
    client = reader()
    register(client)
    confirmed = client.post(link_in(last_mail_to("reader@example.com")))
    assert confirmed.status_code == 302
    return client, "You can log in now"


def test_a_flash_message_is_shown_to_its_visitor_only(url):
    everyone = reader()
    everyone.get(url)  # a page is kept for anonymous readers
    visitor, message = visitor_with_a_message()
    assert message in visitor.get(url).content.decode()
    assert message not in everyone.get(url).content.decode()
    assert message not in reader().get(url).content.decode()


def test_a_flash_message_is_not_kept_when_it_comes_first(url):
    visitor, message = visitor_with_a_message()
    assert message in visitor.get(url).content.decode()
    assert message not in reader().get(url).content.decode()


def test_a_query_string_is_never_served_to_others(url):
    """The header's search box shows ?q=, the log-in and language links name the full
    path: a page made for one URL's query must not be served for another."""
    poisoned = reader().get(url + "?q=PoisonedQuery&next=//evil.example")
    assert "PoisonedQuery" in poisoned.content.decode()
    page = reader().get(url).content.decode()
    assert "PoisonedQuery" not in page and "evil.example" not in page


def test_a_signed_in_page_is_never_served_to_others(url, django_user_model):
    """A reader other than the uploader (whose name the document page shows to all)."""
    reader_ = django_user_model.objects.create_user("memberbob", "bob@example.com", "pw-Bob-12345")
    member = Client()
    member.force_login(reader_)
    signed_in = member.get(url).content.decode()
    assert reader_.username in signed_in and reverse("accounts:logout") in signed_in
    page = Client().get(url).content.decode()
    assert "memberbob" not in page and reverse("accounts:logout") not in page


def test_tokens_and_cookies_stay_with_their_visitor(url):
    first = Client().get(url)
    second = Client().get(url)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', first.content.decode())
    for token in tokens:
        assert token not in second.content.decode()
    assert not set(second.cookies) & {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def test_each_language_has_its_own_page(url):
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chinese = Client()
    assert 'lang="en"' in english.get(url).content.decode()
    assert 'lang="zh-hans"' in chinese.get(url).content.decode()
    assert 'lang="en"' in english.get(url).content.decode()
