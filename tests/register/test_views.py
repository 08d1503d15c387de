"""Register staff pages: every view for every role, and what the actions do."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grappe.ecosystem import services as ecosystem
from grappe.ecosystem.models import Membership, Organisation, Segment, ValueChain
from grappe.referential.models import NaceCode
from grappe.register.importer import import_extract
from grappe.register.models import ImportRun, RegisterChange, RegisterLink

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FULL = FIXTURES / "full_0146"
UPDATE = FIXTURES / "update_0147"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a):
    """The full fixture, a perimeter, the update 147 (one prospect change), a candidate for an unnumbered org."""
    import_extract(FULL)
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    segment = Segment.objects.create(value_chain=chain, name="Restauration", slug="resto")
    segment.nace_codes.set([NaceCode.objects.get(version="2025", code="5611")])
    import_extract(UPDATE)
    unnumbered = ecosystem.organisation_create(actor=None, name="Namur Construction")
    ecosystem.site_add(actor=None, organisation=unnumbered, postal_code="5000")
    return {
        "change": RegisterChange.objects.get(kind="new_in_perimeter"),
        "unnumbered": unnumbered,
        "org_a": org_a,
    }


def urls(world) -> list[tuple[str, str, dict]]:
    """(method, url, data) for every register view."""
    link = RegisterLink.objects.create(organisation=world["unnumbered"], enterprise_number=200065765, score=95)
    org_a = world["org_a"]
    run = ImportRun.objects.first()
    return [
        ("get", reverse("register:search") + "?q=namur", {}),
        ("get", reverse("register:enterprise_detail", args=[403019261]), {}),
        ("post", reverse("register:enterprise_add", args=[200065765]), {}),
        ("post", reverse("register:enterprise_link", args=[200065765]), {"organisation": world["unnumbered"].pk}),
        ("get", reverse("register:changes"), {}),
        ("post", reverse("register:change_add", args=[world["change"].pk]), {}),
        ("post", reverse("register:change_prospect", args=[world["change"].pk]), {}),
        ("get", reverse("register:candidates"), {}),
        ("post", reverse("register:candidate_review", args=[link.pk, "reject"]), {}),
        ("get", reverse("register:organisation_panel", args=[org_a.pk]), {}),
        ("get", reverse("register:organisation_enrich", args=[org_a.pk]), {}),
        ("get", reverse("register:import_list"), {}),
        ("get", reverse("register:import_progress", args=[run.pk]), {}),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    for method, url, data in urls(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("persona", ["member_a", "member_b", "observer_user"])
def test_members_and_observers_are_refused(world, persona, request, member_b):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    for method, url, data in urls(world):
        assert getattr(client, method)(url, data).status_code == 403, url
    assert not Organisation.objects.filter(source=Organisation.Source.REGISTER).exists()
    assert RegisterLink.objects.filter(status=RegisterLink.Status.REJECTED).count() == 0


@pytest.mark.parametrize("persona", ["staff_user", "admin_user"])
def test_staff_and_admins_can_use_every_page(world, persona, request):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    for method, url, data in urls(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == (200 if method == "get" else 302), url


def test_search_finds_names_without_accents_numbers_in_any_format_municipality_and_nace(world, staff_client):
    def numbers(**params) -> list[str]:
        response = staff_client.get(reverse("register:search"), params)
        return [row["enterprise"].display_number for row in response.context["rows"]]

    assert numbers(q="liege materiaux") == ["0403.019.261"]
    assert numbers(q="BE0403019261") == ["0403.019.261"]
    assert numbers(q="403 019 261") == ["0403.019.261"]
    liege = numbers(municipality="liege")
    assert "0403.019.261" in liege and "0200.065.765" not in liege
    assert numbers(nace="43.11") == ["0403.019.261"]
    assert numbers(postal_code="5000", q="namur") == ["0200.065.765"]
    assert staff_client.get(reverse("register:search"), {"nace": "4<3"}).status_code == 200


def test_enterprise_sheet_shows_names_form_addresses_and_activities(world, staff_client):
    page = staff_client.get(reverse("register:enterprise_detail", args=[200065765])).content.decode()
    for text in ("Namen Bouw", "Béton &amp; Co", "Avenue de la Gare", "41001", "Namur Construction succursale"):
        assert text in page, text
    assert staff_client.get(reverse("register:enterprise_detail", args=[999999999])).status_code == 404


def test_add_to_ecosystem_from_the_changes_feed_then_prospect(world, staff_client):
    change = world["change"]
    staff_client.post(reverse("register:change_add", args=[change.pk]))
    change.refresh_from_db()
    assert change.organisation.enterprise_number == "0859001118"
    assert change.organisation.source == Organisation.Source.REGISTER
    staff_client.post(reverse("register:change_prospect", args=[change.pk]))
    assert change.organisation.memberships.get().status == Membership.Status.PROSPECT
    # Twice: a clear message, nothing added.
    response = staff_client.post(reverse("register:change_prospect", args=[change.pk]), follow=True)
    assert "déjà membre ou prospect" in response.content.decode()
    assert change.organisation.memberships.count() == 1


def test_changes_feed_filters_by_kind_and_extract(world, staff_client):
    page = staff_client.get(reverse("register:changes"), {"kind": "new_in_perimeter", "extract": "147"})
    assert [c.enterprise_number for c in page.context["page"]] == [859001118]
    assert list(staff_client.get(reverse("register:changes"), {"extract": "146"}).context["page"]) == []


def test_organisation_panel_offers_candidates_and_accepting_links(world, staff_client):
    org = world["unnumbered"]
    page = staff_client.get(reverse("register:organisation_panel", args=[org.pk]))
    [row] = page.context["candidates"]
    assert row["link"].enterprise_number == 200065765
    staff_client.post(reverse("register:candidate_review", args=[row["link"].pk, "accept"]))
    org.refresh_from_db()
    assert org.enterprise_number == "0200065765" and org.legal_form == "610"


def test_enrich_page_previews_then_applies_chosen_parts(world, staff_client):
    org = world["org_a"]
    preview = staff_client.get(reverse("register:organisation_enrich", args=[org.pk])).context["preview"]
    assert [f["name"] for f in preview.fields] == ["legal_form", "founded_on"]
    response = staff_client.post(reverse("register:organisation_enrich", args=[org.pk]), {"parts": ["fields"]})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.legal_form == "014" and str(org.founded_on) == "1998-09-12"
    assert not org.activities.exists()  # not chosen


def zipped(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def test_an_uploaded_zip_is_imported_in_the_background_with_its_row_counts(
    staff_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.DATA_DIR = tmp_path
    upload = io.BytesIO(zipped(FULL))
    upload.name = "KboOpenData_0146_2025_10_Full.zip"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("register:import_list"), {"upload": upload})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.SUCCEEDED and run.extract_number == 146
    assert run.rows_read["activity.csv"] == 16 and run.rows_read["enterprise.csv"] == 12
    fragment = staff_client.get(reverse("register:import_progress", args=[run.pk])).content.decode()
    assert "activity.csv : 16" in fragment and "hx-get" not in fragment  # finished: no more polling
    assert not list((tmp_path / "register-imports").glob("upload-*"))


def test_a_failed_background_import_shows_file_line_and_reason(
    staff_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.DATA_DIR = tmp_path / "data"
    settings.GRAPPE_REGISTER_IMPORT_DIR = str(tmp_path)
    source = tmp_path / "bad"
    shutil.copytree(FULL, source)
    text = (source / "establishment.csv").read_text(encoding="utf-8")
    (source / "establishment.csv").write_text(text.replace("01-01-2016", "32-01-2016", 1), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("register:import_list"), {"path": "bad"})
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("establishment.csv, ligne 3 : StartDate : date impossible")
    fragment = staff_client.get(reverse("register:import_progress", args=[run.pk])).content.decode()
    assert "establishment.csv, ligne 3" in fragment


def test_bad_import_requests_are_refused_with_a_message_and_queue_nothing(staff_client, settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.DATA_DIR = tmp_path / "data"
    settings.GRAPPE_REGISTER_IMPORT_DIR = str(tmp_path / "imports")
    (tmp_path / "imports").mkdir()
    cases = [
        ({"path": "../../etc"}, "doit se trouver dans"),
        ({"path": "missing.zip"}, "introuvable"),
        ({}, "Choisissez soit"),
    ]
    for data, message in cases:
        response = staff_client.post(reverse("register:import_list"), data)
        assert response.status_code == 400 and message in response.content.decode(), data
    not_a_zip = io.BytesIO(b"EnterpriseNumber\n")
    not_a_zip.name = "extract.zip"
    response = staff_client.post(reverse("register:import_list"), {"upload": not_a_zip})
    assert "pas une archive zip" in response.content.decode()
    settings.GRAPPE_REGISTER_UPLOAD_MAX_MB = 0
    big = io.BytesIO(zipped(FULL))
    big.name = "full.zip"
    response = staff_client.post(reverse("register:import_list"), {"upload": big})
    assert "trop volumineux" in response.content.decode()
    assert not ImportRun.objects.exists()
