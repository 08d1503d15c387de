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


TODAY = dt.date.today()


@pytest.fixture
def engaged(org_a, org_b, staff_user):
    """a: two interactions and leads an innovation project; b: partner of that project only; c: nothing.

    a and b are in segment "Construction" and linked; c is alone in segment "Conseil".
    """
    from grappe.ecosystem.models import ValueChain
    from grappe.innovation import services as innovation
    from grappe.partnerships import services as partnerships

    c = services.organisation_create(actor=None, name="Conseil Gamma", kind=Organisation.Kind.COMPANY)
    services.membership_create(actor=None, organisation=c, start_date=dt.date(2022, 1, 1), yearly_fee=Decimal("1"))
    for day in (TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=100)):
        partnerships.interaction_log(actor=staff_user, organisation=org_a, kind="call", date=day, summary="Appel")
    project = innovation.project_create(actor=None, title="Liant bas carbone", lead_organisation=org_a)
    innovation.partner_add(actor=None, project=project, organisation=org_b, role="sme")
    services.relationship_create(actor=None, source=org_a, target=org_b, kind="partner", since=dt.date(2024, 1, 1))
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    construction = chain.segments.create(name="Construction", slug="construction", order=1)
    advice = chain.segments.create(name="Conseil", slug="conseil", order=2)
    org_a.segments.add(construction)
    org_b.segments.add(construction)
    c.segments.add(advice)
    return {"a": org_a, "b": org_b, "c": c}


def _csv(client, table):
    response = client.get(reverse("insights:dashboard"), {"date": TODAY.isoformat(), "csv": table})
    assert response.status_code == 200
    return response.content.decode("utf-8-sig").splitlines()


def test_engagement_counts_each_activity_and_innovation_projects(engaged, observer_client):
    from grappe.insights.dashboard import engagement

    rows = {r["name"]: r for r in engagement(TODAY)["rows"]}
    assert rows["Alpha Matériaux"]["parts"]["interactions"] == 2
    assert rows["Alpha Matériaux"]["parts"]["projects"] == 1
    assert rows["Alpha Matériaux"]["score"] == 6  # 3 points per interaction; projects are outside the score
    assert (rows["Béton Bêta"]["parts"]["projects"], rows["Béton Bêta"]["score"]) == (1, 0)
    assert sum(rows["Conseil Gamma"]["parts"].values()) == 0
    lines = _csv(observer_client, "engagement")
    assert lines[0] == "organisation;score;events;meetings;collaborations;interactions;introductions;bulletins;projects"
    assert "Alpha Matériaux;6;0;0;0;2;0;0;1" in lines


def test_a_member_without_any_activity_in_twelve_months_is_at_risk(engaged, observer_client):
    by_name = {r["name"]: r for r in members_at_risk(TODAY)["rows"]}
    assert by_name["Conseil Gamma"]["reasons"] == ["aucune activité en 12 mois"]
    assert "Béton Bêta" not in by_name  # its innovation project is activity
    assert "Alpha Matériaux" not in by_name
    assert _csv(observer_client, "risk")[1:] == ["Conseil Gamma;aucune activité en 12 mois;"]


def test_a_staff_only_project_counts_as_activity_for_staff_only(engaged, staff_client, observer_client, staff_user):
    """INNO-STAFF-ONLY: observers read the dashboard; a confidential project must not show through it."""
    from grappe.innovation.models import InnovationProject
    from tests.api.conftest import bearer, make_token

    InnovationProject.objects.update(confidentiality=InnovationProject.Confidentiality.STAFF)
    assert "Alpha Matériaux;6;0;0;0;2;0;0;1" in _csv(staff_client, "engagement")
    assert "Alpha Matériaux;6;0;0;0;2;0;0;0" in _csv(observer_client, "engagement")
    assert _csv(staff_client, "risk")[1:] == ["Conseil Gamma;aucune activité en 12 mois;"]
    assert _csv(observer_client, "risk")[1:] == [
        "Béton Bêta;aucune activité en 12 mois;",
        "Conseil Gamma;aucune activité en 12 mois;",
    ]
    # The API decides on the token's user (request.auth), not on the anonymous request.user of a token call.
    api = "/api/v1/insights/dashboard"
    staff_risk = bearer(make_token(staff_user, ["insights:read"])).get(api).json()["members_at_risk"]
    assert [r["name"] for r in staff_risk] == ["Conseil Gamma"]
    assert [r["name"] for r in observer_client.get(api).json()["members_at_risk"]] == ["Béton Bêta", "Conseil Gamma"]


def test_segments_are_ranked_from_most_to_least_connected(engaged, observer_client):
    assert _csv(observer_client, "connectivity")[1:] == ["Bâtiment — Construction;2;1.0", "Bâtiment — Conseil;1;0.0"]
    body = observer_client.get(reverse("insights:dashboard"), {"date": TODAY.isoformat()}).content.decode()
    assert "Segments les plus et les moins connectés" in body and "Conseil Gamma" in body


def test_coverage_by_segment_is_a_table_and_a_csv(staff_client):
    from .factories import small_universe

    data = small_universe()
    lines = _csv_at(staff_client, "segments", "2025-06-30")
    assert lines[0] == "segment;members;universe;coverage;residual"
    demolition = next(line for line in lines if line.startswith("Bâtiment — Demolition;"))
    assert demolition.startswith("Bâtiment — Demolition;2;6;0.333")
    assert ";0.235" in demolition  # residual (2 − 1.8) / √0.72
    energy = next(line for line in lines if line.startswith("Bâtiment — Energie;"))
    assert energy == "Bâtiment — Energie;0;0;;"
    body = staff_client.get(reverse("insights:dashboard"), {"date": "2025-06-30"}).content.decode()
    assert "Couverture par segment" in body and "33,3" in body  # 2 of 6, shown as a percentage
    assert reverse("insights:prospects") + f"?date=2025-06-30&amp;segment={data['segments']['architecture'].pk}" in body


def _csv_at(client, table, day):
    response = client.get(reverse("insights:dashboard"), {"date": day, "csv": table})
    return response.content.decode("utf-8-sig").splitlines()
