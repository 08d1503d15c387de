"""Exports of the filtered organisation list and of people: staff only, right rows, no private data."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from grappe.core.models import AuditEntry
from grappe.ecosystem import exporting, importing, services
from grappe.ecosystem.models import Competence, Membership, Organisation, Segment, ValueChain

pytestmark = pytest.mark.django_db

ROLES = {
    "client": "anonymous",
    "member_a_client": 403,
    "member_b_client": 403,
    "observer_client": 403,
    "staff_client": 200,
    "admin_client_": 200,
}


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def private_data(org_a, org_b, member_a):
    """Notes and fees that must never leave the database through an export."""
    org_a.internal_notes = "NOTE-INTERNE-SECRETE"
    org_a.save()
    Membership.objects.filter(organisation=org_a).update(notes="NOTE-ADHESION-SECRETE", yearly_fee=Decimal("1234.56"))
    member_a.person.notes = "NOTE-PERSONNE-SECRETE"
    member_a.person.save()


@pytest.mark.parametrize(("client_fixture", "expected"), ROLES.items())
@pytest.mark.parametrize("url_name", ["ecosystem:organisation_export", "ecosystem:person_export"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_for_staff_only(request, client_fixture, expected, url_name, fmt):
    client = request.getfixturevalue(client_fixture)
    response = client.get(reverse(url_name, args=[fmt]))
    if expected == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == expected


def test_unknown_export_format_is_not_found(staff_client):
    assert staff_client.get("/staff/organisations/export/pdf/").status_code == 404


def test_csv_export_of_a_filtered_list_has_the_matching_rows_only(staff_client, org_a, org_b):
    services.activity_set(actor=None, organisation=org_a, codes=["43.110", "71.121"])
    response = staff_client.get(reverse("ecosystem:organisation_export", args=["csv"]), {"q": "alpha"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="organisations-')
    header, *rows = csv_rows(response)
    assert header == exporting.organisation_headers()
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Nom"] == "Alpha Matériaux"
    assert row["Type"] == "entreprise"
    assert row["Numéro d'entreprise"] == "0403.019.261"
    assert row["Adresse du siège"] == "Rue de l'Industrie 1"
    assert row["Code postal"] == "5000"
    assert row["Commune"] == "Namur"
    assert row["Province"] == "Province de Namur"
    assert row["Codes NACE"] == "43.110; 71.121"
    assert row["Libellé NACE principal"] == "Démolition"
    assert row["Membre aujourd'hui"] == "oui"
    assert row["Catégorie d'adhésion"] == "PME"
    assert row["Statut d'adhésion"] == "membre"


def test_export_filters_like_the_list_by_province_and_membership(staff_client, org_a, org_b):
    liege = org_b.sites.get().municipality.province.nis
    response = staff_client.get(reverse("ecosystem:organisation_export", args=["csv"]), {"province": liege})
    assert [row[0] for row in csv_rows(response)[1:]] == ["Béton Bêta"]
    services.organisation_create(actor=None, name="Non Membre")
    response = staff_client.get(reverse("ecosystem:organisation_export", args=["csv"]), {"status": "non_member"})
    assert [row[0] for row in csv_rows(response)[1:]] == ["Non Membre"]


def test_xlsx_export_has_a_bold_frozen_header_widths_and_typed_dates(staff_client, org_a):
    services.organisation_update(actor=None, organisation=org_a, founded_on=dt.date(2010, 5, 4))
    response = staff_client.get(reverse("ecosystem:organisation_export", args=["xlsx"]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Organisations"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= len("Alpha Matériaux")
    rows = xlsx_rows(response)
    assert rows[0] == exporting.organisation_headers()
    assert rows[1][0] == "Alpha Matériaux"
    assert rows[1][5] == dt.datetime(2010, 5, 4)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_never_contain_notes_or_fees(staff_client, private_data, fmt):
    for url_name in ("ecosystem:organisation_export", "ecosystem:person_export"):
        response = staff_client.get(reverse(url_name, args=[fmt]))
        content = b"".join(response.streaming_content) if fmt == "csv" else response.content
        if fmt == "xlsx":
            content = repr(xlsx_rows(response)).encode()
        for secret in (b"NOTE-INTERNE-SECRETE", b"NOTE-ADHESION-SECRETE", b"NOTE-PERSONNE-SECRETE", b"1234"):
            assert secret not in content


def test_cells_that_would_run_as_formulas_are_neutralised_but_phone_numbers_stay(staff_client):
    services.organisation_create(actor=None, name='=HYPERLINK("http://evil.example","clic")', phone="+32 81 12 34 56")
    header, row = csv_rows(staff_client.get(reverse("ecosystem:organisation_export", args=["csv"])))
    assert row[0] == '\'=HYPERLINK("http://evil.example","clic")'
    assert row[header.index("Téléphone")] == "+32 81 12 34 56"
    response = staff_client.get(reverse("ecosystem:organisation_export", args=["xlsx"]))
    cell = load_workbook(io.BytesIO(response.content)).worksheets[0]["A2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","clic")'


def _many_organisations(count: int) -> None:
    chain = ValueChain.objects.create(name="Construction", slug="construction")
    segment = Segment.objects.create(value_chain=chain, name="Gros œuvre", slug="gros-oeuvre")
    competence = Competence.objects.create(name="Béton", slug="beton")
    for i in range(count):
        org = services.organisation_create(
            actor=None, name=f"Entreprise {i:03}", segments=[segment], competences=[competence]
        )
        services.site_add(actor=None, organisation=org, postal_code="5000", street="Rue", number=str(i))
        services.activity_set(actor=None, organisation=org, codes=["43.110"])
        services.membership_create(actor=None, organisation=org, start_date=dt.date(2023, 1, 1))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_of_50_organisations_takes_as_many_queries_as_for_5(staff_client, django_assert_max_num_queries, fmt):
    _many_organisations(5)
    url = reverse("ecosystem:organisation_export", args=[fmt])
    with CaptureQueriesContext(connection) as few:
        response = staff_client.get(url)
        body = b"".join(response.streaming_content) if fmt == "csv" else response.content
    assert body
    assert len(few.captured_queries) < 25
    for i in range(45):
        org = services.organisation_create(actor=None, name=f"Autre {i:03}", segments=Segment.objects.all())
        services.site_add(actor=None, organisation=org, postal_code="4000")
        services.activity_set(actor=None, organisation=org, codes=["23.610"])
        services.membership_create(actor=None, organisation=org, start_date=dt.date(2023, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(url)
        body = b"".join(response.streaming_content) if fmt == "csv" else response.content
    if fmt == "csv":
        assert body.count(b"\r\n") == 51
    else:
        assert len(xlsx_rows(response)) == 51


def test_people_export_lists_current_organisations_and_functions_only(staff_client, member_a, org_b):
    anna = member_a.person
    old = services.affiliation_create(actor=None, person=anna, organisation=org_b, function="Stagiaire")
    services.affiliation_end(actor=None, affiliation=old, end_date=dt.date(2020, 1, 1))
    services.person_update(actor=None, person=anna, languages=["fr", "nl"], phone="0470 00 00 00")
    header, *rows = csv_rows(staff_client.get(reverse("ecosystem:person_export", args=["csv"])))
    assert header == ["Nom", "Prénom", "E-mail", "Téléphone", "Organisation", "Fonction", "Langues"]
    assert rows == [["Alpha", "Anna", "anna@alpha.test", "0470 00 00 00", "Alpha Matériaux", "Directrice", "fr, nl"]]


def test_people_export_follows_the_search(staff_client, member_a, member_b):
    rows = csv_rows(staff_client.get(reverse("ecosystem:person_export", args=["csv"]), {"q": "bruno"}))[1:]
    assert [row[1] for row in rows] == ["Bruno"]


def test_each_export_is_recorded_in_the_audit_log(staff_client, staff_user, member_a):
    staff_client.get(reverse("ecosystem:person_export", args=["xlsx"]), {"q": "anna"})
    entry = AuditEntry.objects.get(action="ecosystem.people.exported")
    assert entry.actor == staff_user
    assert entry.changes == {"format": "xlsx", "filters": {"q": "anna"}}


def test_an_exported_file_imports_back_with_every_column_recognised(staff_client, staff_user, org_a, org_b):
    services.activity_set(actor=None, organisation=org_a, codes=["43.110", "71.121"])
    services.organisation_update(
        actor=None, organisation=org_a, founded_on=dt.date(2010, 5, 4), headcount_band="20-49", website="https://a.be"
    )
    response = staff_client.get(reverse("ecosystem:organisation_export", args=["csv"]))
    data = b"".join(response.streaming_content)
    table = importing.read_table(data, "export.csv")
    plan = importing.build_plan(
        importing.ORGANISATIONS, table, filename="export.csv", mode=importing.MODE_CREATE_OR_UPDATE
    )
    assert plan.errors == []
    assert {key for key in plan.mapping if key} == {
        "name", "acronym", "kind", "enterprise_number", "legal_form", "founded_on", "headcount_band", "website",
        "email", "phone", "street", "postal_code", "municipality", "nace", "segments", "competences",
    }  # fmt: skip
    assert [line.effective_action for line in plan.lines] == ["update", "update"]
    before = sorted(Organisation.objects.values_list("name", "founded_on", "headcount_band", "website"))
    importing.apply_plan(plan, actor=staff_user)
    assert sorted(Organisation.objects.values_list("name", "founded_on", "headcount_band", "website")) == before
    assert sorted(org_a.activities.values_list("nace__code", "is_main")) == [("43110", True), ("71121", False)]


@pytest.mark.parametrize(("kind", "url_name"), [("organisation", "organisation_export"), ("person", "person_export")])
def test_export_links_snippet_passes_the_current_filters_on(rf, kind, url_name):
    from django.template.loader import render_to_string

    request = rf.get("/staff/organisations/", {"q": "béton", "kind": "company"})
    html = render_to_string("ecosystem/_export_links.html", {"kind": kind}, request=request)
    for fmt in ("csv", "xlsx"):
        assert f'href="{reverse(f"ecosystem:{url_name}", args=[fmt])}?q=b%C3%A9ton&amp;kind=company"' in html
