import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
from grappe.insights.dashboard import members_at_risk, membership_quarters, quarters

DAY = dt.date(2025, 5, 15)


def test_quarters_end_on_the_day_and_cover_consecutive_periods():
    periods = quarters(DAY, 3)
    assert periods == [
        (dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        (dt.date(2025, 4, 1), DAY),
    ]


@pytest.fixture
def history(db):
    joined = services.organisation_create(actor=None, name="Nouvelle", kind=Organisation.Kind.COMPANY)
    services.membership_create(
        actor=None, organisation=joined, start_date=dt.date(2025, 4, 10), yearly_fee=Decimal("1")
    )
    left = services.organisation_create(actor=None, name="Partie", kind=Organisation.Kind.COMPANY)
    services.membership_create(
        actor=None,
        organisation=left,
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2025, 2, 1),
        yearly_fee=Decimal("1"),
    )
    unpaid = services.organisation_create(actor=None, name="Impayée", kind=Organisation.Kind.COMPANY)
    services.membership_create(
        actor=None,
        organisation=unpaid,
        start_date=dt.date(2024, 1, 1),
        fee_paid_until=dt.date(2024, 12, 31),
        yearly_fee=Decimal("1"),
    )
    return {"joined": joined, "left": left, "unpaid": unpaid}


def test_membership_quarters_count_joins_exits_and_members(history):
    rows = {r["quarter"]: r for r in membership_quarters(DAY, 3)}
    assert (rows["2025-T2"]["joins"], rows["2025-T2"]["exits"], rows["2025-T2"]["members"]) == (1, 0, 2)
    assert (rows["2025-T1"]["joins"], rows["2025-T1"]["exits"], rows["2025-T1"]["members"]) == (0, 1, 1)


def test_members_at_risk_include_an_unpaid_fee(history):
    risk = members_at_risk(DAY)
    by_name = {r["name"]: r for r in risk["rows"]}
    assert "cotisation impayée" in by_name["Impayée"]["reasons"]
    assert "Partie" not in by_name


def test_dashboard_shows_figures_and_links_prospects_of_under_represented_segments(history, staff_client):
    response = staff_client.get(reverse("insights:dashboard"), {"date": DAY.isoformat()})
    body = response.content.decode()
    assert response.status_code == 200
    assert "2025-T2" in body and "Impayée" in body
    assert body.count("<svg") >= 2


def test_dashboard_tables_download_as_csv(history, observer_client):
    response = observer_client.get(reverse("insights:dashboard"), {"date": DAY.isoformat(), "csv": "quarters"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "quarter;joins;exits;members"
    assert "2025-T2;1;0;2" in lines
    assert observer_client.get(reverse("insights:dashboard"), {"csv": "nope"}).status_code == 404


@pytest.mark.parametrize(
    "role, status",
    [
        ("client", 302),
        ("member_a_client", 403),
        ("member_b_client", 403),
        ("observer_client", 200),
        ("staff_client", 200),
        ("admin_client_", 200),
    ],
)
def test_dashboard_is_for_staff_and_observers(role, status, request, db):
    assert request.getfixturevalue(role).get(reverse("insights:dashboard")).status_code == status
