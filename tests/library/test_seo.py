"""sitemap.xml (an index of files of at most 10,000 URLs) and robots.txt."""

from __future__ import annotations

import re

import pytest

from tests.library.test_browse import make_ready, tree  # noqa: F401  (fixtures)
from wenku.library import seo

pytestmark = pytest.mark.django_db


def test_sitemap_index_and_documents(client, tree, make_ready, monkeypatch):  # noqa: F811
    docs = make_ready(5, tree["work"])
    monkeypatch.setattr(seo.DocumentSitemap, "limit", 2)  # 5 documents → 3 files
    index = client.get("/sitemap.xml").content.decode()
    files = re.findall(r"<loc>http://testserver(/sitemap-documents\.xml(?:\?p=\d+)?)</loc>", index)
    assert len(files) == 3
    urls = []
    for path in files:
        urls += re.findall(
            r"<loc>http://testserver(/d/\d+/)</loc>", client.get(path).content.decode()
        )
    assert sorted(urls) == sorted(d.get_absolute_url() for d in docs)
    assert "/sitemap-categories.xml" in index


def test_sitemap_limit_is_ten_thousand():
    assert all(s.limit == 10_000 for s in seo.SITEMAPS.values())


def test_robots(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body and "Disallow: /api/" in body
