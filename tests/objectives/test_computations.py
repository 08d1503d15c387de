"""Ecosystem indicators against the hand-counted fixture (see conftest), drill-downs, no data and errors."""

import datetime as dt
import sys
from decimal import Decimal

import pytest

from grappe.objectives.computations import Period, Result, evaluate, indicator, registry, selector, unregister
from grappe.objectives.computations.base import count

pytestmark = pytest.mark.django_db

Y2024 = Period.of_year(2024)


def names(evaluation) -> list[str]:
    return sorted(record.name for record in evaluation.records)


def test_catalogue_declares_at_least_thirty_computations_across_the_four_missions():
    computations = registry()
    assert len(computations) >= 30
    assert {c.mission for c in computations.values()} >= {"1", "2", "3", "4"}
    assert all(c.label and c.definition and c.unit for c in computations.values())


def test_members_at_year_end_counts_memberships_covering_the_31st_of_december(ecosystem_2024):
    result = evaluate("ecosystem.members_at_year_end", Y2024)
    assert result.value == 4
    assert names(result) == ["Alpha", "Bêta", "Delta", "Hôtel"]


def test_members_at_quarter_end_and_at_a_snapshot_date(ecosystem_2024):
    assert evaluate("ecosystem.members_at_year_end", Period.of_quarter(2024, 1)).value == 5
    mid_june = Period.of_year(2024, snapshot=dt.date(2024, 6, 15))
    assert names(evaluate("ecosystem.members_at_year_end", mid_june)) == [
        "Alpha",
        "Bêta",
        "Centre R",
        "Delta",
        "Epsilon",
        "Hôtel",
    ]


def test_joins_ignore_back_to_back_renewals_and_prospects(ecosystem_2024):
    result = evaluate("ecosystem.member_joins", Y2024)
    assert result.value == 3
    assert names(result) == ["Bêta", "Epsilon", "Hôtel"]
    assert evaluate("ecosystem.member_joins", Period.of_year(2025)).value == 1  # Foxtrot


def test_exits_count_memberships_ending_without_a_successor(ecosystem_2024):
    result = evaluate("ecosystem.member_exits", Y2024)
    assert names(result) == ["Centre R", "Epsilon"]
    assert result.value == 2
    # Delta's membership ending on 31/12/2023 was followed on 1/1/2024: not an exit in 2023.
    assert evaluate("ecosystem.member_exits", Period.of_year(2023)).value == 0


def test_sme_share_is_smes_over_all_members_in_percent(ecosystem_2024):
    result = evaluate("ecosystem.sme_share", Y2024)
    assert result.value == Decimal("50.0")
    assert names(result) == ["Alpha", "Delta"]
    assert (result.result.numerator, result.result.denominator) == (2, 4)


def test_sme_share_without_members_is_no_data_not_zero(db):
    result = evaluate("ecosystem.sme_share", Period.of_year(2019))
    assert result.state == "no_data"
    assert result.value is None


def test_members_by_kind_breaks_the_members_down(ecosystem_2024):
    result = evaluate("ecosystem.members_by_kind", Y2024)
    assert result.value == 4
    assert {line.code: line.value for line in result.breakdown} == {"company": 3, "association": 1}


def test_members_by_province_counts_members_with_a_known_site(ecosystem_2024):
    result = evaluate("ecosystem.members_by_province", Y2024)
    assert result.value == 3  # Hôtel has no site
    assert sorted(str(line.label) for line in result.breakdown) == [
        "Province de Liège",
        "Province de Namur",
        "Province du Hainaut",
    ]
    assert all(line.value == 1 for line in result.breakdown)


def test_organisations_mapped_counts_those_recorded_by_the_end_of_the_period(ecosystem_2024):
    assert evaluate("ecosystem.organisations_mapped", Y2024).value == 7  # Hôtel recorded in 2025
    assert evaluate("ecosystem.organisations_mapped", Period.of_year(2023)).value == 6


def test_public_profiles_count_consents_given_by_the_end_of_the_period(ecosystem_2024):
    result = evaluate("ecosystem.public_profiles", Y2024)
    assert names(result) == ["Alpha", "Delta"]
    assert evaluate("ecosystem.public_profiles", Period.of_year(2025)).value == 3


@pytest.mark.parametrize(
    "key",
    [
        "ecosystem.members_at_year_end",
        "ecosystem.member_joins",
        "ecosystem.member_exits",
        "ecosystem.sme_share",
        "ecosystem.members_by_kind",
        "ecosystem.members_by_province",
        "ecosystem.organisations_mapped",
        "ecosystem.public_profiles",
    ],
)
@pytest.mark.parametrize("period", [Period.of_year(2023), Y2024, Period.of_quarter(2024, 2), Period.of_year(2025)])
def test_drilldown_count_equals_the_number(ecosystem_2024, key, period):
    evaluation = evaluate(key, period)
    assert evaluation.state == "ok"
    assert count(evaluation.records) == evaluation.result.drilldown_target
    if evaluation.breakdown:
        assert sum(line.value for line in evaluation.breakdown) == count(evaluation.records)
        # Each line's drill-down holds that line's records, and the lines share out the indicator's records.
        lines = [record.pk for line in evaluation.breakdown for record in line.records]
        assert all(len(line.records) == line.value for line in evaluation.breakdown)
        assert sorted(lines) == sorted(record.pk for record in evaluation.records)


def test_indicator_of_an_app_not_built_yet_shows_no_data(monkeypatch):
    monkeypatch.setitem(sys.modules, "grappe.watch.selectors", None)  # as if watch/selectors.py did not exist
    evaluation = evaluate("watch.bulletins_sent", Y2024)
    assert evaluation.state == "no_data"
    assert evaluation.value is None
    assert "grappe.watch.selectors" in evaluation.note


def test_a_selector_not_built_yet_shows_no_data(db):
    @indicator("test.missing_selector", mission=1, unit="x", label="x", definition="x")
    def missing(period):
        return Result(Decimal(len(selector("ecosystem", "no_such_selector")(period.start))))

    try:
        evaluation = evaluate("test.missing_selector", Y2024)
    finally:
        unregister("test.missing_selector")
    assert evaluation.state == "no_data"
    assert "no_such_selector" in evaluation.note


def test_a_failing_computation_is_an_error_not_an_exception(db):
    @indicator("test.broken", mission=1, unit="x", label="x", definition="x")
    def broken(period):
        raise ZeroDivisionError("division by zero")

    try:
        evaluation = evaluate("test.broken", Y2024)
    finally:
        unregister("test.broken")
    assert evaluation.state == "error"
    assert "ZeroDivisionError" in evaluation.error


def test_an_unknown_computation_key_is_an_error_naming_the_key(db):
    evaluation = evaluate("nowhere.nothing", Y2024)
    assert evaluation.state == "error"
    assert "nowhere.nothing" in evaluation.error


def test_a_period_after_the_snapshot_date_has_no_data(ecosystem_2024):
    evaluation = evaluate("ecosystem.members_at_year_end", Period.of_year(2024, snapshot=dt.date(2023, 12, 1)))
    assert evaluation.state == "no_data"


def test_quarter_periods_cover_the_right_months():
    assert (Period.of_quarter(2024, 1).start, Period.of_quarter(2024, 1).end) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 3, 31),
    )
    assert Period.of_quarter(2024, 4).end == dt.date(2024, 12, 31)
    with pytest.raises(ValueError):
        Period.of_quarter(2024, 5)
