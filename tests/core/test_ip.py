"""The client's real address: X-Forwarded-For is believed only from trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from wenku import config
from wenku.core.ip import client_ip


def request(peer: str | None, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    meta = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    req = RequestFactory().get("/", **meta)
    if peer is None:
        del req.META["REMOTE_ADDR"]
    else:
        req.META["REMOTE_ADDR"] = peer
    return req


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # wenku serve behind nginx on the same machine (the default: loopback is trusted)
        ("127.0.0.1", "125.70.1.2", None, "125.70.1.2"),
        ("::1", "125.70.1.2", None, "125.70.1.2"),
        ("127.0.0.1", None, None, "127.0.0.1"),
        ("127.0.0.1", "", None, "127.0.0.1"),
        # a client forging the header: only the address our proxy appended counts
        ("127.0.0.1", "6.6.6.6, 125.70.1.2", None, "125.70.1.2"),
        # spoofed header from a peer that is not a trusted proxy: ignored entirely
        ("203.0.113.9", "125.70.1.2", None, "203.0.113.9"),
        ("203.0.113.9", "127.0.0.1", None, "203.0.113.9"),
        # no proxy trusted at all
        ("127.0.0.1", "125.70.1.2", [], "127.0.0.1"),
        # a chain of trusted proxies, given as a network
        ("10.0.0.2", "125.70.1.2, 10.0.0.9", ["10.0.0.0/8"], "125.70.1.2"),
        ("10.0.0.2", "10.0.0.7, 10.0.0.9", ["10.0.0.0/8"], "10.0.0.7"),
        # what proxies write besides bare addresses
        ("127.0.0.1", "203.0.113.7:5678", None, "203.0.113.7"),
        ("127.0.0.1", "[2001:db8::1]:443", None, "2001:db8::1"),
        ("127.0.0.1", "::ffff:125.70.1.2", None, "125.70.1.2"),
        # unreadable entries stop the walk: nothing left of them is trusted
        ("127.0.0.1", "125.70.1.2, garbage", None, "127.0.0.1"),
        ("127.0.0.1", "unknown", None, "127.0.0.1"),
    ],
)
def test_client_ip(settings, peer, forwarded, trusted, expected):
    assert client_ip(request(peer, forwarded), trusted) == expected


def test_no_peer_address_is_none():
    assert client_ip(request(None, "125.70.1.2")) is None
    assert client_ip(request("not an address")) is None


def test_trusted_proxies_come_from_the_setting(settings):
    settings.WENKU = settings.WENKU.replace(trusted_proxies=["192.0.2.0/24"])
    assert client_ip(request("192.0.2.10", "125.70.1.2")) == "125.70.1.2"
    assert client_ip(request("127.0.0.1", "125.70.1.2")) == "127.0.0.1"


def test_the_setting_is_validated():
    assert config.load({}).trusted_proxies == ["127.0.0.1", "::1"]
    assert config.load({"WENKU_TRUSTED_PROXIES": ""}).trusted_proxies == []
    with pytest.raises(config.ConfigError, match="WENKU_TRUSTED_PROXIES"):
        config.load({"WENKU_TRUSTED_PROXIES": "127.0.0.1, nginx"})


@pytest.mark.django_db
def test_uploads_record_the_address_behind_the_proxy(client, user):
    """Given a logged-in uploader behind the local proxy, when they upload,
    then the document keeps the address the proxy saw, not the proxy's."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories.pdf import make_pdf
    from wenku.library.models import Document

    client.force_login(user)
    client.post(
        reverse("library:upload"),
        {"files": [SimpleUploadedFile("a.pdf", make_pdf(1))], "title": "", "tags": ""},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 125.70.1.2",
    )
    client.post(
        reverse("library:upload"),
        {"files": [SimpleUploadedFile("b.pdf", make_pdf(2))], "title": "", "tags": ""},
        HTTP_X_FORWARDED_FOR="125.70.1.2",
        REMOTE_ADDR="203.0.113.9",
    )
    ips = dict(Document.objects.values_list("original_name", "upload_ip"))
    assert ips == {"a.pdf": "125.70.1.2", "b.pdf": "203.0.113.9"}
