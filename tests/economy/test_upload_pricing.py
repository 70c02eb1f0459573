"""Uploaders set the download rules: on the upload form, through the API, in the domain."""

from __future__ import annotations

import io

import pytest

from tests.factories.pdf import make_pdf
from wenku.accounts.models import ApiToken
from wenku.library.details import InvalidDetails, UploadDetails
from wenku.library.models import Document

pytestmark = pytest.mark.django_db


def test_pricing_details():
    build = UploadDetails.build
    assert (build(pricing="points", price=5).pricing, build(pricing="points", price=5).price) == (
        "points",
        5,
    )
    assert build(pricing="free", price=9).price == 0  # a free document has no price
    assert build(pricing="vip_only", price=9).price == 0
    assert build(pricing="vip_free", price=12).price == 12
    for bad in (("gold", 1), ("points", -1), ("points", 10**9), ("points", 0), ("vip_free", 0)):
        with pytest.raises(InvalidDetails):
            build(pricing=bad[0], price=bad[1])


def test_an_upload_keeps_the_rules(upload):
    doc = upload("a.pdf", make_pdf(1), pricing="vip_free", price=12)
    assert (doc.pricing, doc.price) == ("vip_free", 12)


def test_the_api_takes_pricing_and_refuses_nonsense(client, user):
    _, token = ApiToken.issue(user, "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    ok = client.post(
        "/api/v1/documents",
        {"file": io.BytesIO(make_pdf(1)), "pricing": "points", "price": "8"},
        **auth,
    )
    assert ok.status_code == 201
    assert Document.objects.get(pk=ok.json()["id"]).price == 8
    bad = client.post(
        "/api/v1/documents", {"file": io.BytesIO(make_pdf(1)), "pricing": "gold"}, **auth
    )
    assert bad.status_code == 400 and "pricing" in bad.json()["detail"]


def test_the_upload_form_takes_pricing(client, user):
    client.force_login(user)
    pdf = io.BytesIO(make_pdf(1))
    pdf.name = "试卷.pdf"
    response = client.post("/upload/", {"files": pdf, "pricing": "points", "price": "6"})
    assert response.status_code == 302
    assert (Document.objects.get().pricing, Document.objects.get().price) == ("points", 6)


def test_a_priced_upload_needs_a_price(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    pdf = io.BytesIO(make_pdf(1))
    pdf.name = "a.pdf"
    response = client.post("/upload/", {"files": pdf, "pricing": "points", "price": ""})
    assert response.status_code == 200 and "Set a price in points" in response.content.decode()
    assert not Document.objects.exists()
