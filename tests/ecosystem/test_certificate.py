"""The membership certificate PDF: its text (read back with pypdf) and who may download it."""

import datetime as dt
import io

import pypdf
from django.urls import reverse

from grappe.ecosystem import services
from grappe.ecosystem.certificate import latin1, membership_certificate_pdf
from grappe.ecosystem.models import Membership
from tests.ecosystem.ui_support import plain_static_and_tmp_media  # noqa: F401


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    # Lines wrap where the page ends them: compare with single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_certificate_states_cluster_organisation_number_period_tier_and_issue_date(org_a, settings):
    settings.GRAPPE_CLUSTER_NAME = "Construction Circulaire Wallonie"
    membership = org_a.memberships.get()
    data = membership_certificate_pdf(membership, issued_on=dt.date(2026, 3, 14))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Construction Circulaire Wallonie" in text
    assert "Attestation d'adhésion" in text
    assert "Alpha Matériaux" in text
    assert "0403.019.261" in text
    assert "depuis le 1 janvier 2022" in text
    assert "PME" in text
    assert "Délivrée le 14 mars 2026" in text
    assert "est membre du cluster" in text


def test_certificate_of_an_ended_membership_speaks_in_the_past_with_both_dates(org_b):
    membership = org_b.memberships.get()
    services.membership_end(
        actor=None, membership=membership, end_date=dt.date(2024, 12, 31), status=Membership.Status.RESIGNED
    )
    text = pdf_text(membership_certificate_pdf(membership, issued_on=dt.date(2026, 1, 5)))
    assert "a été membre du cluster" in text
    assert "du 1 janvier 2022 au 31 décembre 2024" in text
    assert "Béton Bêta" in text


def test_characters_outside_latin1_are_replaced_not_fatal():
    assert latin1("Œuvre — 5 € “ok”") == 'Oeuvre - 5 EUR "ok"'
    assert latin1("Zażółć") == "Za?ó??"


def test_organisation_names_with_ligatures_still_give_a_pdf(db):
    organisation = services.organisation_create(actor=None, name="Cœur d'Œuvre", enterprise_number="0202.239.951")
    membership = services.membership_create(actor=None, organisation=organisation, start_date=dt.date(2025, 1, 1))
    assert "Coeur d'Oeuvre" in pdf_text(membership_certificate_pdf(membership))


def test_member_downloads_their_certificate_as_an_inline_pdf(member_a_client, org_a):
    membership = org_a.memberships.get()
    response = member_a_client.get(reverse("ecosystem:membership_certificate", args=[membership.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="attestation-alpha-materiaux-2022.pdf"' in response["Content-Disposition"]
    assert "Alpha Matériaux" in pdf_text(response.content)


def test_member_cannot_download_another_organisations_certificate(member_b_client, org_a):
    membership = org_a.memberships.get()
    response = member_b_client.get(reverse("ecosystem:membership_certificate", args=[membership.pk]))
    assert response.status_code == 403


def test_certificate_of_an_unknown_membership_is_404(staff_client):
    assert staff_client.get(reverse("ecosystem:membership_certificate", args=[424242])).status_code == 404
