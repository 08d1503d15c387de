"""Every ecosystem workspace and portal view, for every role: anonymous, member A, member B, observer, staff, admin.

Anonymous visitors are sent to the login page; observers only read dashboards (403 here); member users
reach their own organisation and person in the portal, never another one (404 for another
organisation, 403 for staff pages); staff and admins reach everything.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse

from grappe.ecosystem import services
from grappe.ecosystem.models import Membership, Organisation, Topic
from tests.conftest import client_for
from tests.ecosystem.ui_support import plain_static_and_tmp_media  # noqa: F401

ROLES = ("anonymous", "member_a", "member_b", "observer", "staff", "admin")
LOGIN = "login"  # expected: a redirect to the login page


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    membership_a: Membership
    person_a_pk: int
    affiliation_a_pk: int
    site_a_pk: int
    topic: Topic


@pytest.fixture
def world(org_a, org_b, member_a, member_b, staff_user, admin_user, observer_user) -> World:
    topic = Topic.objects.create(name="Réemploi", slug="reemploi")
    return World(
        org_a=org_a,
        org_b=org_b,
        membership_a=org_a.memberships.get(),
        person_a_pk=member_a.person_id,
        affiliation_a_pk=member_a.person.affiliations.get().pk,
        site_a_pk=org_a.sites.get().pk,
        topic=topic,
    )


@pytest.fixture
def users(member_a, member_b, observer_user, staff_user, admin_user) -> dict:
    return {
        "anonymous": None,
        "member_a": member_a,
        "member_b": member_b,
        "observer": observer_user,
        "staff": staff_user,
        "admin": admin_user,
    }


STAFF_ONLY_GET = {"anonymous": LOGIN, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}
STAFF_ONLY_POST = {"anonymous": LOGIN, "member_a": 403, "member_b": 403, "observer": 403, "staff": 302, "admin": 302}
PORTAL_ORG = {"anonymous": LOGIN, "member_a": 200, "member_b": 404, "observer": 403, "staff": 302, "admin": 302}
PORTAL_ME = {"anonymous": LOGIN, "member_a": 200, "member_b": 200, "observer": 403, "staff": 403, "admin": 403}
CERTIFICATE = {"anonymous": LOGIN, "member_a": 200, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}


def _get(name, *args):
    return lambda w: ("get", reverse(name, args=[a(w) if callable(a) else a for a in args]), None)


def _post(name, args, data):
    return lambda w: (
        "post",
        reverse(name, args=[a(w) if callable(a) else a for a in args]),
        data(w) if callable(data) else data,
    )


ORG_A = lambda w: w.org_a.pk  # noqa: E731
ORG_B = lambda w: w.org_b.pk  # noqa: E731
MEMBERSHIP_A = lambda w: w.membership_a.pk  # noqa: E731
PERSON_A = lambda w: w.person_a_pk  # noqa: E731

CASES = {
    # organisations
    "organisation_list": (_get("ecosystem:organisation_list"), STAFF_ONLY_GET),
    "organisation_create": (_get("ecosystem:organisation_create"), STAFF_ONLY_GET),
    "organisation_create_post": (
        _post("ecosystem:organisation_create", [], {"name": "Gamma", "kind": "company", "sme_status": "unknown"}),
        STAFF_ONLY_POST,
    ),
    "organisation_detail": (_get("ecosystem:organisation_detail", ORG_A), STAFF_ONLY_GET),
    "organisation_edit": (_get("ecosystem:organisation_edit", ORG_A), STAFF_ONLY_GET),
    "organisation_edit_post": (
        _post("ecosystem:organisation_edit", [ORG_A], {"name": "Alpha renommée", "kind": "company"}),
        STAFF_ONLY_POST,
    ),
    "organisation_delete": (_post("ecosystem:organisation_delete", [ORG_B], {}), STAFF_ONLY_POST),
    "organisation_merge": (_get("ecosystem:organisation_merge", ORG_A), STAFF_ONLY_GET),
    "organisation_merge_post": (
        _post("ecosystem:organisation_merge", [ORG_A], lambda w: {"duplicate": w.org_b.pk}),
        STAFF_ONLY_POST,
    ),
    "site_add": (_post("ecosystem:site_add", [ORG_A], {"site-postal_code": "1000"}), STAFF_ONLY_POST),
    "site_remove": (
        _post("ecosystem:site_remove", [ORG_A, lambda w: w.site_a_pk], {}),
        STAFF_ONLY_POST,
    ),
    "activities_set": (
        _post("ecosystem:activities_set", [ORG_A], {"activity-codes": "43.110", "activity-version": "2025"}),
        STAFF_ONLY_POST,
    ),
    # people
    "person_list": (_get("ecosystem:person_list"), STAFF_ONLY_GET),
    "person_create": (_get("ecosystem:person_create"), STAFF_ONLY_GET),
    "person_create_post": (
        _post("ecosystem:person_create", [], {"first_name": "Zoé", "last_name": "Zénith"}),
        STAFF_ONLY_POST,
    ),
    "person_edit_post": (
        _post("ecosystem:person_edit", [PERSON_A], {"first_name": "Anna", "last_name": "Modifiée"}),
        STAFF_ONLY_POST,
    ),
    "person_detail": (_get("ecosystem:person_detail", PERSON_A), STAFF_ONLY_GET),
    "person_edit": (_get("ecosystem:person_edit", PERSON_A), STAFF_ONLY_GET),
    "affiliation_add": (
        _post("ecosystem:affiliation_add", [PERSON_A], lambda w: {"aff-organisation": w.org_b.pk}),
        STAFF_ONLY_POST,
    ),
    "affiliation_end": (
        _post("ecosystem:affiliation_end", [lambda w: w.affiliation_a_pk], {"end_date": "2030-01-01"}),
        STAFF_ONLY_POST,
    ),
    # memberships
    "membership_list": (_get("ecosystem:membership_list"), STAFF_ONLY_GET),
    "membership_create": (_get("ecosystem:membership_create"), STAFF_ONLY_GET),
    "membership_edit": (_get("ecosystem:membership_edit", MEMBERSHIP_A), STAFF_ONLY_GET),
    "membership_end": (_get("ecosystem:membership_end", MEMBERSHIP_A), STAFF_ONLY_GET),
    "membership_create_post": (
        _post(
            "ecosystem:membership_create",
            [],
            lambda w: {
                "organisation": w.org_b.pk,
                "tier": "sme",
                "yearly_fee": "10",
                "status": "prospect",
                "start_date": "2030-01-01",
            },
        ),
        STAFF_ONLY_POST,
    ),
    "membership_end_post": (
        _post("ecosystem:membership_end", [MEMBERSHIP_A], {"end_date": "2030-01-01", "status": "lapsed"}),
        STAFF_ONLY_POST,
    ),
    "membership_renew": (_post("ecosystem:membership_renew", [MEMBERSHIP_A], {}), STAFF_ONLY_POST),
    "membership_certificate": (_get("ecosystem:membership_certificate", MEMBERSHIP_A), CERTIFICATE),
    # taxonomies
    "taxonomy_index": (_get("ecosystem:taxonomy_index"), STAFF_ONLY_GET),
    "taxonomy_create_value_chain": (_get("ecosystem:taxonomy_create", "value-chain"), STAFF_ONLY_GET),
    "taxonomy_create_segment": (_get("ecosystem:taxonomy_create", "segment"), STAFF_ONLY_GET),
    "taxonomy_create_competence": (_get("ecosystem:taxonomy_create", "competence"), STAFF_ONLY_GET),
    "taxonomy_create_topic": (_get("ecosystem:taxonomy_create", "topic"), STAFF_ONLY_GET),
    "taxonomy_edit_topic": (_get("ecosystem:taxonomy_edit", "topic", lambda w: w.topic.pk), STAFF_ONLY_GET),
    "taxonomy_create_topic_post": (
        _post("ecosystem:taxonomy_create", ["topic"], {"name_fr": "Économie circulaire", "slug": "eco-circ"}),
        STAFF_ONLY_POST,
    ),
    "taxonomy_delete": (_post("ecosystem:taxonomy_delete", ["topic", lambda w: w.topic.pk], {}), STAFF_ONLY_POST),
    # member portal
    "portal_organisation": (_get("ecosystem:portal_organisation", ORG_A), PORTAL_ORG),
    "portal_organisation_edit": (_get("ecosystem:portal_organisation_edit", ORG_A), PORTAL_ORG),
    "portal_organisation_edit_post": (
        _post("ecosystem:portal_organisation_edit", [ORG_A], {"website": "https://alpha.example"}),
        {**PORTAL_ORG, "member_a": 302},
    ),
    "portal_me": (_get("ecosystem:portal_me"), PORTAL_ME),
    "portal_me_edit_post": (
        _post("ecosystem:portal_me_edit", [], {"first_name": "Moi", "last_name": "Même"}),
        {**PORTAL_ME, "member_a": 302, "member_b": 302},
    ),
    "portal_me_edit": (_get("ecosystem:portal_me_edit"), PORTAL_ME),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_view_answers_each_role_as_the_rules_say(case, role, world, users):
    build, expected = CASES[case]
    method, url, data = build(world)
    client = client_for(users[role])
    response = client.post(url, data) if method == "post" else client.get(url)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == want, (case, role, response.status_code)


@pytest.mark.parametrize("role", ["member_a", "member_b", "observer"])
def test_refused_writes_change_nothing(role, world, users):
    client = client_for(users[role])
    client.post(reverse("ecosystem:organisation_edit", args=[world.org_a.pk]), {"name": "Piraté", "kind": "company"})
    client.post(reverse("ecosystem:organisation_delete", args=[world.org_b.pk]))
    client.post(reverse("ecosystem:membership_renew", args=[world.membership_a.pk]))
    client.post(reverse("ecosystem:organisation_merge", args=[world.org_a.pk]), {"duplicate": world.org_b.pk})
    world.org_a.refresh_from_db()
    assert world.org_a.name == "Alpha Matériaux"
    assert Organisation.objects.filter(pk=world.org_b.pk).exists()
    renewal = Membership.objects.get(pk=world.membership_a.pk).renewal_date
    assert renewal == world.membership_a.renewal_date


def test_member_b_cannot_edit_org_a_profile_through_the_portal(world, member_b_client):
    response = member_b_client.post(
        reverse("ecosystem:portal_organisation_edit", args=[world.org_a.pk]), {"website": "https://evil.example"}
    )
    assert response.status_code == 404
    world.org_a.refresh_from_db()
    assert world.org_a.website == ""


def test_member_whose_affiliation_ended_loses_access_to_the_organisation(world, member_a, member_a_client):
    affiliation = member_a.person.affiliations.get()
    services.affiliation_end(actor=None, affiliation=affiliation, end_date=dt.date.today() - dt.timedelta(days=1))
    response = member_a_client.get(reverse("ecosystem:portal_organisation", args=[world.org_a.pk]))
    assert response.status_code == 404
    certificate = member_a_client.get(reverse("ecosystem:membership_certificate", args=[world.membership_a.pk]))
    assert certificate.status_code == 403
