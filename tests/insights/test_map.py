import datetime as dt

import pytest
from django.urls import reverse

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation, Segment, ValueChain
from grappe.insights.mapping import ecosystem_map

from .factories import enterprise, segment


@pytest.fixture
def mapped(org_a, org_b):
    """org_a (Namur) and org_b (Liège) are members; a university and a company are not."""
    uni = services.organisation_create(actor=None, name="Université", kind=Organisation.Kind.UNIVERSITY)
    services.site_add(actor=None, organisation=uni, postal_code="5000", street="Rue de Bruxelles", number="61")
    other = services.organisation_create(actor=None, name="Non membre", kind=Organisation.Kind.COMPANY)
    services.site_add(actor=None, organisation=other, postal_code="4000", street="Quai", number="2")
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    segment(chain, "demolition", [("2025", "431")])
    number_a = int(org_a.enterprise_number)
    from grappe.register.models import Activity, Enterprise

    Enterprise.objects.create(number=number_a, name="Alpha", zipcode="5000", province="90000")
    Activity.objects.create(
        entity_number=number_a,
        enterprise_id=number_a,
        activity_group="001",
        nace_version=2025,
        nace_code="43110",
        classification="MAIN",
    )
    enterprise(1, ["43110"], zipcode="5000")
    enterprise(2, ["43110"], zipcode="5000")
    enterprise(3, ["43110"], zipcode="4000")
    return uni


def test_map_counts_members_non_members_research_and_coverage(mapped):
    data = ecosystem_map(dt.date.today())
    provinces = {r["nis"]: r for r in data["provinces"]}
    namur, liege = provinces["90000"], provinces["60000"]
    assert (namur["members"], namur["non_members"], namur["research"], namur["universe"]) == (1, 0, 1, 3)
    assert namur["coverage"] == pytest.approx(1 / 3)
    assert (liege["members"], liege["non_members"], liege["research"], liege["universe"]) == (1, 1, 0, 1)
    assert liege["coverage"] == 0


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
def test_map_page_is_for_staff_and_observers(role, status, request, db):
    assert request.getfixturevalue(role).get(reverse("insights:map")).status_code == status


def test_map_page_draws_circles_with_titles_and_no_external_resource(mapped, staff_client):
    body = staff_client.get(reverse("insights:map")).content.decode()
    assert 'class="layer-members"' in body and 'class="layer-research"' in body
    assert "Namur — membres 1, non-membres 0, recherche 1, univers 3" in body
    assert "tile" not in body.lower() and "https://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_map_province_table_downloads_as_csv(mapped, observer_client):
    response = observer_client.get(reverse("insights:map"), {"csv": "provinces"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "province;label;members;non_members;research;universe;coverage"
    assert any(line.startswith("90000;Province de Namur;1;0;1;3;") for line in lines)


def test_map_filters_organisations_by_segment(mapped):
    demolition = Segment.objects.get(slug="demolition")  # no organisation carries it; four enterprises do
    data = ecosystem_map(dt.date.today(), segment=demolition.pk)
    assert sum(r["members"] + r["non_members"] + r["research"] for r in data["provinces"]) == 0
    assert sum(r["universe"] for r in data["provinces"]) == 4


def test_map_counts_per_municipality_with_coverage_and_csv(mapped, observer_client):
    places = {p.label: p for p in ecosystem_map(dt.date.today())["places"]}
    namur, liege = places["Namur"], places["Liège"]
    assert (namur.counts["members"], namur.counts["non_members"], namur.counts["research"]) == (1, 0, 1)
    assert (namur.counts["universe"], namur.coverage) == (3, pytest.approx(1 / 3))
    assert (liege.counts["members"], liege.counts["non_members"], liege.counts["universe"], liege.coverage) == (
        1,
        1,
        1,
        0,
    )
    response = observer_client.get(reverse("insights:map"), {"csv": "municipalities"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "municipality;label;members;non_members;research;universe;coverage"
    assert f"{namur.nis};Namur;1;0;1;3;0.3333333333333333" in lines
    assert f"{liege.nis};Liège;1;1;0;1;0.0" in lines


def test_segment_filter_keeps_the_segment_organisations_and_its_universe(mapped, org_a, staff_client):
    demolition = Segment.objects.get(slug="demolition")
    other = Organisation.objects.get(name="Non membre")
    org_a.segments.add(demolition)
    other.segments.add(demolition)
    provinces = {r["nis"]: r for r in ecosystem_map(dt.date.today(), segment=demolition.pk)["provinces"]}
    assert (provinces["90000"]["members"], provinces["90000"]["research"], provinces["90000"]["universe"]) == (1, 0, 3)
    assert provinces["90000"]["coverage"] == pytest.approx(1 / 3)
    assert (provinces["60000"]["members"], provinces["60000"]["non_members"]) == (0, 1)
    body = staff_client.get(reverse("insights:map"), {"segment": demolition.pk}).content.decode()
    assert f'<option value="{demolition.pk}" selected>' in body
    assert "Namur — membres 1, non-membres 0, recherche 0, univers 3, couverture 33.3 %" in body
