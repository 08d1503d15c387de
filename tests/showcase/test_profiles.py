"""Member public-profile proposals: members propose, staff review a diff, only approved content is public."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from grappe.core.models import AuditEntry
from grappe.ecosystem import services
from grappe.ecosystem.models import Competence, Organisation
from grappe.showcase import profiles
from grappe.showcase.models import ProfileProposal

PORTAL = "/portal/public-profile/"
STAFF = "/staff/showcase/proposals/"


@pytest.fixture
def public_a(org_a) -> Organisation:
    with translation.override("fr"):
        services.organisation_update(
            actor=None, organisation=org_a, public_profile_consent=True, description_fr="Granulats recyclés."
        )
    Competence.objects.create(name="Réemploi", slug="reemploi")
    return Organisation.objects.get(pk=org_a.pk)


def form_data(**overrides) -> dict:
    data = {
        "description_fr": "Granulats recyclés et bétons bas carbone.",
        "description_en": "Recycled aggregates.",
        "description_nl": "Gerecycleerde granulaten.",
        "description_de": "",
        "acronym": "ALM",
        "website": "https://alpha.example",
        "email": "info@alpha.example",
        "phone": "+32 81 00 00 00",
        "competences": ["reemploi"],
        "export_markets": ["FR", "NL"],
    }
    data.update(overrides)
    return data


def test_member_proposes_staff_approves_public_page_changes(client, member_a_client, staff_client, public_a, member_a):
    assert "Gerecycleerde" not in client.get(f"/nl/directory/{public_a.slug}/").content.decode()
    page = member_a_client.get(f"{PORTAL}{public_a.pk}/")
    assert page.status_code == 200
    assert 'lang="nl"' in page.content.decode()
    response = member_a_client.post(f"{PORTAL}{public_a.pk}/", form_data())
    assert response.status_code == 302
    proposal = ProfileProposal.objects.get()
    assert proposal.status == ProfileProposal.Status.PENDING and proposal.submitted_by == member_a
    # Not public yet, in any language.
    assert "Gerecycleerde" not in client.get(f"/nl/directory/{public_a.slug}/").content.decode()
    assert "bas carbone" not in client.get(f"/fr/directory/{public_a.slug}/").content.decode()
    # Staff see the diff.
    listing = staff_client.get(STAFF).content.decode()
    assert "Alpha Matériaux" in listing
    detail = staff_client.get(f"{STAFF}{proposal.pk}/").content.decode()
    assert "<ins>et bétons bas carbone.</ins>" in detail or "<ins>" in detail
    assert "<del>recyclés.</del>" in detail
    response = staff_client.post(f"{STAFF}{proposal.pk}/", {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProfileProposal.Status.APPROVED
    assert "Gerecycleerde granulaten." in client.get(f"/nl/directory/{public_a.slug}/").content.decode()
    assert "bétons bas carbone" in client.get(f"/fr/directory/{public_a.slug}/").content.decode()
    # And the directory search finds the new text (index follows).
    assert "Alpha Matériaux" in client.get("/en/directory/?q=aggregates").content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"showcase.profile.proposed", "showcase.profile.approved", "ecosystem.organisation.updated"} <= actions


def test_rejection_needs_a_message_and_keeps_the_public_profile(
    member_a_client, staff_client, staff_user, public_a, member_a
):
    member_a_client.post(f"{PORTAL}{public_a.pk}/", form_data(description_fr="Texte refusé."))
    proposal = ProfileProposal.objects.get()
    page = staff_client.post(f"{STAFF}{proposal.pk}/", {"decision": "reject", "comment": ""})
    assert page.status_code == 200 and "pourquoi" in page.content.decode()
    staff_client.post(f"{STAFF}{proposal.pk}/", {"decision": "reject", "comment": "Ton trop promotionnel."})
    proposal.refresh_from_db()
    assert proposal.status == ProfileProposal.Status.REJECTED
    assert Organisation.objects.get(pk=public_a.pk).description_fr == "Granulats recyclés."
    # The member reads the reason in the portal; the public never does.
    assert "Ton trop promotionnel." in member_a_client.get(PORTAL).content.decode()
    assert AuditEntry.objects.filter(action="showcase.profile.rejected").exists()
    with pytest.raises(ValidationError):
        profiles.approve(actor=staff_user, proposal=proposal)


def test_a_new_proposal_replaces_the_pending_one_and_unchanged_is_not_recorded(member_a_client, public_a):
    member_a_client.post(f"{PORTAL}{public_a.pk}/", form_data(description_fr="Premier jet."))
    member_a_client.post(f"{PORTAL}{public_a.pk}/", form_data(description_fr="Second jet."))
    statuses = dict(ProfileProposal.objects.values_list("proposed__description_fr", "status"))
    assert statuses == {"Premier jet.": "superseded", "Second jet.": "pending"}
    # The form reopens on the pending proposal.
    assert "Second jet." in member_a_client.get(f"{PORTAL}{public_a.pk}/").content.decode()
    before = ProfileProposal.objects.count()
    current = profiles.published_values(public_a)
    current["competences"] = []
    member_a_client.post(f"{PORTAL}{public_a.pk}/", {k: v for k, v in current.items() if v})
    assert ProfileProposal.objects.count() == before


def test_immediate_publication_setting(member_a_client, client, public_a, settings):
    settings.GRAPPE_SHOWCASE_PROFILE_APPROVAL = False
    member_a_client.post(f"{PORTAL}{public_a.pk}/", form_data(description_fr="Publié tout de suite."))
    assert ProfileProposal.objects.get().status == ProfileProposal.Status.APPROVED
    assert "Publié tout de suite." in client.get(f"/fr/directory/{public_a.slug}/").content.decode()


def test_bad_input_is_refused_without_500(member_a_client, public_a):
    response = member_a_client.post(
        f"{PORTAL}{public_a.pk}/",
        form_data(website="javascript:alert(1)", email="nope", competences=["unknown"], export_markets=["XX"]),
    )
    assert response.status_code == 200
    assert "erreurs" in response.content.decode()
    assert not ProfileProposal.objects.exists()
    response = member_a_client.post(f"{PORTAL}{public_a.pk}/", form_data(description_fr="x" * 10_000))
    assert response.status_code == 200 and not ProfileProposal.objects.exists()


def test_member_cannot_touch_another_organisation(member_b_client, public_a):
    assert member_b_client.get(f"{PORTAL}{public_a.pk}/").status_code == 404
    assert member_b_client.post(f"{PORTAL}{public_a.pk}/", form_data()).status_code == 404
    assert not ProfileProposal.objects.exists()


def test_staff_pages_per_role(
    client, member_a_client, observer_client, staff_client, admin_client_, public_a, member_a
):
    proposal = profiles.submit(actor=member_a, organisation=public_a, values=form_data())
    for url in (STAFF, f"{STAFF}{proposal.pk}/"):
        assert client.get(url).status_code == 302  # to the login page
        assert member_a_client.get(url).status_code == 403
        assert observer_client.get(url).status_code == 403
        assert staff_client.get(url).status_code == 200
        assert admin_client_.get(url).status_code == 200
    assert member_a_client.post(f"{STAFF}{proposal.pk}/", {"decision": "approve"}).status_code == 403
    assert ProfileProposal.objects.get().status == ProfileProposal.Status.PENDING
    with pytest.raises(PermissionDenied):
        profiles.approve(actor=member_a, proposal=proposal)


def test_portal_pages_per_role(client, member_a_client, observer_client, staff_client, public_a):
    assert client.get(PORTAL).status_code == 302
    assert observer_client.get(PORTAL).status_code == 403
    assert client.get(f"{PORTAL}{public_a.pk}/").status_code == 302
    assert observer_client.get(f"{PORTAL}{public_a.pk}/").status_code == 404
    html = member_a_client.get(PORTAL).content.decode()
    assert "Alpha Matériaux" in html
    assert staff_client.get(PORTAL).status_code == 200
    assert staff_client.get(f"{PORTAL}{public_a.pk}/").status_code == 200


def test_diff_escapes_html(member_a, public_a, staff_client):
    proposal = profiles.submit(
        actor=member_a, organisation=public_a, values=form_data(description_fr="<script>alert(1)</script> texte")
    )
    html = staff_client.get(f"{STAFF}{proposal.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_pending_and_rejected_text_never_reaches_public_output(client, member_a, staff_user, public_a):
    values = form_data(description_fr="SENTINEL-PENDING")
    pending = profiles.submit(actor=member_a, organisation=public_a, values=values)
    assert pending.status == ProfileProposal.Status.PENDING
    other = profiles.submit(actor=member_a, organisation=public_a, values=form_data(description_en="SENTINEL-REJECT"))
    profiles.reject(actor=staff_user, proposal=other, comment="SENTINEL-STAFF-COMMENT")
    urls = [f"/{lang}/directory/{public_a.slug}/" for lang in ("fr", "en", "nl", "de")]
    urls += ["/fr/directory/?q=sentinel", "/opendata/organisations.json", "/opendata/organisations.csv", "/sitemap.xml"]
    for url in urls:
        body = client.get(url).content.decode()
        for sentinel in ("SENTINEL-PENDING", "SENTINEL-REJECT", "SENTINEL-STAFF-COMMENT"):
            assert sentinel not in body, (sentinel, url)
