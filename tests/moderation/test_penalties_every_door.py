"""A penalised account loses the penalised way in through every door (issue 10, item 3).

A moderator's upload or download penalty holds on the web form, on the API with a
bearer token, and on the API with the browser session and its CSRF token alike: nothing
is stored, nothing is charged, no link is signed. (tests/api/test_api_security.py is
the same for deactivated accounts, which lose every way in.)
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.economy.conftest import give
from tests.factories.pdf import make_pdf
from wenku.accounts.models import ApiToken
from wenku.economy import queries
from wenku.economy.models import Download
from wenku.library.models import Document
from wenku.moderation import domain

pytestmark = pytest.mark.django_db
DOORS = ("web", "token", "session")


def door(kind: str, user) -> tuple[Client, dict[str, str]]:
    """A client acting for ``user`` through one door, and the headers it sends."""
    if kind == "token":
        _, secret = ApiToken.issue(user, "script")
        return Client(enforce_csrf_checks=True), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    csrf = browser.get(reverse("accounts:me")).cookies["csrftoken"].value
    return browser, {"HTTP_X_CSRFTOKEN": csrf}


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.pdf", make_pdf(2), content_type="application/pdf")


@pytest.fixture
def penalised(other_user, staff):
    def penalise(kind: str):
        return domain.penalise(other_user, kind, 24, "刷屏", staff)

    return penalise


@pytest.mark.parametrize("via", DOORS)
def test_an_upload_penalty_holds_at_every_door(via, other_user, penalised):
    before = Document.objects.count()
    penalty = penalised("upload")
    client, headers = door(via, other_user)
    if via == "web":
        client.post(reverse("library:upload"), {"files": pdf()}, **headers)
    else:
        response = client.post("/api/v1/documents", {"file": pdf()}, **headers)
        assert response.status_code == 403 and "刷屏" in response.json()["detail"]
    assert Document.objects.count() == before
    domain.lift_penalty(penalty, penalty.created_by)
    if via == "web":
        client.post(reverse("library:upload"), {"files": pdf()}, **headers)
    else:
        assert client.post("/api/v1/documents", {"file": pdf()}, **headers).status_code == 201
    assert Document.objects.count() == before + 1  # the door itself works


@pytest.mark.parametrize("via", DOORS)
def test_a_download_penalty_holds_at_every_door(via, publish, user, other_user, penalised):
    doc = publish(owner=user, pricing="points", price=5)
    give(other_user, 20)
    penalised("download")
    client, headers = door(via, other_user)
    if via == "web":
        url = reverse("economy:confirm", args=[doc.pk])
        response = client.post(url, {"key": "k1"}, **headers)
        assert response.status_code == 403, response.status_code
    else:
        url = f"/api/v1/documents/{doc.pk}/download"
        response = client.post(url, **headers)
        assert response.status_code == 403 and response.json()["code"] == "penalised"
        quoted = client.get(url, **headers).json()
        assert quoted["code"] == "penalised"
    assert queries.balance(other_user) == 20 and queries.balance(user) == 0
    assert not Download.objects.exists()


def test_a_retried_download_is_refused_once_its_reader_is_penalised(
    publish, user, other_user, penalised
):
    """Given a download made with an idempotency key, when its reader is penalised and the
    request is retried with the same key, then no fresh link is signed (a retry before
    the penalty gets one)."""
    doc = publish(owner=user, pricing="points", price=5)
    give(other_user, 20)
    client, headers = door("token", other_user)
    url = f"/api/v1/documents/{doc.pk}/download"
    headers["HTTP_IDEMPOTENCY_KEY"] = "retry-1"
    first = client.post(url, **headers)
    assert first.status_code == 200
    again = client.post(url, **headers)
    assert again.status_code == 200 and again.json()["replayed"] is True
    penalised("download")
    retried = client.post(url, **headers)
    assert retried.status_code == 403 and retried.json()["code"] == "penalised"
    assert "url" not in retried.json()
    assert queries.balance(other_user) == 15 and Download.objects.count() == 1
