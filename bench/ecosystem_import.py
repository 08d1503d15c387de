"""Benchmark of the organisation import and export (issue 2) on a throwaway SQLite (or DATABASE_URL) database.

    .venv/bin/python bench/ecosystem_import.py [--rows 3000] [--repeat 3] [--work /tmp/grappe-import-bench]

Generates a CSV of ``--rows`` organisations (valid enterprise numbers, real postal codes and NACE
codes, a third with a fuzzy-duplicate candidate in the database), then prints medians of:
the parse floor (``csv.reader`` over the decoded text, measured in the same run), ``read_table``,
the dry run (``build_plan``), the apply (one transaction, every row through the audited services),
and the CSV/XLSX exports of the result; with ratios to the parse floor and rows per second.
Nothing is asserted: the figures are printed.
"""

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", default=tempfile.mkdtemp(prefix="grappe-import-bench-"))
    args = parser.parse_args()
    os.environ.setdefault("GRAPPE_DATA_DIR", args.work)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grappe.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(args.rows, args.repeat)


def generate(rows: int) -> bytes:
    from stdnum.be import vat

    from grappe.referential.models import NaceCode, PostalCode

    rng = random.Random(42)
    postal = list(PostalCode.objects.filter(code__gte="4000", code__lt="8000").values_list("code", flat=True))
    nace = list(NaceCode.objects.filter(version="2025", level=5, code__startswith="4").values_list("dotted", flat=True))
    words = [
        "Bois",
        "Béton",
        "Pierre",
        "Verre",
        "Acier",
        "Toiture",
        "Façade",
        "Isolation",
        "Énergie",
        "Rénovation",
        "Chantier",
        "Atelier",
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Nom", "Numéro d'entreprise", "Rue", "Numéro", "Code postal", "NACE", "Effectif", "Site web"])
    base = 4_000_000
    for i in range(rows):
        digits = f"0{base + i * 7:07d}"
        number = digits + f"{97 - int(digits) % 97:02d}"
        assert vat.is_valid(number)
        name = f"{rng.choice(words)} {rng.choice(words)} {i}"
        writer.writerow(
            [
                name,
                number if i % 3 else "",
                "Rue de la Gare",
                str(i % 200 + 1),
                rng.choice(postal),
                ";".join(rng.sample(nace, 2)),
                str(rng.randint(1, 300)),
                f"www.entreprise-{i}.be",
            ]
        )
    return out.getvalue().encode("utf-8")


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run(rows: int, repeat: int) -> None:
    from django.db import connection

    from grappe.core.models import AuditEntry
    from grappe.ecosystem import exporting, importing, services
    from grappe.ecosystem.models import Organisation

    data = generate(rows)
    # Existing organisations sharing postal codes and close names: the fuzzy matcher has work to do.
    for i in range(0, rows, 10):
        org = services.organisation_create(actor=None, name=f"Ancienne Bois {i}")
        services.site_add(actor=None, organisation=org, postal_code="4000")
    existing = Organisation.objects.count()
    floor, read, plan_times, apply_times, csv_times, xlsx_times = [], [], [], [], [], []
    for _ in range(repeat):
        floor.append(timed(lambda: sum(1 for _row in csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";")))[0])
        seconds, table = timed(lambda: importing.read_table(data, "bench.csv"))
        read.append(seconds)
        seconds, plan = timed(lambda: importing.build_plan(importing.ORGANISATIONS, table, filename="bench.csv"))  # noqa: B023
        plan_times.append(seconds)
        decisions = {line.line: "create" for line in plan.lines if line.action == "review"}
        plan = importing.build_plan(importing.ORGANISATIONS, table, filename="bench.csv", decisions=decisions)
        assert plan.can_apply, plan.errors[:5]
        seconds, summary = timed(lambda: importing.apply_plan(plan, actor=None))  # noqa: B023
        apply_times.append(seconds)
        csv_times.append(timed(lambda: b"".join(s.encode() for s in exporting.csv_stream(
            exporting.organisation_headers(), exporting.organisation_rows({}))))[0])  # fmt: skip
        xlsx_times.append(timed(lambda: exporting.xlsx_bytes(
            exporting.organisation_headers(), exporting.organisation_rows({}), title="x"))[0])  # fmt: skip
        Organisation.objects.exclude(name__startswith="Ancienne").delete()
        AuditEntry.objects.all().delete()
    assert Organisation.objects.count() == existing
    f = statistics.median(floor)
    print(f"database: {connection.vendor}; rows: {rows}; repeats: {repeat}; {len(decisions)} probable duplicates")
    for label, values in (
        ("parse floor (csv.reader)", floor),
        ("read_table", read),
        ("dry run (build_plan)", plan_times),
        ("apply (one transaction)", apply_times),
        (f"export CSV ({rows + existing} orgs)", csv_times),
        (f"export XLSX ({rows + existing} orgs)", xlsx_times),
    ):
        median = statistics.median(values)
        print(f"  {label:32} median {median:8.3f} s  {rows / median:10.0f} rows/s  x{median / f:8.1f} floor")
    print(f"  summary of the last apply: {summary.as_dict()}")


if __name__ == "__main__":
    sys.exit(main())
