import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from grappe.ecosystem.models import Membership, Organisation
from grappe.events import services
from grappe.events.models import Event, Notification, Registration
from tests.events.conftest import make_person, register


def test_registrations_beyond_capacity_go_to_the_waitlist_in_order(event, people):
    regs = [register(event, p) for p in people[:4]]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in regs] == [None, None, 1, 2]


def test_cancelling_a_confirmed_seat_promotes_the_first_on_the_waitlist(event, people):
    first, _second, third, fourth = (register(event, p) for p in people[:4])
    promoted = services.registration_cancel(actor=None, registration=first)
    assert promoted.pk == third.pk
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == Registration.Status.CONFIRMED and third.waitlist_position is None
    assert services.registration_waitlist_rank(fourth) == 1
    assert event.registrations.filter(status="confirmed").count() == 2


def test_cancelling_a_waitlisted_registration_promotes_nobody(event, people):
    regs = [register(event, p) for p in people[:3]]
    assert services.registration_cancel(actor=None, registration=regs[2]) is None
    assert event.registrations.filter(status="confirmed").count() == 2


def test_raising_capacity_promotes_from_the_waitlist(event, people):
    regs = [register(event, p) for p in people[:5]]
    services.event_update(actor=None, event=event, capacity=4)
    statuses = list(
        Registration.objects.filter(pk__in=[r.pk for r in regs]).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == ["confirmed"] * 4 + ["waitlisted"]


def test_the_same_person_cannot_register_twice(event, people):
    register(event, people[0])
    with pytest.raises(ValidationError, match="déjà inscrit"):
        register(event, people[0])


def test_a_person_can_register_again_after_cancelling(event, people):
    reg = register(event, people[0])
    services.registration_cancel(actor=None, registration=reg)
    assert register(event, people[0]).status == Registration.Status.CONFIRMED


def test_registration_requires_consent(event, people):
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=None, event=event, person=people[0], consent=False)
    assert "consent" in exc.value.message_dict
    assert not Registration.objects.exists()


def test_draft_events_refuse_public_registrations_but_staff_may_register(event, people):
    event = services.event_update(actor=None, event=event, status=Event.Status.DRAFT)
    with pytest.raises(ValidationError, match="pas ouvertes"):
        register(event, people[0])
    assert register(event, people[0], by_staff=True).status == "confirmed"


def test_members_only_event_refuses_non_members(event, people, org_a):
    event = services.event_update(actor=None, event=event, audience=Event.Audience.MEMBERS_ONLY)
    with pytest.raises(ValidationError, match="réservé aux membres"):
        register(event, people[0])
    person = make_person(50, org_a)
    reg = register(event, person, organisation=org_a)
    assert reg.is_member and reg.price == 0


def test_non_members_pay_the_non_member_price(event, people):
    assert str(register(event, people[0]).price) == "25.00"


def test_required_custom_questions_must_be_answered_and_choices_respected(event, people):
    event = services.event_update(
        actor=None,
        event=event,
        questions=[
            {
                "key": "lunch",
                "label": "Lunch",
                "type": "choice",
                "choices": ["végétarien", "standard"],
                "required": True,
            },
            {"key": "parking", "label": "Parking", "type": "bool"},
        ],
    )
    with pytest.raises(ValidationError) as exc:
        register(event, people[0], answers={"lunch": "poisson"})
    assert "q_lunch" in exc.value.message_dict
    reg = register(event, people[0], answers={"lunch": "standard", "parking": "on"})
    assert reg.answers == {"lunch": "standard", "parking": True}


def test_invalid_questions_are_rejected_naming_the_question(event):
    with pytest.raises(ValidationError) as exc:
        services.event_update(actor=None, event=event, questions=[{"key": "a", "label": "A", "type": "colour"}])
    assert "Question 1" in exc.value.message_dict["questions"][0]


def test_public_registration_finds_the_organisation_by_enterprise_number(event, org_a):
    reg = services.registration_public(
        event=event,
        first_name="Zoé",
        last_name="Zed",
        email="zoe@alpha.test",
        organisation_name="n'importe",
        enterprise_number="BE 0403 019 261",
        consent=True,
    )
    assert reg.organisation == org_a and reg.is_member
    assert reg.person.affiliations.filter(organisation=org_a).exists()


def test_public_registration_creates_an_unknown_organisation_as_a_prospect(event):
    reg = services.registration_public(
        event=event,
        first_name="Yves",
        last_name="Why",
        email="yves@new.test",
        organisation_name="Nouvelle Menuiserie",
        consent=True,
    )
    org = Organisation.objects.get(name="Nouvelle Menuiserie")
    assert reg.organisation == org and not reg.is_member
    assert org.memberships.get().status == Membership.Status.PROSPECT


def test_public_registration_with_a_bad_enterprise_number_creates_nothing(event):
    with pytest.raises(ValidationError) as exc:
        services.registration_public(
            event=event,
            first_name="A",
            last_name="B",
            email="a@b.test",
            organisation_name="X",
            enterprise_number="0123.456.789",
            consent=True,
        )
    assert "enterprise_number" in exc.value.message_dict
    assert not Organisation.objects.filter(name="X").exists() and not Registration.objects.exists()


def test_public_registration_reuses_the_person_with_the_same_email(event, people):
    reg = services.registration_public(
        event=event, first_name="Autre", last_name="Nom", email="P1@example.test", consent=True
    )
    assert reg.person == people[0]


def test_signed_link_finds_the_registration_and_dies_when_tampered(event, people):
    reg = register(event, people[0])
    token = services.registration_signed_token(reg)
    assert services.registration_from_signed_token(token) == reg
    assert services.registration_from_signed_token(token[:-2] + "xx") is None
    reg.token = "renewed"
    reg.save()
    assert services.registration_from_signed_token(token) is None


def test_confirmation_email_carries_an_ics_and_waitlist_email_the_rank(
    event, people, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        register(event, people[0])
        register(event, people[1])
        register(event, people[2])
    assert len(mail.outbox) == 3
    confirmation = mail.outbox[0]
    assert "confirmée" in confirmation.subject
    assert confirmation.attachments[0][0].endswith(".ics")
    assert "/events/manage/" in confirmation.body
    assert "position 1" in mail.outbox[2].body
    assert Notification.objects.filter(kind="confirmation").count() == 2


def test_cancellation_promotes_and_emails_both_people(event, people, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    regs = [register(event, p) for p in people[:3]]
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=None, registration=regs[0])
    subjects = sorted(m.subject for m in mail.outbox)
    assert any(s.startswith("Annulation") for s in subjects)
    assert any("place s'est libérée" in s for s in subjects)
    cancel = next(m for m in mail.outbox if m.subject.startswith("Annulation"))
    assert (
        b"METHOD:CANCEL" in cancel.attachments[0][1].encode()
        if isinstance(cancel.attachments[0][1], str)
        else b"METHOD:CANCEL" in cancel.attachments[0][1]
    )


def test_check_in_and_no_shows(event, people):
    regs = [register(event, p) for p in people[:3]]
    services.registration_check_in(actor=None, registration=regs[0])
    with pytest.raises(ValidationError):
        services.registration_check_in(actor=None, registration=regs[2])  # waitlisted
    with pytest.raises(ValidationError, match="pas encore commencé"):
        services.event_record_no_shows(actor=None, event=event)
    Event.objects.filter(pk=event.pk).update(start=event.start.replace(year=2020), end=event.end.replace(year=2020))
    event.refresh_from_db()
    assert services.event_record_no_shows(actor=None, event=event) == 1
    regs[1].refresh_from_db()
    assert regs[1].attendance == Registration.Attendance.NO_SHOW


def test_survey_only_after_the_event_and_scores_1_to_5(event, people):
    reg = register(event, people[0])
    with pytest.raises(ValidationError, match="après l'événement"):
        services.survey_submit(registration=reg, score=4)
    Event.objects.filter(pk=event.pk).update(start=event.start.replace(year=2020), end=event.end.replace(year=2020))
    reg.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.survey_submit(registration=reg, score=9)
    assert "score" in exc.value.message_dict
    assert services.survey_submit(registration=reg, score="5", comment="Très utile").score == 5


def test_every_registration_write_is_audited(event, people):
    from grappe.core.models import AuditEntry

    reg = register(event, people[0])
    services.registration_cancel(actor=None, registration=reg)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"events.event.created", "events.registration.created", "events.registration.cancelled"} <= actions
