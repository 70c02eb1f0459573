"""The documents' words without positions, GIN-indexed beside RUM, on PostgreSQL with RUM
only (``PostgresBackend._count_words``): counting a common word's matches reads a bitmap
of this index (5 ms for a word in 92,000 of 100,000 documents) instead of RUM, which
collects and sorts every match first (30 ms). Without RUM the documents' index is GIN
already, and this migration does nothing; on SQLite neither.

The index is built in this migration: on a large library it takes a while (about a minute
for 100,000 documents of 2,000 characters), during which documents are not indexed
(searches go on).
"""

from django.db import migrations

from wenku.search.backends.postgres_backend import WORDS_INDEX, WORDS_INDEX_SQL


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
            "WHERE c.relname = 'search_pg_document_tsv' AND am.amname = 'rum'"
        )
        if cursor.fetchone() is not None:
            cursor.execute(WORDS_INDEX_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {WORDS_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_related_list")]
    operations = [migrations.RunPython(create, drop)]
