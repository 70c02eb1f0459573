"""API tokens (shown once, listed, revoked: then refused by the API) and the personal centre."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories.pdf import make_pdf
from wenku.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def api_upload(client, secret):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/v1/documents",
        {"file": SimpleUploadedFile("a.pdf", make_pdf(1))},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def test_create_show_once_use_and_revoke(client, user):
    client.force_login(user)
    created = client.post(reverse("accounts:tokens"), {"name": "导入脚本"})
    assert created.status_code == 200 and "no-cache" in created["Cache-Control"]
    secret = re.search(r'value="(wk_[^"]+)"', created.content.decode())[1]
    token = ApiToken.objects.get(user=user)
    assert token.name == "导入脚本" and secret not in token.key_hash
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert "导入脚本" in listing and secret not in listing  # never shown again

    client.logout()
    assert api_upload(client, secret).status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None

    client.force_login(user)
    revoked = client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert revoked.status_code == 302
    client.logout()
    assert api_upload(client, secret).status_code == 401


def test_nobody_revokes_someone_elses_token(client, user, other_user):
    token, _secret = ApiToken.issue(user, "mine")
    client.force_login(other_user)
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert "mine" not in client.get(reverse("accounts:tokens")).content.decode()


def test_revoking_needs_a_post(client, user):
    token, _ = ApiToken.issue(user, "t")
    client.force_login(user)
    assert client.get(reverse("accounts:revoke_token", args=[token.pk])).status_code == 405


def test_token_names_are_escaped(client, user):
    client.force_login(user)
    client.post(reverse("accounts:tokens"), {"name": "<img src=x onerror=alert(1)>"})
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_the_personal_centre_links_everything_that_is_mine(client, user):
    from wenku.economy import domain as economy

    economy.adjust(user, 35, note="test")
    client.force_login(user)
    page = client.get(reverse("accounts:me")).content.decode()
    for name in (
        "library:my_uploads",
        "economy:downloads",
        "community:favourites",
        "economy:ledger",
        "economy:vip",
        "accounts:profile",
        "accounts:tokens",
        "notifications:inbox",
        "accounts:password_change",
    ):
        assert f'href="{reverse(name)}"' in page, name
    assert re.search(r'id="me-balance">35<', page)
    for name in ("economy:downloads", "community:favourites", "economy:ledger", "economy:vip"):
        assert client.get(reverse(name)).status_code == 200, name


def test_the_personal_centre_needs_an_account(client):
    response = client.get(reverse("accounts:me"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
