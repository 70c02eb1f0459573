"""Queued jobs name their task by its import path: the upload job moved from ingest to
publishing, so rows written before the move are rewritten to the new path (no shim)."""

from django.db import migrations

OLD = "wenku.ingest.tasks.ingest_document"
NEW = "wenku.publishing.tasks.publish_upload"


def forwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=OLD).update(task_path=NEW)


def backwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=NEW).update(task_path=OLD)


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]
    operations = [migrations.RunPython(forwards, backwards)]
