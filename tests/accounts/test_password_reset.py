"""Password reset end to end through the outbox (Django's views), limited, unrevealing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.helpers import last_mail_to, link_in, log_in

pytestmark = pytest.mark.django_db
OLD = "correct horse battery"
NEW = "Lanterns over the river 88"


def ask(client, email, **extra):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def test_reset_end_to_end(client, user):
    response = ask(client, "Alice@Example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    path = link_in(last_mail_to("alice@example.com"))
    form_page = client.get(path, follow=True)  # Django swaps the token into the session
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert log_in(client, "alice", OLD).status_code == 200  # the old one is gone
    assert log_in(client, "alice@example.com", NEW).status_code == 302
    client.post(reverse("accounts:logout"))
    again = client.get(path, follow=True)  # the link worked once
    assert not again.context["validlink"]


def test_an_unknown_address_reads_the_same_and_gets_no_mail(client, user):
    known = ask(client, "alice@example.com")
    unknown = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_accounts_waiting_for_verification_get_no_reset_mail(client, user):
    user.is_active = False
    user.save()
    ask(client, "alice@example.com")
    assert not mail.outbox


def test_weak_new_passwords_are_refused(client, user):
    ask(client, "alice@example.com")
    page = client.get(link_in(mail.outbox[0]), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_reset_mails_are_rate_limited_per_address(client, user, settings):
    settings.WENKU = settings.WENKU.replace(rate_email=(2, 3600))
    ask(client, "alice@example.com", REMOTE_ADDR="198.51.100.1")
    ask(client, "alice@example.com", REMOTE_ADDR="198.51.100.2")
    refused = ask(client, "alice@example.com", REMOTE_ADDR="198.51.100.3")
    assert refused.status_code == 429 and refused.context["form"].non_field_errors()
    assert len(mail.outbox) == 2


def test_reset_mails_are_rate_limited_per_client(client, user, other_user, settings):
    settings.WENKU = settings.WENKU.replace(rate_email=(2, 3600))
    ask(client, "alice@example.com")
    ask(client, "bob@example.com")
    assert ask(client, "carol@example.com").status_code == 429


def test_the_link_uses_the_configured_site_address(client, user, settings):
    settings.ALLOWED_HOSTS = ["*"]  # even a site that answers any host
    settings.WENKU = settings.WENKU.replace(site_url="https://wenku.example.org")
    ask(client, "alice@example.com", HTTP_HOST="evil.example")
    body = mail.outbox[0].body
    assert "https://wenku.example.org/accounts/password/reset/" in body
    assert "evil.example" not in body


def test_a_reset_lets_a_locked_out_owner_back_in(client, user, settings):
    settings.WENKU = settings.WENKU.replace(rate_login_account=(2, 900))
    log_in(client, "alice", "attacker guess 1")
    log_in(client, "alice", "attacker guess 2")
    assert log_in(client, "alice", OLD).status_code == 429
    ask(client, "alice@example.com")
    page = client.get(link_in(mail.outbox[0]), follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert log_in(client, "alice", NEW).status_code == 302


def test_changing_the_password_when_logged_in(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:me")
    user.refresh_from_db()
    assert user.check_password(NEW)
