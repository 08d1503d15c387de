"""Certifications on public profiles: staff enter them, members propose them, the public sees valid ones only."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.showcase import certifications
from grappe.showcase.models import Certification
from tests.conftest import client_for


def _json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


@pytest.fixture
def public_a(org_a):
    org_a.public_profile_consent = True
    org_a.save()
    return org_a


def _certification(org, **fields) -> Certification:
    values = {"name": "ISO 9001", "issuer": "Vinçotte", "status": Certification.Status.APPROVED}
    values.update(fields)
    return Certification.objects.create(organisation=org, **values)


def test_profile_shows_only_approved_public_valid_certifications(client, public_a):
    today = timezone.localdate()
    _certification(public_a, name="ISO 14001", valid_until=today + dt.timedelta(days=10), link="https://c.example/1")
    _certification(public_a, name="B Corp")  # no expiry date
    _certification(public_a, name="SENTINEL-EXPIRED", valid_until=today - dt.timedelta(days=1))
    _certification(public_a, name="SENTINEL-PRIVATE", is_public=False)
    _certification(public_a, name="SENTINEL-PENDING", status=Certification.Status.PENDING)
    _certification(public_a, name="SENTINEL-REJECTED", status=Certification.Status.REJECTED)
    _certification(public_a, name="Last day", valid_until=today, reference="SENTINEL-REF", review_comment="SENTINEL-C")
    html = client.get(f"/en/directory/{public_a.slug}/").content.decode()
    assert "ISO 14001" in html and "B Corp" in html and "Last day" in html and "Vinçotte" in html
    assert "SENTINEL" not in html
    data = _json_ld(html)
    names = [c["name"] for c in data["hasCredential"]]
    assert names == ["B Corp", "ISO 14001", "Last day"]
    iso = data["hasCredential"][1]
    assert iso["@type"] == "EducationalOccupationalCredential" and iso["credentialCategory"] == "certification"
    assert iso["recognizedBy"] == {"@type": "Organization", "name": "Vinçotte"}
    assert iso["expires"] == (today + dt.timedelta(days=10)).isoformat() and iso["url"] == "https://c.example/1"
    assert data["award"] == names
    for path in ("/opendata/organisations.json", "/opendata/organisations.csv", "/fr/widget/members/", "/sitemap.xml"):
        assert "SENTINEL" not in client.get(path).content.decode(), path


def test_no_certification_no_credential_in_json_ld(client, public_a):
    data = _json_ld(client.get(f"/fr/directory/{public_a.slug}/").content.decode())
    assert "hasCredential" not in data and "award" not in data


def test_open_data_lists_public_certifications(client, public_a):
    _certification(public_a, name="VCA**")
    _certification(public_a, name="SENTINEL-PRIVATE", is_public=False)
    document = client.get("/opendata/organisations.json").json()
    row = next(o for o in document["organisations"] if o["name"] == public_a.name)
    assert row["certifications"] == ["VCA**"]
    rows = list(csv.DictReader(io.StringIO(client.get("/opendata/organisations.csv").content.decode())))
    assert next(r for r in rows if r["name"] == public_a.name)["certifications"] == "VCA**"


def test_expiry_is_computed_on_the_day(public_a):
    cert = _certification(public_a, valid_until=dt.date(2030, 6, 30))
    assert list(certifications.public_certifications(public_a, dt.date(2030, 6, 30))) == [cert]
    assert not certifications.public_certifications(public_a, dt.date(2030, 7, 1)).exists()


def test_member_proposes_staff_approve_public_sees(client, member_a_client, staff_client, public_a):
    url = f"/portal/public-profile/{public_a.pk}/certifications/"
    assert member_a_client.get(url).status_code == 200
    response = member_a_client.post(
        url, {"name": "ISO 9001", "issuer": "AIB-Vinçotte", "valid_until": "2099-12-31", "is_public": "on"}
    )
    assert response.status_code == 302
    cert = Certification.objects.get()
    assert cert.status == Certification.Status.PENDING and cert.submitted_by.email == "anna@alpha.test"
    assert "AIB-Vinçotte" not in client.get(f"/fr/directory/{public_a.slug}/").content.decode()
    assert "AIB-Vinçotte" in staff_client.get("/staff/showcase/certifications/").content.decode()
    staff_client.post(f"/staff/showcase/certifications/{cert.pk}/review/", {"decision": "approve"})
    cert.refresh_from_db()
    assert cert.status == Certification.Status.APPROVED
    assert "AIB-Vinçotte" in client.get(f"/fr/directory/{public_a.slug}/").content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"showcase.certification.created", "showcase.certification.approved"} <= actions


def test_rejection_needs_a_reason_the_member_reads(member_a_client, staff_client, public_a):
    cert = _certification(public_a, status=Certification.Status.PENDING)
    staff_client.post(f"/staff/showcase/certifications/{cert.pk}/review/", {"decision": "reject"})
    cert.refresh_from_db()
    assert cert.status == Certification.Status.PENDING
    staff_client.post(
        f"/staff/showcase/certifications/{cert.pk}/review/", {"decision": "reject", "comment": "Certificat expiré."}
    )
    cert.refresh_from_db()
    assert cert.status == Certification.Status.REJECTED
    html = member_a_client.get(f"/portal/public-profile/{public_a.pk}/certifications/").content.decode()
    assert "Certificat expiré." in html


@override_settings(GRAPPE_SHOWCASE_PROFILE_APPROVAL=False)
def test_without_approval_a_member_certification_is_published_at_once(client, member_a_client, public_a):
    member_a_client.post(f"/portal/public-profile/{public_a.pk}/certifications/", {"name": "B Corp", "is_public": "on"})
    assert Certification.objects.get().status == Certification.Status.APPROVED
    assert "B Corp" in client.get(f"/fr/directory/{public_a.slug}/").content.decode()


def test_member_cannot_approve_own_nor_touch_another_organisation(member_a_client, member_b_client, public_a, org_b):
    member_a_client.post(
        f"/portal/public-profile/{public_a.pk}/certifications/",
        {"name": "ISO 9001", "status": "approved", "is_public": "on"},
    )
    assert Certification.objects.get().status == Certification.Status.PENDING  # the status field is ignored
    cert = Certification.objects.get()
    url = f"/portal/public-profile/{public_a.pk}/certifications/"
    assert member_b_client.get(url).status_code == 404
    assert member_b_client.post(url, {"name": "X"}).status_code == 404
    assert member_b_client.post(f"/portal/certifications/{cert.pk}/delete/").status_code == 404
    assert Certification.objects.count() == 1
    assert member_a_client.post(f"/portal/certifications/{cert.pk}/delete/").status_code == 302
    assert not Certification.objects.exists()


def test_form_errors_are_clear(member_a_client, staff_client, public_a):
    url = f"/portal/public-profile/{public_a.pk}/certifications/"
    response = member_a_client.post(url, {"name": "ISO 9001", "valid_from": "2026-05-01", "valid_until": "2026-01-01"})
    assert response.status_code == 200 and "précède" in response.content.decode()
    response = member_a_client.post(url, {"name": "", "link": "javascript:alert(1)"})
    assert response.status_code == 200 and not Certification.objects.exists()
    response = staff_client.post(
        f"/staff/showcase/organisations/{public_a.pk}/certifications/", {"name": "x" * 500, "status": "approved"}
    )
    assert response.status_code == 200 and not Certification.objects.exists()


def test_staff_add_edit_and_delete_from_the_organisation_page(client, staff_client, public_a):
    page = f"/staff/showcase/organisations/{public_a.pk}/certifications/"
    assert staff_client.get(page).status_code == 200
    response = staff_client.post(page, {"name": "ISO 45001", "issuer": "BSI", "status": "approved", "is_public": "on"})
    assert response.status_code == 302
    cert = Certification.objects.get()
    assert cert.status == Certification.Status.APPROVED
    panel = staff_client.get(f"/staff/showcase/organisations/{public_a.pk}/certifications/panel/").content.decode()
    assert "ISO 45001" in panel and page in panel
    edit = f"/staff/showcase/certifications/{cert.pk}/"
    assert staff_client.get(edit).status_code == 200
    staff_client.post(edit, {"name": "ISO 45001", "issuer": "BSI Group", "status": "approved"})  # is_public unticked
    cert.refresh_from_db()
    assert cert.issuer == "BSI Group" and not cert.is_public
    assert "ISO 45001" not in client.get(f"/fr/directory/{public_a.slug}/").content.decode()
    response = staff_client.post(edit, {"name": "ISO 45001", "status": "rejected", "review_comment": ""})
    assert response.status_code == 200  # a rejection needs a reason
    staff_client.post(f"/staff/showcase/certifications/{cert.pk}/delete/")
    assert not Certification.objects.exists()
    assert "showcase.certification.deleted" in set(AuditEntry.objects.values_list("action", flat=True))


ROLE_PAGES = [
    ("/staff/showcase/certifications/", (302, 403, 403, 403, 200, 200)),
    ("/staff/showcase/organisations/{org}/certifications/", (302, 403, 403, 403, 200, 200)),
    ("/staff/showcase/organisations/{org}/certifications/panel/", (302, 403, 403, 403, 200, 200)),
    ("/staff/showcase/certifications/{cert}/", (302, 403, 403, 403, 200, 200)),
    ("/portal/public-profile/{org}/certifications/", (302, 200, 404, 404, 200, 200)),
]


@pytest.mark.parametrize(("template", "expected"), ROLE_PAGES)
def test_roles(template, expected, public_a, member_a, member_b, observer_user, staff_user, admin_user):
    cert = _certification(public_a, name="SENTINEL-CERT-PRIVATE", is_public=False)
    url = template.format(org=public_a.pk, cert=cert.pk)
    users = [None, member_a, member_b, observer_user, staff_user, admin_user]
    got = tuple(client_for(user).get(url).status_code for user in users)
    assert got == expected, url


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("/staff/showcase/certifications/{cert}/review/", (302, 403, 403, 403, 302, 302)),
        ("/staff/showcase/certifications/{cert}/delete/", (302, 403, 403, 403, 302, 302)),
        ("/portal/certifications/{cert}/delete/", (302, 302, 404, 404, 302, 302)),
    ],
)
def test_post_roles(template, expected, public_a, member_a, member_b, observer_user, staff_user, admin_user):
    users = [None, member_a, member_b, observer_user, staff_user, admin_user]
    got = []
    for user in users:
        cert = _certification(public_a, status=Certification.Status.PENDING)
        response = client_for(user).post(template.format(cert=cert.pk), {"decision": "approve"})
        got.append(response.status_code)
        if response.status_code == 302 and "/accounts/login/" in response["Location"]:
            assert Certification.objects.filter(pk=cert.pk, status=Certification.Status.PENDING).exists()
    assert tuple(got) == expected
