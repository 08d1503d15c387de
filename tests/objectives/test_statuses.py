"""Statuses and their rule: flows are judged pro rata of the elapsed year, stocks and rates on the whole target."""

import datetime as dt

import pytest

from grappe.objectives import selectors, services
from grappe.objectives.computations import Period, registry

from .conftest import code_of

pytestmark = pytest.mark.django_db

MID_2024 = dt.date(2024, 6, 30)  # 182 of 366 days elapsed: 49.7 %


def row(contract, key: str, snapshot: dt.date = MID_2024) -> selectors.IndicatorRow:
    indicator = selectors.contract_indicators(contract).get(computation_key=key)
    return selectors.indicator_row(indicator, Period.of_year(2024, snapshot))


def test_stocks_rates_and_averages_are_not_pro_rated():
    computations = registry()
    for key in (
        "ecosystem.members_at_year_end",
        "ecosystem.sme_share",
        "insights.representativeness_index",
        "events.satisfaction",
        "innovation.success_rate",
        "ecosystem.public_profiles",
    ):
        assert computations[key].cumulative is False, key
    for key in ("ecosystem.member_joins", "events.participants", "innovation.funding_raised"):
        assert computations[key].cumulative is True, key


def test_a_share_far_below_its_target_mid_year_is_at_risk_not_on_track(ecosystem_2024, contract, staff_user):
    """On 30/06/2024 the members are Alpha, Bêta, Centre R, Delta, Epsilon, Hôtel: SMEs Alpha, Delta, Epsilon = 50 %.

    Against a target of 95 %: pro rata of the year (49.7 %) 90 % of it would be 42.5 and 50 % would look "on
    track"; a share is judged on the whole target: 90 % of 95 = 85.5, so 50 % is at risk.
    """
    indicator = contract.indicators.get(computation_key="ecosystem.sme_share")
    services.targets_set(actor=staff_user, indicator=indicator, values={2024: "95"})
    sme = row(contract, "ecosystem.sme_share")
    assert sme.value == 50
    assert sme.status == selectors.Status.AT_RISK
    assert "85.5" in sme.rule and "pas de prorata" in sme.rule


def test_a_flow_is_judged_pro_rata_of_the_elapsed_year(ecosystem_2024, contract, staff_user):
    """Joins by 30/06/2024: Bêta (1/3), Epsilon (1/2), Hôtel (1/5) = 3 (Delta renews back to back); target 6.

    Expected by then: 6 × 182/366 × 90 % = 2.7, so 3 is on track (and the rule says so with its numbers),
    where the whole target (90 % of 6 = 5.4) would call it at risk.
    """
    indicator = contract.indicators.get(computation_key="ecosystem.member_joins")
    services.targets_set(actor=staff_user, indicator=indicator, values={2024: "6"})
    joins = row(contract, "ecosystem.member_joins")
    assert joins.value == 3
    assert joins.status == selectors.Status.ON_TRACK
    assert "(50 %)" in joins.rule and "2.7" in joins.rule


def test_a_stock_below_its_target_mid_year_is_at_risk(ecosystem_2024, contract, staff_user):
    """Members on 30/06/2024: 6 (see above); target 10 members at 31/12: 90 % of 10 = 9 > 6, at risk."""
    indicator = contract.indicators.get(computation_key="ecosystem.members_at_year_end")
    services.targets_set(actor=staff_user, indicator=indicator, values={2024: "10"})
    members = row(contract, "ecosystem.members_at_year_end")
    assert members.value == 6
    assert members.status == selectors.Status.AT_RISK


def test_a_manual_stock_is_judged_on_the_whole_target(contract, staff_user):
    """A manual indicator kept as "last quarter known" is a level: 25 % at mid-year against 30 % is at risk."""
    manual = contract.indicators.get(code="G1")
    services.indicator_update(actor=staff_user, indicator=manual, aggregation="last")
    services.targets_set(actor=staff_user, indicator=manual, values={2024: "30"})
    services.measurement_create(
        actor=staff_user, indicator=manual, year=2024, quarter=2, value="25", evidence_link="https://example.org/q2"
    )
    level = selectors.indicator_row(
        selectors.contract_indicators(contract).get(pk=manual.pk), Period.of_year(2024, MID_2024)
    )
    assert level.value == 25 and level.status == selectors.Status.AT_RISK
    services.indicator_update(actor=staff_user, indicator=manual, aggregation="sum")
    flow = selectors.indicator_row(
        selectors.contract_indicators(contract).get(pk=manual.pk), Period.of_year(2024, MID_2024)
    )
    assert flow.status == selectors.Status.ON_TRACK  # 25 >= 30 × 49.7 % × 90 %


def test_the_pdf_shows_the_rule_of_a_stock(ecosystem_2024, contract, staff_user):
    from grappe.objectives.reports.content import build

    indicator = contract.indicators.get(computation_key="ecosystem.sme_share")
    services.targets_set(actor=staff_user, indicator=indicator, values={2024: "95"})
    import io

    from pypdf import PdfReader

    from grappe.objectives.reports.render import render

    data = build(contract, 2024, snapshot=MID_2024)
    sme = data.row("ecosystem.sme_share")
    assert sme.status == selectors.Status.AT_RISK
    assert data.numbers["indicators"][code_of(contract, "ecosystem.sme_share")]["status"] == "at_risk"
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render(data, "pdf").content)).pages)
    assert "pas de prorata" in " ".join(pdf.split())
