"""Project documents: the upload pages (staff, consortium members), refused files, downloads per role."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from grappe.core.models import AuditEntry
from grappe.innovation import services
from grappe.innovation.models import ProjectDocument

from ..conftest import client_for

ROLES = ("anonymous", "member_a", "member_b", "observer", "staff", "admin")
PDF = b"%PDF-1.7\n%test\n"


def pdf(name: str = "dossier.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def clients(db, member_a, member_b, observer_user, staff_user, admin_user) -> dict[str, Client]:
    return {
        "anonymous": Client(),
        "member_a": client_for(member_a),
        "member_b": client_for(member_b),
        "observer": client_for(observer_user),
        "staff": client_for(staff_user),
        "admin": client_for(admin_user),
    }


@pytest.fixture
def world(staff_user, org_a, org_b):
    """``shared``: org_a leads, org_b is partner; ``own``: org_a alone; ``hidden``: staff-only project of org_a."""
    shared = services.project_create(actor=staff_user, title="Béton partagé", lead_organisation=org_a)
    services.partner_add(actor=staff_user, project=shared, organisation=org_b, role="sme")
    own = services.project_create(actor=staff_user, title="Isolation Alpha", lead_organisation=org_a)
    hidden = services.project_create(
        actor=staff_user, title="Projet caché", lead_organisation=org_a, confidentiality="staff"
    )
    docs = {
        key: services.document_add(actor=staff_user, project=project, title=f"DOC-{key}", upload=pdf(f"{key}.pdf"))
        for key, project in (("shared", shared), ("own", own), ("hidden", hidden))
    }
    return {"shared": shared, "own": own, "hidden": hidden, "docs": docs}


# --- the service: shared upload validator ------------------------------------------------------------


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("malware.exe", b"MZ\x90\x00", "Type de fichier refusé"),
        ("faux.pdf", b"PK\x03\x04zip", "ne correspond pas à son extension"),
        ("page.pdf", b"<html><script>alert(1)</script>", "code exécutable"),
        ("script.txt", b"#!/bin/sh\nrm -rf /", "code exécutable"),
        ("binaire.txt", b"abc\x00def", "n'est pas un fichier texte"),
        ("vide.pdf", b"", "vide"),
        ("image.svg", b"<svg onload=alert(1)>", "Type de fichier refusé"),
    ],
)
def test_refused_files_are_not_stored_and_the_reason_names_the_file_field(world, staff_user, name, content, message):
    with pytest.raises(ValidationError) as error:
        services.document_add(
            actor=staff_user, project=world["own"], title="x", upload=SimpleUploadedFile(name, content)
        )
    assert message in " ".join(error.value.message_dict["file"])
    assert world["own"].documents.count() == 1


def test_files_over_20_mb_are_refused(world, staff_user):
    big = pdf("gros.pdf", PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="taille maximale"):
        services.document_add(actor=staff_user, project=world["own"], title="", upload=big)


def test_an_accepted_file_is_stored_titled_and_audited(world, staff_user):
    document = services.document_add(actor=staff_user, project=world["own"], title="", upload=pdf("Budget 2026.pdf"))
    assert document.title == "Budget 2026.pdf" and document.uploaded_by == staff_user
    assert AuditEntry.objects.filter(action="innovation.document.added", object_id=str(world["own"].pk)).count() == 2


# --- pages per role ------------------------------------------------------------------------------------


def test_the_staff_documents_page_per_role(clients, world):
    url = reverse("innovation:project_documents", args=[world["hidden"].pk])
    expected = {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}
    for role in ROLES:
        assert clients[role].get(url).status_code == expected[role], role
    page = unescape(clients["staff"].get(url).content.decode())
    assert "DOC-hidden" in page and "visibles que par l'équipe du cluster" in page


@pytest.mark.parametrize(
    "project,expected",
    [
        ("shared", {"member_a": 200, "member_b": 200}),
        ("own", {"member_a": 200, "member_b": 404}),
        ("hidden", {"member_a": 404, "member_b": 404}),
    ],
)
def test_the_portal_documents_page_follows_the_consortium_and_confidentiality(clients, world, project, expected):
    url = reverse("innovation:portal_documents", args=[world[project].pk])
    for role, status in {**expected, "anonymous": 302, "observer": 403, "staff": 403, "admin": 403}.items():
        assert clients[role].get(url).status_code == status, (role, project)


def test_a_consortium_member_uploads_with_htmx_and_gets_the_block_back(clients, world, member_b):
    url = reverse("innovation:portal_documents", args=[world["shared"].pk])
    response = clients["member_b"].post(url, {"title": "Devis", "file": pdf("devis.pdf")}, HTTP_HX_REQUEST="true")
    page = unescape(response.content.decode())
    assert response.status_code == 200 and page.startswith('<section id="documents"')
    assert "Document « Devis » ajouté." in page and "DOC-shared" in page
    document = world["shared"].documents.get(title="Devis")
    assert document.uploaded_by == member_b


def test_a_refused_upload_shows_the_reason_and_stores_nothing(clients, world):
    url = reverse("innovation:portal_documents", args=[world["own"].pk])
    response = clients["member_a"].post(
        url, {"title": "Virus", "file": SimpleUploadedFile("virus.exe", b"MZ")}, HTTP_HX_REQUEST="true"
    )
    page = unescape(response.content.decode())
    assert response.status_code == 200 and "Type de fichier refusé" in page
    assert not ProjectDocument.objects.filter(title="Virus").exists()


def test_an_upload_without_htmx_redirects_to_the_page(clients, world):
    url = reverse("innovation:project_documents", args=[world["own"].pk])
    response = clients["staff"].post(url, {"title": "Rapport", "file": pdf("rapport.pdf")})
    assert response.status_code == 302 and response["Location"] == url
    assert world["own"].documents.filter(title="Rapport").exists()


def test_nobody_outside_the_consortium_can_upload(clients, world):
    for role, project in (("member_b", "own"), ("member_a", "hidden"), ("member_b", "hidden"), ("observer", "shared")):
        clients[role].post(
            reverse("innovation:portal_documents", args=[world[project].pk]), {"title": "Intrus", "file": pdf()}
        )
    for role in ("anonymous", "member_a", "observer"):
        clients[role].post(
            reverse("innovation:project_documents", args=[world["hidden"].pk]), {"title": "Intrus", "file": pdf()}
        )
    assert not ProjectDocument.objects.filter(title="Intrus").exists()


@pytest.mark.parametrize(
    "doc,expected",
    [
        ("shared", {"member_a": 200, "member_b": 200}),
        ("own", {"member_a": 200, "member_b": 404}),
        ("hidden", {"member_a": 404, "member_b": 404}),
    ],
)
def test_downloads_follow_the_project_visibility(clients, world, doc, expected):
    url = reverse("innovation:document_download", args=[world["docs"][doc].pk])
    wanted = {**expected, "anonymous": 403, "observer": 404, "staff": 200, "admin": 200}
    for role in ROLES:
        response = clients[role].get(url)
        assert response.status_code == wanted[role], (role, doc)
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == PDF
            assert "attachment" in response["Content-Disposition"]


def test_the_portal_project_page_lists_its_documents_and_hides_others(clients, world):
    page = clients["member_b"].get(reverse("innovation:portal_project", args=[world["shared"].pk])).content.decode()
    assert "DOC-shared" in page and "DOC-own" not in page and "DOC-hidden" not in page
    staff_page = clients["staff"].get(reverse("innovation:project_detail", args=[world["hidden"].pk])).content.decode()
    assert (
        "DOC-hidden" in staff_page and reverse("innovation:project_documents", args=[world["hidden"].pk]) in staff_page
    )
