from django.db import migrations


def create_rules(apps, schema_editor):
    # The one row of rules (its defaults), so reading the rules never has to write.
    apps.get_model("economy", "Rules").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("economy", "0001_initial")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
