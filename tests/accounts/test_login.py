"""Log in by user name or e-mail, without telling who has an account; rate-limited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.helpers import log_in

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"  # the conftest users' password


def logged_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("identifier", ["alice", "alice@example.com", "ALICE@Example.com"])
def test_log_in_by_user_name_or_email(client, user, identifier):
    response = log_in(client, identifier, PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == str(user.pk)


def test_the_login_page_asks_for_either(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'id="id_username"' in page and 'maxlength="254"' in page
    assert reverse("accounts:password_reset") in page


def test_a_wrong_password_and_an_unknown_account_read_the_same(client, user):
    wrong = log_in(client, "alice", "wrong password").context["form"].non_field_errors()
    unknown = log_in(client, "nobody", "wrong password").context["form"].non_field_errors()
    unknown_mail = log_in(client, "nobody@example.com", "x").context["form"].non_field_errors()
    assert list(wrong) == list(unknown) == list(unknown_mail)
    assert logged_in_as(client) is None


def test_an_inactive_account_cannot_log_in(client, user):
    user.is_active = False
    user.email_verified_at = user.date_joined  # banned, not waiting for verification
    user.save()
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 200 and logged_in_as(client) is None
    assert 'name="email"' not in response.content.decode()  # no "verify first" for the banned


def test_an_address_does_not_shadow_a_user_name(client, user, other_user):
    """A legacy user name that looks like someone's address still logs in its own account."""
    other_user.username = "alice@example.com"
    other_user.save()
    log_in(client, "alice@example.com", PASSWORD)
    assert logged_in_as(client) == str(other_user.pk)


def test_attempts_per_account_are_limited_whichever_name_is_used(
    client, user, other_user, settings
):
    settings.WENKU = settings.WENKU.replace(rate_login_account=(3, 900))
    log_in(client, "alice", "guess 1")
    log_in(client, "alice@example.com", "guess 2")
    log_in(client, "ALICE@example.com", "guess 3")
    refused = log_in(client, "alice", PASSWORD)  # even the right password, now
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.context["form"].non_field_errors()
    assert logged_in_as(client) is None
    # Another account from the same address is not affected.
    assert log_in(client, "bob", PASSWORD).status_code == 302


def test_a_successful_log_in_clears_the_account_count(client, user, settings):
    settings.WENKU = settings.WENKU.replace(rate_login_account=(3, 900))
    log_in(client, "alice", "typo 1")
    log_in(client, "alice", "typo 2")
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    log_in(client, "alice", "typo 3")
    log_in(client, "alice", "typo 4")
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_attempts_per_client_address_are_limited_across_accounts(
    client, user, other_user, settings
):
    settings.WENKU = settings.WENKU.replace(rate_login_ip=(3, 900))
    log_in(client, "alice", "x")
    log_in(client, "bob", "x")
    log_in(client, "carol", "x")
    assert log_in(client, "bob", PASSWORD).status_code == 429
    elsewhere = log_in(client, "bob", PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 302


def test_the_header_links_to_the_personal_centre(client, user):
    client.force_login(user)
    home = client.get("/").content.decode()
    assert f'href="{reverse("accounts:me")}"' in home
    assert reverse("notifications:inbox") in home
