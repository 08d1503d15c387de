"""Benchmark: compute every indicator of the demo contract for a year, then render both report formats.

Builds ten times the demo data: runs every demo loader (ecosystem, register, events, watch,
partnerships, innovation, objectives), then copies nine times, in bulk and keeping their dates,
the records the indicators read: organisations with sites, memberships (five years of history),
people and affiliations; events with registrations, survey answers and B2B sessions;
collaborations and introductions; innovation projects with stage history and support actions;
watch digests and items; communication actions. Prints the median of a few runs and the ratio to a baseline measured in
the same run on the plain demo data, and the XLSX once more in openpyxl's normal (in-memory) mode
to compare with the write-only mode the reports use. Targets (issue 10): all indicators < 5 s,
each report < 10 s. Nothing is asserted.

    GRAPPE_DATA_DIR=/tmp/grappe-bench-indicators .venv/bin/python bench/indicators.py [--copies 9] [--runs 3]
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grappe.settings")
os.environ.setdefault("GRAPPE_DATA_DIR", "/tmp/grappe-bench-indicators")


CPU: dict[str, float] = {}  # CPU time (process_time) medians: wall time on a shared machine also counts waiting


def timed(function: Callable[[], object], runs: int, name: str = "") -> float:
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    CPU[name] = statistics.median(cpu)
    return statistics.median(times)


@contextmanager
def keep_dates(model: type) -> Iterator[None]:
    """Let bulk_create keep copied ``auto_now``/``auto_now_add`` values (indicators read created_at)."""
    fields = [
        f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def multiply(copies: int) -> None:
    """Add ``copies`` copies of the demo data the indicators read, over the same years, in bulk.

    Organisations with their sites, memberships, people and affiliations; events with registrations,
    survey answers and B2B sessions; collaborations and introductions; innovation projects with their
    stage history and support actions; watch digests and items; communication actions.
    """
    from django.apps import apps
    from django.db import transaction

    def model(label: str) -> type | None:
        try:
            return apps.get_model(label)
        except LookupError:
            return None

    plan = [  # (model, its foreign keys to remap: attname -> model whose copy it points to)
        ("ecosystem.Organisation", {}),
        ("ecosystem.Site", {"organisation_id": "ecosystem.Organisation"}),
        ("ecosystem.Membership", {"organisation_id": "ecosystem.Organisation"}),
        ("ecosystem.Person", {}),
        ("ecosystem.Affiliation", {"person_id": "ecosystem.Person", "organisation_id": "ecosystem.Organisation"}),
        ("events.Event", {}),
        (
            "events.Registration",
            {"event_id": "events.Event", "person_id": "ecosystem.Person", "organisation_id": "ecosystem.Organisation"},
        ),
        ("events.SurveyResponse", {"registration_id": "events.Registration"}),
        ("events.MatchmakingSession", {"event_id": "events.Event"}),
        ("events.Slot", {"session_id": "events.MatchmakingSession"}),
        (
            "events.Participant",
            {
                "session_id": "events.MatchmakingSession",
                "registration_id": "events.Registration",
                "person_id": "ecosystem.Person",
                "organisation_id": "ecosystem.Organisation",
            },
        ),
        (
            "events.MeetingRequest",
            {
                "session_id": "events.MatchmakingSession",
                "requester_id": "events.Participant",
                "target_id": "events.Participant",
            },
        ),
        (
            "events.Meeting",
            {
                "session_id": "events.MatchmakingSession",
                "request_id": "events.MeetingRequest",
                "participant_a_id": "events.Participant",
                "participant_b_id": "events.Participant",
                "slot_id": "events.Slot",
            },
        ),
        ("partnerships.Collaboration", {}),
        (
            "partnerships.Partner",
            {"collaboration_id": "partnerships.Collaboration", "organisation_id": "ecosystem.Organisation"},
        ),
        (
            "partnerships.Introduction",
            {
                "organisation_a_id": "ecosystem.Organisation",
                "organisation_b_id": "ecosystem.Organisation",
                "person_a_id": "ecosystem.Person",
                "person_b_id": "ecosystem.Person",
                "collaboration_id": "partnerships.Collaboration",
            },
        ),
        ("innovation.InnovationProject", {"lead_organisation_id": "ecosystem.Organisation"}),
        ("innovation.StageChange", {"project_id": "innovation.InnovationProject"}),
        (
            "innovation.SupportAction",
            {"project_id": "innovation.InnovationProject", "organisation_id": "ecosystem.Organisation"},
        ),
        ("watch.Digest", {"person_id": "ecosystem.Person"}),
        ("watch.Item", {}),
        ("showcase.CommunicationAction", {}),  # the promotion log (its m2m organisations are not copied)
    ]
    with transaction.atomic():
        originals = {label: model(label) for label, _fks in plan}
        snapshot_counts = {label: m.objects.count() for label, m in originals.items() if m is not None}
        for copy in range(1, copies + 1):
            mappings: dict[str, dict[int, int]] = {}
            for label, fks in plan:
                m = originals[label]
                if m is None:
                    continue
                # Only the original rows are copied (the pks below the first copy's).
                remap = {attname: mappings.get(target, {}) for attname, target in fks.items()}
                mappings[label] = clone_originals(m, copy, remap, snapshot_counts[label])


def clone_originals(model: type, copy: int, remap: dict[str, dict[int, int]], how_many: int) -> dict[int, int]:
    """``clone`` restricted to the first ``how_many`` rows (the demo's own, not earlier copies)."""
    from django.db.models import UniqueConstraint

    rows = list(model.objects.order_by("pk")[:how_many])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    unique_alone = {  # fields unique on their own through a constraint (e.g. the enterprise number)
        c.fields[0] for c in model._meta.constraints if isinstance(c, UniqueConstraint) and len(c.fields) == 1
    }
    clones = []
    for row in rows:
        values = {}
        for f in fields:
            value = getattr(row, f.attname)
            if f.attname in remap and value is not None:
                value = remap[f.attname].get(value, value)
            elif f.name in unique_alone and f.null:
                value = None
            elif (f.unique or f.name in unique_alone) and isinstance(value, str):
                value = f"{value}-x{copy}"
            values[f.attname] = value
        clones.append(model(**values))
    with keep_dates(model):
        model.objects.bulk_create(clones, batch_size=500)
    return {row.pk: c.pk for row, c in zip(rows, clones, strict=True)}


def measure(label: str, year: int, runs: int, *, compare_modes: bool = False) -> dict[str, float]:
    """Median wall times (CPU times in ``CPU``) of the indicators and the reports for ``year``."""
    from grappe.objectives import selectors
    from grappe.objectives.reports import xlsx
    from grappe.objectives.reports.content import build
    from grappe.objectives.reports.render import render

    contract = selectors.current_contract()
    data = build(contract, year)
    figures = {
        "all indicators": timed(lambda: selectors.year_rows(contract, year), runs, "all indicators"),
        "annual report PDF": timed(lambda: render(build(contract, year), "pdf"), runs, "annual report PDF"),
        "annual report XLSX": timed(lambda: render(build(contract, year), "xlsx"), runs, "annual report XLSX"),
        "  of which layout": timed(lambda: render(data, "xlsx"), runs, "  of which layout"),
    }
    if compare_modes:  # the same workbook in openpyxl's normal (in-memory) mode, for comparison
        from openpyxl import Workbook

        write_only = xlsx._new_workbook
        xlsx._new_workbook = Workbook
        try:
            figures["  XLSX in normal mode"] = timed(
                lambda: render(build(contract, year), "xlsx"), runs, "  XLSX in normal mode"
            )
        finally:
            xlsx._new_workbook = write_only
        # The evidence lines as before the per-report cache: every record fetched and described one by one.
        bulk = xlsx.drilldown
        xlsx.drilldown = lambda evaluation, *, staff, limit=None, cache=None: bulk(evaluation, staff=staff, limit=limit)
        try:
            figures["  layout, one by one"] = timed(lambda: render(data, "xlsx"), runs, "  layout, one by one")
        finally:
            xlsx.drilldown = bulk
    evidence = sum(min(selectors.record_count(r.evaluation) or 0, 5000) for r in data.rows)
    print(f"\n{label}\n  ({len(data.rows)} indicators, {evidence} evidence rows in the workbook)")
    for name, seconds in figures.items():
        print(f"  {name:<24} median {seconds:6.2f} s   (CPU {CPU[name]:6.2f} s)")
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
    from grappe.events.models import Registration

    call_command("migrate", verbosity=0, skip_checks=True)
    if not Organisation.objects.exists():  # a second run in the same GRAPPE_DATA_DIR reuses the demo
        with transaction.atomic():
            for demo in demo_loaders():
                demo.loader(open(os.devnull, "w"))  # noqa: SIM115 (quiet loaders)
    # Warm imports (fpdf, openpyxl) so the baseline does not pay them.
    measure("warm-up", args.year, 1)

    def sizes() -> str:
        return (
            f"{Organisation.objects.count()} organisations, {Membership.objects.count()} memberships, "
            f"{Person.objects.count()} people, {Registration.objects.count()} registrations"
        )

    baseline = measure(f"baseline: demo data ({sizes()})", args.year, args.runs, compare_modes=True)
    with transaction.atomic():  # the copies are rolled back at the end: the demo database stays reusable
        multiply(args.copies)
        scaled = measure(f"x{args.copies + 1}: {sizes()}", args.year, args.runs, compare_modes=True)
        transaction.set_rollback(True)
    print("\nratio to baseline (targets: indicators < 5 s, each report < 10 s)")
    for name, seconds in scaled.items():
        if name.startswith(" "):
            print(f"  {name:<24} x{seconds / baseline[name]:5.1f}")
            continue
        target = 5 if name == "all indicators" else 10
        verdict = "within" if seconds < target else "OVER"
        cpu = "within" if CPU[name] < target else "OVER"
        print(f"  {name:<24} x{seconds / baseline[name]:5.1f}  (wall {verdict}, CPU {cpu} the {target} s target)")


if __name__ == "__main__":
    sys.exit(main())
