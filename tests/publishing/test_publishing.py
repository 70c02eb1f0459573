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


RIVERS = "river harbour bridge railway valley canyon glacier meadow".split()
THEATRE = "theatre museum council journal lantern orchard".split()


def about(vocabulary: list[str], seed: int, words: int = 60) -> str:
    """Words of one subject in an order of their own (not near-copies of each other)."""
    import random

    rng = random.Random(seed)
    return " ".join(rng.choice(vocabulary) for _ in range(words))


def test_publishing_a_document_puts_it_on_its_neighbours_lists(publish):
    """Given a young library where the first document's list was stored before the
    others existed, When a document on its subject is published, Then the first
    document's stored list names it at once (not when its list is a day old)."""
    from wenku.search.models import RelatedList

    first = publish(title="River survey", text=about(RIVERS, 1))
    assert RelatedList.objects.get(pk=first.pk).ids == []
    other = publish(title="Theatre notes", text=about(THEATRE, 2))
    second = publish(title="River report", text=about(RIVERS, 3))
    assert RelatedList.objects.get(pk=first.pk).ids[0] == second.pk
    assert other.pk not in RelatedList.objects.get(pk=second.pk).ids[:1]


def test_related_lists_stay_on_the_documents_category(publish):
    """Given two exam papers sharing no words (their reading passages differ) and a
    report sharing many, When the second paper is published, Then the first paper's list
    names both: the report first (content leads), then the other paper."""
    from wenku.library.models import Category
    from wenku.search.models import RelatedList

    school = Category.objects.create(name="教育", slug="edu")
    exams = Category.objects.create(name="试卷", slug="exams", parent=school)
    work = Category.objects.create(name="工作总结", slug="work")
    paper = publish(title="Grade 3 exam", text=about(RIVERS, 4), category=exams)
    report = publish(title="Annual summary", text=about(RIVERS, 5), category=work)
    second = publish(title="Grade 4 exam", text=about(THEATRE, 6), category=exams)
    assert RelatedList.objects.get(pk=paper.pk).ids == [report.pk, second.pk]


def test_a_document_joins_the_lists_it_belongs_to_though_they_are_not_on_its_own(publish):
    """Given an exam paper published alone (its list empty) and ten river reports in
    another topic, When an essay on rivers is published in the paper's topic (its own
    list full of river reports, so the paper is not among its neighbours), Then the
    paper's list is due for the idle worker at once, and names the essay once refreshed
    (before, it stayed empty until it was a day old)."""
    from django.contrib.auth import get_user_model

    from wenku.library.models import Category
    from wenku.publishing.worker import finish_made_due
    from wenku.search import related
    from wenku.search.models import RelatedList

    school = Category.objects.create(name="教育", slug="edu")
    exams = Category.objects.create(name="试卷", slug="exams", parent=school)
    essays = Category.objects.create(name="随笔", slug="essays", parent=school)
    work = Category.objects.create(name="工作总结", slug="work")
    paper = publish(title="Grade 3 exam", text=about(THEATRE, 7), category=exams, pages=1)
    owners = [
        get_user_model().objects.create_user(f"writer{i}", f"w{i}@example.com", "x")
        for i in range(4)
    ]
    names = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
    for i, name in enumerate(names):
        text = about(RIVERS, 20 + i)
        publish(owners[i % 4], title=f"River {name}", text=text, category=work, pages=1)
    assert RelatedList.objects.get(pk=paper.pk).ids == []
    essay = publish(title="Essay on rivers", text=about(RIVERS, 40), category=essays, pages=1)
    assert paper.pk not in RelatedList.objects.get(pk=essay.pk).ids  # not a neighbour
    assert related.due_ids(100, only_made_due=True) == [paper.pk]
    assert finish_made_due(30) == 1
    assert RelatedList.objects.get(pk=paper.pk).ids == [essay.pk]
    assert related.due_ids(100, only_made_due=True) == []
