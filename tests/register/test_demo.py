"""The register demo loader on top of the ecosystem demo: journey 2's changes are there."""

import io

import pytest

from grappe.ecosystem.demo import load as load_ecosystem
from grappe.register.demo import INVENTED, load
from grappe.register.models import Enterprise, RegisterChange
from grappe.register.numbers import number_from_user

pytestmark = pytest.mark.django_db


def test_demo_builds_a_believable_register_with_the_journey_2_changes():
    load_ecosystem(io.StringIO())
    load(io.StringIO())
    numbers = list(Enterprise.objects.values_list("number", flat=True))
    assert len(numbers) > INVENTED and len(set(numbers)) == len(numbers)
    assert all(number_from_user(f"{n:010d}") == n for n in numbers)  # valid mod-97 numbers
    moved = RegisterChange.objects.get(kind="seat_moved")
    assert moved.was_member and moved.leaves_region and moved.details["to"]["zipcode"] == "2800"
    newcomer = RegisterChange.objects.get(kind="new_in_perimeter")
    assert newcomer.organisation is None and newcomer.details["place"]["zipcode"] == "5000"
