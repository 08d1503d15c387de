"""The activity file of a full extract, read in a second process with pyarrow (no Django here).

``activity.csv`` is 36 M rows nationally, over half of the extract. A full import hands it to this
worker (``python -m grappe.register.activity_worker JOBDIR``) as soon as the universe is known,
and loads the other files meanwhile on its own core. The worker reads the file in blocks with
``pyarrow.csv``, validates every row with vectorised checks (the same rules as
``rows.RowParser.activity``: entity number shape and modulo 97, activity group, NACE version and
code, classification), keeps the rows of the universe's entities, drops an entity's repeated
activities (as the row-by-row reader does: within a run of rows of one entity), and writes them to

- a scratch SQLite database (table ``a``), which the import attaches and copies with one
  ``INSERT ... SELECT`` (SQLite), or
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
import zipfile
from pathlib import Path

ENTERPRISE_MAX = 2_000_000_000
BRANCH_MIN = 9_000_000_000
_NUMBER = r"^(?:[0-9]{4}\.[0-9]{3}\.[0-9]{3}|[0-9]\.[0-9]{3}\.[0-9]{3}\.[0-9]{3})$"
COLUMNS = ["entity_number", "enterprise_id", "activity_group", "nace_version", "nace_code", "classification"]


class Doubt(Exception):
    """Something the vectorised checks do not accept: the row-by-row reader takes over."""


def run(jobdir: Path) -> dict:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    job = json.loads((jobdir / "job.json").read_text(encoding="utf-8"))
    owner = np.load(jobdir / "owner.npy")
    keys, enterprises = pa.array(owner[0]), owner[1]
    groups = pa.array(sorted(job["groups"]), pa.string())
    classifications = pa.array(sorted(job["classifications"]), pa.string())
    nace = pa.array(
        sorted(f"{version}:{code}" for version, codes in job["nace"].items() for code in codes), pa.string()
    )

    if job["member"]:
        archive = zipfile.ZipFile(job["source"])
        stream = archive.open(job["member"])
    else:
        archive = None
        stream = open(job["source"], "rb")  # noqa: SIM115
    header = job["header"]
    reader = pacsv.open_csv(
        stream,
        # One thread: the other core is the importer's.
        read_options=pacsv.ReadOptions(block_size=job.get("block_size", 8 << 20), use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    if reader.schema.names != header:
        raise Doubt("header")

    # Rows are written in the order of the activity NACE index (version, classification, code,
    # enterprise): SQLite then builds that index, the costliest of the import, from sorted input
    # (5x cheaper). The sort key packs the four columns into one int64 (ranks of the known codes,
    # in byte order like SQLite's BINARY collation; enterprise numbers < 2^31); numpy sorts it here,
    # on the worker's core. Memory: 17 bytes a kept row (about 260 MB for 15 M rows).
    version_values = pa.array(sorted(job["nace"]), pa.string())
    class_values = pa.array(sorted(job["classifications"]), pa.string())
    code_values = pa.array(sorted({code for codes in job["nace"].values() for code in codes}), pa.string())
    group_values = pa.array(sorted(job["groups"]), pa.string())
    class_bits = max(1, len(class_values).bit_length())
    code_bits = max(1, len(code_values).bit_length())
    packable = len(version_values) <= 4 and 2 + class_bits + code_bits + 31 <= 62 and len(group_values) < 128
    packed_parts: list = []
    entity_parts: list = []
    group_parts: list = []

    writer = _Writer(job["output"], Path(job["out"]))
    read = kept = 0
    current_run = -1  # global id of the run of rows (one raw entity) the previous batch ended in
    last_raw = None  # raw entity of the previous batch's last row
    open_keys: set = set()  # activities already kept in the run that straddles the batch boundary
    try:
        for batch in reader:
            n = batch.num_rows
            if not n:
                continue
            read += n
            raw, group, version, code, classification = batch.columns
            version_code = pc.binary_join_element_wise(version, code, ":")
            valid = pc.and_(
                pc.and_(pc.is_in(group, value_set=groups), pc.is_in(classification, value_set=classifications)),
                pc.and_(pc.is_in(version_code, value_set=nace), pc.match_substring_regex(raw, _NUMBER)),
            )
            if not pc.all(valid).as_py():
                raise Doubt("row")
            numbers = pc.cast(pc.replace_substring(raw, ".", ""), pa.int64()).to_numpy()
            short = pc.equal(pc.binary_length(raw), 12).to_numpy(zero_copy_only=False)
            checked = (numbers // 100 + numbers % 100) % 97 == 0
            good = np.where(
                short,
                (numbers < ENTERPRISE_MAX) & checked,
                (numbers >= BRANCH_MIN) | ((numbers >= ENTERPRISE_MAX) & checked),
            )
            if not good.all():
                raise Doubt("number")

            # Runs of rows of one entity (the row-by-row reader forgets an entity's activities when
            # the entity changes): a global run id per row, continuing the previous batch's last run.
            starts = np.empty(n, dtype=bool)
            starts[0] = raw[0].as_py() != last_raw
            if n > 1:
                starts[1:] = pc.not_equal(raw.slice(1), raw.slice(0, n - 1)).to_numpy(zero_copy_only=False)
            runs = current_run + np.cumsum(starts)
            continuing = not starts[0]
            first_run, last_run = int(runs[0]), int(runs[-1])
            current_run, last_raw = last_run, raw[n - 1].as_py()

            index = pc.index_in(pa.array(numbers), value_set=keys)
            inside = pc.is_valid(index).to_numpy(zero_copy_only=False)
            if not inside.any():
                open_keys = set()
                continue
            positions = np.flatnonzero(inside)
            key = pc.binary_join_element_wise(group, version_code, classification, "|")
            table = pa.table({"run": pa.array(runs[positions]), "key": key.take(positions), "pos": pa.array(positions)})
            first = table.group_by(["run", "key"], use_threads=False).aggregate([("pos", "min")])
            keep = np.sort(first.column("pos_min").to_numpy())
            if continuing and open_keys:  # the activities the straddling run already kept
                drop = [i for i in keep[runs[keep] == first_run] if key[int(i)].as_py() in open_keys]
                if drop:
                    keep = np.setdiff1d(keep, np.array(drop, dtype=keep.dtype))
            tail_keys = {key[int(i)].as_py() for i in keep[runs[keep] == last_run]}
            open_keys = (open_keys | tail_keys) if (continuing and last_run == first_run) else tail_keys

            taken = pa.array(keep)
            owner_index = index.take(taken).to_numpy()
            if packable:
                packed = pc.index_in(version.take(taken), value_set=version_values).to_numpy().astype(np.int64)
                packed = (packed << class_bits) | pc.index_in(
                    classification.take(taken), value_set=class_values
                ).to_numpy()
                packed = (packed << code_bits) | pc.index_in(code.take(taken), value_set=code_values).to_numpy()
                packed = (packed << 31) | enterprises[owner_index]
                packed_parts.append(packed)
                entity_parts.append(numbers[keep])
                group_parts.append(pc.index_in(group.take(taken), value_set=group_values).to_numpy().astype(np.int8))
                kept += len(keep)
                continue
            out = pa.table(
                {
                    "entity_number": pa.array(numbers[keep]),
                    "enterprise_id": pa.array(enterprises[owner_index]),
                    "activity_group": group.take(taken),
                    "nace_version": pc.cast(version.take(taken), pa.int16()),
                    "nace_code": code.take(taken),
                    "classification": classification.take(taken),
                }
            )
            writer.write(out)
            kept += out.num_rows
        if packed_parts:
            packed = np.concatenate(packed_parts)
            entities = np.concatenate(entity_parts)
            group_index = np.concatenate(group_parts)
            del packed_parts[:], entity_parts[:], group_parts[:]
            order = np.argsort(packed, kind="stable")  # equal keys keep the file's order
            versions = np.array([int(v) for v in version_values.to_pylist()], dtype=np.int16)
            for start in range(0, len(order), 500_000):
                chunk = order[start : start + 500_000]
                key = packed[chunk]
                code_index = (key >> 31) & ((1 << code_bits) - 1)
                class_index = (key >> (31 + code_bits)) & ((1 << class_bits) - 1)
                version_index = key >> (31 + code_bits + class_bits)
                writer.write(
                    pa.table(
                        {
                            "entity_number": pa.array(entities[chunk]),
                            "enterprise_id": pa.array(key & ((1 << 31) - 1)),
                            "activity_group": group_values.take(pa.array(group_index[chunk])),
                            "nace_version": pa.array(versions[version_index]),
                            "nace_code": code_values.take(pa.array(code_index)),
                            "classification": class_values.take(pa.array(class_index)),
                        }
                    )
                )
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise Doubt(f"read: {exc}") from exc
    finally:
        writer.close()
        stream.close()
        if archive is not None:
            archive.close()
    return {"ok": True, "rows": kept, "read": read}


class _Writer:
    def __init__(self, output: str, path: Path) -> None:
        self.output = output
        path.unlink(missing_ok=True)
        if output == "sqlite":
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute(
                "CREATE TABLE a (entity_number INTEGER, enterprise_id INTEGER, activity_group TEXT, "
                "nace_version INTEGER, nace_code TEXT, classification TEXT)"
            )
            self.sql = "INSERT INTO a VALUES (?, ?, ?, ?, ?, ?)"
        else:
            import pyarrow.csv as pacsv

            self.handle = open(path, "wb")  # noqa: SIM115
            self.csv = pacsv
            self.options = pacsv.WriteOptions(include_header=False)

    def write(self, table) -> None:
        if self.output == "sqlite":
            columns = [column.to_pylist() for column in table.columns]
            self.db.executemany(self.sql, zip(*columns, strict=True))
        else:
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
