"""Benchmark of the KBO import (issue 3): a national-scale synthetic full extract, then an update.

    .venv/bin/python bench/kbo_import.py [--enterprises 1940000] [--work /tmp/grappe-kbo-bench] [--reuse] [--runs 3]

Prints, for a fresh SQLite database (and PostgreSQL when DATABASE_URL is set): wall time, rows/s,
peak RSS of the importing process (VmHWM), universe size; the parse floor measured in the same run
(pyarrow.csv reading every CSV file) and the ratio; then the time of an update extract of about
1 000 changed rows generated from the full one. Targets (issue 3): full < 3 min, < 3x the parse
floor, < 3 GB peak RSS; update < 2 s. Nothing is asserted.

The synthetic extract is written by bench/kbo_synth.py (a copy of ../shared/tools/kbo_synth.py
whose NACE 2003 rows carry NACE 2003 codes; the shared one drew them from the 2008 list).
"""

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SYNTH = ROOT / "bench" / "kbo_synth.py"
FILES = ["enterprise", "establishment", "denomination", "address", "contact", "activity", "branch", "code", "meta"]


def generate(out: Path, enterprises: int) -> None:
    subprocess.run([sys.executable, str(SYNTH), str(out), "--enterprises", str(enterprises)], check=True)


def parse_floor(directory: Path) -> tuple[float, int, float]:
    """Wall seconds, rows and CPU seconds (all pyarrow threads) to merely parse every CSV file."""
    import pyarrow.csv as pacsv

    started, cpu = time.perf_counter(), time.process_time()
    rows = 0
    for name in FILES:
        path = directory / f"{name}.csv"
        with open(path, encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, "string")))
        rows += table.num_rows
    return time.perf_counter() - started, rows, time.process_time() - cpu


def make_update(full: Path, out: Path, seed: int = 7) -> int:
    """An update extract (number 141) of about 1 000 changed rows: renames, moves, stops, new activities."""
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    enterprises, addresses = [], {}
    with open(full / "enterprise.csv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header_ent = next(reader)
        for _i, row in zip(range(20000), reader, strict=False):
            enterprises.append(row)
    with open(full / "address.csv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header_adr = next(reader)
        wanted = {row[0] for row in enterprises}
        for _i, row in zip(range(60000), reader, strict=False):
            if row[0] in wanted and row[1] == "REGO":
                addresses[row[0]] = row
    legal = [row for row in enterprises if row[0] in addresses]
    chosen = rnd.sample(legal, 240)
    renamed, moved, stopped, recoded = chosen[:100], chosen[100:160], chosen[160:180], chosen[180:]
    files: dict[str, list[list[str]]] = {f"{t}_{k}": [] for t in FILES[:7] for k in ("delete", "insert")}
    for row in renamed:
        files["denomination_delete"].append([row[0]])
        files["denomination_insert"].append([row[0], "1", "001", f"Renamed {row[0]}"])
        files["enterprise_delete"].append([row[0]])
        files["enterprise_insert"].append(row)
    walloon = ["5000", "4000", "6000", "7000", "1300", "6700"]
    for row in moved:
        files["address_delete"].append([row[0]])
        address = list(addresses[row[0]])
        address[4] = rnd.choice([*walloon, "2000", "9000"])
        files["address_insert"].append(address)
    for row in stopped:
        for table in ("enterprise", "denomination", "address", "activity"):
            files[f"{table}_delete"].append([row[0]])
    for row in recoded:
        files["activity_delete"].append([row[0]])
        for code in ("43110", "43320", "41001", "46730", "38210", "24100", "47110", "62100"):
            files["activity_insert"].append([row[0], "003", "2025", code, "MAIN" if code == "43110" else "SECO"])
    headers = {
        "enterprise": header_ent,
        "address": header_adr,
        "denomination": ["EntityNumber", "Language", "TypeOfDenomination", "Denomination"],
        "establishment": ["EstablishmentNumber", "StartDate", "EnterpriseNumber"],
        "contact": ["EntityNumber", "EntityContact", "ContactType", "Value"],
        "activity": ["EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"],
        "branch": ["Id", "StartDate", "EnterpriseNumber"],
    }
    delete_headers = {"enterprise": ["EnterpriseNumber"], "establishment": ["EstablishmentNumber"], "branch": ["Id"]}
    changed = 0
    for name, rows in files.items():
        table, kind = name.rsplit("_", 1)
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerow(delete_headers.get(table, ["EntityNumber"]) if kind == "delete" else headers[table])
            writer.writerows(rows)
        changed += len(rows)
    shutil.copyfile(full / "code.csv", out / "code.csv")
    (out / "meta.csv").write_text(
        '"Variable","Value"\n"SnapshotDate","04-10-2025"\n"ExtractTimestamp","05-10-2025 07:00:00"\n'
        '"ExtractType","update"\n"ExtractNumber","141"\n"Version","1.0.0"\n',
        encoding="utf-8",
    )
    return changed


def child(path: str) -> None:
    """Run one import in this process and print its figures as JSON (called by ``run_import``)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grappe.settings")
    django.setup()
    import resource

    from grappe.register.importer import import_extract

    started = time.perf_counter()
    run = import_extract(path)
    seconds = time.perf_counter() - started
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": own.ru_utime + own.ru_stime,
                "worker_cpu": workers.ru_utime + workers.ru_stime,
                "worker_peak_rss_mb": workers.ru_maxrss / 1024,
                "peak_rss_mb": peak_kb / 1024,
                "counts": run.counts,
            }
        )
    )


def run_import(path: Path, env: dict[str, str]) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], env=env, check=True, capture_output=True, text=True
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["process_seconds"] = time.perf_counter() - started
    return data


def write_floor(source: Path, scratch: Path) -> tuple[float, float]:
    """Wall and CPU seconds for SQLite to merely write the imported universe with its indexes.

    Every register table of ``source`` (an imported database) is copied by ``INSERT ... SELECT``
    into a fresh WAL database, in its row order, its indexes built after loading, one transaction,
    with the import's settings (``synchronous=OFF``, 32 MB cache, two sorter threads): nothing is
    read from CSV, checked or filtered: the least work of any importer writing these rows and indexes
    through SQLite.
    """
    import sqlite3

    scratch.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    tables = ["enterprise", "establishment", "branch", "denomination", "address", "contact", "activity"]
    started, cpu = time.perf_counter(), time.process_time()
    db = sqlite3.connect(scratch, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-32768", "threads=2"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("ATTACH DATABASE ? AS imported", (str(source),))
    db.execute("BEGIN IMMEDIATE")
    for table in tables:
        name = f"register_{table}"
        (create,) = db.execute(
            "SELECT sql FROM imported.sqlite_master WHERE type='table' AND name=?", (name,)
        ).fetchone()
        db.execute(create.replace(" AUTOINCREMENT", ""))
        db.execute(f'INSERT INTO main."{name}" SELECT * FROM imported."{name}" ORDER BY rowid')
        for (index,) in db.execute(
            "SELECT sql FROM imported.sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", (name,)
        ).fetchall():
            db.execute(index)
    db.execute("COMMIT")
    db.execute("DETACH DATABASE imported")
    db.close()  # the last connection checkpoints the WAL into the database, as the import's commit does
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    for path in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
        path.unlink(missing_ok=True)
    return seconds, cpu


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_database(
    label: str, env: dict[str, str], full: Path, update: Path, input_rows: int, floor: float, runs: int, reset
) -> None:
    fulls, updates, writes = [], [], []
    for index in range(runs):
        reset()
        subprocess.run([sys.executable, "-m", "grappe", "migrate", "-v0"], env=env, check=True)
        result = run_import(full, env)
        if label == "sqlite":
            database = Path(env["GRAPPE_DATA_DIR"]) / "grappe.sqlite3"
            writes.append(write_floor(database, Path(env["GRAPPE_DATA_DIR"]) / "write-floor.sqlite3"))
        upd = run_import(update, env)
        fulls.append(result)
        updates.append(upd)
        print(
            f"[{label}] run {index + 1}: full {result['seconds']:.1f} s (cpu {result['cpu']:.1f} s + worker"
            f" {result['worker_cpu']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB + worker"
            f" {result['worker_peak_rss_mb']:.0f} MB); update {upd['seconds']:.2f} s (cpu {upd['cpu']:.2f} s)"
        )
    seconds = median([r["seconds"] for r in fulls])
    universe = fulls[-1]["counts"]
    print(
        f"[{label}] full import, median of {runs}: {seconds:.1f} s wall, {median([r['cpu'] for r in fulls]):.1f} s cpu"
    )
    print(f"[{label}]   input rows read: {input_rows:,} -> {input_rows / seconds:,.0f} rows/s")
    print(f"[{label}]   universe rows written: {sum(universe.values()):,} {json.dumps(universe, sort_keys=True)}")
    peak, worker_peak = max(r["peak_rss_mb"] for r in fulls), max(r["worker_peak_rss_mb"] for r in fulls)
    print(f"[{label}]   peak RSS: {peak:.0f} MB (worker {worker_peak:.0f} MB)")
    print(f"[{label}]   ratio to parse floor: {seconds / floor:.1f}x")
    if writes:
        write = median([w[0] for w in writes])
        print(
            f"[{label}]   write floor (SQLite merely writing this universe and its indexes), median of {runs}:"
            f" {write:.1f} s wall, {median([w[1] for w in writes]):.1f} s cpu;"
            f" import / write floor: {seconds / write:.2f}x"
        )
    upd = updates[-1]
    print(
        f"[{label}] update import, median of {runs}: {median([u['seconds'] for u in updates]):.2f} s"
        f" (process incl. Django start {median([u['process_seconds'] for u in updates]):.2f} s),"
        f" peak RSS {upd['peak_rss_mb']:.0f} MB, {json.dumps(upd['counts'], sort_keys=True)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=1_940_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/grappe-kbo-bench"))
    parser.add_argument("--reuse", action="store_true", help="reuse an extract already generated in --work")
    parser.add_argument("--runs", type=int, default=3, help="runs per database (medians are reported)")
    parser.add_argument("--postgresql-only", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    full, update = args.work / "full", args.work / "update"
    if not (args.reuse and (full / "meta.csv").exists()):
        shutil.rmtree(args.work, ignore_errors=True)
        started = time.perf_counter()
        generate(full, args.enterprises)
        print(f"generated {args.enterprises:,} enterprises in {time.perf_counter() - started:.0f} s")
    changed = make_update(full, update)
    size = sum(p.stat().st_size for p in full.glob("*.csv"))
    print(f"extract: {size / 1e9:.2f} GB of CSV; update extract: {changed} changed rows")
    floors, floor_cpus = [], []
    for _index in range(args.runs):
        floor, input_rows, floor_cpu = parse_floor(full)
        floors.append(floor)
        floor_cpus.append(floor_cpu)
    floor = median(floors)
    print(
        f"parse floor (pyarrow.csv, all files), median of {args.runs}: {floor:.2f} s wall,"
        f" {median(floor_cpus):.2f} s cpu, for {input_rows:,} rows"
    )

    data_dir = args.work / "sqlite"
    env = {**os.environ, "GRAPPE_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)

    def reset_sqlite() -> None:
        shutil.rmtree(data_dir, ignore_errors=True)

    if not args.postgresql_only:
        bench_database("sqlite", env, full, update, input_rows, floor, args.runs, reset_sqlite)
    if os.environ.get("DATABASE_URL"):
        pg_env = {**env, "DATABASE_URL": os.environ["DATABASE_URL"]}

        def reset_postgresql() -> None:
            """A fresh database for each run (dropped and created again with psql)."""
            reset_sqlite()
            url = urlsplit(pg_env["DATABASE_URL"])
            name = url.path.lstrip("/")
            admin = url._replace(path="/postgres").geturl()
            for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
                subprocess.run(["psql", admin, "-q", "-c", sql], check=True)

        bench_database("postgresql", pg_env, full, update, input_rows, floor, args.runs, reset_postgresql)
    floor_again, _rows, _cpu = parse_floor(full)
    print(f"parse floor measured again after the imports: {floor_again:.2f} s")


if __name__ == "__main__":
    main()
