"""The community's figures on the document row: counted anew on every change, by every
path (the domain, the admin's deletes, a deleted account's cascade), exact with many
writers at once, and counted onto existing rows by the migration."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Avg, Count, Q
from django.urls import reverse

from wenku.accounts.models import User
from wenku.community import domain
from wenku.community.models import Comment, Rating
from wenku.library.models import Document

pytestmark = pytest.mark.django_db


def kept(doc: Document) -> tuple[int, float, int, int]:
    doc.refresh_from_db()
    return (doc.rating_count, doc.rating_average, doc.comment_count, doc.comment_threads)


def counted(doc: Document) -> tuple[int, float, int, int]:
    """The same figures, counted from the ratings and comments themselves."""
    ratings = Rating.objects.filter(document=doc).aggregate(n=Count("pk"), avg=Avg("stars"))
    comments = Comment.objects.filter(document=doc).aggregate(
        shown=Count("pk", filter=Q(deleted_at=None)), threads=Count("pk", filter=Q(parent=None))
    )
    return (ratings["n"], float(ratings["avg"] or 0), comments["shown"], comments["threads"])


def test_every_change_is_counted_on_the_row(doc, other_user, carol, user):
    assert kept(doc) == counted(doc) == (0, 0.0, 0, 0)
    domain.rate(other_user, doc, 4)
    domain.rate(carol, doc, 1)
    assert kept(doc) == counted(doc) == (2, 2.5, 0, 0)
    domain.rate(carol, doc, 5)  # changed, not added
    assert kept(doc) == (2, 4.5, 0, 0)

    top = domain.add_comment(other_user, doc, "第一条评论")
    reply = domain.add_comment(carol, doc, "回复", answering=top)
    other = domain.add_comment(carol, doc, "第二条评论")
    assert kept(doc) == counted(doc) == (2, 4.5, 3, 2)
    domain.edit_comment(carol, other, "改过的评论")
    assert kept(doc) == (2, 4.5, 3, 2)
    domain.delete_comment(other_user, top)  # it has a reply: a marker stays
    assert kept(doc) == counted(doc) == (2, 4.5, 2, 2)
    domain.delete_comment(carol, reply)  # the marker's last reply: both go
    assert kept(doc) == counted(doc) == (2, 4.5, 1, 1)
    assert domain.remove_comment(other)  # a moderator's removal leaves a marker
    assert kept(doc) == counted(doc) == (2, 4.5, 0, 1)

    Rating.objects.filter(user=other_user).delete()  # the admin's bulk delete
    assert kept(doc) == counted(doc) == (1, 5.0, 0, 1)
    domain.add_comment(carol, doc, "再来一条")
    carol.delete()  # an account deleted: its ratings and comments cascade
    assert kept(doc) == counted(doc) == (0, 0.0, 0, 0)  # the marker was hers too


def test_a_rating_saved_twice_at_once_is_counted_once(doc, other_user, monkeypatch):
    """rate()'s path for a rating another request created in between (an update, which
    sends no signal) counts too."""
    domain.rate(other_user, doc, 2)
    real = Rating.objects.update_or_create

    def lost_the_race(**kwargs):
        from django.db import IntegrityError

        raise IntegrityError("created meanwhile")

    monkeypatch.setattr(Rating.objects, "update_or_create", lost_the_race)
    domain.rate(other_user, doc, 5)
    monkeypatch.setattr(Rating.objects, "update_or_create", real)
    assert kept(doc) == counted(doc) == (1, 5.0, 0, 0)


def test_the_page_and_top_rated_read_the_row(client, doc, other_user, publish):
    better = publish(pages=1, text="another", title="评分更高的文档")
    domain.rate(other_user, doc, 3)
    domain.rate(other_user, better, 5)
    Document.objects.filter(pk=better.pk).update(rating_average=1.0)  # only the row says so
    url = reverse("library:uploader", args=[doc.owner.username])
    html = client.get(url + "?sort=rating").content.decode()
    assert html.index(doc.title) < html.index(better.title)
    page = client.get(better.get_absolute_url()).content.decode()
    assert "★ 1.0" in page and '"ratingCount": 1' in page  # and in its structured data
    data = client.get(f"/api/v1/documents/{better.pk}").json()
    assert (data["rating_count"], data["rating_average"], data["comment_count"]) == (1, 1.0, 0)
    assert client.get(f"/api/v1/documents/{doc.pk}").json()["rating_average"] == 3.0


@pytest.mark.django_db(transaction=True)
def test_many_readers_rating_and_commenting_at_once_are_all_counted(publish):
    doc = publish(pages=1, text="at once", title="同时评分的文档")
    readers = [
        User.objects.create_user(f"r{i}", f"r{i}@example.com", "pw-123456") for i in range(16)
    ]
    start = threading.Barrier(len(readers))
    failures: list[BaseException] = []

    def act(reader: User, stars: int) -> None:
        try:
            start.wait()
            domain.rate(reader, doc, stars)
            domain.add_comment(reader, doc, f"评论 {stars}")
            domain.rate(reader, doc, 6 - stars)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(r, 1 + i % 5)) for i, r in enumerate(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    assert kept(doc) == counted(doc)
    assert kept(doc)[0] == 16 and kept(doc)[2] == 16


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_what_was_there(publish, other_user):
    doc = publish(pages=1, text="migrated", title="迁移前的文档")
    domain.rate(other_user, doc, 4)
    domain.add_comment(other_user, doc, "迁移前的评论")
    before = [("library", "0008_copies_index"), ("community", "0001_initial")]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    MigrationExecutor(connection).migrate(before)  # the columns go
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert kept(doc) == counted(doc) == (1, 4.0, 1, 1)
