"""Member portal: a member user grants and withdraws their own consents, per role."""

from django.urls import reverse

from grappe.core.models import AuditEntry
from grappe.ecosystem import services
from grappe.ecosystem.models import Consent
from tests.conftest import client_for
from tests.ecosystem.ui_support import plain_static_and_tmp_media  # noqa: F401

URL = "ecosystem:portal_consents"


def test_anonymous_goes_to_login(client, db):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_observer_staff_admin_have_no_own_consents(observer_user, staff_user, admin_user):
    for user in (observer_user, staff_user, admin_user):
        assert client_for(user).get(reverse(URL)).status_code == 403


def test_member_sees_every_purpose_with_its_state(member_a_client, member_a):
    services.consent_record(actor=None, person=member_a.person, purpose=Consent.Purpose.NEWSLETTER)
    response = member_a_client.get(reverse(URL))
    states = {s["purpose"]: s for s in response.context["states"]}
    assert response.status_code == 200
    assert set(states) == set(Consent.Purpose.values)
    assert states["newsletter"]["active"] is not None and states["events"]["active"] is None


def test_member_grants_then_withdraws(member_a_client, member_a):
    response = member_a_client.post(reverse(URL), {"purpose": "photos", "action": "grant"}, follow=True)
    assert "Consentement donné" in response.content.decode()
    consent = member_a.person.consents.get(purpose="photos")
    assert consent.is_active and consent.source == Consent.Source.PORTAL
    assert AuditEntry.objects.filter(action="ecosystem.consent.given", actor=member_a).count() == 1

    response = member_a_client.post(reverse(URL), {"purpose": "photos", "action": "grant"}, follow=True)
    assert "déjà donné" in response.content.decode()
    assert member_a.person.consents.filter(purpose="photos").count() == 1

    response = member_a_client.post(reverse(URL), {"purpose": "photos", "action": "withdraw"}, follow=True)
    assert "Consentement retiré" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="ecosystem.consent.withdrawn", actor=member_a).count() == 1


def test_member_b_changes_only_their_own(member_a, member_b_client, member_b):
    services.consent_record(actor=None, person=member_a.person, purpose=Consent.Purpose.EVENTS)
    member_b_client.post(reverse(URL), {"purpose": "events", "action": "withdraw"})
    assert member_a.person.consents.get(purpose="events").is_active
    assert not member_b.person.consents.exists()


def test_bad_request_changes_nothing(member_a_client, member_a):
    for data in ({}, {"purpose": "nope", "action": "grant"}, {"purpose": "photos", "action": "delete"}):
        response = member_a_client.post(reverse(URL), data)
        assert response.status_code == 400
        assert "aucun consentement" in response.content.decode()
    assert not member_a.person.consents.exists()
