import datetime as dt
import json
import math
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grappe.ecosystem.models import Segment, ValueChain
from grappe.insights.representativeness import adjusted_residual, build_breakdown, compute, dissimilarity_index

from .factories import enterprise, member, segment, small_universe

DAY = dt.date(2025, 6, 30)


def residual(m, members, u, universe):
    p = u / universe
    return (m - members * p) / math.sqrt(members * p * (1 - p))


def cells(report, breakdown):
    return {c["key"]: c for c in report["breakdowns"][breakdown]["cells"]}


@pytest.mark.django_db
def test_counts_members_universe_and_coverage_per_segment():
    data = small_universe()
    report = compute(DAY)
    seg = cells(report, "segment")
    demolition = seg[str(data["segments"]["demolition"].pk)]
    architecture = seg[str(data["segments"]["architecture"].pk)]
    assert report["universe"] == 10
    assert report["members_total"] == 5
    assert report["members_in_perimeter"] == 3
    assert report["unmatched"] == 1
    assert report["outside_perimeter"] == 1
    assert report["coverage"] == pytest.approx(3 / 10)
    assert (demolition["members"], demolition["universe"]) == (2, 6)
    assert demolition["coverage"] == pytest.approx(2 / 6)
    assert demolition["member_share"] == pytest.approx(2 / 3)
    assert demolition["universe_share"] == pytest.approx(6 / 10)
    assert demolition["residual"] == pytest.approx(residual(2, 3, 6, 10))
    # By hand: expected 3 × 0.6 = 1.8, variance 1.8 × 0.4 = 0.72, (2 − 1.8) / √0.72 = 0.2357.
    assert demolition["residual"] == pytest.approx(0.2357, abs=1e-4)
    assert architecture["residual"] == pytest.approx(residual(1, 3, 4, 10))
    assert architecture["residual"] == pytest.approx(-demolition["residual"])
    assert not demolition["significant"]


@pytest.mark.django_db
def test_segment_without_universe_has_no_coverage_and_is_explained():
    data = small_universe()
    report = compute(DAY)
    energy = cells(report, "segment")[str(data["segments"]["energy"].pk)]
    assert (energy["members"], energy["universe"], energy["coverage"], energy["residual"]) == (0, 0, None, None)
    assert any("Energie" in note for note in report["breakdowns"]["segment"]["notes"])


@pytest.mark.django_db
def test_index_is_one_minus_dissimilarity_of_segment_shares():
    small_universe()
    report = compute(DAY)
    expected = 1 - 0.5 * (abs(2 / 3 - 6 / 10) + abs(1 / 3 - 4 / 10))
    assert report["index"] == pytest.approx(expected)
    assert report["breakdowns"]["segment"]["index"] == pytest.approx(expected)


@pytest.mark.django_db
def test_province_arrondissement_division_and_age_breakdowns():
    small_universe()
    report = compute(DAY)
    province = cells(report, "province")
    assert (province["90000"]["members"], province["90000"]["universe"]) == (2, 4)
    assert (province["60000"]["members"], province["60000"]["universe"]) == (1, 6)
    assert province["90000"]["residual"] == pytest.approx(residual(2, 3, 4, 10))
    assert "Namur" in province["90000"]["label"]
    assert report["breakdowns"]["province"]["p_value"] is not None
    arrondissement = cells(report, "arrondissement")
    assert (arrondissement["92000"]["members"], arrondissement["92000"]["universe"]) == (2, 4)
    division = cells(report, "division")
    assert (division["43"]["members"], division["43"]["universe"]) == (2, 6)
    assert (division["71"]["members"], division["71"]["universe"]) == (1, 4)
    age = cells(report, "age")
    assert (age["0-2"]["members"], age["0-2"]["universe"]) == (1, 1)
    assert (age["10-20"]["members"], age["10-20"]["universe"]) == (1, 5)
    assert (age["20+"]["members"], age["20+"]["universe"]) == (1, 4)


@pytest.mark.django_db
def test_size_band_counts_members_only_and_says_why():
    small_universe()
    report = compute(DAY)
    size = cells(report, "size")
    assert size["250-499"]["members"] == 1 and size["250-499"]["universe"] is None
    assert report["breakdowns"]["size"]["index"] is None
    assert any("effectif" in note for note in report["breakdowns"]["size"]["notes"])


@pytest.mark.django_db
def test_sme_share_counts_members_with_a_known_size_class():
    small_universe()
    share = compute(DAY)["sme_share"]
    assert (share["smes"], share["known"], share["unknown"]) == (3, 4, 1)
    assert share["value"] == pytest.approx(0.75)


@pytest.mark.django_db
def test_evolution_has_a_point_per_year_end_from_membership_history():
    small_universe()
    report = compute(DAY)
    points = {p["date"]: p for p in report["evolution"]}
    assert list(points) == ["2021-12-31", "2022-12-31", "2023-12-31", "2024-12-31", "2025-06-30"]
    # End of 2022: members 2 and 7; enterprise 1 (started 2024) not yet in the universe (5 + 4).
    assert points["2022-12-31"]["members"] == 2
    assert points["2022-12-31"]["index"] == pytest.approx(1 - 0.5 * (abs(0.5 - 5 / 9) + abs(0.5 - 4 / 9)))
    assert points["2025-06-30"]["index"] == pytest.approx(report["index"])


@pytest.mark.django_db
def test_date_before_any_membership_gives_no_index_and_a_note():
    small_universe()
    report = compute(dt.date(2019, 1, 1))
    assert report["members_in_perimeter"] == 0
    assert report["universe"] == 9  # enterprise 1 started in 2024
    assert report["index"] is None
    assert report["evolution"] == [{"date": "2019-01-01", "index": None, "members": 0}]
    assert any("Aucune adhésion" in note for note in report["notes"])


@pytest.mark.django_db
def test_empty_perimeter_is_explained_without_breakdowns():
    chain = ValueChain.objects.create(name="Vide", slug="vide")
    Segment.objects.create(value_chain=chain, name="Sans codes", slug="sans-codes")
    enterprise(1, ["43110"])
    report = compute(DAY)
    assert report["breakdowns"] == {}
    assert report["index"] is None
    assert any("périmètre est vide" in note for note in report["notes"])


@pytest.mark.django_db
def test_perimeter_without_any_register_enterprise_is_explained():
    chain = ValueChain.objects.create(name="Energie", slug="energie")
    segment(chain, "solaire", [("2025", "3511")])
    report = compute(DAY)
    assert report["universe"] == 0
    assert report["coverage"] is None and report["index"] is None
    assert any("Aucune entreprise du registre dans le périmètre" in note for note in report["notes"])
    assert any("Aucune donnée du registre" in note for note in report["notes"])


@pytest.mark.django_db
def test_zero_members_gives_zero_coverage_and_no_index():
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    segment(chain, "demolition", [("2025", "431")])
    enterprise(1, ["43110"])
    enterprise(2, ["43120"])
    report = compute(DAY)
    assert report["coverage"] == 0
    assert report["index"] is None
    assert all(c["residual"] is None for c in report["breakdowns"]["province"]["cells"])
    assert any("Aucun membre dans le périmètre" in note for note in report["notes"])


@pytest.mark.django_db
def test_all_enterprises_members_give_perfect_index_and_zero_residuals():
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    segment(chain, "demolition", [("2025", "431")])
    segment(chain, "architecture", [("2008", "71")])
    numbers = [enterprise(1, ["43110"]), enterprise(2, ["43120"], zipcode="4000")]
    numbers.append(enterprise(3, ["71110"], zipcode="4000", version=2008))
    for i, number in enumerate(numbers):
        member(f"Membre {i}", number)
    report = compute(DAY)
    assert report["coverage"] == 1
    assert report["index"] == pytest.approx(1.0)
    assert all(c["residual"] in (0, None) for c in report["breakdowns"]["province"]["cells"])
    assert any("Toutes les entreprises" in note for note in report["notes"])


@pytest.mark.django_db
def test_secondary_activities_do_not_put_an_enterprise_in_the_perimeter():
    data = small_universe()
    report = compute(DAY)
    assert report["universe"] == 10  # enterprise 12 has 43.11 only as a secondary activity
    assert data["numbers"][12]


def test_residual_is_significant_when_members_crowd_a_small_cell():
    breakdown = build_breakdown("x", "x", [("a", "A", 10, 10), ("b", "B", 0, 90)], 10, 100)
    a, b = breakdown.cells
    assert a.residual == pytest.approx((10 - 1) / math.sqrt(1 * 0.9))
    assert a.significant and b.significant
    assert b.residual < -1.96
    assert breakdown.index == pytest.approx(1 - 0.5 * (abs(1 - 0.1) + abs(0 - 0.9)))
    assert breakdown.chi2 == pytest.approx((10 - 1) ** 2 / 1 + (0 - 9) ** 2 / 9)


def test_residual_and_index_are_undefined_without_members_or_universe():
    assert adjusted_residual(0, 0, 5, 10) is None
    assert adjusted_residual(1, 3, 0, 10) is None
    assert adjusted_residual(3, 3, 10, 10) is None
    assert dissimilarity_index([(0, 5), (0, 5)]) is None
    assert dissimilarity_index([(1, 0), (1, 0)]) is None


@pytest.mark.django_db
def test_command_prints_json_with_cells_index_and_date():
    small_universe()
    out = StringIO()
    call_command("ecosystem", "representativeness", "--json", "--date", "2025-06-30", stdout=out)
    report = json.loads(out.getvalue())
    assert report["date"] == "2025-06-30"
    assert report["index"] == pytest.approx(1 - 0.5 * (abs(2 / 3 - 6 / 10) + abs(1 / 3 - 4 / 10)))
    for breakdown in ("segment", "division", "province", "arrondissement", "size", "age"):
        cell = report["breakdowns"][breakdown]["cells"][0]
        assert {"key", "label", "members", "universe", "coverage", "member_share", "universe_share", "residual"} <= set(
            cell
        )


@pytest.mark.django_db
def test_command_refuses_a_malformed_date_naming_the_option():
    with pytest.raises(CommandError, match="--date"):
        call_command("ecosystem", "representativeness", "--date", "30/06/2025")
