import datetime as dt
from collections import Counter

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


def test_xlsx_export_holds_the_same_ranked_rows_as_the_csv(skewed_universe, observer_client):
    import io

    from openpyxl import load_workbook

    params = {"date": "2025-06-30", "format": "xlsx", "province": "60000"}
    book = load_workbook(io.BytesIO(observer_client.get(reverse("insights:prospects"), params).content))
    rows = list(book.active.values)
    assert rows[0][:4] == ("rank", "score", "name", "enterprise_number")
    assert len(rows) == 21 and [r[0] for r in rows[1:]] == list(range(1, 21))
    csv = observer_client.get(reverse("insights:prospects"), {**params, "format": "csv"})
    first = csv.content.decode("utf-8-sig").splitlines()[1].split(";")
    assert rows[1][3] == first[3] and rows[1][6] == "60000"
    assert "Province de Liège sous-représenté(e)" in rows[1][10]


@pytest.fixture
def unregistered(skewed_universe):
    """An ecosystem organisation with no enterprise number, a main activity 43.11 and its seat in Liège."""
    from grappe.ecosystem import services

    org = services.organisation_create(actor=None, name="Démolition sans numéro", kind=Organisation.Kind.COMPANY)
    services.activity_set(actor=None, organisation=org, codes=["43.110"], main="43.110")
    services.site_add(actor=None, organisation=org, postal_code="4000", street="Quai", number="3")
    return org


def test_ecosystem_organisations_without_number_are_prospects_too(unregistered):
    result = rank_prospects(DAY)
    assert result.candidates == 21
    prospect = next(p for p in result.prospects if p.organisation_id == unregistered.pk)
    assert prospect.number is None and prospect.province == "60000"
    assert any("segment « Demolition » sous-représenté(e)" in r for r in prospect.reasons)


def test_staff_marks_an_ecosystem_organisation_as_prospect_in_one_click(unregistered, staff_client):
    page = staff_client.get(reverse("insights:prospects"), {"date": "2025-06-30"}).content.decode()
    assert f'name="organisation" value="{unregistered.pk}"' in page and "Marquer comme prospect" in page
    before = Organisation.objects.count()
    response = staff_client.post(
        reverse("insights:prospect_act"), {"organisation": str(unregistered.pk), "query": "date=2025-06-30"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?date=2025-06-30")
    assert unregistered.memberships.get().status == Membership.Status.PROSPECT
    assert Organisation.objects.count() == before
    missing = staff_client.post(reverse("insights:prospect_act"), {"organisation": "999999"}, follow=True)
    assert "Organisation introuvable." in missing.content.decode()


def test_reasons_count_members_in_the_singular_and_plural(skewed_universe):
    from grappe.insights.prospects import _explain

    prospect = rank_prospects(DAY).prospects[0]
    prospect.codes, prospect.reasons = [(2025, "71110")], []
    _explain([prospect], {}, Counter({(2025, "71110"): 1}), Counter({"62000": 6}), Counter(), {}, 2025)
    assert prospect.reasons == [
        "NACE 71.11 comme 1 membre",
        "6 membres dans son arrondissement (Arrondissement de Liège)",
    ]
