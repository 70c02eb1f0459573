"""The API's doors (issue 10, items 2 and 3): the session needs the CSRF token on every
unsafe route; a token of an inactive account, or one older than a password change, is
refused; the session of a deactivated account is no way in either."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.economy.conftest import give, rules  # noqa: F401 (the economy's rules fixture)
from wenku.accounts.models import ApiToken, User
from wenku.economy import queries
from wenku.economy.models import Download, VipPlan

pytestmark = pytest.mark.django_db
UNSAFE = ("post", "put", "patch", "delete")
PASSWORD = "correct horse battery"


@pytest.fixture
def objects(rules, publish, other_user):  # noqa: F811
    """Real ids for the schema's path parameters (any other parameter gets 1)."""
    doc = publish(owner=other_user, pricing="points", price=10)
    plan = VipPlan.objects.create(name="周卡", days=7, price=5)
    return {"document_id": doc.pk, "plan_id": plan.pk}


def unsafe_operations(objects: dict[str, int]) -> list[tuple[str, str]]:
    """(method, path) of every state-changing operation in the OpenAPI schema."""
    schema = Client().get("/api/openapi.json").json()
    found = []
    for template, operations in schema["paths"].items():
        path = re.sub(r"{(\w+)}", lambda m: str(objects.get(m[1], 1)), template)
        found += [(method, path) for method in operations if method in UNSAFE]
    return found


def test_every_unsafe_route_refuses_the_session_without_its_csrf_token(user, objects):
    """Given a logged-in browser, when another site makes it send each state-changing API
    request (the session cookie goes along, the CSRF token cannot), then each is 403."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    operations = unsafe_operations(objects)
    assert len(operations) >= 4, operations  # uploads, downloads, sign-in, VIP at least
    for method, path in operations:
        response = getattr(browser, method)(path)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "CSRF" in response.json()["detail"], (method, path)


def test_the_same_requests_with_the_token_or_a_bearer_token_pass_the_check(user, objects):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    csrf = browser.get(reverse("accounts:me")).cookies["csrftoken"].value
    _, secret = ApiToken.issue(user, "script")
    script = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
    for method, path in unsafe_operations(objects):
        with_token = getattr(browser, method)(path, HTTP_X_CSRFTOKEN=csrf)
        with_bearer = getattr(script, method)(path)
        for response in (with_token, with_bearer):
            detail = response.json().get("detail", "") if response.content else ""
            assert "CSRF" not in str(detail), (method, path, response.status_code)


def test_a_forged_download_charges_nothing(user, other_user, objects):
    """The reviewer's attack: a session-only POST to the download route took 10 points
    and paid 7 to the uploader."""
    give(user, 50)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post(f"/api/v1/documents/{objects['document_id']}/download")
    assert response.status_code == 403
    assert queries.balance(user) == 50 and queries.balance(other_user) == 0
    assert not Download.objects.exists()


def test_a_guest_needs_no_csrf_token(client, publish, rules):  # noqa: F811
    """Without a session there is nobody to act for: a guest's request is a guest's."""
    rules.guests_may_download_free = True
    rules.save()
    doc = publish()
    response = Client(enforce_csrf_checks=True).post(f"/api/v1/documents/{doc.pk}/download")
    assert response.status_code == 200


# --- item 3: inactive accounts and old tokens


@pytest.fixture
def script(user):
    _, secret = ApiToken.issue(user, "script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def upload_with(client: Client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories.pdf import make_pdf

    pdf = SimpleUploadedFile("a.pdf", make_pdf(1), content_type="application/pdf")
    return client.post("/api/v1/documents", {"file": pdf})


def test_a_deactivated_accounts_token_opens_nothing(script, user, publish, rules):  # noqa: F811
    """The reviewer's attack: a deactivated user's token still uploaded (201), downloaded
    (200) and read the balance."""
    doc = publish()
    assert script.get("/api/v1/me/points").status_code == 200
    user.is_active = False
    user.save()
    assert upload_with(script).status_code == 401
    assert script.post(f"/api/v1/documents/{doc.pk}/download").status_code == 401
    assert script.get("/api/v1/me/points").status_code == 401
    # Optional-auth routes do not quietly take a refused token for a guest either.
    assert script.get(f"/api/v1/documents/{doc.pk}/download").status_code == 401
    assert not Download.objects.exists()


def test_a_token_of_an_account_awaiting_verification_is_refused(script, user):
    user.is_active = False
    user.email_verified_at = None
    user.save()
    assert script.get("/api/v1/me/points").status_code == 401


def test_changing_the_password_revokes_the_tokens(script, user, client):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    new = "Lanterns over the river 88"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "revoked" in response.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()
    assert script.get("/api/v1/me/points").status_code == 401


def test_a_password_reset_revokes_the_tokens(script, user, client):
    from django.core import mail

    from tests.accounts.helpers import link_in

    client.post(reverse("accounts:password_reset"), {"email": user.email})
    page = client.get(link_in(mail.outbox[0]), follow=True)
    new = "Lanterns over the river 88"
    client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert script.get("/api/v1/me/points").status_code == 401


def test_an_administrator_setting_the_password_revokes_them_too(script, user):
    user.set_password("Another long passphrase 7")
    user.save()
    assert script.get("/api/v1/me/points").status_code == 401


def test_switching_the_password_off_revokes_them_too(script, user):
    """The admin's "usable password: no" locks the account's password out, tokens too."""
    user.set_unusable_password()
    user.save()
    assert script.get("/api/v1/me/points").status_code == 401


def test_a_hasher_upgrade_at_log_in_is_no_password_change(script, user, settings):
    """Django re-hashes a password with new parameters when it is checked; the tokens stay."""
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = [
        *settings.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    stale = make_password(PASSWORD, hasher="md5")
    User.objects.filter(pk=user.pk).update(password=stale)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # stores a PBKDF2 hash instead
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_")
    assert script.get("/api/v1/me/points").status_code == 200


def test_a_deactivated_accounts_session_and_links_stop_working(user, publish, rules):  # noqa: F811
    from wenku.economy.downloads import download

    doc = publish()
    browser = Client()
    browser.force_login(user)
    grant = download(user, doc, "127.0.0.1")
    user.is_active = False
    user.save()
    assert browser.get("/api/v1/me/points").status_code == 401
    assert browser.get(reverse("accounts:me")).status_code == 302  # to the log-in page
    assert browser.get(grant.link.url).status_code == 404
