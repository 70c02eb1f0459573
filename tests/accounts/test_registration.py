"""Registration with e-mail verification: the mail, the link (once, expiring), the bonus."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail, signing
from django.urls import reverse

from tests.accounts.helpers import PASSWORD, last_mail_to, link_in, log_in, register
from wenku.accounts import domain
from wenku.accounts.models import User
from wenku.economy.models import LedgerEntry, Reason
from wenku.economy.queries import balance

pytestmark = pytest.mark.django_db


def test_registering_sends_a_verification_mail_and_the_account_waits(client):
    response = register(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:register_sent")
    user = User.objects.get(username="reader")
    assert not user.is_active and user.email_verified_at is None
    message = last_mail_to("reader@example.com")
    assert "/accounts/verify/" in link_in(message)
    sent_page = client.get(response["Location"]).content.decode()
    assert "reader@example.com" in sent_page
    assert balance(user) == 0  # no bonus before the address is confirmed


def test_an_unverified_account_cannot_log_in_and_is_told_why(client):
    """Decision: unverified accounts cannot log in at all (documented in architecture.md)."""
    register(client)
    for identifier in ("reader", "reader@example.com"):
        page = log_in(client, identifier)
        assert page.status_code == 200
        text = page.content.decode()
        assert 'name="email" value="reader@example.com"' in text  # a resend button
        assert "_auth_user_id" not in client.session
    # A wrong password learns nothing about the account's state.
    wrong = log_in(client, "reader", "not the password").content.decode()
    assert 'name="email" value="reader@example.com"' not in wrong


def test_the_link_verifies_once_and_grants_the_bonus_once(client):
    register(client)
    path = link_in(last_mail_to("reader@example.com"))
    confirm = client.get(path)
    assert confirm.status_code == 200 and "<form" in confirm.content.decode()
    assert not User.objects.get(username="reader").is_active  # a GET (mail scanners) uses nothing
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user = User.objects.get(username="reader")
    assert user.is_active and user.email_verified_at is not None
    bonus = balance(user)
    assert bonus > 0
    again = client.post(path)
    assert again.status_code == 200 and "accounts/login" in again.content.decode()
    assert balance(user) == bonus
    assert LedgerEntry.objects.filter(user=user, reason=Reason.SIGNUP_BONUS).count() == 1
    assert log_in(client, "reader@example.com").status_code == 302


def test_an_expired_link_is_refused_and_offers_a_new_one(client, monkeypatch, settings):
    register(client)
    user = User.objects.get(username="reader")
    hours = settings.WENKU.email_link_hours
    then = time.time() - hours * 3600 - 60
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(then))
    )
    old_token = domain.verification_token(user)
    monkeypatch.undo()
    response = client.post(reverse("accounts:verify", args=[old_token]))
    assert response.status_code == 400
    assert 'action="/accounts/verify/resend/"' in response.content.decode()
    assert not User.objects.get(pk=user.pk).is_active
    fresh = domain.verification_token(user)
    assert client.post(reverse("accounts:verify", args=[fresh])).status_code == 302


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "nonsense"])
def test_a_tampered_link_is_refused(client, mangle):
    register(client)
    token = mangle(domain.verification_token(User.objects.get(username="reader")))
    assert client.post(reverse("accounts:verify", args=[token])).status_code == 400
    assert not User.objects.get(username="reader").is_active


def test_a_link_for_an_old_address_is_void(client):
    register(client)
    user = User.objects.get(username="reader")
    token = domain.verification_token(user)
    User.objects.filter(pk=user.pk).update(email="other@example.com")
    assert client.post(reverse("accounts:verify", args=[token])).status_code == 400


def test_a_banned_account_is_not_reactivated_by_an_old_link(client):
    register(client)
    user = User.objects.get(username="reader")
    token = domain.verification_token(user)
    assert client.post(reverse("accounts:verify", args=[token])).status_code == 302
    User.objects.filter(pk=user.pk).update(is_active=False)  # an administrator bans it
    client.post(reverse("accounts:verify", args=[token]))
    assert not User.objects.get(pk=user.pk).is_active


def test_resending_mails_pending_accounts_only_and_says_the_same_either_way(client):
    register(client)
    mail.outbox.clear()
    url = reverse("accounts:resend_verification")
    known = client.post(url, {"email": "READER@example.com"})
    unknown = client.post(url, {"email": "nobody@example.com"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["reader@example.com"]
    assert known.status_code == unknown.status_code == 200

    def words(response):
        text = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
        return text.replace("READER@example.com", "").replace("nobody@example.com", "")

    assert words(known) == words(unknown)


def test_resending_is_rate_limited(client, settings):
    settings.WENKU = settings.WENKU.replace(rate_email=(2, 3600))
    register(client)
    mail.outbox.clear()
    url = reverse("accounts:resend_verification")
    for _ in range(2):
        assert client.post(url, {"email": "reader@example.com"}).status_code == 200
    refused = client.post(url, {"email": "reader@example.com"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert len(mail.outbox) == 2


def test_with_verification_off_the_account_works_at_once(client, settings):
    settings.WENKU = settings.WENKU.replace(email_verification=False)
    response = register(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:me")
    user = User.objects.get(username="reader")
    assert user.is_active and client.session["_auth_user_id"] == str(user.pk)
    assert balance(user) > 0 and not mail.outbox


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "ALICE@example.com"}, "email"),  # taken, whatever the case
        ({"username": "Alice"}, "username"),  # taken, whatever the case
        ({"username": "someone@example.com"}, "username"),  # '@' would shadow an address
        ({"password": "12345678"}, "password1"),  # Django's validators
        ({"password": "reader2024"}, "password1"),  # too close to the user name
    ],
)
def test_registration_refuses_with_reasons(client, user, fields, field):
    response = register(client, **fields)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert User.objects.count() == 1


def test_registration_is_rate_limited_per_address(client, settings):
    settings.WENKU = settings.WENKU.replace(rate_register_ip=(2, 3600))
    assert register(client, username="a1", email="a1@example.com").status_code == 302
    assert register(client, username="a2", email="a2@example.com").status_code == 302
    refused = register(client, username="a3", email="a3@example.com")
    assert refused.status_code == 429
    assert refused.context["form"].non_field_errors()
    assert not User.objects.filter(username="a3").exists()
    # Another address is not affected.
    other = register(client, username="a4", email="a4@example.com", REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302


def test_mails_link_to_the_configured_site_address_not_the_host_header(client, settings):
    settings.ALLOWED_HOSTS = ["*"]  # even a site that answers any host
    settings.WENKU = settings.WENKU.replace(site_url="https://wenku.example.org/")
    register(client, HTTP_HOST="evil.example")
    body = last_mail_to("reader@example.com").body
    assert "https://wenku.example.org/accounts/verify/" in body and "evil.example" not in body


def test_password_fields_are_never_sent_back(client):
    response = register(client, password="12345678")
    assert "12345678" not in response.content.decode()
    assert PASSWORD not in response.content.decode()


def test_a_sign_up_that_loses_a_race_is_told_not_crashed(client, monkeypatch):
    """Given the form found the name free, When another sign-up took it first, Then a message."""
    from wenku.accounts import forms

    register(client, username="first", email="first@example.com")
    monkeypatch.setattr(forms.RegisterForm, "clean_username", lambda self: "first")
    response = register(client, username="first", email="second@example.com")
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert User.objects.filter(username="first").count() == 1


def test_the_admin_shows_verification(admin_client, user):
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    assert 'name="bio"' in page and 'name="email_verified_at' in page
