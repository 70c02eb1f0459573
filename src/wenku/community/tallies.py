"""A document's community figures, kept on its row: how many readers rated it and their
average, how many comments it shows, and how many threads it has.

The document page and the "Top rated" listing read them from ``library_document``
instead of counting ``community_rating`` and ``community_comment`` (the listing grouped
and averaged every rating of its documents on every request).

``recount`` counts them anew from the ratings and comments, inside the transaction that
changed them: every save and delete of a rating or a comment calls it (``connect``:
signals, so that the admin's deletes and the cascades of a deleted account count too),
and so does a write that bypasses them (``QuerySet.update``). It is exact with many
writers: it locks the document's row first and only then counts, in a statement of its
own, so the last writer to take the lock counts every change committed before it along
with its own (PostgreSQL, READ COMMITTED: each statement reads what was committed when
it began; ``FOR NO KEY UPDATE`` waits for no rating's or comment's own foreign-key lock,
so two writers cannot deadlock). SQLite has one writer at a time, and a transaction
that wrote reads what it wrote on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from wenku.community.models import Comment, Rating
from wenku.library.models import Document

# The figures of the documents in ``%s``, counted; one statement for both databases.
_COUNT = """
UPDATE {documents} SET
  rating_count = (SELECT COUNT(*) FROM {ratings} r WHERE r.document_id = {documents}.id),
  rating_average = COALESCE(
    (SELECT AVG(r.stars) FROM {ratings} r WHERE r.document_id = {documents}.id), 0),
  comment_count = (SELECT COUNT(*) FROM {comments} c
                   WHERE c.document_id = {documents}.id AND c.deleted_at IS NULL),
  comment_threads = (SELECT COUNT(*) FROM {comments} c
                     WHERE c.document_id = {documents}.id AND c.parent_id IS NULL)
WHERE id IN ({ids})
"""


def recount(document_ids: Iterable[int]) -> None:
    """Count the community figures of these documents anew, on their rows."""
    ids = sorted(set(document_ids))
    if not ids:
        return
    documents = Document._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Ordered, so that writers of several documents take their locks alike.
            cursor.execute(
                f"SELECT id FROM {documents} WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE",
                ids,
            )
        cursor.execute(
            _COUNT.format(
                documents=documents,
                ratings=Rating._meta.db_table,
                comments=Comment._meta.db_table,
                ids=marks,
            ),
            ids,
        )


# What a rating's or comment's figures are counted from; a save of other fields only
# (a comment's words, edited) changes none of them.
_COUNTED = frozenset({"stars", "document", "deleted_at", "parent"})


def _changed(sender: Any, instance: Rating | Comment, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata: the rows come with their documents' figures
        return
    fields = kwargs.get("update_fields")
    if fields is not None and not _COUNTED.intersection(fields):
        return
    recount([instance.document_id])


def connect() -> None:
    """Recount a document whenever one of its ratings or comments is saved or deleted."""
    for model in (Rating, Comment):
        post_save.connect(_changed, sender=model, dispatch_uid=f"tallies-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"tallies-delete-{model.__name__}")
