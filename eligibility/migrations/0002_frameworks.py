"""Load the two criteria frameworks (eligibility/reference_data.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from eligibility.reference_data import frameworks_ensure

    frameworks_ensure(apps, schema_editor.connection.alias)


def unload(apps, schema_editor):
    alias = schema_editor.connection.alias
    for model in ("Indicator", "Headline", "Framework"):
        apps.get_model("eligibility", model).objects.using(alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
