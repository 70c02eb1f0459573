"""Tags, titles and category names with any punctuation or whitespace (issue 10, item 6).

The attack: a tag containing '/' (GB/T, a standard's prefix) made the document page
answer 500, and /sitemap-tags.xml too — which took the tag sitemap down for the whole
site. Property-style: names drawn from every Unicode punctuation, symbol, separator,
control and format class (a few characters of each, picked from the Unicode database,
plus a seeded random sample and the strings that break URLs) go through the upload
details and then through every page that shows or links them: the document page and
each tag link on it, the tag page, the category page, the sitemaps and every address
they list, and the API.
"""

from __future__ import annotations

import random
import re
import sys
import unicodedata
from html import unescape
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import pytest
from django.utils.html import escape

from wenku.library.details import MAX_TAG, MAX_TAGS, UploadDetails
from wenku.library.models import Category

pytestmark = pytest.mark.django_db
CLASSES = ("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp")
CLASSES += ("Cc", "Cf")
SPECIAL = [
    "GB/T",
    "GB / T 7714",
    "/leading",
    "trailing/",
    "a//b",
    "..",
    ".",
    "../etc/passwd",
    "%2F",
    "100%",
    "?q=1",
    "&amp;",
    "<script>alert(1)</script>",
    "\"quoted\" 'single'",
    "back\\slash",
    "C++",
    "ISO 9001:2015",
    "a\u202eb",  # right-to-left override
    "zero\u200bwidth",
    "\ufeffbom",
    "tab\there",
    "全角　空格",
    "emoji 👩\u200d💻",
    "nul\x00byte",
    "line\u2028sep",
]


def _by_class() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {c: [] for c in CLASSES}
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category in found:
            found[category].append(chr(code))
    return found


def sample_names() -> list[str]:
    """Three characters of each class (first, middle, last), alone and inside words,
    plus 30 random mixtures (seeded: the same names on every run) and SPECIAL."""
    by_class = _by_class()
    names = []
    for chars in by_class.values():
        for ch in (chars[0], chars[len(chars) // 2], chars[-1]):
            names += [f"标签{ch}名", f"{ch}x"]
    rng = random.Random(10)
    pool = "".join(ch for chars in by_class.values() for ch in chars[:40])
    for _ in range(30):
        names.append("".join(rng.choice(pool + "文档ab /.") for _ in range(rng.randint(1, 12))))
    return names + SPECIAL


NAMES = sample_names()


def batches(names: list[str], size: int) -> list[list[str]]:
    return [names[i : i + size] for i in range(0, len(names), size)]


@pytest.fixture
def documents(make_doc):
    """One document per ten names: those names as its tags, the first as its title, in a
    category named by the second; every value cleaned by UploadDetails as any door does."""
    docs = []
    for i, batch in enumerate(batches(NAMES, MAX_TAGS)):
        details = UploadDetails.build(
            title=batch[0], tags=[name[:MAX_TAG] for name in batch], staff=True
        )
        # As staff name a category in the admin (its form refuses NUL; PostgreSQL too).
        category = Category.objects.create(name=batch[-1].replace("\x00", "")[:60], slug=f"c{i}")
        title = details.title or f"untitled {i}"
        docs.append((make_doc(title, tags=list(details.tags), category=category), details))
    return docs


def follow(client, base: str, href: str):
    """GET a link as a browser would: resolved against the page (dot segments removed)."""
    target = urlsplit(urljoin(f"http://testserver{base}", href))
    return client.get(target.path + (f"?{target.query}" if target.query else ""))


def test_cleaned_names_are_plain_text(documents):
    for _doc, details in documents:
        for name in (details.title, *details.tags):
            assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name), name
            assert "\u202e" not in name and "\ufeff" not in name
        for tag in details.tags:
            assert tag and tag.strip() == tag
            assert all(piece not in ("", ".", "..") for piece in tag.split("/")), tag


def test_every_document_page_and_every_tag_link_works(client, documents):
    for doc, details in documents:
        page = client.get(doc.get_absolute_url())
        assert page.status_code == 200, (details.title, details.tags)
        html = page.content.decode()
        links = [unescape(h) for h in re.findall(r'<a class="tag" href="([^"]+)"', html)]
        assert len(links) == len(details.tags), (details.tags, links)
        for tag, href in zip(sorted(details.tags), sorted(links, key=unquote), strict=False):
            tag_page = follow(client, doc.get_absolute_url(), href)
            assert tag_page.status_code == 200, (tag, href)
            assert escape(doc.title) in tag_page.content.decode(), (tag, href)
        category = client.get(f"/c/{doc.category.slug}/")
        assert category.status_code == 200 and escape(doc.category.name) in category.text


def test_the_sitemaps_list_every_tag_and_each_address_works(client, documents):
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    tags = {t for _doc, details in documents for t in details.tags}
    for section in ("documents", "categories", "tags"):
        response = client.get(f"/sitemap-{section}.xml")
        assert response.status_code == 200, section
        root = ElementTree.fromstring(response.content)
        locations = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        if section == "tags":
            listed = {unquote(urlsplit(loc).path)[len("/t/") : -1] for loc in locations}
            assert listed == tags
        for location in locations:
            assert follow(client, "/", location).status_code == 200, location


def test_the_api_gives_the_names_back(client, documents):
    for doc, details in documents:
        data = client.get(f"/api/v1/documents/{doc.pk}").json()
        assert data["title"] == details.title
        assert sorted(data["tags"]) == sorted(details.tags)


def test_an_upload_through_the_api_keeps_a_slash_in_a_tag(client, user):
    """The exact case of the review, through a real door."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories.pdf import make_pdf
    from wenku.accounts.models import ApiToken

    _, token = ApiToken.issue(user, "script")
    pdf = SimpleUploadedFile("std.pdf", make_pdf(1), content_type="application/pdf")
    response = client.post(
        "/api/v1/documents",
        {"file": pdf, "tags": "GB/T, 国家标准", "title": "GB/T 7714-2015 参考文献著录规则"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}  # it is not published yet: the owner
    data = client.get(f"/api/v1/documents/{response.json()['id']}", **auth).json()
    assert sorted(data["tags"]) == ["GB/T", "国家标准"]
    assert client.get("/t/GB/T/").status_code == 200


def stored_raw(names: list[str]) -> list[str]:
    """Names as a tag row may hold them without the cleaning of today's doors (an older
    version's rows, the admin): cut to the column, unique, minus NUL (PostgreSQL text
    cannot hold it)."""
    kept = dict.fromkeys(name.replace("\x00", "")[:40] for name in names)
    return [name for name in kept if name.strip()]


def test_tags_stored_without_cleaning_break_no_page(client, make_doc):
    """Given tags stored as they came — line breaks, dot segments, doubled slashes, the
    whole sample — when their document page, each tag link on it and the tag sitemap
    are opened, then none answers 500 (a line break made the document page and the
    whole tag sitemap fail), and a link whose name a browser would not rewrite (dot
    segments) leads to its tag's page."""
    from wenku.library.models import Tag

    raw = stored_raw([*NAMES, "line\nbreak", "a/./b", "x/..", "//", "tab\tand\r"])
    for i, batch in enumerate(batches(raw, MAX_TAGS)):
        doc = make_doc(f"raw {i}")
        doc.tags.set([Tag.objects.get_or_create(name=name)[0] for name in batch])
        page = client.get(doc.get_absolute_url())
        assert page.status_code == 200, batch
        html = page.content.decode()
        links = [unescape(h) for h in re.findall(r'<a class="tag" href="([^"]+)"', html)]
        assert len(links) == len(batch)
        for href in links:
            name = unquote(urlsplit(href).path)[len("/t/") : -1]
            tag_page = follow(client, doc.get_absolute_url(), href)
            if any(piece in (".", "..") for piece in name.split("/")):
                assert tag_page.status_code in (200, 404), href  # the browser's rewrite
            else:
                assert tag_page.status_code == 200, href
                assert f"raw {i}" in tag_page.content.decode(), href
    sitemap = client.get("/sitemap-tags.xml")
    assert sitemap.status_code == 200
    root = ElementTree.fromstring(sitemap.content)
    listed = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert len(listed) == len(raw)
