"""The queued task of an upload (django-tasks, database backend)."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django_tasks import task

from wenku.publishing import jobs

log = logging.getLogger(__name__)


@task(queue_name="ingest")
def publish_upload(document_id: int) -> str:
    """Convert and publish one uploaded document (see ``wenku.publishing.jobs``).

    Database errors propagate so the worker retries the job later; any other
    unexpected error fails the document with an "internal" reason rather than
    leaving it waiting forever.
    """
    try:
        return jobs.process(document_id)
    except DatabaseError:
        raise
    except Exception:
        log.exception("publishing document %s failed unexpectedly", document_id)
        jobs.fail_unexpectedly(document_id)
        raise
