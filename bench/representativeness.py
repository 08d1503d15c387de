"""Benchmark of representativeness and prospect ranking (issue 4) on a national-size Walloon universe.

    .venv/bin/python bench/representativeness.py [--enterprises 600000] [--members 500] [--work DIR] [--reuse]
        [--without-class-index]

Builds a fresh SQLite database in ``--work`` (migrations, then a direct bulk insert of synthetic
register rows: enterprises with Walloon postal codes, two MAIN activities each (NACE-BEL 2025 and
2008, ~12 % of them in the demo cluster's construction codes) and two secondary ones), the demo
cluster's value chains as segments, and ``--members`` member organisations matched to perimeter
enterprises. The bulk insert (instead of ``kbo_synth.py`` + the importer) keeps the setup to a
minute on a loaded machine; the tables and indexes are the importer's own.

Prints the median of 3 runs of ``representativeness.compute`` (with evolution) and
``prospects.rank_prospects``, and the time of a naive baseline measured in the same run: one ORM
``count()`` per cell of every breakdown. Wall and CPU times are both printed: on a shared, loaded
machine the CPU time of this process is the comparable figure. The perimeter query walks the
register's covering index ``register_act_nace_class`` (nace_version, classification, nace_code,
enterprise; register migration 0003, the only NACE index since 0004); ``--without-class-index``
drops it before timing, to show what it is worth (then no NACE index is left). Prospects reuse the
representativeness pass (one read of the universe), so their figure includes a full
representativeness computation (without the evolution). Target (issue 4): each under 2 s. Nothing
is asserted.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SEGMENTS = {
    "Matériaux": ["081", "162", "235", "236"],
    "Conception": ["7111", "7112"],
    "Construction": ["4100", "439"],
    "Équipements techniques": ["4321", "4322"],
    "Déconstruction et réemploi": ["4311", "38"],
    "Numérique du bâtiment": ["6210"],
    "Isolation et finitions": ["4329", "433"],
    "Chauffage et ventilation": ["4322", "2825"],
    "Production d'énergie": ["351"],
}


def setup_django(work: Path) -> None:
    os.environ["GRAPPE_DATA_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grappe.settings")
    import django

    django.setup()


def build(enterprises: int, members: int, seed: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from grappe.ecosystem.models import Membership, Organisation, Segment, ValueChain
    from grappe.referential.models import NaceCode, PostalCode

    call_command("migrate", verbosity=0)
    rnd = random.Random(seed)
    walloon = list(
        PostalCode.objects.filter(municipality__region__nis="03000").values_list("code", "municipality__province__nis")
    )
    nace25 = list(NaceCode.objects.filter(version="2025", level=5).values_list("code", flat=True))
    nace08 = list(NaceCode.objects.filter(version="2008", level=5).values_list("code", flat=True))
    prefixes = sorted({p for codes in SEGMENTS.values() for p in codes})
    perimeter25 = [c for c in nace25 if any(c.startswith(p) for p in prefixes)]
    perimeter08 = [c for c in nace08 if any(c.startswith(p) for p in prefixes)]
    forms = ["610", "014", "015", "017", "030", "612"]
    today = dt.date(2025, 10, 1)
    ent_rows, act_rows = [], []
    perimeter_numbers = []
    for i in range(enterprises):
        base = 4_000_000 + i * 3
        number = base * 100 + (97 - base % 97)
        zipcode, province = rnd.choice(walloon)
        start = today - dt.timedelta(days=int(rnd.expovariate(1 / 4000)))
        ent_rows.append(
            (
                number,
                "AC",
                "000",
                "2",
                rnd.choice(forms),
                "",
                start.isoformat(),
                f"E{i}",
                zipcode,
                province or "",
                False,
            )
        )
        in_perimeter = rnd.random() < 0.12
        if in_perimeter:
            perimeter_numbers.append(number)
        code25 = rnd.choice(perimeter25 if in_perimeter else nace25)
        code08 = rnd.choice(perimeter08 if in_perimeter else nace08)
        act_rows.append((number, number, "001", 2025, code25, "MAIN"))
        act_rows.append((number, number, "001", 2008, code08, "MAIN"))
        act_rows.append((number, number, "001", 2025, rnd.choice(nace25), "SECO"))
        act_rows.append((number, number, "001", 2008, rnd.choice(nace08), "SECO"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO register_enterprise (number, status, juridical_situation, type_of_enterprise, juridical_form,"
            " juridical_form_cac, start_date, name, zipcode, province, partial)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            ent_rows,
        )
        cursor.executemany(
            "INSERT INTO register_activity (entity_number, enterprise_id, activity_group, nace_version, nace_code,"
            " classification) VALUES (%s,%s,%s,%s,%s,%s)",
            act_rows,
        )
    with transaction.atomic():
        chain = ValueChain.objects.create(name="Bâtiment circulaire", slug="batiment")
        for order, (name, codes) in enumerate(SEGMENTS.items()):
            segment = Segment.objects.create(value_chain=chain, name=name, slug=f"s{order}", order=order)
            segment.nace_codes.set(NaceCode.objects.filter(version="2025", code__in=codes))
        chosen = rnd.sample(perimeter_numbers, members)
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"Membre {k}", slug=f"membre-{k}", enterprise_number=f"{n:010d}", sme_status="small")
            for k, n in enumerate(chosen)
        )
        Membership.objects.bulk_create(
            Membership(organisation=o, start_date=dt.date(2021 + k % 5, 1 + k % 12, 1), status="member")
            for k, o in enumerate(orgs)
        )
    print(f"built: {enterprises} enterprises, {len(act_rows)} activities, {len(perimeter_numbers)} in the perimeter")


def naive_baseline(day: dt.date) -> tuple[float, int]:
    """One ORM count per cell of each breakdown (what a straightforward view would do)."""
    from django.db.models import Q

    from grappe.insights.perimeter import load_perimeter, prefixes_q
    from grappe.insights.representativeness import AGE_BANDS, _years_before
    from grappe.referential.models import Arrondissement, NaceCode, PostalCode, Province
    from grappe.register.models import Activity, Enterprise

    started = time.perf_counter()
    perimeter = load_perimeter()
    inside = Activity.objects.filter(prefixes_q(perimeter.prefixes)).values("enterprise_id")
    universe = Enterprise.objects.filter(Q(start_date__isnull=True) | Q(start_date__lte=day), number__in=inside)
    queries = 0
    for segment in perimeter.segments:
        universe.filter(
            number__in=Activity.objects.filter(prefixes_q(segment.prefixes)).values("enterprise_id")
        ).count()
        queries += 1
    for division in NaceCode.objects.filter(version="2025", level=2).values_list("code", flat=True):
        if any(p.startswith(division) or division.startswith(p[:2]) for _v, p in perimeter.prefixes):
            universe.filter(
                number__in=Activity.objects.filter(
                    prefixes_q(
                        {(2025, p) for v, p in perimeter.prefixes if v == 2025 and p.startswith(division)}
                        or {(2025, division)}
                    )
                ).values("enterprise_id")
            ).count()
            queries += 1
    for nis in Province.objects.values_list("nis", flat=True):
        universe.filter(province=nis).count()
        queries += 1
    for arrondissement in Arrondissement.objects.all():
        codes = PostalCode.objects.filter(municipality__arrondissement=arrondissement).values("code")
        universe.filter(zipcode__in=codes).count()
        queries += 1
    for _key, low, high in AGE_BANDS:
        q = Q(start_date__lte=_years_before(day, low))
        if high is not None:
            q &= Q(start_date__gt=_years_before(day, high))
        universe.filter(q).count()
        queries += 1
    return time.perf_counter() - started, queries


def median_time(func, runs: int = 3) -> tuple[float, float, object]:
    """Median wall time and median CPU time of this process (the machine may be shared and loaded)."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = func()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=600_000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--work", default="/tmp/grappe-insights-bench")
    parser.add_argument("--reuse", action="store_true", help="keep the database built by a previous run")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--without-class-index",
        action="store_true",
        help="drop the register's (nace_version, classification, nace_code, enterprise) index before timing",
    )
    args = parser.parse_args()
    work = Path(args.work)
    if not args.reuse and work.exists():
        for child in work.iterdir():
            if child.is_file():
                child.unlink()
    work.mkdir(parents=True, exist_ok=True)
    setup_django(work)
    if not args.reuse:
        started = time.perf_counter()
        build(args.enterprises, args.members, args.seed)
        print(f"setup: {time.perf_counter() - started:.1f} s")

    from grappe.insights.prospects import rank_prospects
    from grappe.insights.representativeness import compute

    day = dt.date(2025, 10, 1)
    from django.db import connection

    with connection.cursor() as cursor:
        if args.without_class_index:
            cursor.execute("DROP INDEX IF EXISTS register_act_nace_class")
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'register_activity'")
        print("register_activity indexes:", ", ".join(sorted(row[0] for row in cursor.fetchall())))
    rep_time, rep_cpu, report = median_time(lambda: compute(day))
    prospects_time, prospects_cpu, result = median_time(lambda: rank_prospects(day))
    naive_cpu = time.process_time()
    naive_time, queries = naive_baseline(day)
    naive_cpu = time.process_time() - naive_cpu
    print(f"universe in perimeter: {report['universe']}, members counted: {report['members_in_perimeter']}")
    print(f"index: {report['index']:.4f}; evolution points: {len(report['evolution'])}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"representativeness (median of 3): {rep_time:.3f} s wall, {rep_cpu:.3f} s CPU")
    print(
        f"prospects (median of 3): {prospects_time:.3f} s wall, {prospects_cpu:.3f} s CPU;"
        f" candidates {result.candidates}, shown {len(result.prospects)}"
    )
    print(f"naive per-cell ORM count loop: {naive_time:.3f} s wall, {naive_cpu:.3f} s CPU for {queries} cells")
    print(f"ratio naive / representativeness: {naive_time / rep_time:.1f}x wall, {naive_cpu / rep_cpu:.1f}x CPU")
    print(
        f"ratio naive / prospects: {naive_time / prospects_time:.1f}x wall, {naive_cpu / prospects_cpu:.1f}x CPU"
        " (the naive loop only counts cells; it ranks nothing)"
    )


if __name__ == "__main__":
    main()
