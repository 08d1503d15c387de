"""Member portal: colleagues' access (invite, list, revoke) and the one-time invitation link, per role."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from grappe.accounts.models import User
from grappe.core.models import AuditEntry
from grappe.ecosystem import services
from grappe.ecosystem.models import Affiliation, Person
from tests.conftest import client_for, make_user
from tests.ecosystem.ui_support import plain_static_and_tmp_media  # noqa: F401

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, django_capture_on_commit_callbacks):
    global _capture
    settings.TASKS = IMMEDIATE
    _capture = django_capture_on_commit_callbacks


_capture = None


def _url(org, user=None):
    if user is None:
        return reverse("ecosystem:portal_colleagues", args=[org.pk])
    return reverse("ecosystem:portal_colleague_revoke", args=[org.pk, user.pk])


def _invite(client, org, **data):
    payload = {"email": "carla@alpha.test", "first_name": "Carla", "last_name": "Colla", "function": "CFO"}
    payload.update(data)
    with _capture(execute=True):  # the e-mail task is enqueued on commit
        return client.post(_url(org), payload, follow=False)


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


# --- roles ---------------------------------------------------------------------------------------------


def test_anonymous_goes_to_login(client, org_a):
    response = client.get(_url(org_a))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_a_lists_colleagues_with_last_login(member_a_client, member_a, org_a):
    response = member_a_client.get(_url(org_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "anna@alpha.test" in html and "Dernière connexion" in html


def test_member_b_cannot_see_or_touch_org_a(member_b_client, member_a, org_a):
    assert member_b_client.get(_url(org_a)).status_code == 404
    assert _invite(member_b_client, org_a).status_code == 404
    assert member_b_client.post(_url(org_a, member_a)).status_code == 404
    member_a.refresh_from_db()
    assert member_a.is_active
    assert not User.objects.filter(email="carla@alpha.test").exists()


def test_observer_is_refused(observer_user, org_a):
    client = client_for(observer_user)
    assert client.get(_url(org_a)).status_code == 403
    assert _invite(client, org_a).status_code == 403


def test_staff_and_admin_manage_any_organisation(staff_client, admin_client_, member_a, org_a):
    assert staff_client.get(_url(org_a)).status_code == 200
    assert _invite(admin_client_, org_a).status_code == 302
    assert User.objects.get(email="carla@alpha.test").person.affiliations.get().organisation == org_a


# --- invite -------------------------------------------------------------------------------------------


def test_member_invites_a_colleague_who_sets_a_password(member_a_client, member_a, org_a, client):
    response = _invite(member_a_client, org_a)
    assert response.status_code == 302
    user = User.objects.get(email="carla@alpha.test")
    assert user.role == User.Role.MEMBER and user.is_active and not user.has_usable_password()
    assert Affiliation.objects.get(person=user.person).organisation == org_a
    entry = AuditEntry.objects.get(action="accounts.user.invited")
    assert entry.actor == member_a and entry.organisation_id == org_a.pk
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["carla@alpha.test"]
    assert "Alpha Matériaux" in mail.outbox[0].subject
    page = member_a_client.get(_url(org_a)).content.decode()
    assert "invitation en attente" in page

    path = _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    done = client.post(
        "/" + path, {"new_password1": "Un-mot-de-passe-solide-42", "new_password2": "Un-mot-de-passe-solide-42"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Un-mot-de-passe-solide-42")
    assert AuditEntry.objects.filter(action="accounts.user.invitation_accepted").count() == 1
    # one-time: the same link no longer works
    assert client.get("/" + path).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "pas-une-adresse"}, "adresse de courriel valide"),
        ({"email": "anna@alpha.test"}, "déjà accès"),
        ({"email": "bruno@beta.test"}, "autre organisation"),
        ({"email": "staff@cluster.test"}, "ne peut pas être invité"),
        ({"email": "new@alpha.test", "first_name": "", "last_name": ""}, "prénom et le nom"),
    ],
)
def test_bad_invitations_change_nothing(member_a_client, member_a, member_b, staff_user, org_a, data, message):
    users, people, entries = User.objects.count(), Person.objects.count(), AuditEntry.objects.count()
    response = _invite(member_a_client, org_a, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (User.objects.count(), Person.objects.count(), AuditEntry.objects.count()) == (users, people, entries)
    assert mail.outbox == []


def test_pending_invitation_is_a_duplicate(member_a_client, member_a, org_a):
    assert _invite(member_a_client, org_a).status_code == 302
    response = _invite(member_a_client, org_a)
    assert response.status_code == 400 and "déjà en attente" in response.content.decode()
    assert len(mail.outbox) == 1


def test_existing_contact_of_the_organisation_is_reused(member_a_client, member_a, org_a):
    person = services.person_create(actor=None, first_name="Dora", last_name="Data", email="dora@alpha.test")
    services.affiliation_create(actor=None, person=person, organisation=org_a, email="dora@alpha.test")
    assert _invite(member_a_client, org_a, email="dora@alpha.test", first_name="", last_name="").status_code == 302
    assert User.objects.get(email="dora@alpha.test").person == person
    assert Affiliation.objects.filter(person=person).count() == 1


def test_existing_user_without_organisation_is_linked(member_a_client, member_a, org_a):
    orphan = make_user("eve@alpha.test", User.Role.MEMBER)
    assert _invite(member_a_client, org_a, email="eve@alpha.test", first_name="Eve", last_name="Ex").status_code == 302
    orphan.refresh_from_db()
    assert orphan.person.affiliations.get().organisation == org_a
    assert AuditEntry.objects.filter(action="accounts.user.linked", object_id=str(orphan.pk)).exists()
    assert len(mail.outbox) == 1


# --- revoke -------------------------------------------------------------------------------------------


def test_member_revokes_a_colleague_then_reinvites(member_a_client, member_a, org_a, client):
    _invite(member_a_client, org_a)
    colleague = User.objects.get(email="carla@alpha.test")
    link = _link(mail.outbox[0])
    response = member_a_client.post(_url(org_a, colleague), follow=True)
    assert "est révoqué" in response.content.decode()
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert AuditEntry.objects.get(action="accounts.user.access_revoked").organisation_id == org_a.pk
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 404  # a revoked invitation no longer opens
    assert _invite(member_a_client, org_a).status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_active and len(mail.outbox) == 2


def test_member_cannot_revoke_themselves(member_a_client, member_a, org_a):
    response = member_a_client.post(_url(org_a, member_a), follow=True)
    assert "propre accès" in response.content.decode()
    member_a.refresh_from_db()
    assert member_a.is_active


def test_member_cannot_revoke_staff_or_another_org_user(member_a_client, member_b, staff_user, org_a):
    assert member_a_client.post(_url(org_a, staff_user)).status_code == 404
    assert member_a_client.post(_url(org_a, member_b)).status_code == 404
    member_b.refresh_from_db()
    staff_user.refresh_from_db()
    assert member_b.is_active and staff_user.is_active


def test_member_cannot_revoke_a_colleague_acting_for_another_org(member_a_client, member_b, org_a, staff_client):
    services.affiliation_create(actor=None, person=member_b.person, organisation=org_a)
    response = member_a_client.post(_url(org_a, member_b), follow=True)
    assert "autre organisation" in response.content.decode()
    member_b.refresh_from_db()
    assert member_b.is_active
    staff_client.post(_url(org_a, member_b))
    member_b.refresh_from_db()
    assert not member_b.is_active


def test_revoke_is_post_only(member_a_client, member_a, org_a):
    _invite(member_a_client, org_a)
    colleague = User.objects.get(email="carla@alpha.test")
    assert member_a_client.get(_url(org_a, colleague)).status_code == 405
