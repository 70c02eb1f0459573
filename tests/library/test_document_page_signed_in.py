"""The document page for signed-in readers (issue 13, item 7): made from a version kept
for every reader with the same rights, with each reader's own parts put in — their menu,
balance, download box, rating, favourite, comment forms and CSRF token — never another's,
and never a page past what the reader may see."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from tests.economy.conftest import give

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _committed_at_once(monkeypatch):  # type: ignore[no-untyped-def]
    """Writes' invalidations run at once, as after a request's commit."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())


@pytest.fixture
def shared_made(monkeypatch):  # type: ignore[no-untyped-def]
    """How many times a kept version was made (the rest were served from the cache)."""
    from wenku.web import document

    made = []
    real = document._holed

    def counted(request, document_id, variant):  # type: ignore[no-untyped-def]
        made.append(variant)
        return real(request, document_id, variant)

    monkeypatch.setattr(document, "_holed", counted)
    return made


def signed_in(user, csrf_checks: bool = False) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_USER_AGENT=BROWSER, enforce_csrf_checks=csrf_checks)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def person(name: str):  # type: ignore[no-untyped-def]
    from wenku.accounts.models import User

    return User.objects.create_user(name, f"{name}@example.com", "correct horse battery")


def images(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<img src="/d/\d+/p/(\d+)\.webp\?', html)]


def test_two_readers_in_turn_get_their_own_parts_from_the_kept_page(publish, shared_made):
    from django.utils import timezone

    from wenku.community import domain
    from wenku.notifications.models import Notification

    doc = publish(pricing="points", price=5, pages=6)
    carol, dave = person("carol"), person("dave")
    give(carol, 40)
    give(dave, 3)
    domain.rate(carol, doc, 4)
    domain.add_favourite(carol, doc, domain.create_folder(carol, "carolsfolder"))
    domain.add_comment(carol, doc, "carol's comment")
    domain.add_comment(dave, doc, "dave's comment")
    Notification.objects.filter(user=dave).update(read_at=timezone.now())  # carol: 1 unread
    readers = {"carol": signed_in(carol), "dave": signed_in(dave)}
    pages = {name: c.get(doc.get_absolute_url()).content.decode() for name, c in readers.items()}
    assert shared_made == ["preview"]  # dave's page came from the version kept for carol's

    carols, daves = pages["carol"], pages["dave"]
    menu = 'title="Personal centre">{}</a>'
    assert menu.format("carol") in carols and menu.format("dave") in daves
    assert menu.format("carol") not in daves and menu.format("dave") not in carols
    assert "40 points" in carols and "Your balance: 40 points" in carols
    assert "3 points" in daves and "40 points" not in daves
    assert 'aria-label="1 unread">1</span>' in carols and "unread" not in daves
    assert "Your rating: 4 of 5" in carols and 'value="4" id="star-4" required checked' in carols
    assert "Rate this document" in daves and "checked" not in daves
    assert "In your favourites: carolsfolder" in carols and "carolsfolder" not in daves
    assert "Save to favourites" in daves
    for name, html in pages.items():  # each comment: edit your own, report another's
        edit, report = html.split(f"{name}&#x27;s comment")[1], html.split("s comment")
        assert "Edit</a>" in edit.split("comment-body")[0]
        assert html.count('class="report-comment"') == 1 and len(report) == 3
    secret = {n: c.cookies[settings.CSRF_COOKIE_NAME].value for n, c in readers.items()}
    for name, html in pages.items():
        tokens = TOKEN.findall(html)
        assert len(tokens) >= 5  # log out, rate, favourite, comment, a reply per comment
        assert {_unmask_cipher_token(t) for t in tokens} == {secret[name]}
    assert "<!--wk:" not in carols + daves


def test_a_reader_posts_with_the_token_the_kept_page_gave_them(publish, shared_made):
    doc = publish()
    signed_in(person("erin")).get(doc.get_absolute_url())
    frank = signed_in(person("frank"), csrf_checks=True)
    html = frank.get(doc.get_absolute_url()).content.decode()
    assert shared_made == ["preview"]
    token = TOKEN.search(html.split('class="comment-form"')[1]).group(1)
    posted = frank.post(
        f"/d/{doc.pk}/comments/", {"body": "frank was here", "csrfmiddlewaretoken": token}
    )
    assert posted.status_code == 302
    assert "frank was here" in frank.get(doc.get_absolute_url()).content.decode()


@pytest.mark.parametrize("buyer_first", [True, False])
@pytest.mark.parametrize("how", ["download", "vip"])
def test_the_entitled_see_every_page_and_the_others_the_free_preview(
    publish, shared_made, buyer_first, how
):
    from wenku.economy import downloads
    from wenku.economy.domain import grant_vip

    doc = publish(pricing="vip_free" if how == "vip" else "points", price=2, pages=8)
    buyer, plain = person("buyer"), person("plain")
    give(buyer, 10)
    if how == "vip":
        grant_vip(buyer, 30)
    else:
        downloads.download(buyer, doc)
    free = doc.free_pages
    assert 0 < free < 8
    order = [(buyer, 8), (plain, free)] if buyer_first else [(plain, free), (buyer, 8)]
    for reader, seen in order * 2:  # each twice: the second time from the kept version
        html = signed_in(reader).get(doc.get_absolute_url()).content.decode()
        assert images(html) == list(range(1, seen + 1))
        assert ('id="preview-end"' in html) == (seen < 8)
    assert sorted(shared_made) == ["full", "preview"]
    guest = Client(HTTP_USER_AGENT=BROWSER).get(doc.get_absolute_url()).content.decode()
    assert images(guest) == list(range(1, free + 1))


def test_a_membership_that_ends_ends_the_whole_document_at_once(publish, shared_made):
    from datetime import timedelta

    from django.utils import timezone

    from wenku.economy.domain import grant_vip
    from wenku.economy.models import Account

    doc = publish(pricing="vip_free", price=2, pages=8)
    member = person("member")
    grant_vip(member, 30)
    client = signed_in(member)
    assert images(client.get(doc.get_absolute_url()).content.decode()) == list(range(1, 9))
    Account.objects.filter(user=member).update(vip_until=timezone.now() - timedelta(seconds=1))
    html = client.get(doc.get_absolute_url()).content.decode()
    assert images(html) == list(range(1, doc.free_pages + 1)) and 'id="preview-end"' in html


def test_a_comment_an_edit_and_a_takedown_reach_signed_in_readers(publish, user, shared_made):
    from wenku.community import domain
    from wenku.library.details import UploadDetails
    from wenku.publishing import decisions

    doc = publish(title="原来的标题")
    reader = signed_in(person("gina"))
    url = doc.get_absolute_url()
    assert "原来的标题" in reader.get(url).content.decode()
    domain.add_comment(person("hank"), doc, "hank's new comment")
    assert "hank&#x27;s new comment" in reader.get(url).content.decode()
    decisions.edit(doc, UploadDetails(title="改过的标题"), user)
    html = reader.get(url).content.decode()
    assert "改过的标题" in html and "原来的标题" not in html
    assert reader.get(url).status_code == 200 and len(shared_made) == 3  # then kept again
    staff = person("staffer")
    staff.is_staff = True
    staff.save()
    decisions.take_down_reported(doc, staff, "test")
    assert reader.get(url).status_code == 404


def test_what_users_write_cannot_open_a_hole(publish, shared_made):
    """User text is escaped (no ``<`` reaches the page), and a hole's mark holds a nonce
    that is never served: a comment or title imitating a mark or the CSRF field stays
    text."""
    from wenku.community import domain

    fake = '<!--wk:0123456789abcdef:menu--><input type="hidden" name="csrfmiddlewaretoken">'
    doc = publish(title=f"标题{fake}")
    domain.add_comment(person("ivan"), doc, f"评论{fake}")
    judy = signed_in(person("judy"))
    judy.get(doc.get_absolute_url())
    html = judy.get(doc.get_absolute_url()).content.decode()
    assert shared_made == ["preview"]
    assert "<!--wk:" not in html and html.count("&lt;!--wk:0123456789abcdef:menu--&gt;") >= 2
    assert html.count('title="Personal centre">judy</a>') == 1


def test_the_uploader_and_staff_get_the_page_made_whole(publish, user, shared_made):
    doc = publish(pricing="points", price=5, pages=8)
    html = signed_in(user).get(doc.get_absolute_url()).content.decode()
    assert "Free for you: your own upload." in html and images(html) == list(range(1, 9))
    staff = person("kim")
    staff.is_staff = True
    staff.save()
    html = signed_in(staff).get(doc.get_absolute_url()).content.decode()
    assert "Free for you: site staff." in html and images(html) == list(range(1, 9))
    assert shared_made == []


def test_a_reader_after_the_guests_shares_their_kept_version(publish, shared_made):
    """Guests and readers of the free preview share one version: a guest's visit keeps it
    for the signed-in readers after them (and the guests' page beside it)."""
    doc = publish()
    guest = Client(HTTP_USER_AGENT=BROWSER)
    guest.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the readers' language here
    first = guest.get(doc.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    html = signed_in(person("liam")).get(doc.get_absolute_url()).content.decode()
    assert shared_made == ["preview"] and 'title="Personal centre">liam</a>' in html
    again = guest.get(doc.get_absolute_url())
    assert again["X-Page-Cache"] == "hit" and again.content == first.content


# A warm signed-in page reads 11 times: session, user, the document's public check, the
# reader's account, download record, download penalty, today's downloads (the caps),
# unread notifications, own rating, favourite and folders; and tests write the view
# during the request in 4 statements (WENKU_VIEW_FLUSH_SECONDS=0: a server leaves them
# to its background thread). Made whole, as before, the page took 17 + 4.
WARM_QUERIES = 11 + 4


def test_a_warm_signed_in_page_makes_few_queries(publish, shared_made):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wenku.core.cache import DB_TABLE  # PostgreSQL sites' cache: a query a read

    doc = publish(pricing="points", price=5, pages=6)
    for i in range(3):
        reader = person(f"warm{i}")
        give(reader, 10)
        client = signed_in(reader)
        client.get(doc.get_absolute_url())  # the first view of the day writes more
        with CaptureQueriesContext(connection) as captured:
            assert client.get(doc.get_absolute_url()).status_code == 200
        queries = [q["sql"] for q in captured.captured_queries if DB_TABLE not in q["sql"]]
        assert len(queries) <= WARM_QUERIES, "\n".join(queries)  # not counting the cache's
    assert shared_made == ["preview"]
