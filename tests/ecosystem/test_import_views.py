"""The import wizard in the staff workspace: permissions, upload, mapping, preview, apply, bad files."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grappe.ecosystem.importing import storage
from grappe.ecosystem.models import Organisation, Person
from tests.ecosystem.import_support import db_state, fixture_bytes

pytestmark = pytest.mark.django_db

ROLES = {
    "client": "anonymous",
    "member_a_client": 403,
    "member_b_client": 403,
    "observer_client": 403,
    "staff_client": 200,
    "admin_client_": 200,
}


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.GRAPPE_IMPORT_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def upload(client, name: str, *, kind: str = "organisation", mode: str = "create", data: bytes | None = None):
    file = SimpleUploadedFile(name, fixture_bytes(name) if data is None else data)
    return client.post(reverse(f"ecosystem:{kind}_import"), {"file": file, "mode": mode})


def token_of(response) -> str:
    assert response.status_code == 302, getattr(response, "content", b"")[:2000]
    return response["Location"].rstrip("/").split("/")[-1]


def mapping_post(context, **extra) -> dict:
    data = {f"map-{c['position']}": c["field"] for c in context["columns"]}
    data.update(mode=context["plan"].mode, fingerprint=context["fingerprint"])
    data.update(extra)
    return data


@pytest.mark.parametrize(("client_fixture", "expected"), ROLES.items())
@pytest.mark.parametrize("url_name", ["ecosystem:organisation_import", "ecosystem:person_import"])
def test_upload_pages_are_for_staff_only(request, client_fixture, expected, url_name):
    client = request.getfixturevalue(client_fixture)
    response = client.get(reverse(url_name))
    if expected == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("client_fixture", "expected"), ROLES.items())
@pytest.mark.parametrize(
    "url_name",
    [
        "ecosystem:organisation_import_preview",
        "ecosystem:organisation_import_done",
        "ecosystem:person_import_preview",
        "ecosystem:person_import_done",
    ],
)
def test_preview_and_result_pages_are_for_staff_only(request, client_fixture, expected, url_name, staff_client):
    """Each role tries a real token (staff's own for staff roles); staff see their preview or result."""
    client = request.getfixturevalue(client_fixture)
    kind = "person" if "person" in url_name else "organisation"
    owner = client if expected == 200 else staff_client
    token = token_of(upload(owner, "people_good.csv" if kind == "person" else "organisations_good.csv", kind=kind))
    if url_name.endswith("_done"):
        preview = owner.get(reverse(f"ecosystem:{kind}_import_preview", args=[token]))
        if kind == "person":  # the people file needs its organisations: skip lines to have something to apply
            assert preview.context["plan"].errors
        else:
            response = owner.post(
                reverse(f"ecosystem:{kind}_import_preview", args=[token]),
                mapping_post(preview.context, action="apply"),
            )
            assert response.status_code == 302
    response = client.get(reverse(url_name, args=[token]))
    if expected == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    elif expected == 403:
        assert response.status_code == 403
    elif url_name.endswith("person_import_done"):
        assert response.status_code == 302  # nothing was imported: back to the upload page
    else:
        assert response.status_code == 200


def test_staff_upload_preview_then_import_organisations(staff_client, staff_user):
    before = db_state()
    token = token_of(upload(staff_client, "organisations_good.csv"))
    preview_url = reverse("ecosystem:organisation_import_preview", args=[token])
    response = staff_client.get(preview_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aperçu seulement : rien n’a encore été enregistré." in page
    assert "CSV, encodage UTF-8, séparateur : virgule" in page
    assert 'name="map-1"' in page
    assert response.context["counts"]["create"] == 3
    assert db_state() == before  # the preview writes nothing

    response = staff_client.post(preview_url, mapping_post(response.context, action="apply"))
    assert response.status_code == 302
    assert response["Location"] == reverse("ecosystem:organisation_import_done", args=[token])
    assert Organisation.objects.filter(source=Organisation.Source.IMPORT).count() == 3
    done = staff_client.get(response["Location"])
    assert done.status_code == 200
    assert done.context["result"]["created"] == 3
    assert not list(storage.upload_dir().glob("*.upload"))  # the stored file is gone
    # The token cannot be used a second time.
    assert staff_client.post(preview_url, {"action": "apply"}).status_code == 404


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("organisations_broken_row.csv", "Ligne 3 : guillemet ouvert qui n&#x27;est jamais fermé"),
        ("organisations_bad_encoding.csv", "Ligne 4 : octets illisibles"),
    ],
)
def test_unreadable_upload_is_refused_on_the_upload_page(staff_client, fixture, message, import_dir):
    before = db_state()
    response = upload(staff_client, fixture)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert db_state() == before
    assert not list(import_dir.glob("*.upload"))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("vide.csv", b"", "Le fichier soumis est vide"),
        ("ancien.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "Excel 97-2003"),
        ("abime.xlsx", b"PK\x03\x04abime", "XLSX est illisible"),
    ],
)
def test_other_unreadable_uploads_get_a_message_and_never_a_server_error(staff_client, name, data, message):
    response = upload(staff_client, name, data=data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_too_large_upload_is_refused_before_reading(staff_client, settings):
    settings.GRAPPE_IMPORT_MAX_BYTES = 100
    response = upload(staff_client, "organisations_good.csv")
    assert response.status_code == 200
    assert "la limite est de" in response.content.decode()


def test_wrong_header_is_shown_and_fixed_by_changing_the_mapping(staff_client):
    before = db_state()
    token = token_of(upload(staff_client, "organisations_wrong_header.csv"))
    url = reverse("ecosystem:organisation_import_preview", args=[token])
    response = staff_client.get(url)
    page = response.content.decode()
    assert "En-tête incorrect : colonne(s) obligatoire(s) absente(s) : nom." in page
    assert 'value="apply" disabled' in page
    # Forcing the import anyway saves nothing.
    response = staff_client.post(url, mapping_post(response.context, action="apply"))
    assert response.status_code == 200
    assert db_state() == before
    # Staff say that "Société X" holds the name and "Numéro" the enterprise number, and preview again.
    response = staff_client.post(url, {"map-0": "name", "map-1": "enterprise_number", "map-2": "", "mode": "create"})
    assert response.context["plan"].problems == []
    assert response.context["plan"].mapping == ["name", "enterprise_number", ""]
    response = staff_client.post(url, mapping_post(response.context, action="apply"))
    assert response.status_code == 302
    assert Organisation.objects.get(enterprise_number="0471111182").name == "Alpha"


def test_errors_are_listed_by_line_and_the_import_button_is_disabled(staff_client):
    before = db_state()
    token = token_of(upload(staff_client, "organisations_invalid_number.csv"))
    url = reverse("ecosystem:organisation_import_preview", args=[token])
    response = staff_client.get(url)
    page = response.content.decode()
    assert (
        "Ligne 3, numéro d&#x27;entreprise : « 0123.456.788 » n&#x27;est pas un numéro d&#x27;entreprise valide" in page
    )
    assert 'value="apply" disabled' in page
    response = staff_client.post(url, mapping_post(response.context, action="apply"))
    assert response.status_code == 200
    assert "erreur(s) à corriger" in response.context["apply_error"]
    assert db_state() == before


def test_apply_with_a_mapping_other_than_the_one_previewed_shows_a_new_preview_first(staff_client):
    token = token_of(upload(staff_client, "organisations_good.csv"))
    url = reverse("ecosystem:organisation_import_preview", args=[token])
    context = staff_client.get(url).context
    data = mapping_post(context, action="apply")
    data["map-11"] = ""  # the e-mail column is dropped without looking at the preview
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "vérifiez le nouvel aperçu" in response.context["apply_error"]
    assert not Organisation.objects.exists()
    response = staff_client.post(url, mapping_post(response.context, action="apply"))
    assert response.status_code == 302
    assert Organisation.objects.get(name__startswith="Laboratoire").email == ""


def test_probable_duplicates_are_decided_in_the_preview(staff_client, org_a):
    token = token_of(upload(staff_client, "organisations_fuzzy.csv"))
    url = reverse("ecosystem:organisation_import_preview", args=[token])
    response = staff_client.get(url)
    page = response.content.decode()
    assert 'name="decision-2"' in page and 'name="decision-4"' in page
    assert "Alpha Matériaux" in page
    assert response.context["counts"]["review"] == 2
    response = staff_client.post(url, mapping_post(response.context, **{"decision-2": "skip", "decision-4": "skip"}))
    assert response.context["plan"].can_apply
    response = staff_client.post(
        url, mapping_post(response.context, action="apply", **{"decision-2": "skip", "decision-4": "skip"})
    )
    assert response.status_code == 302
    assert sorted(Organisation.objects.values_list("name", flat=True)) == [
        "Alpha Matériaux",
        "Delta Bois",
        "Gamma Isolation",
    ]


def test_another_session_cannot_use_an_upload_token(staff_client, admin_client_):
    token = token_of(upload(staff_client, "organisations_good.csv"))
    assert admin_client_.get(reverse("ecosystem:organisation_import_preview", args=[token])).status_code == 404
    # Nor can the token be used for the other kind of import.
    assert staff_client.get(reverse("ecosystem:person_import_preview", args=[token])).status_code == 404


def test_an_expired_upload_sends_back_to_the_upload_page(staff_client, import_dir):
    token = token_of(upload(staff_client, "organisations_good.csv"))
    old = time.time() - storage.TTL_SECONDS - 60
    for path in import_dir.glob("*.upload"):
        os.utime(path, (old, old))
    response = staff_client.get(reverse("ecosystem:organisation_import_preview", args=[token]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("ecosystem:organisation_import")
    assert "Le fichier envoyé a expiré" in response.content.decode()


def test_tampered_form_values_never_cause_a_server_error(staff_client):
    token = token_of(upload(staff_client, "organisations_good.csv"))
    url = reverse("ecosystem:organisation_import_preview", args=[token])
    response = staff_client.post(
        url,
        {"map-0": "internal_notes;DROP", "map-999": "name", "mode": "evil", "decision-x": "1", "action": "apply"},
    )
    assert response.status_code == 200
    assert response.context["plan"].mode == "create"
    assert not Organisation.objects.exists()
    assert staff_client.get(reverse("ecosystem:organisation_import_preview", args=["..%2F..%2Fetc"])).status_code == 404


def test_people_wizard_imports_people(staff_client, org_a, org_b):
    token = token_of(upload(staff_client, "people_good.csv", kind="person"))
    url = reverse("ecosystem:person_import_preview", args=[token])
    response = staff_client.get(url)
    assert response.context["plan"].errors == []
    response = staff_client.post(url, mapping_post(response.context, action="apply"))
    assert response.status_code == 302
    assert Person.objects.filter(last_name__in=["Dubois", "Peeters", "Lambert"]).count() == 3
