"""The organisation page panel: the organisation's sites on the offline map."""

import pytest
from django.urls import reverse

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation

ROLES = ["client", "member_a_client", "member_b_client", "observer_client", "staff_client", "admin_client_"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, status, context",
    [
        ("client", 403, False),
        ("member_a_client", 200, False),  # its own organisation: sites only
        ("member_b_client", 403, False),  # another member's organisation
        ("observer_client", 403, False),  # observers have no organisation pages (ORG-VIEW)
        ("staff_client", 200, True),
        ("admin_client_", 200, True),
    ],
)
def test_panel_follows_org_view_and_only_readers_see_the_ecosystem_around(role, status, context, request, org_a, org_b):
    response = request.getfixturevalue(role).get(reverse("insights:organisation_map", args=[org_a.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert 'class="site-map insights-map organisation-map"' in body
        assert body.count('class="org-site"') == 1  # one site in Namur
        assert ("layer-members" in body) == context
        assert ("L'écosystème dans ses communes" in body) == context
        assert "Béton Bêta" not in body  # no other organisation's name, whoever reads


@pytest.mark.django_db
def test_panel_counts_members_and_others_in_the_organisation_municipalities(staff_client, org_a):
    other = services.organisation_create(actor=None, name="Gamma", kind=Organisation.Kind.COMPANY)
    services.site_add(actor=None, organisation=other, postal_code="5000", street="Rue", number="2")
    body = staff_client.get(reverse("insights:organisation_map", args=[org_a.pk])).content.decode()
    assert "<td>1</td><td>1</td>" in body  # one member (Alpha), one other organisation (Gamma) in Namur


@pytest.mark.django_db
def test_panel_without_sites_says_so(staff_client):
    org = services.organisation_create(actor=None, name="Nulle part", kind=Organisation.Kind.COMPANY)
    body = staff_client.get(reverse("insights:organisation_map", args=[org.pk])).content.decode()
    assert "Aucun site enregistré" in body
    assert 'data-sites="0"' in body


@pytest.mark.django_db
def test_unknown_organisation_is_not_found(staff_client):
    assert staff_client.get(reverse("insights:organisation_map", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_organisation_page_loads_the_map_panel(staff_client, org_a):
    body = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk])).content.decode()
    assert reverse("insights:organisation_map", args=[org_a.pk]) in body
    assert "Carte des implantations" in body
