"""Which documents' vectors hold their common-word pairs (``search/backends/grams.py``),
on PostgreSQL only: a ``paired`` column, false for every document indexed before, and a
partial index of those, so ``PostgresBackend.all_paired`` asks in no time whether any is
left. Phrases are asked through the pairs once none is; the search backend's index
version (``search.state``) makes ``catch_up`` index them again, or ``wenku reindex``
does it at once. Adding a column with a constant default rewrites no row.
"""

from django.db import migrations

ADD = (
    "ALTER TABLE search_pg_document ADD COLUMN IF NOT EXISTS paired boolean NOT NULL DEFAULT false",
    "CREATE INDEX IF NOT EXISTS search_pg_document_unpaired "
    "ON search_pg_document (document_id) WHERE NOT paired",
)


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in ADD:
            cursor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_pg_document_unpaired")
        cursor.execute("ALTER TABLE search_pg_document DROP COLUMN IF EXISTS paired")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_words_index")]
    operations = [migrations.RunPython(add, drop)]
