"""The community's figures of every document that has ratings or comments, counted onto
its row (``library.0009`` added the columns; ``community.tallies`` keeps them since)."""

from django.db import migrations

COUNT = """
UPDATE library_document SET
  rating_count = (SELECT COUNT(*) FROM community_rating r
                  WHERE r.document_id = library_document.id),
  rating_average = COALESCE((SELECT AVG(r.stars) FROM community_rating r
                             WHERE r.document_id = library_document.id), 0),
  comment_count = (SELECT COUNT(*) FROM community_comment c
                   WHERE c.document_id = library_document.id AND c.deleted_at IS NULL),
  comment_threads = (SELECT COUNT(*) FROM community_comment c
                     WHERE c.document_id = library_document.id AND c.parent_id IS NULL)
WHERE id IN (SELECT document_id FROM community_rating
             UNION SELECT document_id FROM community_comment)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("library", "0009_community_tallies"),
    ]

    operations = [migrations.RunSQL(COUNT, migrations.RunSQL.noop)]
