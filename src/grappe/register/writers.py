"""Bulk writing into the register tables: staging tables, fast inserts, one-transaction swap.

A full import writes every table into a fresh staging table and swaps it in at the end, inside
the import's single transaction: if anything fails, the rollback leaves the database exactly as
it was. Backends:

- SQLite: the staging table is created with the live table's own ``CREATE TABLE`` text, filled
  with ``executemany`` over a generator (one C loop, no per-row ORM object) and without indexes;
  the swap drops the live table, renames the staging one and replays the live table's
  ``CREATE INDEX`` statements, so the schema stays exactly what the migrations made.
- PostgreSQL: ``COPY`` (psycopg 3 ``cursor.copy``) into temporary staging tables, then
  ``TRUNCATE`` the live table, drop its secondary indexes, ``INSERT ... SELECT`` and recreate them.
"""

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection

from grappe.register import models

# Live tables, their data columns (the order rows are written in) and whether rows have a natural key.
COLUMNS: dict[str, tuple[type, list[str], str | None]] = {
    "enterprise": (
        models.Enterprise,
        [
            "number",
            "status",
            "juridical_situation",
            "type_of_enterprise",
            "juridical_form",
            "juridical_form_cac",
            "start_date",
            "name",
            "zipcode",
            "province",
            "partial",
        ],
        "number",
    ),
    "establishment": (models.Establishment, ["number", "enterprise_id", "start_date"], "number"),
    "branch": (models.Branch, ["id", "enterprise_id", "start_date"], "id"),
    "denomination": (models.Denomination, ["entity_number", "enterprise_id", "language", "type", "value"], None),
    "address": (
        models.Address,
        [
            "entity_number",
            "enterprise_id",
            "type",
            "country_nl",
            "country_fr",
            "zipcode",
            "municipality_nl",
            "municipality_fr",
            "street_nl",
            "street_fr",
            "house_number",
            "box",
            "extra",
            "struck_off_on",
        ],
        None,
    ),
    "contact": (models.Contact, ["entity_number", "enterprise_id", "entity_contact", "contact_type", "value"], None),
    "activity": (
        models.Activity,
        ["entity_number", "enterprise_id", "activity_group", "nace_version", "nace_code", "classification"],
        None,
    ),
}


def db_table(table: str) -> str:
    return COLUMNS[table][0]._meta.db_table


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


class SqliteBulk:
    """Bulk-load settings for the import connection only: durability is the transaction's, not each page's."""

    def __init__(self) -> None:
        self.saved: dict[str, Any] = {}

    def __enter__(self) -> "SqliteBulk":
        if is_sqlite():
            with connection.cursor() as cursor:
                # The safety level cannot change inside a transaction (when the caller already opened one).
                pragmas = ("cache_size",) if connection.in_atomic_block else ("synchronous", "cache_size")
                for pragma in pragmas:
                    self.saved[pragma] = cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
                if "synchronous" in self.saved:
                    # A crash mid-import loses nothing committed: the swap is a single transaction.
                    cursor.execute("PRAGMA synchronous=OFF")
                # Index builds sort in runs the size of the page cache, and a second thread sorts
                # runs in parallel: 32 MB runs build the activity indexes 30 % faster than 256 MB
                # ones (15 M rows: 14.6 s against 20.7 s).
                cursor.execute("PRAGMA cache_size=-32768")
                cursor.execute("PRAGMA threads=2")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.saved:
            with connection.cursor() as cursor:
                for pragma, value in self.saved.items():
                    cursor.execute(f"PRAGMA {pragma}={int(value)}")


class Stage:
    """Staging tables of a full import (call inside ``transaction.atomic``)."""

    def __init__(self, tables: Sequence[str]) -> None:
        self.tables = list(tables)
        self.sqlite = is_sqlite()
        self.index_sql: dict[str, list[str]] = {}
        self.loaded_live: set[str] = set()  # PostgreSQL: tables loaded in place (nothing to swap)
        connection.ensure_connection()
        self.raw = connection.connection  # the DB-API connection, inside Django's transaction

    def stage_name(self, table: str) -> str:
        return f"{db_table(table)}__stage"

    def create(self) -> None:
        cursor = self.raw.cursor()
        if not self.sqlite:
            # Index builds of the swap sort millions of rows: the server's default (64 MB) makes them
            # spill to disk. For this transaction only.
            memory = int(getattr(settings, "GRAPPE_REGISTER_PG_INDEX_MEMORY_MB", 512))
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{memory}MB'")
        for table in self.tables:
            live, stage = db_table(table), self.stage_name(table)
            columns = COLUMNS[table][1]
            if self.sqlite:
                cursor.execute(f"DROP TABLE IF EXISTS {_q(stage)}")
                (create_sql,) = cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (live,)
                ).fetchone()
                # AUTOINCREMENT (Django's choice for auto ids) costs ~40 % of insert time on large
                # tables and buys nothing here (every full import renumbers the rows): plain rowids.
                cursor.execute(create_sql.replace(_q(live), _q(stage), 1).replace(" AUTOINCREMENT", ""))
                self.index_sql[table] = [
                    sql
                    for (sql,) in cursor.execute(
                        "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", (live,)
                    )
                ]
            else:
                cols = ", ".join(_q(c) for c in columns)
                cursor.execute(f"DROP TABLE IF EXISTS {_q(stage)}")
                cursor.execute(
                    f"CREATE TEMP TABLE {_q(stage)} ON COMMIT DROP AS SELECT {cols} FROM {_q(live)} WITH NO DATA"
                )

    def load(self, table: str, rows: Iterable[tuple]) -> None:
        """Write every row of ``rows`` (a generator: it is consumed once) into the staging table."""
        columns = COLUMNS[table][1]
        stage = self.stage_name(table)
        cols = ", ".join(_q(c) for c in columns)
        if self.sqlite:
            verb = "INSERT OR IGNORE" if COLUMNS[table][2] else "INSERT"  # a duplicated line keeps the first
            marks = ", ".join("?" * len(columns))
            self.raw.cursor().executemany(f"{verb} INTO {_q(stage)} ({cols}) VALUES ({marks})", rows)
        else:
            with self.raw.cursor() as cursor, cursor.copy(f"COPY {_q(stage)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def load_worker_output(self, table: str, path: str) -> None:
        """Copy rows written by ``activity_worker``: an attached SQLite file, or a CSV file for ``COPY``."""
        columns = COLUMNS[table][1]
        cols = ", ".join(_q(c) for c in columns)
        stage = self.stage_name(table)
        cursor = self.raw.cursor()
        if self.sqlite:
            detach_worker_outputs(self.raw)
            alias = f"register_worker_{next(_aliases)}"
            # ATTACH works inside the transaction; DETACH only once no transaction holds the file.
            cursor.execute(f"ATTACH DATABASE ? AS {alias}", (path,))
            _attached.setdefault(id(self.raw), set()).add(alias)
            # The worker's rows are three integers (entity, packed key, group) and its small code
            # tables; CROSS JOIN keeps its table as the outer loop (file order, no sort).
            cursor.execute(
                f"INSERT INTO {_q(stage)} ({cols}) SELECT a.e, a.k & 2147483647, g.value, c.version, c.code, c.class "
                f"FROM {alias}.a AS a CROSS JOIN {alias}.c AS c CROSS JOIN {alias}.g AS g "
                "WHERE c.id = a.k >> 31 AND g.id = a.g ORDER BY a.rowid"
            )
        else:
            # The worker's rows are complete and checked: COPY them straight into the emptied live
            # table. A staging copy would write them twice (its INSERT ... SELECT was the costliest
            # step), and the live table's lock lasts no longer than the swap's would.
            live = db_table(table)
            indexes = _pg_empty(cursor, live)
            with (
                open(path, "rb") as handle,
                self.raw.cursor() as copy_cursor,
                copy_cursor.copy(f"COPY {_q(live)} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            _pg_index(cursor, live, indexes)
            self.loaded_live.add(table)

    def detach_worker_output(self) -> None:
        if self.sqlite:
            detach_worker_outputs(self.raw)

    def clear(self, table: str) -> None:
        """Empty one staging table (the fast path gave a file back to the row-by-row reader)."""
        if self.sqlite:
            self.raw.cursor().execute(f"DELETE FROM {_q(self.stage_name(table))}")

    def swap(self, tables: Sequence[str] | None = None) -> None:
        cursor = self.raw.cursor()
        for table in self.tables if tables is None else tables:
            live, stage = db_table(table), self.stage_name(table)
            if table in self.loaded_live:
                continue
            if self.sqlite:
                cursor.execute(f"DROP TABLE {_q(live)}")
                cursor.execute(f"ALTER TABLE {_q(stage)} RENAME TO {_q(live)}")
                for sql in self.index_sql[table]:
                    cursor.execute(sql)
            else:
                _pg_swap(cursor, table, live, stage)

    def drop(self) -> None:
        """Remove staging tables left by an aborted run (SQLite; PostgreSQL's are temporary)."""
        if self.sqlite:
            cursor = self.raw.cursor()
            for table in self.tables:
                cursor.execute(f"DROP TABLE IF EXISTS {_q(self.stage_name(table))}")


_aliases = itertools.count(1)
_attached: dict[int, set[str]] = {}  # id of a sqlite3 connection -> worker files still attached to it


def detach_worker_outputs(raw: Any) -> None:
    """Detach the worker files a connection still has (those an enclosing transaction still holds stay)."""
    aliases = _attached.get(id(raw), set())
    for alias in sorted(aliases):
        try:
            raw.cursor().execute(f"DETACH DATABASE {alias}")
        except Exception:
            continue
        aliases.discard(alias)


def _pg_empty(cursor: Any, live: str) -> list[str]:
    """Drop a live table's secondary indexes and truncate it (undone by a rollback); returns the
    indexes' definitions for ``_pg_index``."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        (live, live),
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {_q(name)}")
    cursor.execute(f"TRUNCATE {_q(live)}")
    return [definition for _name, definition in indexes]


def _pg_index(cursor: Any, live: str, definitions: list[str]) -> None:
    for definition in definitions:
        cursor.execute(definition)
    cursor.execute(f"ANALYZE {_q(live)}")


def _pg_swap(cursor: Any, table: str, live: str, stage: str) -> None:
    columns = COLUMNS[table][1]
    key = COLUMNS[table][2]
    indexes = _pg_empty(cursor, live)
    cols = ", ".join(_q(c) for c in columns)
    conflict = f" ON CONFLICT ({_q(key)}) DO NOTHING" if key else ""
    cursor.execute(f"INSERT INTO {_q(live)} ({cols}) SELECT {cols} FROM {_q(stage)}{conflict}")
    cursor.execute(f"DROP TABLE {_q(stage)}")
    _pg_index(cursor, live, indexes)


def insert_rows(table: str, rows: list[tuple]) -> None:
    """Insert a few rows into a live table (update extracts): one ``executemany``."""
    if not rows:
        return
    columns = COLUMNS[table][1]
    cols = ", ".join(_q(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {_q(db_table(table))} ({cols}) VALUES ({marks})", rows)


def delete_in(table: str, column: str, values: Iterable[int]) -> int:
    """``DELETE FROM table WHERE column IN values``, in chunks; returns the rows deleted."""
    values = list(values)
    deleted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {_q(db_table(table))} WHERE {_q(column)} IN ({marks})", chunk)
            deleted += cursor.rowcount
    return deleted
