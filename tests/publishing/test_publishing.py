"""The conductor: one intake, one job, one sequence of reactions on both paths."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django_tasks_db.models import DBTaskResult

from tests.factories.pdf import make_pdf
from wenku.publishing import decisions, reactions
from wenku.publishing.jobs import process
from wenku.publishing.tasks import publish_upload

pytestmark = pytest.mark.django_db


def test_an_upload_creates_its_document_and_its_job_together(upload):
    doc = upload("a.pdf", make_pdf(1))
    job = DBTaskResult.objects.get()
    assert (doc.status, job.task_path, job.args_kwargs["args"]) == (
        "queued",
        publish_upload.module_path,
        [doc.pk],
    )


def test_reactions_run_in_order_on_both_paths_and_each_stands_alone(
    upload, job_context, monkeypatch
):
    """Given a reaction that fails, When a file is published and then the same file is
    uploaded again (its results reused), Then every reaction ran both times, in order."""
    calls: list[tuple[str, int]] = []

    def recorder(name: str, fail: bool = False):
        def reaction(conversion_id, document_ids):
            calls.append((name, len(document_ids)))
            if fail:
                raise RuntimeError(name)

        reaction.__name__ = name
        return reaction

    monkeypatch.setattr(
        reactions,
        "REACTIONS",
        (recorder("reward", fail=True), recorder("index"), recorder("relate")),
    )
    data = make_pdf(2, text="the same file twice")
    first = upload("a.pdf", data)
    assert process(first.pk) == "ready"
    decisions.delete(first, first.owner)  # its uploader deletes it and uploads it again
    second = upload("b.pdf", data)
    assert process(second.pk) == "reused"
    once = [("reward", 1), ("index", 1), ("relate", 1)]
    assert calls == once + once


def test_the_reused_path_indexes_and_relates_like_the_first(publish, upload, job_context):
    from wenku.search.models import IndexState, RelatedList

    original = publish(pages=2, text="reuse me please")
    decisions.delete(original, original.owner)
    again = upload("again.pdf", make_pdf(2, text="reuse me please"))
    assert again.conversion_id == original.conversion_id
    assert process(again.pk) == "reused"
    assert IndexState.objects.filter(document=again).exists()
    assert RelatedList.objects.filter(document=again).exists()


def test_jobs_queued_under_the_old_task_path_are_moved(upload, job_context):
    """A site upgraded with jobs still queued: the migration points them at the new task."""
    doc = upload("a.pdf", make_pdf(1))
    migration = importlib.import_module("wenku.publishing.migrations.0001_move_queued_jobs")
    DBTaskResult.objects.update(task_path=migration.OLD)
    migration.forwards(apps, None)
    job = DBTaskResult.objects.get()
    assert job.task_path == migration.NEW == publish_upload.module_path
    assert job.task.call(*job.args_kwargs["args"]) == "ready"
    doc.refresh_from_db()
    assert doc.status == "ready"
