"""Benchmark: compute every indicator of the demo contract for a year, then render both report formats.

Builds ten times the demo data: runs the ecosystem and objectives demo loaders, then copies every
organisation nine times with its sites, memberships (five years of history) and people, in bulk.
Prints the median of a few runs and the ratio to a baseline measured in the same run on the plain
demo data. Targets (issue 10): all indicators < 5 s, each report < 10 s. Nothing is asserted.

    GRAPPE_DATA_DIR=/tmp/grappe-bench-indicators .venv/bin/python bench/indicators.py [--copies 9] [--runs 3]
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grappe.settings")
os.environ.setdefault("GRAPPE_DATA_DIR", "/tmp/grappe-bench-indicators")


def timed(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def multiply(copies: int) -> None:
    """Copy each organisation ``copies`` times with its sites, memberships, people and affiliations (bulk inserts)."""
    from django.db import transaction

    from grappe.ecosystem.models import Affiliation, Membership, Organisation, Person, Site

    originals = list(Organisation.objects.all())
    sites = list(Site.objects.all())
    memberships = list(Membership.objects.all())
    affiliations = list(Affiliation.objects.select_related("person"))
    with transaction.atomic():
        for copy in range(1, copies + 1):
            clones = []
            for org in originals:
                clone = Organisation(
                    kind=org.kind,
                    name=f"{org.name} ({copy})",
                    slug=f"{org.slug}-x{copy}",
                    sme_status=org.sme_status,
                    headcount_band=org.headcount_band,
                    public_profile_consent=org.public_profile_consent,
                    public_profile_consent_at=org.public_profile_consent_at,
                    search_text=org.search_text,
                )
                clones.append(clone)
            Organisation.objects.bulk_create(clones, batch_size=1000)
            mapping = {org.pk: clone.pk for org, clone in zip(originals, clones, strict=True)}
            Site.objects.bulk_create(
                [
                    Site(
                        organisation_id=mapping[s.organisation_id],
                        postal_code_id=s.postal_code_id,
                        municipality_id=s.municipality_id,
                        is_head_office=s.is_head_office,
                        street=s.street,
                    )
                    for s in sites
                ],
                batch_size=1000,
            )
            Membership.objects.bulk_create(
                [
                    Membership(
                        organisation_id=mapping[m.organisation_id],
                        tier=m.tier,
                        yearly_fee=m.yearly_fee,
                        start_date=m.start_date,
                        end_date=m.end_date,
                        status=m.status,
                    )
                    for m in memberships
                ],
                batch_size=1000,
            )
            people = [
                Person(first_name=a.person.first_name, last_name=f"{a.person.last_name} {copy}") for a in affiliations
            ]
            Person.objects.bulk_create(people, batch_size=1000)
            Affiliation.objects.bulk_create(
                [
                    Affiliation(
                        person=p,
                        organisation_id=mapping[a.organisation_id],
                        function=a.function,
                        start_date=a.start_date,
                        end_date=a.end_date,
                    )
                    for p, a in zip(people, affiliations, strict=True)
                ],
                batch_size=1000,
            )


def measure(label: str, year: int, runs: int) -> dict[str, float]:
    from grappe.objectives import selectors
    from grappe.objectives.reports.content import build
    from grappe.objectives.reports.render import render

    contract = selectors.current_contract()
    figures = {
        "all indicators": timed(lambda: selectors.year_rows(contract, year), runs),
        "annual report PDF": timed(lambda: render(build(contract, year), "pdf"), runs),
        "annual report XLSX": timed(lambda: render(build(contract, year), "xlsx"), runs),
    }
    print(f"\n{label}")
    for name, seconds in figures.items():
        print(f"  {name:<22} median {seconds:6.2f} s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=9, help="copies of each organisation added (9 = ten times)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from grappe.core.registry import demo_loaders
    from grappe.ecosystem.models import Membership, Organisation, Person

    call_command("migrate", verbosity=0, skip_checks=True)
    with transaction.atomic():
        for demo in demo_loaders():
            if demo.app_label in ("ecosystem", "objectives"):
                demo.loader(open(os.devnull, "w"))  # noqa: SIM115 (quiet loaders)
    # Warm imports (fpdf, openpyxl) so the baseline does not pay them.
    measure("warm-up", args.year, 1)
    baseline = measure(
        f"baseline: demo data ({Organisation.objects.count()} organisations, {Membership.objects.count()} memberships)",
        args.year,
        args.runs,
    )
    multiply(args.copies)
    scaled = measure(
        f"x{args.copies + 1}: {Organisation.objects.count()} organisations, {Membership.objects.count()} memberships, "
        f"{Person.objects.count()} people",
        args.year,
        args.runs,
    )
    print("\nratio to baseline (targets: indicators < 5 s, each report < 10 s)")
    for name, seconds in scaled.items():
        target = 5 if name == "all indicators" else 10
        verdict = "within" if seconds < target else "OVER"
        print(f"  {name:<22} x{seconds / baseline[name]:5.1f}  ({verdict} the {target} s target)")


if __name__ == "__main__":
    sys.exit(main())
