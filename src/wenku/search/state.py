"""What a search backend holds: an ``IndexState`` row per document and backend, with the
version it was indexed under (``index_version``).

The database is the source of truth and an index a copy; these rows let ``indexing``
catch up with what a backend missed and let searches hide what it should no longer
show (``hidden_ids``). Only this module writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction

from wenku.ingest.models import Status
from wenku.library.models import Document
from wenku.search.models import IndexState

# Bump when what is indexed changes: catch-up then re-indexes every document.
INDEX_VERSION = 2
# ... or, when one backend changes what it stores, that backend's own changes, counted
# on top (postgres 1: the common-word pairs of search/backends/grams.py): bumping either
# re-indexes that backend's documents.
BACKEND_CHANGES = {"postgres": 1}


def index_version(backend_name: str) -> int:
    """The version a document indexed now is indexed under, in ``backend_name``."""
    return INDEX_VERSION + BACKEND_CHANGES.get(backend_name, 0)


def pending_ids(backend_name: str) -> list[int]:
    """Ready documents the backend lacks or holds from an older version."""
    current = IndexState.objects.filter(backend=backend_name, version=index_version(backend_name))
    return list(
        Document.objects.public()
        .exclude(pk__in=current.values("document_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def hidden_ids(backend_name: str) -> frozenset[int]:
    """Documents the backend holds that the database no longer shows (taken down, failed)."""
    # On every search, so plain SQL (the ORM's overhead is most of its cost); the two
    # ranges walk the status index over the few documents that are not ready, whatever
    # statuses are added later.
    sql = (
        "SELECT d.id FROM library_document d WHERE (d.status < %s OR d.status > %s) "
        "AND EXISTS (SELECT 1 FROM search_indexstate s "
        "WHERE s.document_id = d.id AND s.backend = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.READY, Status.READY, backend_name])
        return frozenset(row[0] for row in cursor.fetchall())


def record(backend_name: str, considered: Sequence[int], indexed: Iterable[int]) -> None:
    """Of the documents ``considered``, the backend now holds exactly ``indexed``."""
    with transaction.atomic():
        IndexState.objects.filter(document_id__in=considered, backend=backend_name).delete()
        IndexState.objects.bulk_create(
            IndexState(document_id=i, backend=backend_name, version=index_version(backend_name))
            for i in sorted(indexed)
        )


def forget(backend_name: str, document_ids: Iterable[int] | None = None) -> None:
    """The backend no longer holds these documents (all of them, with None)."""
    rows = IndexState.objects.filter(backend=backend_name)
    if document_ids is not None:
        rows = rows.filter(document_id__in=list(document_ids))
    rows.delete()
