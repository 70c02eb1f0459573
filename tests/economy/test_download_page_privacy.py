"""/downloads/<id>/ shows a download to its downloader only (issue 10, item 7).

The attack: the page named the document of any download id to anyone, with any token
or none, even after the document was taken down. Now anyone but the downloader gets the
404 of a download that does not exist.
"""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from wenku.economy import links
from wenku.economy.downloads import download
from wenku.library.models import Document

pytestmark = pytest.mark.django_db
TITLE = "董事会秘密决议"


@pytest.fixture
def grants(publish, rules, reader, other_user):
    """Two downloads of a document with a telling title: the reader's, and another's."""
    doc = publish(title=TITLE)
    return doc, download(reader, doc, "127.0.0.1"), download(other_user, doc, "127.0.0.2")


def page(client: Client, grant, token: str | None = None):
    t = grant.link.token if token is None else token
    return client.get(f"/downloads/{grant.download.pk}/?t={t}")


def shows_nothing(response) -> bool:
    return response.status_code == 404 and TITLE not in response.content.decode()


def test_the_downloader_sees_their_download(client, grants, reader):
    _doc, mine, _theirs = grants
    client.force_login(reader)
    assert TITLE in page(client, mine).content.decode()


def test_nobody_else_sees_it_whatever_the_token(client, grants, reader):
    """The reviewer's attack: another download's token, a forged one, none at all."""
    _doc, mine, theirs = grants
    client.force_login(reader)
    assert shows_nothing(page(client, theirs, token=mine.link.token))
    assert shows_nothing(page(client, theirs, token="x"))
    assert shows_nothing(page(client, theirs, token=""))
    assert shows_nothing(page(client, theirs))  # even with the other reader's real link
    assert shows_nothing(page(Client(), mine))  # a visitor holding the link


def test_after_a_takedown_not_even_the_downloader_sees_it(client, grants, reader):
    doc, mine, _theirs = grants
    Document.objects.filter(pk=doc.pk).update(status="failed")
    client.force_login(reader)
    assert shows_nothing(page(client, mine))


def test_a_guest_download_is_shown_to_whoever_holds_its_link(client, publish, rules):
    rules.guests_may_download_free = True
    rules.save()
    doc = publish(title=TITLE)
    grant = download(None, doc, "127.0.0.1")
    assert TITLE in page(client, grant).content.decode()
    assert shows_nothing(page(client, grant, token=""))


def test_the_downloader_is_told_when_the_link_expired(client, grants, reader):
    _doc, mine, _theirs = grants
    signer = signing.TimestampSigner(salt=links.SALT)
    signer.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - 3600)
    stale = signer.sign(str(mine.download.pk))
    client.force_login(reader)
    client.cookies["django_language"] = "en"
    assert "This download link has expired" in page(client, mine, token=stale).content.decode()
    assert shows_nothing(page(Client(), mine, token=stale))  # a stranger learns nothing
