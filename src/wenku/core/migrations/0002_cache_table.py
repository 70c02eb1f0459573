"""The cache's table, on PostgreSQL (which holds the cache when there is no Redis; see
wenku.core.cache). Made whatever cache the migrating process itself uses, so a database
migrated by `wenku migrate-data` from an embedded site has it too. Elsewhere nothing."""

from django.core.management.commands.createcachetable import Command
from django.db import migrations

TABLE = "wenku_cache"


def create_cache_table(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        command = Command()
        command.verbosity = 0
        command.create_table(connection.alias, TABLE, dry_run=False)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_rate_counters")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
