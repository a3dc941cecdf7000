"""Load the DfE local authority numbers that UPNs are checked against (families/reference.py)."""

from django.db import migrations


def load_dfe_la_numbers(apps, schema_editor):
    from families.reference import dfe_la_numbers_ensure

    dfe_la_numbers_ensure(apps, schema_editor.connection.alias)


def remove_dfe_la_numbers(apps, schema_editor):
    apps.get_model("families", "DfeLaNumber").objects.using(
        schema_editor.connection.alias
    ).all().delete()


class Migration(migrations.Migration):
    dependencies = [("families", "0001_initial")]

    operations = [migrations.RunPython(load_dfe_la_numbers, remove_dfe_la_numbers)]
