"""Search fixtures: each backend, and documents indexed in it.

Documents are the rows of ``make_doc`` (tests/factories/published.py), so hundreds of
cases stay fast. The PostgreSQL backend runs when the suite runs on PostgreSQL
(scripts/test.sh runs everything a second time with WENKU_DATABASE_URL set); on
SQLite its cases are skipped, since its tables live in the database under test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _fresh_search_state(data_dir):  # type: ignore[no-untyped-def]
    """A backend of this test's own (``data_dir`` has emptied the cache already, when the
    test may touch it: on PostgreSQL the cache is a table, out of bounds without ``db``)."""
    from wenku.search.backends import reset_backend

    reset_backend()
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
def indexed(make_doc, backend):  # type: ignore[no-untyped-def]
    """indexed(title, pages, **fields) → a ready Document, in the backend under test."""
    from wenku.search.indexing import index_documents

    def _indexed(title: str, pages: list[str] | None = None, **fields: object):  # type: ignore[no-untyped-def]
        doc = make_doc(title, pages, **fields)
        index_documents([doc.pk], backend)
        return doc

    return _indexed
