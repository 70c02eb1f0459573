"""Keeping the index in step with the database: after publish, catch-up, reindex."""

from __future__ import annotations

import pytest

from tests.factories import documents as f
from wenku.search.backends.base import EngineQuery
from wenku.search.query import parse


def found(backend, text: str) -> set[int]:
    return {d for d, _ in backend.search(EngineQuery(parse(text), limit=100)).hits}


@pytest.mark.live
def test_the_pipeline_indexes_what_it_publishes(ingested, backend):
    """Given a real upload, when its ingest job ends, then search finds words of its pages
    (and its fingerprint exists), without any other step."""
    from wenku.search.models import Fingerprint, IndexState, RelatedList

    doc = ingested("总结.docx", f.make_docx(3, title="安全生产责任制"))
    assert doc.status == "ready"
    assert doc.pk in found(backend, "安全生产责任制")
    assert doc.pk in found(backend, "21.05")
    assert IndexState.objects.filter(document=doc, backend=backend.name).exists()
    assert Fingerprint.objects.filter(conversion_id=doc.conversion_id).exists()
    assert "fingerprint" in doc.conversion.timings
    assert RelatedList.objects.filter(document=doc).exists()  # the page reads it


@pytest.mark.live
def test_a_reused_upload_is_indexed_too(ingested, backend):
    from wenku.publishing import decisions

    data = f.make_docx(2, title="消防演练方案")
    first = ingested("a.docx", data)
    decisions.delete(first, first.owner)  # deleted, then uploaded again: conversion reused
    second = ingested("b.docx", data, title="另一个标题")
    assert second.conversion_id == first.conversion_id
    hits = found(backend, "消防演练方案")
    assert second.pk in hits and first.pk not in hits


def test_catch_up_after_a_worker_died_before_indexing(make_doc, backend, monkeypatch):
    """Given documents published while indexing failed (a worker killed right after
    publishing), when the next job's indexing runs, then it indexes them as well."""
    from wenku.publishing import reactions
    from wenku.search import indexing, state

    lost = make_doc("遗漏的文档", ["应急预案演练"])
    assert lost.pk not in found(backend, "应急预案")
    assert state.pending_ids(backend.name) == [lost.pk]
    monkeypatch.setattr(indexing, "index_documents", _boom)
    reactions.published(lost.conversion_id)  # never raises: publishing stands
    monkeypatch.undo()
    assert lost.pk not in found(backend, "应急预案")
    later = make_doc("后来的文档", ["应急预案"])
    reactions.published(later.conversion_id)
    assert found(backend, "应急预案") == {lost.pk, later.pk}
    assert state.pending_ids(backend.name) == []


def _boom(*args, **kwargs):
    raise RuntimeError("index unavailable")


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_restarted_worker_catches_up(make_doc, backend, child_env):
    """Given a published document no worker indexed, when a worker process starts and
    runs its next job, then the document becomes searchable."""
    if backend.name != "tantivy":
        pytest.skip("one backend is enough: the mechanism is the same")
    import subprocess
    import sys

    from tests.factories.pdf import make_pdf
    from tests.factories.published import upload
    from wenku.library.models import Document

    missed = make_doc("未索引的文档", ["emergency response plan"])
    new = upload(missed.owner, "drill.pdf", make_pdf(2, text="emergency response drill"))
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_ONE_JOB],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    new.refresh_from_db()
    assert new.status == "ready"
    assert Document.objects.get(pk=missed.pk).status == "ready"
    assert {missed.pk, new.pk} <= found(backend, "emergency")


_RUN_ONE_JOB = """
import django
django.setup()
from dataclasses import replace
from wenku.publishing.worker import HOOKS
from wenku.worker.runner import Worker
# No LibreOffice (a PDF) and no catch-up at start: the job itself must catch up.
Worker(poll_seconds=0.05, hooks=replace(HOOKS, on_start=lambda: None), max_jobs=1).run()
"""


def test_status_changes_are_dropped_by_catch_up(make_doc, backend):
    from wenku.library.models import Document
    from wenku.search import indexing, state
    from wenku.search.models import IndexState

    doc = make_doc("撤下的文档", ["侵权内容"])
    indexing.index_documents([doc.pk], backend)
    Document.objects.filter(pk=doc.pk).update(status="failed")
    assert state.hidden_ids(backend.name) == {doc.pk}
    indexing.catch_up(backend)
    assert doc.pk not in backend.indexed_ids()
    assert not IndexState.objects.filter(document=doc).exists()
    assert state.hidden_ids(backend.name) == frozenset()


def test_reindex_command_rebuilds_from_the_database(make_doc, backend, capsys):
    from wenku.cli import reindex
    from wenku.search import indexing
    from wenku.search.models import RelatedList

    docs = [make_doc(f"规章制度{i}", ["员工手册"]) for i in range(3)]
    indexing.index_documents([docs[0].pk], backend)
    backend.index([indexing.build_entry(docs[0])])  # stale extra copy must not double
    args = type("Args", (), {"backend": backend.name, "missing": False, "related": True})()
    assert reindex.handle(args) == 0
    out = capsys.readouterr().out
    assert f"{backend.name}: indexed 3 documents" in out
    assert "stored the related documents of 3 documents" in out
    assert found(backend, "员工手册") == {d.pk for d in docs}
    assert backend.num_docs() == 3
    assert RelatedList.objects.count() == 3


def test_reindex_missing_drops_deleted_documents(make_doc, backend, capsys):
    from wenku.cli import reindex
    from wenku.search import indexing

    keep, gone = make_doc("保留", ["合同范本"]), make_doc("删除", ["合同范本"])
    indexing.index_documents([keep.pk, gone.pk], backend)
    gone_id = gone.pk
    gone.delete()
    args = type("Args", (), {"backend": backend.name, "missing": True, "related": False})()
    assert reindex.handle(args) == 0
    assert "dropped" in capsys.readouterr().out
    assert gone_id not in backend.indexed_ids() and keep.pk in backend.indexed_ids()


@pytest.mark.django_db(transaction=True)
def test_reindex_cli_entry_point(make_doc, backend, child_env):
    """`wenku reindex` runs as a command, with a progress bar, on the configured backend."""
    import subprocess
    import sys

    if backend.name != "tantivy":
        pytest.skip("the command is the same for both backends")
    make_doc("命令行测试", ["进度条"])
    proc = subprocess.run(
        [sys.executable, "-m", "wenku", "reindex"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "tantivy: indexed 1 documents" in proc.stdout


def test_a_backend_s_own_version_reindexes_its_documents_only(make_doc, db):
    """Given documents indexed in both backends under the shared version, when one backend
    stores something new (its own version, as PostgreSQL's common-word pairs), then
    catch-up has that backend's documents to index again, and not the other's."""
    from wenku.search import state

    doc = make_doc("改革纪要", ["我们在改革中前进。"])
    for name in ("tantivy", "postgres"):
        state.record(name, [doc.pk], [doc.pk])
        assert state.pending_ids(name) == []
    state.IndexState.objects.update(version=state.INDEX_VERSION)
    assert state.pending_ids("tantivy") == []
    assert state.pending_ids("postgres") == [doc.pk]
    assert state.index_version("postgres") > state.INDEX_VERSION
