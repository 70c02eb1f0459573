"""The economy API: quote, download link (402/403/401/429 reasons), replay, points, ledger."""

from __future__ import annotations

import pytest

from tests.economy.conftest import give
from wenku.accounts.models import ApiToken
from wenku.economy import queries
from wenku.economy.models import VipPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, reader):
    _, token = ApiToken.issue(reader, "script")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_quote_then_download_then_fetch(api, publish, rules, reader):
    doc = publish(pricing="points", price=9)
    give(reader, 10)
    quote = api.get(f"/api/v1/documents/{doc.pk}/download").json()
    assert quote | {"message": ""} == quote | {
        "allowed": True,
        "affordable": True,
        "code": "",
        "cost": 9,
        "basis": "paid",
        "balance": 10,
        "balance_after": 1,
        "message": "",
    }
    response = api.post(f"/api/v1/documents/{doc.pk}/download")
    data = response.json()
    assert response.status_code == 200 and data["cost"] == 9 and data["balance"] == 1
    assert data["url"].startswith("http://testserver/dl/") and not data["replayed"]
    file = api.get(data["url"].removeprefix("http://testserver"), HTTP_AUTHORIZATION="")
    assert b"".join(file.streaming_content).startswith(b"%PDF")


def test_not_enough_points_is_402_with_the_reason(api, publish, rules, reader):
    doc = publish(pricing="points", price=9)
    response = api.post(f"/api/v1/documents/{doc.pk}/download")
    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "insufficient_points" and (body["cost"], body["balance"]) == (9, 0)
    assert "9" in body["detail"]


def test_vip_only_is_403_and_guests_401(api, client, publish, rules):
    doc = publish(pricing="vip_only")
    response = api.post(f"/api/v1/documents/{doc.pk}/download")
    assert response.status_code == 403 and response.json()["code"] == "vip_required"
    free = publish()
    guest = client.post(f"/api/v1/documents/{free.pk}/download", HTTP_AUTHORIZATION="")
    assert guest.status_code == 401 and guest.json()["code"] == "login_required"


def test_a_daily_cap_is_429(api, publish, rules):
    rules.user_daily_downloads = 1
    rules.save()
    a, b = publish(), publish()
    assert api.post(f"/api/v1/documents/{a.pk}/download").status_code == 200
    response = api.post(f"/api/v1/documents/{b.pk}/download")
    assert response.status_code == 429 and response.json()["code"] == "user_cap"


def test_an_idempotency_key_makes_a_retry_free(api, publish, rules, reader):
    rules.redownload_window_hours = 0
    rules.save()
    doc = publish(pricing="points", price=4)
    give(reader, 10)
    url = f"/api/v1/documents/{doc.pk}/download"
    first = api.post(url, HTTP_IDEMPOTENCY_KEY="retry-1").json()
    again = api.post(url, HTTP_IDEMPOTENCY_KEY="retry-1").json()
    assert again["replayed"] and again["download_id"] == first["download_id"]
    assert queries.balance(reader) == 6
    api.post(url)
    assert queries.balance(reader) == 2


def test_points_ledger_and_sign_in(api, rules, reader):
    rules.sign_in_reward = 3
    rules.save()
    give(reader, 4)
    assert api.get("/api/v1/me/points").json() == {
        "balance": 4,
        "vip_until": None,
        "signed_in_today": False,
    }
    assert api.post("/api/v1/me/sign-in").json() == {"claimed": True, "amount": 3, "balance": 7}
    assert api.post("/api/v1/me/sign-in").json()["claimed"] is False
    ledger = api.get("/api/v1/me/ledger?per_page=1").json()
    assert ledger["count"] == 2 and ledger["pages"] == 2
    assert ledger["results"][0]["reason"] == "sign_in" and ledger["results"][0]["amount"] == 3


def test_me_needs_a_token(client, db):
    assert client.get("/api/v1/me/points").status_code == 401


def test_buy_a_plan(api, rules, reader):
    plan = VipPlan.objects.create(name="周卡", days=7, price=5)
    assert [p["name"] for p in api.get("/api/v1/vip/plans").json()] == ["周卡"]
    assert api.post(f"/api/v1/vip/plans/{plan.pk}/buy").status_code == 402
    give(reader, 5)
    order = api.post(f"/api/v1/vip/plans/{plan.pk}/buy").json()
    assert order["days"] == 7 and queries.is_vip(reader)


def test_documented_in_the_openapi_schema(client, db):
    schema = client.get("/api/openapi.json").json()
    download = schema["paths"]["/api/v1/documents/{document_id}/download"]
    assert set(download) == {"get", "post"}
    assert {"200", "401", "402", "403", "429"} <= set(download["post"]["responses"])
    params = {p["name"] for p in download["post"]["parameters"]}
    assert "Idempotency-Key" in params
    assert "/api/v1/me/ledger" in schema["paths"] and "/api/v1/me/points" in schema["paths"]
