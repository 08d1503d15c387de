"""Full-text search over watch items: one function, an index per database.

- SQLite: FTS5 table ``watch_item_fts`` (external content on ``watch_item``: title and the folded
  ``search_text``; ``unicode61`` tokenizer with diacritics removed), kept in step by triggers on
  ``watch_item`` so every write path updates it (ORM saves, raw inserts at ingest, deletes). Ranked with
  ``bm25`` (title weighs more).
- PostgreSQL: ``to_tsvector('simple', search_text)`` with a GIN index (created by migration 0003),
  ranked with ``ts_rank`` weighting the title's words (A) above the rest (B).
- Any other database: every word with LIKE on ``search_text`` (no ranking).

``search_text`` is folded (``core.text.fold``: accents, case, ligatures) when items are stored, and the
query is folded the same way, so "Économie" finds "economie" and the reverse. Every word must appear;
each word also matches as a prefix ("isol" finds "isolation").
"""

import re

from django.db import connection
from django.db.models import FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL

from grappe.core.text import fold

FTS_TABLE = "watch_item_fts"
MAX_WORDS = 12  # a pasted paragraph must not become a 500-term query
_WORD = re.compile(r"\w+")

SQLITE_SCHEMA = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, search_text, content='watch_item', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS watch_item_fts_insert AFTER INSERT ON watch_item BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS watch_item_fts_delete AFTER DELETE ON watch_item BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, search_text)
        VALUES ('delete', old.id, old.title, old.search_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS watch_item_fts_update AFTER UPDATE OF title, search_text ON watch_item BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, search_text)
        VALUES ('delete', old.id, old.title, old.search_text);
        INSERT INTO {FTS_TABLE}(rowid, title, search_text) VALUES (new.id, new.title, new.search_text);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS watch_item_fts_insert",
    "DROP TRIGGER IF EXISTS watch_item_fts_delete",
    "DROP TRIGGER IF EXISTS watch_item_fts_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


def ensure_sqlite_index(conn, *, rebuild: bool = False) -> None:
    """Create the FTS5 table and triggers if missing (a later migration that remakes ``watch_item`` on
    SQLite drops its triggers: ``post_migrate`` calls this again). ``rebuild`` re-reads every item."""
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'watch_item'")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'watch_item_fts_%%'")
        complete = cursor.fetchone()[0] == 3
        for statement in SQLITE_SCHEMA:
            cursor.execute(statement)
        if rebuild or not complete:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def query_words(text: str) -> list[str]:
    """Folded words of a query (letters and digits only: nothing of the query syntax can get through)."""
    return _WORD.findall(fold(text or ""))[:MAX_WORDS]


def _fts5_query(words: list[str]) -> str:
    return " AND ".join(f'"{word}"*' for word in words)


# ts_rank's weights for D, C, B, A (PostgreSQL's defaults, spelled out): a title word counts 2.5 times a
# body word; repeated body words add less and less (ts_rank), so one title match outranks a few in the body.
PG_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"


def _pg_rank_sql(table: str) -> str:
    """``ts_rank`` over the title's words (weight A) and the rest of ``search_text`` (weight B).

    ``search_text`` is the folded title followed by the folded summary and content (``ingest``), one
    space between words, so the title's folded words are its first N words, N being the title's word
    count: the title is ranked with exactly the folding the query uses, with no extension (unaccent)
    and no extra column. Only matching rows are ranked; the filter uses the GIN index."""
    words = f"regexp_split_to_array({table}.search_text, ' ')"
    count = rf"coalesce(array_length(regexp_split_to_array(btrim({table}.title), '\s+'), 1), 0)"
    title = f"array_to_string(({words})[1:{count}], ' ')"
    rest = f"array_to_string(({words})[{count} + 1:], ' ')"
    vector = f"setweight(to_tsvector('simple', {title}), 'A') || setweight(to_tsvector('simple', {rest}), 'B')"
    return f"ts_rank('{PG_WEIGHTS}'::float4[], {vector}, to_tsquery('simple', %s))"


def search_items(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset`` limited to items containing every word of ``text``, annotated with ``search_rank``
    (higher is better). The order is left to the caller (``order_by("-search_rank", ...)``)."""
    words = query_words(text)
    if not words:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    vendor = connection.vendor
    if vendor == "sqlite":
        match = _fts5_query(words)
        table = queryset.model._meta.db_table
        queryset = queryset.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]))
        # bm25 is negative (lower is better) and needs the MATCH in its own statement: one per row shown.
        rank = RawSQL(
            f"SELECT -bm25({FTS_TABLE}, 4.0, 1.0) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {connection.ops.quote_name(table)}.id",
            [match],
            output_field=FloatField(),
        )
        return queryset.annotate(search_rank=rank)
    if vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("search_text", config="simple")  # the GIN index's expression, exactly
        raw_query = " & ".join(f"'{word}':*" for word in words)
        query = SearchQuery(raw_query, search_type="raw", config="simple")
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        rank = RawSQL(_pg_rank_sql(table), [raw_query], output_field=FloatField())
        return queryset.annotate(search_vector=vector).filter(search_vector=query).annotate(search_rank=rank)
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
