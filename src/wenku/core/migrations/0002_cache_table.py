"""The cache's table, on databases that hold the cache (PostgreSQL without Redis; see
wenku.core.cache). Elsewhere this does nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_rate_counters")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
