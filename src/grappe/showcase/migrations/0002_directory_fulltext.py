"""Full-text structures of the directory index: FTS5 trigram table (SQLite) or pg_trgm GIN indexes (PostgreSQL)."""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS showcase_directory_fts USING fts5(document, tokenize='trigram')"
        )
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS showcase_entry_document_trgm "
            "ON showcase_directoryentry USING gin (document gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS showcase_directory_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS showcase_entry_document_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("showcase", "0001_directory_search_index"),
        ("referential", "0002_load_reference_data"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
