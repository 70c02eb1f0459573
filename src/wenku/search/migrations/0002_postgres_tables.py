"""Tables of the PostgreSQL search backend, created only on PostgreSQL.

Documents and pages as `simple` tsvectors built from Wenku's own segmented tokens.
Documents get a RUM index (ordered ranking with `<=>`, Debian `postgresql-15-rum`)
when the extension can be created, else GIN (ranked with ts_rank: slower at scale).
On SQLite this migration does nothing: the Tantivy backend needs no tables.

No foreign keys to library_document, on purpose: every query joins it (so a deleted
document never shows), `wenku reindex --missing` drops leftovers, and a foreign key
would stop Django from truncating library_document (test databases are flushed so).
"""

from django.db import migrations, transaction

TABLES = """
CREATE TABLE IF NOT EXISTS search_pg_document (
    document_id bigint PRIMARY KEY,
    tsv tsvector NOT NULL
);
CREATE TABLE IF NOT EXISTS search_pg_page (
    document_id bigint NOT NULL,
    number integer NOT NULL,
    tsv tsvector NOT NULL,
    PRIMARY KEY (document_id, number)
);
CREATE INDEX IF NOT EXISTS search_pg_page_tsv ON search_pg_page USING gin (tsv);
"""
RUM_INDEX = (
    "CREATE INDEX IF NOT EXISTS search_pg_document_tsv "
    "ON search_pg_document USING rum (tsv rum_tsvector_ops)"
)
GIN_INDEX = "CREATE INDEX IF NOT EXISTS search_pg_document_tsv ON search_pg_document USING gin (tsv)"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in TABLES.split(";"):
            if statement.strip():
                cursor.execute(statement)
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
                cursor.execute(RUM_INDEX)
        except Exception:  # extension not installed or not allowed: GIN still works
            cursor.execute(GIN_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS search_pg_page")
        cursor.execute("DROP TABLE IF EXISTS search_pg_document")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
