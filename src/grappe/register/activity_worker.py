"""The activity file of a full extract, read in a second process with pyarrow (no Django here).

``activity.csv`` is 36 M rows nationally, over half of the extract. A full import hands it to this
worker (``python -m grappe.register.activity_worker JOBDIR``) as soon as the universe is known,
and loads the other files meanwhile on its own core. The worker reads the file in blocks with
``pyarrow.csv`` (code columns dictionary-encoded, so their checks run on each block's few
distinct values), validates every row with vectorised checks (``fast``: the same rules as
``rows.RowParser.activity``: entity number shape and modulo 97, checked once per run of rows of
one entity, activity group, NACE version and code, classification), keeps the rows of the
universe's entities, drops an entity's repeated activities (as the row-by-row reader does: within
a run of rows of one entity), sorts them in the order of the activity NACE index and writes them to

- a scratch SQLite database: table ``a`` of three integers a row (entity, packed key
  ``version|classification|code|enterprise``, group) and the small tables ``c`` (packed key >> 31
  -> version, code, classification) and ``g`` (group), which the import attaches and expands
  with one ``INSERT ... SELECT`` joining them (SQLite), or
- a header-less CSV file, which the import streams with ``COPY`` (PostgreSQL).

It never decides that an extract is bad: on any doubt (a row that fails a check, a parse error,
a header or encoding surprise) it answers ``{"ok": false}`` and the import reads the file row by
row itself, which reports the exact line and reason. So the fast path can only ever be as strict
as the row-by-row one, never more lenient.

JOBDIR/job.json: ``source``, ``member`` (zip member or null), ``header``, ``groups``,
``classifications``, ``nace`` ({version: [codes]}), ``output`` (``sqlite`` or ``csv``), ``out``,
optionally ``block_size`` (bytes per block; tests use small blocks to cross block boundaries);
JOBDIR/owner.npy: int64 array (2, n): entity numbers and their enterprise.
Prints one JSON line: ``{"ok": true, "rows": kept, "read": read, "seconds": s}`` or
``{"ok": false, "reason": ...}``.
"""

import json
import sqlite3
import sys
import time
from pathlib import Path

COLUMNS = ["entity_number", "enterprise_id", "activity_group", "nace_version", "nace_code", "classification"]


from grappe.register.fast import Doubt  # noqa: E402


def run(jobdir: Path) -> dict:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from grappe.register import fast

    job = json.loads((jobdir / "job.json").read_text(encoding="utf-8"))
    owners = np.load(jobdir / "owner.npy")
    order = np.argsort(owners[0], kind="stable")
    keys, enterprises = owners[0][order], owners[1][order]
    del owners, order

    # Every code column is read dictionary-encoded: the checks and ranks are computed on each block's
    # few distinct values, then spread to the rows with numpy. Ranks follow byte order (SQLite's
    # BINARY collation) so that the packed sort key below orders rows like the NACE index.
    version_values = sorted(job["nace"])
    class_values = sorted(job["classifications"])
    code_values = sorted({code for codes in job["nace"].values() for code in codes})
    group_values = sorted(job["groups"])
    code_rank = {code: index for index, code in enumerate(code_values)}
    nace_ok = np.zeros((len(version_values), len(code_values)), dtype=bool)
    for version_index, version in enumerate(version_values):
        nace_ok[version_index, [code_rank[code] for code in job["nace"][version]]] = True
    class_bits = max(1, len(class_values).bit_length())
    code_bits = max(1, len(code_values).bit_length())
    group_bits = max(1, len(group_values).bit_length())
    version_bits = max(1, len(version_values).bit_length())
    if version_bits + class_bits + code_bits + 31 > 62 or version_bits + class_bits + code_bits + group_bits > 30:
        raise Doubt("too many codes to pack")

    def ranks(column, values: list[str]) -> np.ndarray:
        """Rank of each row's value in ``values``; ``Doubt`` on a value outside it."""
        index = pc.index_in(column.dictionary, value_set=pa.array(values, pa.string()))
        if index.null_count:
            raise Doubt("code")
        return index.to_numpy(zero_copy_only=False).astype(np.int64)[column.indices.to_numpy(zero_copy_only=False)]

    packed_parts: list = []
    entity_parts: list = []
    group_parts: list = []
    read = kept = 0
    current_run = -1  # global id of the run of rows (one entity) the previous batch ended in
    last_number = -1  # entity of the previous batch's last row
    open_keys = np.empty(0, dtype=np.int64)  # activities already kept in the run straddling the boundary
    dictionary = ("ActivityGroup", "NaceVersion", "NaceCode", "Classification")
    for batch in fast.batches(
        job["source"], job["member"], job["header"], block_size=job.get("block_size", 8 << 20), dictionary=dictionary
    ):
        n = batch.num_rows
        read += n
        raw, group, version, code, classification = batch.columns
        # Equal raw numbers are equal numbers (and different ones different, when valid): each run of
        # rows of one entity is checked and parsed once.
        new_run = np.empty(n, dtype=bool)
        new_run[0] = True
        new_run[1:] = pc.not_equal(raw.slice(1), raw.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        run_rows = np.flatnonzero(new_run)
        numbers = np.repeat(fast.entity_numbers(raw.take(pa.array(run_rows))), np.diff(run_rows, append=n))
        group_index = ranks(group, group_values)
        version_index = ranks(version, version_values)
        class_index = ranks(classification, class_values)
        code_index = ranks(code, code_values)
        if not nace_ok[version_index, code_index].all():
            raise Doubt("nace code")

        # Runs of rows of one entity (the row-by-row reader forgets an entity's activities when the
        # entity changes): a global run id per row, continuing the previous batch's last run.
        new_run[0] = numbers[0] != last_number
        runs = current_run + np.cumsum(new_run)
        continuing = not new_run[0]
        first_run, last_run = int(runs[0]), int(runs[-1])
        current_run, last_number = last_run, int(numbers[-1])

        index = np.minimum(np.searchsorted(keys, numbers), len(keys) - 1) if len(keys) else np.zeros(n, np.int64)
        inside = keys[index] == numbers if len(keys) else np.zeros(n, dtype=bool)
        if not inside.any():
            open_keys = np.empty(0, dtype=np.int64)
            continue
        positions = np.flatnonzero(inside)
        activity = (
            ((version_index << class_bits | class_index) << code_bits | code_index) << group_bits | group_index
        )[positions]
        run_of = runs[positions]
        # First occurrence of each (run, activity): np.unique's indexes are first occurrences.
        _unique, first = np.unique((run_of << 30) | activity, return_index=True)
        first.sort()
        if continuing and len(open_keys):  # the activities the straddling run already kept
            first = first[~((run_of[first] == first_run) & np.isin(activity[first], open_keys))]
        tail = activity[first[run_of[first] == last_run]]
        open_keys = np.union1d(open_keys, tail) if (continuing and last_run == first_run) else tail
        keep = positions[first]

        owner = enterprises[index[keep]]
        packed = (version_index[keep] << class_bits | class_index[keep]) << code_bits | code_index[keep]
        packed_parts.append(packed << 31 | owner)
        entity_parts.append(numbers[keep])
        group_parts.append(group_index[keep].astype(np.int8))
        kept += len(keep)

    writer = _Writer(job["output"], Path(job["out"]))
    try:
        if packed_parts:
            packed = np.concatenate(packed_parts)
            entities = np.concatenate(entity_parts)
            group_index = np.concatenate(group_parts)
            del packed_parts[:], entity_parts[:], group_parts[:]
            order = np.argsort(packed, kind="stable")  # equal keys keep the file's order
            versions = np.array([int(v) for v in version_values], dtype=np.int64)
            groups, codes, classes = (_objects(values) for values in (group_values, code_values, class_values))
            if job["output"] == "sqlite":
                # Three integers a row (entity, packed key, group): the import expands them with a
                # join on the small tables of codes (c: packed key >> 31, g: group) as it copies.
                combos = np.unique(packed >> 31)
                writer.codes(
                    combos.tolist(),
                    versions[combos >> (code_bits + class_bits)].tolist(),
                    codes[combos & ((1 << code_bits) - 1)].tolist(),
                    classes[(combos >> code_bits) & ((1 << class_bits) - 1)].tolist(),
                    group_values,
                )
                for start in range(0, len(order), 1_000_000):
                    chunk = order[start : start + 1_000_000]
                    writer.write([entities[chunk].tolist(), packed[chunk].tolist(), group_index[chunk].tolist()])
            else:
                for start in range(0, len(order), 500_000):
                    chunk = order[start : start + 500_000]
                    key = packed[chunk]
                    writer.write(
                        [
                            entities[chunk],
                            key & ((1 << 31) - 1),
                            groups[group_index[chunk]].tolist(),
                            versions[key >> (31 + code_bits + class_bits)],
                            codes[(key >> 31) & ((1 << code_bits) - 1)].tolist(),
                            classes[(key >> (31 + code_bits)) & ((1 << class_bits) - 1)].tolist(),
                        ]
                    )
    finally:
        writer.close()
    return {"ok": True, "rows": kept, "read": read}


def _objects(values: list[str]):
    import numpy as np

    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


class _Writer:
    def __init__(self, output: str, path: Path) -> None:
        self.output = output
        path.unlink(missing_ok=True)
        if output == "sqlite":
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("CREATE TABLE a (e INTEGER, k INTEGER, g INTEGER)")
            self.db.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, version INTEGER, code TEXT, class TEXT)")
            self.db.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, value TEXT)")
        else:
            import pyarrow.csv as pacsv

            self.handle = open(path, "wb")  # noqa: SIM115
            self.csv = pacsv
            self.options = pacsv.WriteOptions(include_header=False)

    def codes(self, ids: list, versions: list, codes: list, classes: list, groups: list[str]) -> None:
        self.db.executemany("INSERT INTO c VALUES (?, ?, ?, ?)", zip(ids, versions, codes, classes, strict=True))
        self.db.executemany("INSERT INTO g VALUES (?, ?)", enumerate(groups))

    def write(self, columns: list) -> None:
        if self.output == "sqlite":
            self.db.executemany("INSERT INTO a VALUES (?, ?, ?)", zip(*columns, strict=True))
        else:
            import pyarrow as pa

            table = pa.table(dict(zip(COLUMNS, columns, strict=True)))
            self.csv.write_csv(table, self.handle, write_options=self.options)

    def close(self) -> None:
        if self.output == "sqlite":
            self.db.commit()
            self.db.close()
        else:
            self.handle.close()


def main() -> None:
    started = time.perf_counter()
    try:
        result = run(Path(sys.argv[1]))
    except Doubt as exc:
        result = {"ok": False, "reason": str(exc)}
    except Exception as exc:  # any surprise: the importer reads the file itself
        result = {"ok": False, "reason": f"{type(exc).__name__}: {exc}"}
    result["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
