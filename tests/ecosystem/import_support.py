"""Helpers shared by the import/export tests (not a test module)."""

from pathlib import Path

from grappe.core.models import AuditEntry
from grappe.ecosystem import importing
from grappe.ecosystem.models import Activity, Affiliation, Organisation, Person, Site

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def db_state() -> dict[str, int]:
    """Row counts that an import may change: all must stay equal when an import is refused."""
    return {
        "organisations": Organisation.objects.count(),
        "sites": Site.objects.count(),
        "activities": Activity.objects.count(),
        "people": Person.objects.count(),
        "affiliations": Affiliation.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def plan_for(name: str, kind: str = importing.ORGANISATIONS, **options) -> importing.Plan:
    table = importing.read_table(fixture_bytes(name), name)
    return importing.build_plan(kind, table, filename=name, **options)


def plan_from_text(text: str, kind: str = importing.ORGANISATIONS, *, encoding: str = "utf-8", **options):
    table = importing.read_table(text.encode(encoding), "inline.csv")
    return importing.build_plan(kind, table, filename="inline.csv", **options)
