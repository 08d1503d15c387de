"""The permission rules of ``grappe.accounts.permissions`` for each role."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from grappe.accounts import permissions
from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation, Person
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_roles_map_to_capabilities(staff_user, admin_user, observer_user, member_a):
    anonymous = AnonymousUser()
    assert permissions.is_staff(staff_user) and permissions.is_staff(admin_user)
    assert not permissions.is_staff(observer_user) and not permissions.is_staff(member_a)
    assert not permissions.is_staff(anonymous)
    assert permissions.is_admin(admin_user) and not permissions.is_admin(staff_user)
    assert permissions.can_read_reports(observer_user) and permissions.can_read_reports(staff_user)
    assert not permissions.can_read_reports(member_a) and not permissions.can_read_reports(anonymous)


def test_inactive_staff_has_no_rights(staff_user):
    staff_user.is_active = False
    assert not permissions.is_staff(staff_user)


def test_member_acts_only_for_current_employers(member_a, org_a, org_b):
    assert permissions.member_organisation_ids(member_a) == {org_a.pk}
    assert permissions.can_edit_organisation(member_a, org_a)
    assert not permissions.can_edit_organisation(member_a, org_b)
    affiliation = member_a.person.affiliations.get()
    services.affiliation_end(actor=None, affiliation=affiliation, end_date=dt.date.today() - dt.timedelta(days=1))
    assert permissions.member_organisation_ids(member_a) == set()
    assert not permissions.can_edit_organisation(member_a, org_a)


def test_querysets_are_restricted_per_user(staff_user, observer_user, member_a, org_a, org_b):
    everything = Organisation.objects.all()
    assert set(permissions.restrict_organisations(everything, staff_user)) == {org_a, org_b}
    assert set(permissions.restrict_organisations(everything, member_a)) == {org_a}
    assert not permissions.restrict_organisations(everything, observer_user).exists()
    assert not permissions.restrict_organisations(everything, AnonymousUser()).exists()
    people = Person.objects.all()
    assert set(permissions.restrict_people(people, member_a)) == {member_a.person}
    assert not permissions.restrict_people(people, observer_user).exists()


def test_member_edits_only_their_own_person(member_a, member_b):
    assert permissions.can_edit_person(member_a, member_a.person)
    assert not permissions.can_edit_person(member_a, member_b.person)


def test_portal_self_rule_needs_a_member_login_tied_to_a_person(staff_user, admin_user, observer_user, member_a):
    assert permissions.can_use_own_person_record(member_a)
    for user in (staff_user, admin_user, observer_user, AnonymousUser()):
        assert not permissions.can_use_own_person_record(user)
    member_a.person = None
    assert not permissions.can_use_own_person_record(member_a)


def test_a_member_login_without_a_person_gets_403_on_its_own_record_and_consents(member_a):
    member_a.person = None
    member_a.save()
    client = client_for(member_a)
    for name in ("ecosystem:portal_me", "ecosystem:portal_consents"):
        assert client.get(reverse(name)).status_code == 403


def test_profile_portal_rule_member_users_and_staff(staff_user, admin_user, observer_user, member_a, member_b):
    """PROFILE-PORTAL: the list of one's organisations' public profiles (showcase_members:portal_profiles)."""
    for user in (staff_user, admin_user, member_a, member_b):
        assert permissions.can_list_public_profile_proposals(user)
    assert not permissions.can_list_public_profile_proposals(observer_user)
    assert not permissions.can_list_public_profile_proposals(AnonymousUser())


PORTAL_STATUS = {"member_a": 200, "member_b": 200, "observer_user": 403, "staff_user": 200, "admin_user": 200}


@pytest.mark.parametrize("persona", [None, *PORTAL_STATUS])
def test_the_profile_portal_page_follows_the_named_rule(persona, request):
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).get(reverse("showcase_members:portal_profiles"))
    if persona is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == PORTAL_STATUS[persona]


def test_staff_only_projects_are_seen_by_staff_only(staff_user, admin_user, observer_user, member_a):
    """INNO-STAFF-ONLY (collaboration network, its exports and API)."""
    assert permissions.can_see_staff_only_projects(staff_user) and permissions.can_see_staff_only_projects(admin_user)
    for user in (observer_user, member_a, AnonymousUser()):
        assert not permissions.can_see_staff_only_projects(user)
