import datetime as dt

import pytest
from django.urls import reverse

from grappe.ecosystem.models import Membership, Organisation, ValueChain
from grappe.insights.prospects import rank_prospects

from .factories import enterprise, kbo_number, member, segment

DAY = dt.date(2025, 6, 30)


@pytest.fixture
def skewed_universe(db):
    """Members all in Namur architecture; Liège demolition (20 enterprises) has none: significantly under."""
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    demolition = segment(chain, "demolition", [("2025", "431")])
    segment(chain, "architecture", [("2025", "7111")])
    for n in range(1, 21):
        enterprise(n, ["43110"], zipcode="4000", form="610" if n <= 10 else "014")
    for n in range(21, 31):
        number = enterprise(n, ["71110"], zipcode="5000", form="610")
        if n <= 26:
            member(f"Archi {n}", number)
    return {"demolition": demolition}


def test_prospects_are_the_non_members_of_under_represented_cells(skewed_universe):
    result = rank_prospects(DAY)
    numbers = {p.number for p in result.prospects}
    assert numbers == {kbo_number(n) for n in range(1, 21)}
    assert result.candidates == 20
    assert {c["breakdown"] for c in result.under} >= {"segment", "province", "division"}


def test_prospects_that_share_the_members_legal_form_rank_first(skewed_universe):
    result = rank_prospects(DAY)
    first_ten = {p.number for p in result.prospects[:10]}
    assert first_ten == {kbo_number(n) for n in range(1, 11)}
    assert result.prospects[0].score > result.prospects[-1].score


def test_each_prospect_explains_its_score(skewed_universe):
    prospect = rank_prospects(DAY).prospects[0]
    text = " ; ".join(prospect.reasons)
    assert "Province de Liège sous-représenté(e) (résidu −" in text
    assert "segment « Demolition »" in text


def test_prospects_filter_by_province_and_segment(skewed_universe):
    assert rank_prospects(DAY, province="90000").prospects == []
    assert len(rank_prospects(DAY, segment=skewed_universe["demolition"].pk).prospects) == 20


def test_no_prospect_without_under_represented_cells(db):
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    segment(chain, "demolition", [("2025", "431")])
    member("Seul", enterprise(1, ["43110"]))
    result = rank_prospects(DAY)
    assert result.prospects == []
    assert any("Aucune cellule sous-représentée" in note for note in result.notes)


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
def test_prospects_page_is_for_staff_and_observers(role, status, request, db):
    response = request.getfixturevalue(role).get(reverse("insights:prospects"))
    assert response.status_code == status


def test_prospects_export_as_csv_and_xlsx(skewed_universe, staff_client):
    csv = staff_client.get(reverse("insights:prospects"), {"date": "2025-06-30", "format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("rank;score;name;enterprise_number")
    assert len(lines) == 21
    xlsx = staff_client.get(reverse("insights:prospects"), {"date": "2025-06-30", "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"


def test_staff_adds_a_register_prospect_to_the_ecosystem_in_one_click(skewed_universe, staff_client):
    number = kbo_number(3)
    response = staff_client.post(reverse("insights:prospect_act"), {"number": str(number)})
    assert response.status_code == 302
    organisation = Organisation.objects.get(enterprise_number=f"{number:010d}")
    assert organisation.source == Organisation.Source.REGISTER
    assert organisation.memberships.get().status == Membership.Status.PROSPECT
    again = staff_client.post(reverse("insights:prospect_act"), {"number": str(number)}, follow=True)
    assert "déjà membre ou prospect" in again.content.decode()
    assert organisation.memberships.count() == 1


@pytest.mark.parametrize(
    "role, status",
    [("client", 302), ("member_a_client", 403), ("observer_client", 403), ("admin_client_", 302)],
)
def test_only_staff_may_add_prospects(role, status, request, skewed_universe):
    client = request.getfixturevalue(role)
    before = Organisation.objects.count()
    response = client.post(reverse("insights:prospect_act"), {"number": str(kbo_number(4))})
    assert response.status_code == status
    added = Organisation.objects.filter(enterprise_number=f"{kbo_number(4):010d}").exists()
    assert added == (role == "admin_client_")
    assert Organisation.objects.count() == before + (1 if added else 0)


def test_adding_an_unknown_number_says_so_and_changes_nothing(skewed_universe, staff_client):
    before = Organisation.objects.count()
    response = staff_client.post(reverse("insights:prospect_act"), {"number": "123"}, follow=True)
    assert "pas dans le registre" in response.content.decode()
    assert Organisation.objects.count() == before


def test_limit_keeps_the_best_and_a_zero_limit_shows_one(skewed_universe):
    best = rank_prospects(DAY).prospects[0]
    assert [p.number for p in rank_prospects(DAY, limit=1).prospects] == [best.number]
    assert len(rank_prospects(DAY, limit=0).prospects) == 1
    assert rank_prospects(DAY, limit=3).candidates == 20
