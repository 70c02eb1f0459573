from __future__ import annotations

import logging

from django.db import DatabaseError
from django_tasks import task

log = logging.getLogger(__name__)


@task(queue_name="ingest")
def ingest_document(document_id: int) -> str:
    """Ingest one uploaded document (see wenku.ingest.jobs).

    Database errors propagate so the worker retries the job later; any other
    unexpected error fails the document with an "internal" reason rather than
    leaving it waiting forever.
    """
    from wenku.ingest.jobs import fail_unexpectedly, process_document

    try:
        return process_document(document_id)
    except DatabaseError:
        raise
    except Exception:
        log.exception("ingest job for document %s failed unexpectedly", document_id)
        fail_unexpectedly(document_id)
        raise
