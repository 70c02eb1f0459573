"""Links in mails never come from the request's Host (issue 10, item 1).

The attack: with any host allowed and no site address, a reset request sent with
``Host: evil.example`` mailed the victim a valid token on a link to evil.example.
Links are built from WENKU_SITE_URL; without it, only from a host listed in
WENKU_ALLOWED_HOSTS by name; the default allowed hosts are this machine's only.
"""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.helpers import register
from wenku import config

pytestmark = pytest.mark.django_db


def ask_reset(client, host, email="alice@example.com"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, HTTP_HOST=host)


def open_to(settings, hosts, site_url=""):
    """The site as an operator configured it: Django's ALLOWED_HOSTS follow WENKU's."""
    settings.WENKU = settings.WENKU.replace(allowed_hosts=hosts, site_url=site_url)
    settings.ALLOWED_HOSTS = config.allowed_hosts(settings.WENKU)


def test_by_default_the_site_answers_this_machine_only():
    defaults = config.load({})
    assert config.allowed_hosts(defaults) == ["localhost", "127.0.0.1", "[::1]"]


def test_a_forged_host_gets_no_mail_with_the_default_settings(client, user):
    """The reviewer's attack, on the settings a fresh install has."""
    response = ask_reset(client, "evil.example")
    assert response.status_code == 400
    assert not mail.outbox


@pytest.mark.parametrize("flow", ["reset", "verification"])
def test_any_host_allowed_and_no_site_url_mails_no_link(client, user, settings, flow, caplog):
    """Given an operator who allowed every host ('*') but set no site address, when a
    forged Host asks for a reset or a verification mail, then no mail goes (the answer
    reads as usual) and the log says what to set."""
    open_to(settings, ["*"])
    with caplog.at_level(logging.ERROR, logger="wenku.core.siteurl"):
        if flow == "reset":
            response = ask_reset(client, "evil.example")
            assert response.status_code == 302
        else:
            response = register(client, HTTP_HOST="evil.example")
            assert response.status_code == 302
    assert not mail.outbox
    assert "WENKU_SITE_URL" in caplog.text


def test_a_listed_host_names_the_link(client, user, settings):
    open_to(settings, ["wenku.example.org"])
    ask_reset(client, "wenku.example.org:8443")
    [message] = mail.outbox
    assert "http://wenku.example.org:8443/accounts/password/reset/" in message.body


def test_a_subdomain_pattern_vouches_for_its_subdomains_only(client, user, settings):
    open_to(settings, [".example.org", "*"])
    ask_reset(client, "docs.example.org")
    ask_reset(client, "evil.example")
    [message] = mail.outbox
    assert "http://docs.example.org/accounts/password/reset/" in message.body


def test_the_site_url_names_verification_links_and_its_host_is_allowed(client, settings):
    open_to(settings, ["localhost"], site_url="https://wenku.example.org")
    assert "wenku.example.org" in settings.ALLOWED_HOSTS
    response = register(client, HTTP_HOST="wenku.example.org")
    assert response.status_code == 302
    [message] = mail.outbox
    assert "https://wenku.example.org/accounts/verify/" in message.body


def test_the_site_url_is_an_origin_for_form_posts():
    values = config.load({"WENKU_SITE_URL": "https://wenku.example.org/"})
    assert values.site_url == "https://wenku.example.org"
    assert config.trusted_origins(values) == ["https://wenku.example.org"]
    assert config.allowed_hosts(values)[-1] == "wenku.example.org"


@pytest.mark.parametrize(
    "raw", ["wenku.example.org", "ftp://wenku.example.org", "https://wenku.example.org/wenku"]
)
def test_a_site_url_must_be_an_address_alone(raw):
    with pytest.raises(config.ConfigError, match="WENKU_SITE_URL"):
        config.load({"WENKU_SITE_URL": raw})
