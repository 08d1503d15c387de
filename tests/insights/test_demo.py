"""The insights demo loader on top of the ecosystem and register demos."""

import datetime as dt
import io

import pytest

from grappe.core.models import AuditEntry
from grappe.ecosystem.demo import load as load_ecosystem
from grappe.ecosystem.models import Segment
from grappe.insights.dashboard import membership_quarters
from grappe.insights.demo import load_demo
from grappe.insights.mapping import ecosystem_map
from grappe.insights.network import network_report
from grappe.insights.prospects import rank_prospects
from grappe.insights.representativeness import compute
from grappe.register.demo import load as load_register

pytestmark = pytest.mark.django_db


def test_demo_completes_the_perimeter_with_2008_codes_and_finds_prospects():
    load_ecosystem(io.StringIO())
    load_register(io.StringIO())
    out = io.StringIO()
    load_demo(out)
    segments = list(Segment.objects.prefetch_related("nace_codes"))
    both = [s for s in segments if {n.version for n in s.nace_codes.all()} == {"2008", "2025"}]
    assert len(both) >= len(segments) // 2
    assert AuditEntry.objects.filter(action="insights.perimeter.updated").count() == len(both)
    assert "prospects in under-represented cells" in out.getvalue()
    report = compute(dt.date.today(), with_evolution=False)
    assert report["universe"] > 1000 and report["members_in_perimeter"] > 20
    assert 0 < report["index"] <= 1
    # Every screen has something to show with the ecosystem and register demos alone.
    today = dt.date.today()
    provinces = ecosystem_map(today)["provinces"]
    assert sum(r["members"] for r in provinces) > 20 and sum(r["universe"] for r in provinces) > 1000
    assert sum(1 for r in provinces if r["coverage"]) >= 3
    assert len(rank_prospects(today, limit=20).prospects) == 20
    graph = network_report(today)
    assert graph["metrics"]["edges"] > 20 and graph["metrics"]["communities"]
    flows = membership_quarters(today)
    assert sum(q["joins"] for q in flows) > 0 and flows[-1]["members"] > 20
    assert len([p for p in compute(today)["evolution"] if p["index"] is not None]) >= 3
    load_demo(io.StringIO())  # a second run changes nothing
    assert AuditEntry.objects.filter(action="insights.perimeter.updated").count() == len(both)
