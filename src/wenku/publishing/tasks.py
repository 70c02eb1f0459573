"""The queued task of an upload (django-tasks, database backend)."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django_tasks import task

from wenku.core.storage import StorageUnavailable
from wenku.publishing import jobs
from wenku.worker.runner import RetryLater

log = logging.getLogger(__name__)


@task(queue_name="ingest")
def publish_upload(document_id: int) -> str:
    """Convert and publish one uploaded document (see ``wenku.publishing.jobs``).

    Passing troubles — a database error, object storage not answering — go back to the
    worker, which tries the job again later with a growing pause; any other unexpected
    error fails the document with an "internal" reason rather than leaving it waiting
    forever.
    """
    try:
        return jobs.process(document_id)
    except DatabaseError:
        raise
    except StorageUnavailable as exc:
        raise RetryLater(f"storage unavailable: {exc}") from exc
    except Exception:
        log.exception("publishing document %s failed unexpectedly", document_id)
        jobs.fail_unexpectedly(document_id)
        raise
