from __future__ import annotations

from django_tasks import task


@task(queue_name="ingest")
def ingest_document(document_id: int) -> str:
    """Ingest one uploaded document (see wenku.ingest.jobs)."""
    from wenku.ingest.jobs import process_document

    return process_document(document_id)
