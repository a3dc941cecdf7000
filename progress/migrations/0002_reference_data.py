"""Load the shipped measures (progress/reference_data.py) and the periods up to now."""

from django.db import migrations


def load(apps, schema_editor):
    from progress.periods import periods_ensure
    from progress.reference_data import measures_ensure

    alias = schema_editor.connection.alias
    measures_ensure(apps, alias)
    periods_ensure(apps=apps, using=alias)


class Migration(migrations.Migration):
    dependencies = [("progress", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
