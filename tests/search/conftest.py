"""Search fixtures: ready documents made directly in the database, and each backend.

``make_doc`` skips LibreOffice (tests of the real pipeline use ``ingested``): it writes
the rows a published document has — conversion, pages, document — so hundreds of
cases stay fast. The PostgreSQL backend runs when the suite runs on PostgreSQL
(scripts/test.sh runs everything a second time with WENKU_DATABASE_URL set); on
SQLite its cases are skipped, since its tables live in the database under test.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator

import pytest
from django.db import connection
from django.utils import timezone

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_search_state(data_dir):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from wenku.search.backends import reset_backend

    reset_backend()
    cache.clear()
    yield
    reset_backend()


@pytest.fixture(params=["tantivy", "postgres"])
def backend(request, db, settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Each search backend in turn, selected the way a site selects it."""
    from wenku.search.backends import get_backend, reset_backend

    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend runs in the PostgreSQL pass (scripts/test.sh)")
    settings.WENKU = settings.WENKU.replace(search_backend=request.param)
    reset_backend()
    yield get_backend()
    reset_backend()


@pytest.fixture
def make_doc(user):  # type: ignore[no-untyped-def]
    """make_doc(title, pages=[text, …], **fields) → a ready Document (not yet indexed)."""
    from wenku.ingest.models import Conversion, Page, Status
    from wenku.library.models import Document

    def _make(title: str, pages: list[str] | None = None, **fields: object) -> Document:
        pages = pages if pages is not None else [title]
        n = next(_counter)
        sha = hashlib.sha256(f"{n}:{title}:{pages}".encode()).hexdigest()
        conversion = Conversion.objects.create(
            sha256=sha, size=100, format="pdf", status=Status.READY, page_count=len(pages)
        )
        Page.objects.bulk_create(
            Page(conversion=conversion, number=i + 1, width=595, height=842, text=t)
            for i, t in enumerate(pages)
        )
        tags = fields.pop("tags", [])
        defaults: dict[str, object] = {
            "owner": user,
            "original_name": f"{title}.pdf",
            "size": 100,
            "format": "pdf",
            "page_count": len(pages),
            "status": Status.READY,
            "published_at": timezone.now(),
        }
        doc = Document.objects.create(title=title, conversion=conversion, **{**defaults, **fields})
        if tags:
            from wenku.library.domain import set_tags

            set_tags(doc, list(tags))  # type: ignore[arg-type]
        return doc

    return _make


@pytest.fixture
def indexed(make_doc, backend):  # type: ignore[no-untyped-def]
    """indexed(title, pages, **fields) → a ready Document, in the backend under test."""
    from wenku.search.indexing import index_documents

    def _indexed(title: str, pages: list[str] | None = None, **fields: object):  # type: ignore[no-untyped-def]
        doc = make_doc(title, pages, **fields)
        index_documents([doc.pk], backend)
        return doc

    return _indexed
