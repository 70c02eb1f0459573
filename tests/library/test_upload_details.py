"""An upload's details are validated once: the web form and the API agree on every case.

Each row is sent through both doors by the same user; both must accept it (and store
the same values) or both refuse it (the API with 400, the form beside the field).
"""

from __future__ import annotations

import io

import pytest

from tests.factories.pdf import make_pdf
from wenku.accounts.models import ApiToken
from wenku.library.models import Category, Document

pytestmark = pytest.mark.django_db

ACCEPT, REFUSE = True, False
# (fields sent, accepted?, what is stored when accepted)
CASES = [
    ({}, ACCEPT, {"pricing": "free", "price": 0, "preview_pages": None}),
    ({"pricing": "free", "price": "0"}, ACCEPT, {"pricing": "free", "price": 0}),
    ({"pricing": "free", "price": "30"}, ACCEPT, {"pricing": "free", "price": 0}),
    ({"pricing": "points", "price": "0"}, REFUSE, None),
    ({"pricing": "points", "price": "8"}, ACCEPT, {"pricing": "points", "price": 8}),
    ({"pricing": "points", "price": "-1"}, REFUSE, None),
    ({"pricing": "points", "price": "100001"}, REFUSE, None),
    ({"pricing": "vip_free", "price": "0"}, REFUSE, None),
    ({"pricing": "vip_free", "price": "12"}, ACCEPT, {"pricing": "vip_free", "price": 12}),
    ({"pricing": "vip_only", "price": "0"}, ACCEPT, {"pricing": "vip_only", "price": 0}),
    ({"pricing": "vip_only", "price": "50"}, ACCEPT, {"pricing": "vip_only", "price": 0}),
    ({"pricing": "gold"}, REFUSE, None),
    ({"preview_pages": "0"}, REFUSE, None),
    ({"preview_pages": "-2"}, REFUSE, None),
    ({"preview_pages": "3"}, ACCEPT, {"preview_pages": 3}),
    ({"preview_pages": "6"}, REFUSE, None),  # over the site's limit of 5
    ({"category": "no-such-category"}, REFUSE, None),
    ({"category": "kaoshi"}, ACCEPT, {"category__slug": "kaoshi"}),
    ({"title": "x" * 201}, REFUSE, None),
    ({"title": "  期末   试卷 "}, ACCEPT, {"title": "期末 试卷"}),
    ({"description": "x" * 5001}, REFUSE, None),
    ({"tags": ",".join(f"t{i}" for i in range(11))}, REFUSE, None),
    ({"tags": "x" * 41}, REFUSE, None),
    ({"tags": "期末，数学、 期末"}, ACCEPT, {"tags": ["数学", "期末"]}),
]


@pytest.fixture
def exam_category(db):
    return Category.objects.create(name="考试", slug="kaoshi")


def _file() -> io.BytesIO:
    pdf = io.BytesIO(make_pdf(1))
    pdf.name = "试卷.pdf"
    return pdf


def via_api(client, user, fields: dict) -> tuple[bool, Document | None]:
    _, token = ApiToken.issue(user, "t")
    response = client.post(
        "/api/v1/documents", {"file": _file(), **fields}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        return False, None
    return True, Document.objects.get(pk=response.json()["id"])


def via_form(client, user, fields: dict, category: Category) -> tuple[bool, Document | None]:
    client.force_login(user)
    if fields.get("category") == category.slug:  # the form's select sends the id
        fields = {**fields, "category": str(category.pk)}
    response = client.post("/upload/", {"files": _file(), **fields})
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert response.context["form"].errors
        return False, None
    return True, Document.objects.order_by("-pk").first()


def stored(doc: Document, expected: dict) -> dict:
    found = {}
    for key in expected:
        if key == "tags":
            found[key] = sorted(t.name for t in doc.tags.all())
        elif key == "category__slug":
            found[key] = doc.category.slug if doc.category else None
        else:
            found[key] = getattr(doc, key)
    return found


@pytest.mark.parametrize(("fields", "accepted", "expected"), CASES)
def test_web_and_api_agree(client, user, exam_category, fields, accepted, expected):
    api_ok, api_doc = via_api(client, user, dict(fields))
    form_ok, form_doc = via_form(client, user, dict(fields), exam_category)
    assert (api_ok, form_ok) == (accepted, accepted)
    if accepted:
        assert stored(api_doc, expected) == expected
        assert stored(form_doc, expected) == expected
    else:
        assert Document.objects.count() == 0


def test_staff_may_set_a_longer_preview(client, user, exam_category):
    user.is_staff = True
    user.save()
    ok, doc = via_api(client, user, {"preview_pages": "12"})
    assert ok and doc.preview_pages == 12
