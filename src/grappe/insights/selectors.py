"""Reads of the insights app used by other apps (the objectives contract's indicators).

Names and shapes are the ones ``docs/objectives.md`` expects:
``{"value": Decimal | None, "records": member organisations, "numerator": n, "denominator": d, "note": str}``.
``records`` are the members counted in the perimeter on the date, so their count is the numerator.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from grappe.ecosystem.models import Organisation
from grappe.insights.perimeter import load_perimeter
from grappe.insights.representativeness import compute, member_rows


def _members_in_perimeter(on: dt.date):
    rows = member_rows(load_perimeter(), on).rows
    return Organisation.objects.filter(pk__in=[row.organisation_id for row in rows]).order_by("name")


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def perimeter_coverage(on: dt.date) -> dict[str, Any]:
    """Members in the perimeter / register enterprises in the perimeter, in per cent."""
    report = compute(on, with_evolution=False)
    records = _members_in_perimeter(on)
    universe = report["universe"]
    return {
        "value": _round(100 * report["members_in_perimeter"] / universe) if universe else None,
        "records": records,
        "numerator": report["members_in_perimeter"],
        "denominator": universe,
        "note": " ".join(report["notes"]),
    }


def representativeness_index(on: dt.date) -> dict[str, Any]:
    """The segment representativeness index (1 − dissimilarity) on 0-100."""
    report = compute(on, with_evolution=False)
    return {
        "value": _round(100 * report["index"]) if report["index"] is not None else None,
        "records": _members_in_perimeter(on),
        "numerator": report["members_in_perimeter"],
        "denominator": report["universe"],
        "note": " ".join(report["notes"]),
    }
