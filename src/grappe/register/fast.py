"""Vectorised reading of extract files with pyarrow + numpy (the fast path of a full import).

No Django here: ``activity_worker`` (a second process) uses it as well as the importer.

Every check is the row-by-row parser's (``rows.RowParser``): number shape, range and modulo 97,
codes against the known sets, ``dd-mm-yyyy`` dates (each distinct value is checked by
``extract.parse_date`` itself when Django is there), exact header, field count. The fast path
never judges an extract: anything it does not accept raises ``Doubt`` and the caller reads the
file row by row, which reports the file, line and reason (or accepts the row). So it can only
ever be as strict as the row-by-row reader.
"""

import zipfile
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ENTERPRISE_MAX = 2_000_000_000
BRANCH_MIN = 9_000_000_000

DICT = pa.dictionary(pa.int32(), pa.string())

_POS12 = np.array([0, 1, 2, 3, 5, 6, 7, 9, 10, 11])  # digits of 0200.065.765
_POS13 = np.array([0, 2, 3, 4, 6, 7, 8, 10, 11, 12])  # digits of 2.000.000.339
_WEIGHTS = 10 ** np.arange(9, -1, -1, dtype=np.int64)


class Doubt(Exception):
    """Something the vectorised checks do not accept: the row-by-row reader takes over."""


def batches(
    source: str, member: str | None, header: list[str], *, block_size: int, dictionary: tuple[str, ...] = ()
) -> Iterator[pa.RecordBatch]:
    """The file's rows in blocks, every column text (``dictionary`` columns dictionary-encoded).

    Raises ``Doubt`` on any surprise (header, field count, encoding, damaged zip).
    """
    archive = zipfile.ZipFile(source) if member else None
    try:
        stream = archive.open(member) if archive is not None else open(source, "rb")  # noqa: SIM115
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(block_size=block_size, use_threads=False),
                parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: (DICT if name in dictionary else pa.string()) for name in header},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            if reader.schema.names != header:
                raise Doubt("header")
            for batch in reader:
                if batch.num_rows:
                    yield batch
        finally:
            stream.close()
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise Doubt(f"read: {exc}") from exc
    finally:
        if archive is not None:
            archive.close()


def _digits(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(ten digits as an int64, short form?) of dotted numbers; ``Doubt`` if one is not dotted digits."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != pa.string() or array.null_count:
        raise Doubt("number type")
    n = len(array)
    _validity, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32, count=n + 1, offset=array.offset * 4)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(1, np.uint8)
    lengths = offsets[1:] - offsets[:-1]
    short = lengths == 12
    numbers = np.zeros(n, dtype=np.int64)
    for form, digit_positions, dot_positions in ((short, _POS12, (4, 8)), (lengths == 13, _POS13, (1, 5, 9))):
        rows = np.flatnonzero(form)
        if not len(rows):
            continue
        starts = offsets[rows].astype(np.int64)
        for position in dot_positions:
            if not (data[starts + position] == 46).all():
                raise Doubt("number dots")
        value = np.zeros(len(rows), dtype=np.int64)
        for position in digit_positions:
            digit = data[starts + position] - np.uint8(48)
            if not (digit <= 9).all():
                raise Doubt("number digits")
            value = value * 10 + digit
        numbers[rows] = value
        n -= len(rows)
    if n:
        raise Doubt("number length")
    return numbers, short


def _checked(numbers: np.ndarray) -> np.ndarray:
    return (numbers // 100 + numbers % 100) % 97 == 0


def enterprise_numbers(array: pa.Array) -> np.ndarray:
    """``numbers.parse_enterprise_number`` on a column."""
    numbers, short = _digits(array)
    if not (short & (numbers < ENTERPRISE_MAX) & _checked(numbers)).all():
        raise Doubt("enterprise number")
    return numbers


def establishment_numbers(array: pa.Array) -> np.ndarray:
    """``numbers.parse_establishment_number`` on a column."""
    numbers, short = _digits(array)
    if not (~short & (numbers >= ENTERPRISE_MAX) & (numbers < BRANCH_MIN) & _checked(numbers)).all():
        raise Doubt("establishment number")
    return numbers


def entity_numbers(array: pa.Array) -> np.ndarray:
    """``numbers.parse_entity_number`` on a column."""
    numbers, short = _digits(array)
    checked = _checked(numbers)
    good = np.where(
        short, (numbers < ENTERPRISE_MAX) & checked, (numbers >= BRANCH_MIN) | ((numbers >= ENTERPRISE_MAX) & checked)
    )
    if not good.all():
        raise Doubt("entity number")
    return numbers


def branch_ids(array: pa.Array) -> np.ndarray:
    """``numbers.parse_branch_id`` on a column (shape only)."""
    return _digits(array)[0]


def _dictionary(array: pa.Array) -> pa.DictionaryArray:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    if array.null_count:
        raise Doubt("null")
    return array


def coded(array: pa.Array, known: set[str] | frozenset[str], *, blank: bool = False) -> np.ndarray:
    """A code column as a numpy object array of ``str`` (shared objects); ``Doubt`` on an unknown code."""
    array = _dictionary(array)
    values = array.dictionary.to_pylist()
    for value in values:
        if value not in known and not (blank and value == ""):
            raise Doubt("code")
    table = np.empty(len(values), dtype=object)
    table[:] = values
    return table[array.indices.to_numpy(zero_copy_only=False)]


def mapped(array: pa.Array, convert: Callable[[str], object]) -> np.ndarray:
    """A column whose distinct values go through ``convert`` (which may raise: ``Doubt``), as an object array."""
    array = _dictionary(array)
    try:
        values = [convert(value) for value in array.dictionary.to_pylist()]
    except ValueError as exc:
        raise Doubt(f"value: {exc}") from exc
    table = np.empty(len(values), dtype=object)
    table[:] = values
    return table[array.indices.to_numpy(zero_copy_only=False)]


def texts(array: pa.Array) -> list[str]:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary.take(array.indices)
    return array.to_pylist()


def repeats(batch: pa.RecordBatch, previous: tuple | None) -> tuple[np.ndarray, tuple]:
    """Rows equal to the row just before them (the first one compared with ``previous``, the last
    row of the preceding block); returns (mask, this block's last row)."""
    n = batch.num_rows
    same = np.ones(n, dtype=bool)
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            column = column.dictionary.take(column.indices)
        if n > 1:
            same[1:] &= pc.equal(column.slice(1), column.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    first = tuple(column[0].as_py() for column in batch.columns)
    same[0] = first == previous
    last = tuple(column[n - 1].as_py() for column in batch.columns)
    return same, last


class Owners:
    """Entity -> enterprise lookups on sorted numpy arrays."""

    def __init__(self, owner: dict[int, int]) -> None:
        keys = np.fromiter(owner.keys(), dtype=np.int64, count=len(owner))
        values = np.fromiter(owner.values(), dtype=np.int64, count=len(owner))
        order = np.argsort(keys, kind="stable")
        self.keys, self.values = keys[order], values[order]

    def lookup(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, enterprise of each number, meaningless where not found)."""
        if not len(self.keys):
            return np.zeros(len(numbers), dtype=bool), np.zeros(len(numbers), dtype=np.int64)
        index = np.searchsorted(self.keys, numbers)
        index = np.minimum(index, len(self.keys) - 1)
        return self.keys[index] == numbers, self.values[index]
