"""Import a KBO/BCE extract into the register universe.

``import_extract(path)`` reads ``meta.csv`` and runs a full or an update import in ONE database
transaction; on any error nothing is changed and an ``ExtractError`` names the file, the line and
the reason.

Full extract (streamed, two passes, never the whole extract in memory):

1. ``address.csv``: entities with a non-struck-off Belgian REGO/BAET address in the territory;
2. ``establishment.csv``: the universe = enterprises whose seat is in the territory, plus the
   enterprises of establishments in the territory;
3. every file again, keeping the rows of the universe's entities, into staging tables that are
   swapped in at the end (``writers.Stage``).

Memory holds integer sets and maps of the universe only (hundreds of MB at national scale).

Every file except ``branch.csv`` (tiny) is read by a fast path (``fast``: pyarrow blocks,
vectorised checks identical to ``rows.RowParser``, numpy filters; only the universe's rows become
Python tuples), ``activity.csv`` in a second process (``activity_worker``). On any doubt (a row the
checks refuse, a parse or encoding surprise) the fast path gives the file back: what it staged is
removed (SQLite: ``DELETE``; PostgreSQL: rollback to a savepoint) and the row-by-row reader reads
the file, reporting the exact line and reason of a bad row. ``GRAPPE_REGISTER_FAST_MIN_BYTES``
(default 0) sets the smallest file the fast path reads.

Update extract: must follow the last applied extract (``--force`` to override); for each table,
delete the rows of the entities listed in ``<table>_delete.csv``, then insert
``<table>_insert.csv``; enterprises the update touches are then checked against the territory
(leaving: removed with all their rows; entering: added, flagged ``partial`` when the update does
not carry their whole record) and their derived fields refreshed.
"""

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.register.changes import ChangeFeed
from grappe.register.extract import (
    DELETE_HEADERS,
    HEADERS,
    READ_ERRORS,
    TABLES,
    BadValue,
    Extract,
    ExtractError,
    Meta,
    parse_date,
)
from grappe.register.models import Address, Branch, Denomination, Enterprise, Establishment, ImportRun
from grappe.register.numbers import ENTERPRISE_MAX
from grappe.register.rows import NACE_VERSIONS, Codes, RowParser
from grappe.register.territory import Territory, configured_territory, province_of_postal_codes
from grappe.register.writers import SqliteBulk, Stage, delete_in, insert_rows

try:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from grappe.register import fast
except ImportError:  # pragma: no cover - pyarrow is a dependency; the row-by-row readers do everything
    fast = None

Progress = Callable[[str], None]
RowProgress = Callable[[str, int], None]  # (file name, rows read so far)

# Set by ``import_extract(rows_progress=...)``: readers then report their row counts every
# ``_ROWS_STEP`` rows. Unset (the CLI, the benchmark), readers are the bare csv readers: no cost.
_row_tracker: ContextVar[RowProgress | None] = ContextVar("register_row_tracker", default=None)
_ROWS_STEP = 50_000


class _CountedReader:
    """A csv reader that reports how many rows it has read (for the progress page)."""

    def __init__(self, reader: Any, name: str, tracker: RowProgress) -> None:
        self.reader, self.name, self.tracker = reader, name, tracker

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def __iter__(self) -> Iterator[list[str]]:
        count, step, tracker, name = 0, _ROWS_STEP, self.tracker, self.name
        for row in self.reader:
            count += 1
            if count % step == 0:
                tracker(name, count)
            yield row
        tracker(name, count)


# Preferred display name: legal name first, then commercial name, then abbreviation; French first.
_TYPE_RANK = {"001": 0, "003": 10, "002": 20, "004": 30}
_LANGUAGE_RANK = {"1": 0, "2": 1, "0": 2, "3": 3, "4": 4}


def name_rank(kind: str, language: str) -> int:
    return _TYPE_RANK.get(kind, 40) + _LANGUAGE_RANK.get(language, 5)


def _iso_or_none(value: str) -> str | None:
    return parse_date(value) if value else None


def _blank(column: Any) -> Any:
    """Rows whose (dictionary-encoded) value is the empty string."""
    return pc.equal(column.dictionary, "").to_numpy(zero_copy_only=False)[column.indices.to_numpy(zero_copy_only=False)]


def _isin(numbers: Any, sorted_values: Any) -> Any:
    if not len(sorted_values):
        return np.zeros(len(numbers), dtype=bool)
    index = np.minimum(np.searchsorted(sorted_values, numbers), len(sorted_values) - 1)
    return sorted_values[index] == numbers


@dataclass
class Result:
    meta: Meta
    counts: dict[str, int] = field(default_factory=dict)


@contextmanager
def _reading(extract: Extract, name: str, header: list[str]) -> Iterator[Any]:
    """A csv reader whose errors become ``ExtractError(file, line, reason)``."""
    with extract.reader(name, header) as reader:
        tracker = _row_tracker.get()
        try:
            yield reader if tracker is None else _CountedReader(reader, name, tracker)
        except ExtractError:
            raise
        except READ_ERRORS as exc:
            raise ExtractError(
                _("lecture impossible (%(error)s)") % {"error": exc}, file=name, line=reader.line_num
            ) from exc
        except BadValue as exc:
            raise ExtractError(str(exc), file=name, line=reader.line_num) from exc
        except ValueError as exc:  # a row that does not unpack: wrong number of fields
            raise ExtractError(
                _("ligne mal formée : nombre de champs incorrect"), file=name, line=reader.line_num
            ) from exc


# --------------------------------------------------------------------------------------------
# Full extract
# --------------------------------------------------------------------------------------------


class FullImport:
    def __init__(self, extract: Extract, parser: RowParser, territory: Territory, progress: Progress) -> None:
        self.extract = extract
        self.parser = parser
        self.territory = territory
        self.progress = progress
        self.counts: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.provinces = province_of_postal_codes()
        self.zip_of: dict[int, str] = {}  # entity in the territory -> its postal code (seat first)
        self.owner: dict[int, int] = {}  # entity of the universe -> its enterprise
        self.names: dict[int, tuple[int, str]] = {}  # enterprise -> (rank, preferred name)
        self.fast_tables: list[str] = []  # tables the fast path loaded (the others were read row by row)

    def run(self) -> dict[str, int]:
        stage = self.stage = Stage(TABLES)
        stage.create()
        in_territory = self.territory_entities()
        universe = self.universe(in_territory)
        del in_territory
        self.owner = {number: number for number in universe}
        if fast is not None:
            self.universe_array = np.array(sorted(universe), dtype=np.int64)
        self.progress(_("univers : %(count)s entreprises") % {"count": len(universe)})
        del universe
        job = self.job = None
        for table, fast_rows, rows in (
            ("establishment", "fast_establishment_rows", self.establishment_rows),
            ("branch", None, self.branch_rows),
            ("denomination", "fast_denomination_rows", self.denomination_rows),
            ("address", "fast_address_rows", self.address_rows),
            ("contact", "fast_contact_rows", self.contact_rows),
            ("enterprise", "fast_enterprise_rows", self.enterprise_rows),
        ):
            if table == "denomination":
                # The universe's entities are all known: activity.csv goes to a second process.
                job = self.job = ActivityJob.start(self.extract, self.parser, self.owner)
                if fast is not None:
                    self.owners = fast.Owners(self.owner)
            self.progress(_("chargement de %(file)s") % {"file": f"{table}.csv"})
            if fast_rows is None:
                stage.load(table, rows())
            else:
                self.load(table, getattr(self, fast_rows), rows)
        # The other tables are complete: their indexes are built while the worker finishes.
        self.progress(_("bascule des tables et index"))
        stage.swap([table for table in stage.tables if table != "activity"])
        self.progress(_("chargement de %(file)s") % {"file": "activity.csv"})
        result = job.finish() if job is not None else None
        if result is not None:
            stage.load_worker_output("activity", result["path"])
            self.counts["activity"] = result["rows"]
            tracker = _row_tracker.get()
            if tracker is not None:
                tracker("activity.csv", result["read"])
        else:
            stage.load("activity", self.activity_rows())
        stage.swap(["activity"])
        self.progress(_("validation de la transaction"))
        return self.counts

    def cleanup(self) -> None:
        """After the transaction (either way): stop the worker, detach and remove its scratch files."""
        job = getattr(self, "job", None)
        if job is not None:
            job.stop()
        stage = getattr(self, "stage", None)
        if stage is not None:
            stage.detach_worker_output()
        if job is not None:
            job.workdir.cleanup()

    # Fast path (pyarrow + numpy, ``fast``) with the row-by-row reader as the fallback ----------
    def fast_enabled(self, name: str) -> bool:
        if fast is None:
            return False
        size = self.extract.location(name)[2]
        return size >= getattr(settings, "GRAPPE_REGISTER_FAST_MIN_BYTES", 0)

    def fast_batches(self, name: str, table: str, dictionary: tuple[str, ...] = ()) -> Iterator[Any]:
        source, member, _size = self.extract.location(name)
        block = getattr(settings, "GRAPPE_REGISTER_PARALLEL_BLOCK_BYTES", 8 << 20)
        tracker = _row_tracker.get()
        count = 0
        for batch in fast.batches(source, member, HEADERS[table], block_size=block, dictionary=dictionary):
            count += batch.num_rows
            yield batch
            if tracker is not None:
                tracker(name, count)

    def load(self, table: str, fast_rows: Callable[[], Iterator[tuple]], rows: Callable[[], Iterator[tuple]]) -> None:
        """Stage a table through the fast path; on any doubt, undo and read the file row by row."""
        if not self.fast_enabled(f"{table}.csv"):
            self.stage.load(table, rows())
            return
        try:
            if self.stage.sqlite:
                self.stage.load(table, fast_rows())
            else:
                with transaction.atomic():  # an aborted COPY must not abort the import's transaction
                    self.stage.load(table, fast_rows())
            self.fast_tables.append(table)
        except fast.Doubt:
            self.stage.clear(table)
            self.stage.load(table, rows())

    def date_column(self, column: Any) -> Any:
        return fast.mapped(column, _iso_or_none)

    # Pass 1 ------------------------------------------------------------------------------------
    def territory_entities(self) -> set[int]:
        """Entities with a non-struck-off Belgian seat or establishment address in the territory."""
        self.progress(_("lecture de %(file)s (territoire)") % {"file": "address.csv"})
        if self.fast_enabled("address.csv"):
            try:
                return self.fast_territory_entities()
            except fast.Doubt:
                self.zip_of.clear()
        return self.row_territory_entities()

    def fast_territory_entities(self) -> set[int]:
        parser, postal_codes = self.parser, pa.array(sorted(self.territory.postal_codes), pa.string())
        found: set[int] = set()
        zip_of = self.zip_of
        dictionary = ("TypeOfAddress", "CountryNL", "CountryFR", "Zipcode", "DateStrikingOff")
        for batch in self.fast_batches("address.csv", "address", dictionary):
            entities = fast.entity_numbers(batch.column(0))
            kind_text = fast.coded(batch.column(1), parser.address_types)
            self.date_column(batch.column(12))
            zipcode = batch.column(4)
            candidate = (
                pc.is_in(zipcode.dictionary, value_set=postal_codes).to_numpy(zero_copy_only=False)[
                    zipcode.indices.to_numpy(zero_copy_only=False)
                ]
                & _blank(batch.column(2))
                & _blank(batch.column(3))
                & _blank(batch.column(12))
            )
            candidate &= (kind_text == "REGO") | (kind_text == "BAET")
            rows = np.flatnonzero(candidate)
            if not len(rows):
                continue
            zips = zipcode.dictionary.to_numpy(zero_copy_only=False)[zipcode.indices.to_numpy(zero_copy_only=False)]
            for entity, kind, code in zip(
                entities[rows].tolist(), kind_text[rows].tolist(), zips[rows].tolist(), strict=True
            ):
                if kind == "REGO" or entity not in zip_of:
                    found.add(entity)
                    zip_of[entity] = code
        return found

    def row_territory_entities(self) -> set[int]:
        parse = self.parser.address
        postal_codes = self.territory.postal_codes
        found: set[int] = set()
        zip_of = self.zip_of
        with _reading(self.extract, "address.csv", HEADERS["address"]) as reader:
            for row in reader:
                entity, kind, country_nl, country_fr, zipcode, *_rest, struck = parse(row)
                if (
                    struck is None
                    and zipcode in postal_codes
                    and not country_nl
                    and not country_fr
                    and (kind == "REGO" or (kind == "BAET" and entity not in zip_of))
                ):
                    found.add(entity)
                    zip_of[entity] = zipcode
        return found

    def universe(self, in_territory: set[int]) -> set[int]:
        self.progress(_("lecture de %(file)s (univers)") % {"file": "establishment.csv"})
        if self.fast_enabled("establishment.csv"):
            saved = dict(self.zip_of)
            try:
                return self.fast_universe(in_territory)
            except fast.Doubt:
                self.zip_of = saved
        return self.row_universe(in_territory)

    def fast_universe(self, in_territory: set[int]) -> set[int]:
        universe = {number for number in in_territory if number < ENTERPRISE_MAX}
        inside = np.array(sorted(n for n in in_territory if n >= ENTERPRISE_MAX), dtype=np.int64)
        zip_of = self.zip_of
        for batch in self.fast_batches("establishment.csv", "establishment", ("StartDate",)):
            establishments = fast.establishment_numbers(batch.column(0))
            self.date_column(batch.column(1))
            enterprises = fast.enterprise_numbers(batch.column(2))
            rows = np.flatnonzero(_isin(establishments, inside))
            for establishment, enterprise in zip(
                establishments[rows].tolist(), enterprises[rows].tolist(), strict=True
            ):
                universe.add(enterprise)
                if enterprise not in zip_of:
                    zip_of[enterprise] = zip_of[establishment]
        return universe

    def row_universe(self, in_territory: set[int]) -> set[int]:
        universe = {number for number in in_territory if number < ENTERPRISE_MAX}
        parse = self.parser.establishment
        zip_of = self.zip_of
        with _reading(self.extract, "establishment.csv", HEADERS["establishment"]) as reader:
            for row in reader:
                establishment, enterprise, _start = parse(row)
                if establishment in in_territory:
                    universe.add(enterprise)
                    if enterprise not in zip_of:
                        zip_of[enterprise] = zip_of[establishment]
        return universe

    # Pass 2 ------------------------------------------------------------------------------------
    def establishment_rows(self) -> Iterator[tuple]:
        parse, owner = self.parser.establishment, self.owner
        with _reading(self.extract, "establishment.csv", HEADERS["establishment"]) as reader:
            for row in reader:
                number, enterprise, start = parse(row)
                if enterprise in owner and number not in owner:  # a duplicated line keeps the first
                    owner[number] = enterprise
                    self.counts["establishment"] += 1
                    yield number, enterprise, start

    def branch_rows(self) -> Iterator[tuple]:
        parse, owner = self.parser.branch, self.owner
        with _reading(self.extract, "branch.csv", HEADERS["branch"]) as reader:
            for row in reader:
                branch_id, enterprise, start = parse(row)
                if enterprise in owner and enterprise < ENTERPRISE_MAX and branch_id not in owner:
                    owner[branch_id] = enterprise
                    self.counts["branch"] += 1
                    yield branch_id, enterprise, start

    def denomination_rows(self) -> Iterator[tuple]:
        parse, owner, names = self.parser.denomination, self.owner, self.names
        previous = None
        count = 0
        with _reading(self.extract, "denomination.csv", HEADERS["denomination"]) as reader:
            for row in reader:
                if row == previous:  # a duplicated line
                    continue
                previous = row
                entity, language, kind, value = parse(row)
                enterprise = owner.get(entity)
                if enterprise is None:
                    continue
                if entity == enterprise:
                    rank = name_rank(kind, language)
                    best = names.get(enterprise)
                    if best is None or rank < best[0]:
                        names[enterprise] = (rank, value)
                count += 1
                yield entity, enterprise, language, kind, value
        self.counts["denomination"] = count

    def address_rows(self) -> Iterator[tuple]:
        parse, owner = self.parser.address, self.owner
        previous = None
        count = 0
        with _reading(self.extract, "address.csv", HEADERS["address"]) as reader:
            for row in reader:
                if row == previous:  # a duplicated line
                    continue
                previous = row
                parsed = parse(row)
                entity = parsed[0]
                enterprise = owner.get(entity)
                if enterprise is None:
                    continue
                count += 1
                yield (entity, enterprise, *parsed[1:])
        self.counts["address"] = count

    def contact_rows(self) -> Iterator[tuple]:
        parse, owner = self.parser.contact, self.owner
        previous = None
        count = 0
        with _reading(self.extract, "contact.csv", HEADERS["contact"]) as reader:
            for row in reader:
                if row == previous:  # a duplicated line
                    continue
                previous = row
                entity, entity_contact, contact_type, value = parse(row)
                enterprise = owner.get(entity)
                if enterprise is None:
                    continue
                count += 1
                yield entity, enterprise, entity_contact, contact_type, value
        self.counts["contact"] = count

    def fast_establishment_rows(self) -> Iterator[tuple]:
        universe = self.universe_array
        added: dict[int, int] = {}
        for batch in self.fast_batches("establishment.csv", "establishment", ("StartDate",)):
            numbers = fast.establishment_numbers(batch.column(0))
            starts = self.date_column(batch.column(1))
            enterprises = fast.enterprise_numbers(batch.column(2))
            rows = np.flatnonzero(_isin(enterprises, universe))
            for number, enterprise, start in zip(
                numbers[rows].tolist(), enterprises[rows].tolist(), starts[rows].tolist(), strict=True
            ):
                if number not in added:  # a duplicated line keeps the first
                    added[number] = enterprise
                    yield number, enterprise, start
        self.owner.update(added)
        self.counts["establishment"] = len(added)

    def fast_entity_rows(self, table: str, codes: dict[int, set[str]], dictionary: tuple[str, ...]) -> Iterator[Any]:
        """Blocks of a file keyed by EntityNumber, checked, without adjacent duplicates, reduced to the
        universe: yields (batch, kept row positions, their entity numbers, their enterprises)."""
        owners = self.owners
        previous = None
        for batch in self.fast_batches(f"{table}.csv", table, dictionary):
            entities = fast.entity_numbers(batch.column(0))
            for index, known in codes.items():
                fast.coded(batch.column(index), known)
            repeated, previous = fast.repeats(batch, previous)
            found, enterprises = owners.lookup(entities)
            rows = np.flatnonzero(found & ~repeated)
            yield batch, rows, entities[rows], enterprises[rows]

    def fast_denomination_rows(self) -> Iterator[tuple]:
        parser, names = self.parser, {}
        count = 0
        for batch, rows, entities, enterprises in self.fast_entity_rows(
            "denomination", {1: parser.languages, 2: parser.denomination_types}, ("Language", "TypeOfDenomination")
        ):
            if not len(rows):
                continue
            taken = pa.array(rows)
            languages = fast.coded(batch.column(1).take(taken), parser.languages).tolist()
            kinds = fast.coded(batch.column(2).take(taken), parser.denomination_types).tolist()
            values = fast.texts(batch.column(3).take(taken))
            entity_list, enterprise_list = entities.tolist(), enterprises.tolist()
            for entity, language, kind, value in zip(entity_list, languages, kinds, values, strict=True):
                if entity < ENTERPRISE_MAX:  # the enterprise's own name (its number is its own owner)
                    rank = name_rank(kind, language)
                    best = names.get(entity)
                    if best is None or rank < best[0]:
                        names[entity] = (rank, value)
            count += len(rows)
            yield from zip(entity_list, enterprise_list, languages, kinds, values, strict=True)
        self.names = names
        self.counts["denomination"] = count

    def fast_address_rows(self) -> Iterator[tuple]:
        parser = self.parser
        count = 0
        dictionary = ("TypeOfAddress", "CountryNL", "CountryFR", "Zipcode", "DateStrikingOff")
        for batch, rows, entities, enterprises in self.fast_entity_rows(
            "address", {1: parser.address_types}, dictionary
        ):
            struck = self.date_column(batch.column(12))  # every row's date is checked
            if not len(rows):
                continue
            taken = pa.array(rows)
            columns = [fast.texts(batch.column(index).take(taken)) for index in range(1, 12)]
            count += len(rows)
            yield from zip(entities.tolist(), enterprises.tolist(), *columns, struck[rows].tolist(), strict=True)
        self.counts["address"] = count

    def fast_contact_rows(self) -> Iterator[tuple]:
        parser = self.parser
        count = 0
        for batch, rows, entities, enterprises in self.fast_entity_rows(
            "contact", {1: parser.entity_contacts, 2: parser.contact_types}, ("EntityContact", "ContactType")
        ):
            if not len(rows):
                continue
            taken = pa.array(rows)
            columns = [fast.texts(batch.column(index).take(taken)) for index in range(1, 4)]
            count += len(rows)
            yield from zip(entities.tolist(), enterprises.tolist(), *columns, strict=True)
        self.counts["contact"] = count

    def fast_enterprise_rows(self) -> Iterator[tuple]:
        parser, names = self.parser, self.names
        zip_of, provinces = self.zip_of, self.provinces
        universe = self.universe_array
        seen: set[int] = set()
        dictionary = (
            "Status",
            "JuridicalSituation",
            "TypeOfEnterprise",
            "JuridicalForm",
            "JuridicalFormCAC",
            "StartDate",
        )
        for batch in self.fast_batches("enterprise.csv", "enterprise", dictionary):
            numbers = fast.enterprise_numbers(batch.column(0))
            columns = [
                fast.coded(batch.column(1), parser.status),
                fast.coded(batch.column(2), parser.situations),
                fast.coded(batch.column(3), parser.types),
                fast.coded(batch.column(4), parser.forms, blank=True),
                fast.coded(batch.column(5), parser.forms, blank=True),
                self.date_column(batch.column(6)),
            ]
            rows = np.flatnonzero(_isin(numbers, universe))
            if not len(rows):
                continue
            for number, *values in zip(numbers[rows].tolist(), *(c[rows].tolist() for c in columns), strict=True):
                if number in seen:
                    continue
                seen.add(number)
                zipcode = zip_of.get(number, "")
                name = names.get(number, (0, ""))[1]
                yield (number, *values, name, zipcode, provinces.get(zipcode, ""), False)
        yield from self.enterprise_stubs(seen)

    def enterprise_stubs(self, seen: set[int]) -> Iterator[tuple]:
        """Entities of the universe missing from enterprise.csv (an inconsistent extract): a stub each."""
        names, zip_of, provinces = self.names, self.zip_of, self.provinces
        for number in (n for n in self.owner if n < ENTERPRISE_MAX and n not in seen):
            zipcode = zip_of.get(number, "")
            seen.add(number)
            name = names.get(number, (0, ""))[1]
            yield (number, "AC", "", "", "", "", None, name, zipcode, provinces.get(zipcode, ""), True)
        self.counts["enterprise"] = len(seen)

    def activity_rows(self) -> Iterator[tuple]:
        """The hot loop (36 M rows nationally): checks inlined, the entity parsed once per run of rows."""
        parser, owner = self.parser, self.owner
        entity_number, explain = parser.entity_number, parser.activity
        groups, classifications, nace, versions = parser.groups, parser.classifications, parser.nace, NACE_VERSIONS
        nothing: set[str] = set()
        last_raw, entity, enterprise, previous, seen = None, 0, None, None, set()
        count = 0
        with _reading(self.extract, "activity.csv", HEADERS["activity"]) as reader:
            for row in reader:
                if row == previous:  # a duplicated line
                    continue
                previous = row
                raw, group, version, code, classification = row
                if (
                    group not in groups
                    or classification not in classifications
                    or code not in nace.get(version, nothing)
                ):
                    explain(row)  # raises with the precise reason
                if raw != last_raw:
                    last_raw = raw
                    entity = entity_number(raw)
                    enterprise = owner.get(entity)
                    seen = set()
                if enterprise is not None:
                    key = (group, version, code, classification)
                    if key in seen:  # the same activity twice for one entity
                        continue
                    seen.add(key)
                    count += 1
                    yield entity, enterprise, group, versions[version], code, classification
        self.counts["activity"] = count

    def enterprise_rows(self) -> Iterator[tuple]:
        parse, owner, names = self.parser.enterprise, self.owner, self.names
        zip_of, provinces = self.zip_of, self.provinces
        seen: set[int] = set()
        with _reading(self.extract, "enterprise.csv", HEADERS["enterprise"]) as reader:
            for row in reader:
                parsed = parse(row)
                number = parsed[0]
                if number not in owner or number >= ENTERPRISE_MAX or number in seen:
                    continue
                seen.add(number)
                zipcode = zip_of.get(number, "")
                name = names.get(number, (0, ""))[1]
                yield (*parsed, name, zipcode, provinces.get(zipcode, ""), False)
        yield from self.enterprise_stubs(seen)


class ActivityJob:
    """``activity.csv`` read, checked and filtered by ``activity_worker`` in a second process.

    Used for large files only (``GRAPPE_REGISTER_PARALLEL_MIN_BYTES``, default 8 MB) when pyarrow
    is installed. ``finish()`` returns the worker's result, or ``None`` when the worker had any
    doubt: the import then reads the file row by row (exact line and reason on a bad row).
    """

    def __init__(self, process: subprocess.Popen, workdir: tempfile.TemporaryDirectory, path: str) -> None:
        self.process, self.workdir, self.path = process, workdir, path

    @classmethod
    def start(cls, extract: Extract, parser: RowParser, owner: dict[int, int]) -> "ActivityJob | None":
        source, member, size = extract.location("activity.csv")
        if size < getattr(settings, "GRAPPE_REGISTER_PARALLEL_MIN_BYTES", 8_000_000):
            return None
        try:
            import numpy as np
            import pyarrow  # noqa: F401
        except ImportError:
            return None
        data_dir = Path(getattr(settings, "DATA_DIR", "") or tempfile.gettempdir())
        workdir = tempfile.TemporaryDirectory(prefix="grappe-kbo-", dir=data_dir if data_dir.is_dir() else None)
        base = Path(workdir.name)
        out = base / ("activity.sqlite3" if connection.vendor == "sqlite" else "activity.csv")
        pairs = np.empty((2, len(owner)), dtype=np.int64)
        pairs[0] = np.fromiter(owner.keys(), dtype=np.int64, count=len(owner))
        pairs[1] = np.fromiter(owner.values(), dtype=np.int64, count=len(owner))
        np.save(base / "owner.npy", pairs)
        job = {
            "source": source,
            "member": member,
            "header": HEADERS["activity"],
            "groups": sorted(parser.groups),
            "classifications": sorted(parser.classifications),
            "nace": {version: sorted(parser.nace[version]) for version in NACE_VERSIONS},
            "output": "sqlite" if connection.vendor == "sqlite" else "csv",
            "out": str(out),
            "block_size": getattr(settings, "GRAPPE_REGISTER_PARALLEL_BLOCK_BYTES", 8 << 20),
        }
        (base / "job.json").write_text(json.dumps(job), encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "grappe.register.activity_worker", str(base)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_SRC), os.environ.get("PYTHONPATH")]))},
        )
        return cls(process, workdir, str(out))

    def finish(self) -> dict | None:
        output, _err = self.process.communicate()
        try:
            result = json.loads(output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return None
        if self.process.returncode != 0 or not result.get("ok"):
            return None
        result["path"] = self.path
        return result

    def stop(self) -> None:
        if self.process.poll() is None:  # the import failed while the worker was still reading
            self.process.kill()
            self.process.communicate()


_SRC = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------------------------
# Update extract
# --------------------------------------------------------------------------------------------

_KEY_COLUMN = {"enterprise": "number", "establishment": "number", "branch": "id"}


def _chunks(values: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class UpdateImport:
    def __init__(self, extract: Extract, parser: RowParser, territory: Territory, progress: Progress) -> None:
        self.extract = extract
        self.parser = parser
        self.territory = territory
        self.progress = progress
        self.counts: dict[str, int] = {}

    def read(self) -> tuple[dict[str, set[int]], dict[str, list[tuple]]]:
        deletes: dict[str, set[int]] = {}
        inserts: dict[str, list[tuple]] = {}
        for table in TABLES:
            name = f"{table}_delete.csv"
            deletes[table] = set()
            with _reading(self.extract, name, DELETE_HEADERS.get(table, ["EntityNumber"])) as reader:
                for row in reader:
                    deletes[table].add(self.parser.deleted(table, row))
            parse = getattr(self.parser, table)
            with _reading(self.extract, f"{table}_insert.csv", HEADERS[table]) as reader:
                inserts[table] = list(dict.fromkeys(parse(row) for row in reader))  # drops duplicated lines
        return deletes, inserts

    def run(self) -> dict[str, int]:
        deletes, inserts = self.read()
        # Who owns each entity: the update's own establishment/branch rows first, then the register.
        owner: dict[int, int] = {}
        for number, enterprise, _start in inserts["establishment"] + inserts["branch"]:
            owner[number] = enterprise
        entities = set().union(*deletes.values(), *({row[0] for row in rows} for rows in inserts.values()))
        unknown = [n for n in entities if n >= ENTERPRISE_MAX and n not in owner]
        for chunk in _chunks(unknown):
            owner.update(Establishment.objects.filter(number__in=chunk).values_list("number", "enterprise_id"))
            owner.update(Branch.objects.filter(id__in=chunk).values_list("id", "enterprise_id"))
        for number in entities:
            if number < ENTERPRISE_MAX:
                owner[number] = number
        touched = {owner[n] for n in entities if n in owner}
        existed = self._existing(touched)
        self.feed = ChangeFeed(touched & existed)  # the linked enterprises' state before the update
        self.counts["outside"] = sum(1 for n in entities if n not in owner)

        # 1. every delete, then 2. every insert (rows of entities whose enterprise is known).
        for table in TABLES:
            column = _KEY_COLUMN.get(table, "entity_number")
            numbers = set(deletes[table])
            if table in _KEY_COLUMN:  # an insert without its delete replaces the row
                numbers |= {row[0] for row in inserts[table]}
            self.counts[f"{table}_deleted"] = delete_in(table, column, sorted(numbers))
        for table in TABLES:
            rows = self._insert_rows(table, inserts[table], owner)
            insert_rows(table, rows)
            self.counts[f"{table}_inserted"] = len(rows)

        # 3. the touched enterprises against the territory.
        present = self._existing(touched)
        in_territory = self._in_territory(touched)
        stopped = (deletes["enterprise"] & touched) - present  # deleted and not inserted again
        # Purged: every touched enterprise now outside the territory (rows of enterprises that were
        # never in the universe were inserted above and go here too), and the stopped ones.
        leaving = (touched - in_territory) | stopped
        entering = in_territory - existed - stopped
        named = {row[0] for row in inserts["denomination"]}
        stubs = sorted(entering - present)
        insert_rows("enterprise", [(n, "AC", "", "", "", "", None, "", "", "", True) for n in stubs])
        partial = {n for n in entering if n in stubs or n not in named}
        self.feed.observe(entering=entering, stopped=stopped)  # before the purge: a seat gone to Flanders is seen
        self._purge(sorted(leaving))
        self.refresh(sorted(touched - leaving), partial=partial)
        self.counts.update(
            entered=len(entering),
            left=len((leaving & existed) - stopped),
            stopped=len(stopped & existed),
            enterprises=Enterprise.objects.count(),
        )
        return self.counts

    @staticmethod
    def _existing(numbers: set[int]) -> set[int]:
        found: set[int] = set()
        for chunk in _chunks(sorted(numbers)):
            found.update(Enterprise.objects.filter(number__in=chunk).values_list("number", flat=True))
        return found

    def _insert_rows(self, table: str, rows: list[tuple], owner: dict[int, int]) -> list[tuple]:
        if table == "enterprise":
            return [(*row, "", "", "", False) for row in rows]
        if table in ("establishment", "branch"):
            return rows  # their enterprise is the row's own; outsiders are purged afterwards
        return [(row[0], owner[row[0]], *row[1:]) for row in rows if row[0] in owner]

    def _in_territory(self, enterprises: set[int]) -> set[int]:
        found: set[int] = set()
        postal_codes = self.territory.postal_codes
        for chunk in _chunks(sorted(enterprises)):
            for enterprise, zipcode, country_nl, country_fr in Address.objects.filter(
                enterprise_id__in=chunk, struck_off_on__isnull=True, type__in=["REGO", "BAET"]
            ).values_list("enterprise_id", "zipcode", "country_nl", "country_fr"):
                if zipcode in postal_codes and not country_nl and not country_fr:
                    found.add(enterprise)
        return found

    @staticmethod
    def _purge(enterprises: list[int]) -> None:
        for table in ("denomination", "address", "contact", "activity", "establishment", "branch"):
            delete_in(table, "enterprise_id", enterprises)
        delete_in("enterprise", "number", enterprises)

    def refresh(self, enterprises: list[int], *, partial: set[int]) -> None:
        """Recompute the derived fields (name, postal code, province) of a few enterprises."""
        provinces = province_of_postal_codes()
        postal_codes = self.territory.postal_codes
        for chunk in _chunks(enterprises):
            names: dict[int, tuple[int, str]] = {}
            for entity, language, kind, value in Denomination.objects.filter(entity_number__in=chunk).values_list(
                "entity_number", "language", "type", "value"
            ):
                rank = name_rank(kind, language)
                if entity not in names or rank < names[entity][0]:
                    names[entity] = (rank, value)
            places: dict[int, tuple[int, str]] = {}
            for enterprise, entity, kind, zipcode in Address.objects.filter(
                enterprise_id__in=chunk,
                struck_off_on__isnull=True,
                type__in=["REGO", "BAET"],
                country_nl="",
                country_fr="",
            ).values_list("enterprise_id", "entity_number", "type", "zipcode"):
                if zipcode not in postal_codes:
                    continue
                rank = 0 if kind == "REGO" else entity  # the seat, else the lowest establishment number
                if enterprise not in places or rank < places[enterprise][0]:
                    places[enterprise] = (rank, zipcode)
            for number in chunk:
                zipcode = places.get(number, (0, ""))[1]
                fields: dict[str, Any] = {
                    "name": names.get(number, (0, ""))[1],
                    "zipcode": zipcode,
                    "province": provinces.get(zipcode, ""),
                }
                if number in partial:
                    fields["partial"] = True
                Enterprise.objects.filter(number=number).update(**fields)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------

REQUIRED_FULL = ["meta.csv", "code.csv", *(f"{table}.csv" for table in TABLES)]
REQUIRED_UPDATE = [
    "meta.csv",
    "code.csv",
    *(f"{table}_{kind}.csv" for table in TABLES for kind in ("delete", "insert")),
]


def last_applied() -> ImportRun | None:
    return ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED).order_by("-finished_at", "-id").first()


def check_sequence(meta: Meta, last: ImportRun | None, *, force: bool) -> None:
    """An update must follow the last applied extract; no extract may be older than it."""
    if force:
        return
    if meta.kind == "update":
        if last is None or last.extract_number is None:
            raise ExtractError(
                _("aucun extrait n'a encore été importé : importez d'abord un extrait complet (ou utilisez --force)"),
                file="meta.csv",
            )
        if meta.number <= last.extract_number:
            raise ExtractError(
                _("extrait %(number)s plus ancien que le dernier appliqué (%(last)s) ; utilisez --force")
                % {"number": meta.number, "last": last.extract_number},
                file="meta.csv",
            )
        if meta.number > last.extract_number + 1:
            raise ExtractError(
                _(
                    "trou dans la suite des extraits : le dernier appliqué est %(last)s, celui-ci est %(number)s "
                    "(attendu %(expected)s) ; importez les extraits manquants ou utilisez --force"
                )
                % {"number": meta.number, "last": last.extract_number, "expected": last.extract_number + 1},
                file="meta.csv",
            )
    elif last is not None and last.extract_number is not None and meta.number < last.extract_number:
        raise ExtractError(
            _("extrait complet %(number)s plus ancien que le dernier appliqué (%(last)s) ; utilisez --force")
            % {"number": meta.number, "last": last.extract_number},
            file="meta.csv",
        )


def _refresh_candidates() -> None:
    """The review queue follows the register: recomputed by a task after each successful import."""
    from grappe.register.tasks import refresh_candidates

    refresh_candidates.enqueue()


def _quiet(message: str) -> None:
    pass


def import_extract(
    path: str | Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    actor: Any = None,
    run: ImportRun | None = None,
    rows_progress: RowProgress | None = None,
) -> ImportRun:
    """Import one extract (zip or directory, full or update) in one transaction; returns the run.

    Raises ``ExtractError`` and leaves the database as it was when anything is wrong.
    """
    progress = progress or _quiet
    started = timezone.now()
    extract = Extract.open(path)
    token = _row_tracker.set(rows_progress)
    worker = None
    try:
        meta = extract.read_meta()
        extract.require(REQUIRED_FULL if meta.kind == "full" else REQUIRED_UPDATE)
        parser = RowParser(Codes.build(extract.read_codes()))
        territory = configured_territory()
        progress(
            _("extrait %(number)s (%(kind)s) du %(date)s")
            % {"number": meta.number, "kind": meta.kind, "date": meta.snapshot_date.isoformat()}
        )
        worker = None
        with SqliteBulk(), transaction.atomic():
            check_sequence(meta, last_applied(), force=force)
            worker = (FullImport if meta.kind == "full" else UpdateImport)(extract, parser, territory, progress)
            counts = worker.run()
            run = run or ImportRun()
            run.extract_number = meta.number
            run.snapshot_date = meta.snapshot_date
            run.extract_timestamp = meta.timestamp
            run.kind = meta.kind
            run.source = str(path)[:500]
            run.forced = force
            run.status = ImportRun.Status.SUCCEEDED
            run.started_at = run.started_at or started
            run.finished_at = timezone.now()
            run.counts = counts
            run.error = ""
            run.progress = ""
            if actor is not None and getattr(actor, "is_authenticated", False):
                run.requested_by = actor
            run.save()
            if isinstance(worker, UpdateImport):
                run.counts["changes"] = worker.feed.record(run)
                run.save(update_fields=["counts"])
    finally:
        if isinstance(worker, FullImport):
            worker.cleanup()
        _row_tracker.reset(token)
        extract.close()
    progress(_("terminé"))
    transaction.on_commit(_refresh_candidates)
    if connection.vendor == "sqlite" and meta.kind == "full":
        # Fresh tables need planner statistics; sampled (analysis_limit) so that ANALYZE stays a
        # second or two on 15 M activity rows. An update changes a few rows: the statistics hold.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit=2000")
            cursor.execute("PRAGMA optimize")
    return run
