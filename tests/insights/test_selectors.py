import datetime as dt
from decimal import Decimal

import pytest

from grappe.insights.selectors import perimeter_coverage, representativeness_index
from grappe.objectives.computations.base import adapt

from .factories import small_universe

DAY = dt.date(2025, 6, 30)


@pytest.mark.django_db
def test_perimeter_coverage_gives_members_over_universe_with_the_members_as_records():
    data = small_universe()
    result = perimeter_coverage(on=DAY)
    assert result["value"] == Decimal("30.0")
    assert (result["numerator"], result["denominator"]) == (3, 10)
    expected = {data["members"][k].pk for k in (1, 2, 7)}
    assert set(result["records"].values_list("pk", flat=True)) == expected
    assert adapt(result).numerator == 3


@pytest.mark.django_db
def test_representativeness_index_is_on_a_0_to_100_scale():
    small_universe()
    result = representativeness_index(on=DAY)
    expected = 100 * (1 - 0.5 * (abs(2 / 3 - 6 / 10) + abs(1 / 3 - 4 / 10)))
    assert result["value"] == Decimal(str(round(expected, 1)))
    assert result["records"].count() == result["numerator"] == 3


@pytest.mark.django_db
def test_objectives_selectors_report_no_data_with_a_note_on_an_empty_perimeter():
    result = representativeness_index(on=DAY)
    assert result["value"] is None
    assert "périmètre est vide" in result["note"]
    assert perimeter_coverage(on=DAY)["value"] is None
