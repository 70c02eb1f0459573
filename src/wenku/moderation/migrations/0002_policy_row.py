from django.db import migrations


def create_policy(apps, schema_editor):
    # The one row of the policy (its defaults), so reading it never has to write.
    apps.get_model("moderation", "Policy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
