"""Views: every view × every role, drill-downs without private data for observers, forms with clear errors."""

import datetime as dt
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from grappe.core.models import AuditEntry
from grappe.ecosystem.models import Organisation
from grappe.objectives import services
from grappe.objectives.models import Indicator, Measurement, ObjectivesContract, ReportArchive
from grappe.objectives.reports.content import build

from .conftest import code_of

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ROLES = ["anonymous", "member_a", "member_b", "observer", "staff", "admin"]


@pytest.fixture
def clients(client, member_a_client, member_b_client, observer_client, staff_client, admin_client_):
    return {
        "anonymous": client,
        "member_a": member_a_client,
        "member_b": member_b_client,
        "observer": observer_client,
        "staff": staff_client,
        "admin": admin_client_,
    }


@pytest.fixture
def world(ecosystem_2024, contract, staff_user):
    manual = contract.indicators.get(code="G1")
    measurement = services.measurement_create(
        actor=staff_user, indicator=manual, year=2024, value="2", evidence_link="https://example.org/pv-comite.pdf"
    )
    # An archive with real numbers; its file is a stand-in (rendering is tested in test_reports).
    snapshot = dt.date(2024, 12, 31)
    archive = ReportArchive(
        contract=contract, year=2024, snapshot_date=snapshot, numbers=build(contract, 2024, snapshot=snapshot).numbers
    )
    archive.pdf_file.save("rapport.pdf", ContentFile(b"%PDF-1.4 stand-in"), save=True)
    members = contract.indicators.get(computation_key="ecosystem.members_at_year_end")
    objective = contract.objectives.get(code="O1")
    return {
        "contract": contract,
        "manual": manual,
        "measurement": measurement,
        "archive": archive,
        "members": members,
        "objective": objective,
    }


def read_urls(w) -> list[str]:
    c = w["contract"]
    return [
        reverse("objectives:dashboard") + "?year=2024",
        reverse("objectives:dashboard_csv") + "?year=2024",
        reverse("objectives:indicator_detail", args=[w["members"].pk]),
        reverse("objectives:drilldown", args=[w["members"].pk, 2024]),
        reverse("objectives:report_download", args=[c.pk]) + "?kind=annual&year=2024&fmt=xlsx&language=fr",
        reverse("objectives:archive_list", args=[c.pk]),
        reverse("objectives:archive_detail", args=[w["archive"].pk]),
        reverse("objectives:archive_file", args=[w["archive"].pk, "pdf"]),
    ]


def write_get_urls(w) -> list[str]:
    c = w["contract"]
    return [
        reverse("objectives:contract_list"),
        reverse("objectives:contract_create"),
        reverse("objectives:contract_detail", args=[c.pk]),
        reverse("objectives:contract_edit", args=[c.pk]),
        reverse("objectives:objective_create", args=[c.pk]),
        reverse("objectives:objective_edit", args=[c.pk, w["objective"].pk]),
        reverse("objectives:indicator_create", args=[c.pk]),
        reverse("objectives:indicator_edit", args=[c.pk, w["members"].pk]),
        reverse("objectives:measurement_create", args=[w["manual"].pk]),
        reverse("objectives:measurement_edit", args=[w["manual"].pk, w["measurement"].pk]),
    ]


def write_post_urls(w) -> list[str]:
    return [
        reverse("objectives:indicator_delete", args=[w["members"].pk]),
        reverse("objectives:measurement_delete", args=[w["measurement"].pk]),
        reverse("objectives:report_archive", args=[w["contract"].pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_read_pages_are_for_staff_admin_and_observers_only(world, clients, role):
    for url in read_urls(world):
        response = clients[role].get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login" in response["Location"], url
        elif role in ("member_a", "member_b"):
            assert response.status_code == 403, url
        else:
            assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_configuration_pages_and_writes_are_for_staff_and_admin_only(world, clients, role):
    for url in write_get_urls(world):
        response = clients[role].get(url)
        expected = {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403}.get(role, 200)
        assert response.status_code == expected, (url, response.status_code)
    if role in ("staff", "admin"):
        return
    for url in write_post_urls(world):
        response = clients[role].post(url, {"kind": "annual", "year": 2024, "fmt": "pdf", "language": "fr"})
        assert response.status_code in (302, 403)
        if role != "anonymous":
            assert response.status_code == 403
    assert Indicator.objects.filter(pk=world["members"].pk).exists()
    assert Measurement.objects.filter(pk=world["measurement"].pk).exists()
    assert ReportArchive.objects.count() == 1


def test_dashboard_shows_targets_actuals_statuses_and_links_to_the_evidence(world, staff_client):
    response = staff_client.get(reverse("objectives:dashboard") + "?year=2024")
    html = response.content.decode()
    drill = reverse("objectives:drilldown", args=[world["members"].pk, 2024])
    assert f'href="{drill}"' in html
    assert "à risque" in html and "atteint" in html and "pas de données" in html
    assert "<svg" in html  # trends drawn on the server


def test_dashboard_csv_has_every_indicator(world, observer_client):
    content = observer_client.get(reverse("objectives:dashboard_csv") + "?year=2024").content.decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert len(lines) == 1 + world["contract"].indicators.count()
    assert any(line.startswith("Mission 1") and ";4;4;atteint;" in line for line in lines)


def test_staff_drilldown_lists_the_organisations_with_links(world, staff_client):
    html = staff_client.get(reverse("objectives:drilldown", args=[world["members"].pk, 2024])).content.decode()
    for name in ("Alpha", "Bêta", "Delta", "Hôtel"):
        assert name in html
    assert "Centre R" not in html  # resigned in June
    assert "Enregistrements (4)" in html


def test_every_breakdown_number_opens_the_records_of_its_line(world, staff_client, observer_client):
    """Members at 31/12/2024 by kind: companies Alpha, Bêta, Delta (3); association Hôtel (1)."""
    by_kind = world["contract"].indicators.get(computation_key="ecosystem.members_by_kind")
    url = reverse("objectives:drilldown", args=[by_kind.pk, 2024])
    dashboard = staff_client.get(reverse("objectives:dashboard") + "?year=2024").content.decode()
    assert f'{url}?line=company">3</a>' in dashboard
    assert f'{url}?line=association">1</a>' in dashboard
    for client in (staff_client, observer_client):
        html = client.get(url + "?line=association").content.decode()
        assert "Enregistrements : Association (1)" in html
        assert "Hôtel" in html.split("Enregistrements : Association")[1]
        assert "Alpha" not in html.split("Enregistrements : Association")[1]
        companies = client.get(url + "?line=company").content.decode().split("Enregistrements : Entreprise")[1]
        assert all(name in companies for name in ("Alpha", "Bêta", "Delta")) and "Hôtel" not in companies
    assert staff_client.get(url + "?line=no-such-line").status_code == 404


def test_observer_drilldown_shows_no_private_data(world, observer_client, staff_user):
    Organisation.objects.filter(name="Alpha").update(internal_notes="Retard de paiement, à relancer")
    html = observer_client.get(reverse("objectives:drilldown", args=[world["members"].pk, 2024])).content.decode()
    assert "Alpha" in html
    assert "Retard de paiement" not in html
    assert "750" not in html  # fees
    assert "/staff/organisations/" not in html
    manual = observer_client.get(reverse("objectives:indicator_detail", args=[world["manual"].pk])).content.decode()
    assert "example.org/pv-comite.pdf" not in manual  # evidence files and links are for staff
    assert "preuve jointe" in manual


def test_observer_drilldown_does_not_name_people(world, observer_client, staff_client, staff_user):
    from grappe.ecosystem import services as eco
    from grappe.ecosystem.models import Person
    from grappe.objectives.computations import Result, indicator, unregister
    from grappe.objectives.computations.base import counted

    eco.person_create(actor=None, first_name="Zoé", last_name="Zèbre")

    @indicator("test.people", mission=1, unit="x", label="x", definition="x")
    def people(period) -> Result:
        return counted(Person.objects.order_by("pk"))

    try:
        ind = services.indicator_create(
            actor=staff_user, objective=world["objective"], code="PPL", label="Personnes", computation_key="test.people"
        )
        url = reverse("objectives:drilldown", args=[ind.pk, 2024])
        assert "Zèbre" not in observer_client.get(url).content.decode()
        assert "Zèbre" in staff_client.get(url).content.decode()
    finally:
        unregister("test.people")


def test_report_download_gives_the_xlsx(world, observer_client):
    url = reverse("objectives:report_download", args=[world["contract"].pk])
    response = observer_client.get(url + "?kind=annual&year=2024&fmt=xlsx&language=fr&snapshot=2024-12-31")
    workbook = load_workbook(io.BytesIO(response.content))
    assert "Mission 1" in workbook.sheetnames
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_report_download_for_a_year_outside_the_contract_says_so(world, staff_client):
    url = reverse("objectives:report_download", args=[world["contract"].pk])
    response = staff_client.get(url + "?kind=annual&year=2031&fmt=pdf&language=fr", follow=True)
    assert "2031 est hors du contrat" in response.content.decode()


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_staff_archives_a_report_in_the_background(world, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("objectives:report_archive", args=[world["contract"].pk]),
            {"kind": "eccp", "year": 2024, "fmt": "xlsx", "language": "en", "snapshot": "2024-12-31"},
        )
    assert response.status_code == 302
    archive = ReportArchive.objects.get(kind="eccp")
    assert archive.language == "en" and archive.xlsx_file and not archive.pdf_file
    assert AuditEntry.objects.filter(action="objectives.report.archive").count() == 1


def test_archive_page_shows_corrections_made_since(world, staff_client):
    from grappe.ecosystem import services as eco

    late = eco.organisation_create(actor=None, name="Retardataire", kind="company")
    eco.membership_create(actor=None, organisation=late, start_date=dt.date(2024, 6, 1))
    html = staff_client.get(reverse("objectives:archive_detail", args=[world["archive"].pk])).content.decode()
    assert "Corrections depuis l'archivage" in html
    code = code_of(world["contract"], "ecosystem.members_at_year_end")
    assert f"<td>{code}</td>" in html.split("Chiffres archivés")[0]


def test_manual_value_without_required_evidence_is_refused(world, staff_client):
    url = reverse("objectives:measurement_create", args=[world["manual"].pk])
    response = staff_client.post(url, {"year": 2025, "value": "3"})
    assert response.status_code == 200
    assert "Cet indicateur exige une preuve" in response.content.decode()
    assert not Measurement.objects.filter(year=2025).exists()


def test_manual_value_with_a_pdf_is_saved_and_audited(world, staff_client):
    url = reverse("objectives:measurement_create", args=[world["manual"].pk])
    proof = SimpleUploadedFile("pv.pdf", b"%PDF-1.4 minutes of the committee", content_type="application/pdf")
    response = staff_client.post(url, {"year": 2025, "value": "3", "evidence_file": proof})
    assert response.status_code == 302
    measurement = Measurement.objects.get(year=2025)
    assert measurement.evidence_file.name.endswith(".pdf")
    assert AuditEntry.objects.filter(action="objectives.measurement.create").count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ...", "Type de fichier refusé"),
        ("fake.pdf", b"GIF89a not a pdf", "ne correspond pas à son extension"),
        ("page.pdf", b"<html>not a pdf</html>", "contient du code exécutable"),
        ("programme.pdf", b"MZ\x90\x00", "(contient du code exécutable|ne correspond pas à son extension)"),
        ("vide.pdf", b"", "est vide"),
        ("notes.txt", b"text\x00with a NUL byte", "pas un fichier texte"),
    ],
)
def test_evidence_upload_of_the_wrong_type_is_refused(world, staff_client, name, content, message):
    url = reverse("objectives:measurement_create", args=[world["manual"].pk])
    response = staff_client.post(url, {"year": 2025, "value": "3", "evidence_file": SimpleUploadedFile(name, content)})
    assert re.search(message, response.content.decode()), message
    assert not Measurement.objects.filter(year=2025).exists()


def test_manual_value_for_a_year_outside_the_contract_is_refused(world, staff_client):
    url = reverse("objectives:measurement_create", args=[world["manual"].pk])
    response = staff_client.post(url, {"year": 2030, "value": "3", "evidence_link": "https://example.org/x"})
    assert "2030 est hors du contrat" in response.content.decode()


def test_indicator_without_a_known_computation_is_refused(world, staff_client):
    url = reverse("objectives:indicator_create", args=[world["contract"].pk])
    response = staff_client.post(
        url,
        {
            "objective": world["objective"].pk,
            "code": "NEW",
            "label_fr": "Nouveau",
            "mission": "1",
            "kind": "computed",
            "computation_key": "",
            "direction": "higher_is_better",
            "on_track_ratio": "90",
            "aggregation": "sum",
            "order": 0,
        },
    )
    assert "Un indicateur calculé doit désigner un calcul." in response.content.decode()
    assert not Indicator.objects.filter(code="NEW").exists()


def test_staff_creates_an_indicator_with_its_targets(world, staff_client):
    url = reverse("objectives:indicator_create", args=[world["contract"].pk])
    response = staff_client.post(
        url,
        {
            "objective": world["objective"].pk,
            "code": "NEW",
            "label_fr": "Membres (bis)",
            "label_en": "Members",
            "mission": "1",
            "kind": "computed",
            "computation_key": "ecosystem.members_at_year_end",
            "direction": "higher_is_better",
            "on_track_ratio": "90",
            "aggregation": "sum",
            "order": 0,
            "target_2024": "10",
            "target_2025": "12,5",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="NEW")
    assert {t.year: str(t.value) for t in indicator.targets.all()} == {2024: "10.00", 2025: "12.50"}


def test_duplicate_indicator_code_is_refused_with_a_clear_message(world, staff_client):
    url = reverse("objectives:indicator_create", args=[world["contract"].pk])
    response = staff_client.post(
        url,
        {
            "objective": world["objective"].pk,
            "code": "G1",
            "label_fr": "Doublon",
            "mission": "1",
            "kind": "manual",
            "direction": "higher_is_better",
            "on_track_ratio": "90",
            "aggregation": "sum",
            "order": 0,
        },
    )
    assert "Ce contrat a déjà un indicateur portant ce code." in response.content.decode()


def test_staff_creates_a_contract(db, staff_client):
    response = staff_client.post(
        reverse("objectives:contract_create"),
        {"title": "Contrat 2027", "start_year": 2027, "years": 4, "status": "draft"},
    )
    assert response.status_code == 302
    assert ObjectivesContract.objects.get(title="Contrat 2027").end_year == 2030


def test_dashboard_without_contract_invites_staff_to_create_one(db, staff_client):
    assert "Créer le contrat" in staff_client.get(reverse("objectives:dashboard")).content.decode()
