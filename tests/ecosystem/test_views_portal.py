"""Member self-service: a member user reads and edits their organisation's profile and their own record."""

import datetime as dt

import pytest
from django.urls import reverse

from grappe.core.models import AuditEntry
from grappe.ecosystem import services
from grappe.ecosystem.models import Competence, Topic
from tests.ecosystem.ui_support import errors_of, plain_static_and_tmp_media  # noqa: F401


def test_member_sees_their_organisation_without_private_data(member_a_client, org_a):
    services.organisation_update(actor=None, organisation=org_a, internal_notes="Négociation tarifaire en cours")
    response = member_a_client.get(reverse("ecosystem:portal_organisation", args=[org_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Matériaux" in html
    assert "Négociation tarifaire" not in html
    assert "500" not in html.split("memberships-h")[1].split("</table>")[0]  # no fee column for members
    assert "history" not in response.context
    assert "Historique des modifications" not in html
    assert response.context["past_affiliations"] == []


def test_member_sees_colleagues_professional_cards(member_a_client, org_a, member_a):
    colleague = services.person_create(
        actor=None, first_name="Chloé", last_name="Collègue", email="chloe.perso@example.test", notes="Privé"
    )
    services.affiliation_create(
        actor=None, person=colleague, organisation=org_a, function="Acheteuse", email="chloe@alpha.test"
    )
    html = member_a_client.get(reverse("ecosystem:portal_me")).content.decode()
    assert "Chloé Collègue" in html
    assert "chloe@alpha.test" in html
    assert "chloe.perso@example.test" not in html  # the personal e-mail is not a colleague's business
    assert "Privé" not in html


def test_member_does_not_see_people_of_another_organisation(member_a_client, member_b):
    html = member_a_client.get(reverse("ecosystem:portal_me")).content.decode()
    assert "Bruno" not in html


@pytest.fixture
def direct_profile_edits(settings):
    """Clusters that publish member profiles without review: the portal form edits every field."""
    settings.GRAPPE_SHOWCASE_PROFILE_APPROVAL = False


def test_with_profile_approval_public_fields_are_proposed_on_the_public_profile_page(member_a_client, org_a):
    url = reverse("ecosystem:portal_organisation_edit", args=[org_a.pk])
    response = member_a_client.get(url)
    form = response.context["form"]
    assert "description_fr" not in form.fields and "website" not in form.fields
    assert "headcount_band" in form.fields
    assert reverse("showcase_members:portal_profile_edit", args=[org_a.pk]) in response.content.decode()
    member_a_client.post(url, {"description_fr": "Publié sans relecture", "headcount_band": "20-49"})
    org_a.refresh_from_db()
    assert org_a.description_fr != "Publié sans relecture"
    assert org_a.headcount_band == "20-49"


@pytest.mark.usefixtures("direct_profile_edits")
def test_member_updates_the_profile_subset_and_it_is_audited_under_their_name(member_a_client, member_a, org_a):
    competence = Competence.objects.create(name="Chaux", slug="chaux")
    response = member_a_client.post(
        reverse("ecosystem:portal_organisation_edit", args=[org_a.pk]),
        {
            "description_fr": "Nous produisons des enduits à la chaux.",
            "description_en": "We make lime plasters.",
            "website": "https://alpha.example",
            "competences": [competence.pk],
            "export_markets": ["LU"],
            "headcount_band": "20-49",
            "public_profile_consent": "on",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.description_en == "We make lime plasters."
    assert list(org_a.competences.all()) == [competence]
    assert org_a.public_profile_consent is True
    assert org_a.public_profile_consent_at is not None
    entry = AuditEntry.objects.filter(organisation_id=org_a.pk, action="ecosystem.organisation.updated").latest("at")
    assert entry.actor == member_a
    assert "description_en" in entry.changes


@pytest.mark.usefixtures("direct_profile_edits")
def test_member_cannot_change_protected_fields_even_by_posting_them(member_a_client, org_a):
    response = member_a_client.post(
        reverse("ecosystem:portal_organisation_edit", args=[org_a.pk]),
        {
            "website": "https://alpha.example",
            "internal_notes": "écrit par le membre",
            "enterprise_number": "0202.239.951",
            "kind": "investor",
            "source": "register",
            "name": "Autre nom",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.website == "https://alpha.example"
    assert org_a.internal_notes == ""
    assert org_a.enterprise_number == "0403019261"
    assert org_a.kind == "company"
    assert org_a.source == "manual"
    assert org_a.name == "Alpha Matériaux"


@pytest.mark.usefixtures("direct_profile_edits")
def test_member_profile_form_offers_only_the_allowed_fields(member_a_client, org_a):
    form = member_a_client.get(reverse("ecosystem:portal_organisation_edit", args=[org_a.pk])).context["form"]
    assert "internal_notes" not in form.fields
    assert "enterprise_number" not in form.fields
    assert "kind" not in form.fields
    assert "description_nl" in form.fields


@pytest.mark.usefixtures("direct_profile_edits")
def test_member_profile_errors_are_shown_and_nothing_saved(member_a_client, org_a):
    response = member_a_client.post(
        reverse("ecosystem:portal_organisation_edit", args=[org_a.pk]), {"website": "pas-une-adresse", "email": "x"}
    )
    assert response.status_code == 200
    assert {"website", "email"} <= set(errors_of(response))
    org_a.refresh_from_db()
    assert org_a.website == ""


def test_member_edits_their_own_person_but_not_the_notes(member_a_client, member_a):
    topic = Topic.objects.create(name="Construction bois", slug="bois")
    response = member_a_client.post(
        reverse("ecosystem:portal_me_edit"),
        {
            "first_name": "Anna",
            "last_name": "Alpha-Durand",
            "email": "Anna@Alpha.test",
            "languages": ["fr", "nl"],
            "interests": [topic.pk],
            "notes": "je m'écris une note",
        },
    )
    assert response.status_code == 302
    person = member_a.person
    person.refresh_from_db()
    assert person.last_name == "Alpha-Durand"
    assert person.email == "anna@alpha.test"
    assert person.languages == ["fr", "nl"]
    assert list(person.interests.all()) == [topic]
    assert person.notes == ""


def test_member_portal_page_lists_their_organisations_and_certificates(member_a_client, org_a, org_b):
    html = member_a_client.get(reverse("core:portal")).content.decode()
    assert reverse("ecosystem:portal_organisation", args=[org_a.pk]) in html
    assert "Béton Bêta" not in html
    page = member_a_client.get(reverse("ecosystem:portal_organisation", args=[org_a.pk])).content.decode()
    assert reverse("ecosystem:membership_certificate", args=[org_a.memberships.get().pk]) in page


def test_staff_following_a_portal_link_lands_on_the_staff_page(staff_client, org_a):
    response = staff_client.get(reverse("ecosystem:portal_organisation", args=[org_a.pk]))
    assert response.url == reverse("ecosystem:organisation_detail", args=[org_a.pk])


def test_former_employee_no_longer_sees_the_organisation(member_a_client, member_a, org_a):
    affiliation = member_a.person.affiliations.get()
    services.affiliation_end(actor=None, affiliation=affiliation, end_date=dt.date(2020, 1, 1))
    assert member_a_client.get(reverse("ecosystem:portal_organisation", args=[org_a.pk])).status_code == 404
