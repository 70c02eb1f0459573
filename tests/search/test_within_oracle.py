"""Find-in-document is no oracle for locked pages (issue 10, item 5).

The attack: find-in-document listed each page past the free preview with its number
and match count, unrated, so an anonymous reader rebuilt a phrase of page 15 of a
5-page-preview document in 187 requests, extending a known start one character at a
time. Now locked pages are only counted all together, and searches are rate-limited
per address and per reader (WENKU_RATE_FIND), in the page and the API alike.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
SECRET = "甲方应于次月支付尾款"
KNOWN = SECRET[:2]
# The attacker's guesses for each next character, the right one last but one.
ALPHABET = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于"


@pytest.fixture
def contract(make_doc):
    pages = [f"第{n}页 合同正文，双方约定事项。" for n in range(1, 21)]
    pages[14] = f"第15页 付款条件：{SECRET}，逾期按日计息。"
    pages[11] = f"第12页 补充：{SECRET[:4]}。"
    return make_doc("采购合同", pages, preview_pages=5)


def ask(client: Client, doc, q: str, **extra):
    return client.get(reverse("api:document_search", args=[doc.pk]), {"q": q}, **extra)


def occurs_past_preview(response) -> bool | None:
    """What an attacker reads from an answer (None: refused)."""
    if response.status_code == 429:
        return None
    data = response.json()
    if data["mode"] != "phrase":
        return False  # only some of its words occur
    listed = any(page.get("locked") for page in data["pages"])  # the old answer
    return listed or data.get("locked_matches", 0) > 0


def rebuild(client: Client, doc) -> str:
    """The reviewer's attack: extend the known start one character at a time."""
    found = KNOWN
    while len(found) < len(SECRET):
        for char in ALPHABET + SECRET[len(found)] + "。":
            answer = occurs_past_preview(ask(client, doc, found + char))
            if answer is None:
                return found  # stopped
            if answer:
                found += char
                break
        else:
            return found
    return found


def test_the_phrase_cannot_be_rebuilt(client, contract):
    assert rebuild(client, contract) != SECRET


def test_locked_pages_are_one_total_never_named(client, contract):
    data = ask(client, contract, SECRET[:4]).json()
    assert data["pages"] == [] and data["locked_matches"] == 2
    assert "#p12" not in str(data) and "#p15" not in str(data)
    html = client.get(
        reverse("search:document", args=[contract.pk]), {"q": SECRET[:4], "fragment": "1"}
    ).content.decode()
    assert "全文另有 2 处匹配，下载后可见" in html
    assert "#p12" not in html and "#p15" not in html and "第 15 页" not in html


def test_the_entitled_reader_sees_every_page(client, contract, user):
    client.force_login(user)  # the uploader
    data = ask(client, contract, SECRET[:4]).json()
    assert [p["number"] for p in data["pages"]] == [12, 15] and data["locked_matches"] == 0


def test_searches_are_limited_per_address_in_the_page_and_the_api(client, contract, settings):
    settings.WENKU = settings.WENKU.replace(rate_find=(3, 600))
    page = reverse("search:document", args=[contract.pk])
    assert ask(client, contract, "合同").status_code == 200
    assert client.get(page, {"q": "合同"}).status_code == 200
    assert client.get(page, {"q": "合同", "fragment": "1"}).status_code == 200
    refused = ask(client, contract, "合同")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    fragment = client.get(page, {"q": "合同", "fragment": "1"})
    assert fragment.status_code == 429 and "合同正文" not in fragment.content.decode()
    assert ask(client, contract, "合同", REMOTE_ADDR="198.51.100.7").status_code == 200
    assert client.get(page).status_code == 200  # opening the empty box is no search


def test_a_signed_in_reader_is_limited_from_every_address(client, contract, settings, other_user):
    settings.WENKU = settings.WENKU.replace(rate_find=(2, 600))
    client.force_login(other_user)
    assert ask(client, contract, "合同", REMOTE_ADDR="198.51.100.1").status_code == 200
    assert ask(client, contract, "合同", REMOTE_ADDR="198.51.100.2").status_code == 200
    assert ask(client, contract, "合同", REMOTE_ADDR="198.51.100.3").status_code == 429
