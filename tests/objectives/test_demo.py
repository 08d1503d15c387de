"""The objectives demo on top of the ecosystem demo: a believable contract whose indicators all compute."""

import datetime as dt
import io

import pytest

from grappe.objectives import selectors
from grappe.objectives.models import ReportArchive

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 16)


def test_demo_contract_has_targets_values_and_archives_and_no_indicator_in_error():
    from grappe.ecosystem.demo import load as load_ecosystem
    from grappe.objectives.demo import load

    load_ecosystem(io.StringIO(), today=TODAY)
    counts = load(io.StringIO(), today=TODAY)
    assert counts["indicators"] >= 40
    contract = selectors.current_contract(TODAY)
    # The 2025 annual report as of 31/12/2025, and the monthly snapshot as of 28/02/2026.
    assert set(ReportArchive.objects.values_list("year", "snapshot_date")) == {
        (2025, dt.date(2025, 12, 31)),
        (2026, dt.date(2026, 2, 28)),
    }
    rows = selectors.year_rows(contract, 2025, dt.date(2025, 12, 31))
    assert not [row.indicator.code for row in rows if row.evaluation.state == "error"]
    members = next(row for row in rows if row.indicator.computation_key == "ecosystem.members_at_year_end")
    assert members.value > 50 and members.target
    # Labels in the platform's other languages, from the catalogue's translations (an English report reads them).
    assert members.indicator.label_en == "Members on 31/12"
    assert contract.indicators.get(code="G.1.1").label_nl == "Vergaderingen van het begeleidingscomité"


def test_the_objectives_demo_runs_after_every_app_it_reads():
    """Its archived reports must hold the demo's full numbers, not those of a half-loaded demo."""
    from grappe.core.registry import demo_loaders

    order = [demo.app_label for demo in demo_loaders()]
    for app in ("ecosystem", "events", "watch", "partnerships", "innovation", "showcase", "insights"):
        if app in order:
            assert order.index(app) < order.index("objectives"), app
