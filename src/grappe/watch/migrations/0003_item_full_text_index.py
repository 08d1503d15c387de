"""Full-text index of items, per database:

- SQLite: an FTS5 table ``watch_item_fts`` (external content: ``watch_item``'s title and folded
  ``search_text``; ``unicode61`` tokenizer without diacritics) kept in step by triggers, so every write
  path (ORM, bulk inserts, raw ``executemany`` at ingest, deletes) updates it;
- PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)``, the exact expression
  ``grappe.watch.search`` queries with.
Other databases get nothing (search falls back to LIKE).
"""

from django.db import migrations

PG_INDEX = "watch_item_search_gin"


def _pg_index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector("search_text", config="simple"), name=PG_INDEX)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from grappe.watch.search import ensure_sqlite_index

        ensure_sqlite_index(schema_editor.connection, rebuild=True)
    elif vendor == "postgresql":
        schema_editor.add_index(apps.get_model("watch", "Item"), _pg_index())


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from grappe.watch.search import SQLITE_DROP

        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("watch", "Item"), _pg_index())


class Migration(migrations.Migration):
    dependencies = [("watch", "0002_minhash_numpy_signatures")]

    operations = [migrations.RunPython(forward, backward)]
