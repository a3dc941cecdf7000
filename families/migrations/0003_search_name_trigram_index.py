"""On PostgreSQL, a trigram index on members' names, so that a name search (LIKE '%TERM%')
stays fast at a large authority's size. SQLite runs the same query without it."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS families_individual_search_name_trgm
    ON families_individual USING gin (search_name gin_trgm_ops);
"""
DROP = "DROP INDEX IF EXISTS families_individual_search_name_trgm;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("families", "0002_dfe_la_numbers")]

    operations = [migrations.RunPython(forwards, backwards)]
