"""Every view × every role, then the behaviour of the key pages."""

import datetime as dt

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from grappe.events import matchmaking, selectors, services
from grappe.events.models import Event, Meeting, Registration
from tests.conftest import client_for
from tests.events.conftest import make_person, register

ROLES = ["anonymous", "member_a", "member_b", "observer", "staff", "admin"]


@pytest.fixture
def world(event, session, member_a, member_b, org_a, people):
    """member_a is registered to the event and the B2B day (with a published meeting); member_b is not."""
    reg = register(event, member_a.person, organisation=org_a)
    b2b_reg = register(session.event, member_a.person, organisation=org_a)
    me = matchmaking.participant_join(
        actor=None,
        session=session,
        person=member_a.person,
        organisation=org_a,
        registration=b2b_reg,
        type="buyer",
        requests="béton recyclé",
    )
    other = matchmaking.participant_join(
        actor=None, session=session, person=people[0], type="supplier", offers="béton recyclé"
    )
    request = matchmaking.request_create(actor=None, requester=other, target=me)
    third = matchmaking.participant_join(actor=None, session=session, person=people[1], type="supplier")
    meeting = matchmaking.meeting_impose(actor=None, a=me, b=third, slot=session.slots.first(), table=1)
    matchmaking.session_publish(actor=None, session=session, notify=False)
    return {
        "event": event,
        "registration": reg,
        "session": session,
        "participant": me,
        "request": request,
        "meeting": meeting,
        "token": services.registration_signed_token(reg),
        "org": org_a,
        "feed": selectors.calendar_feed_for(member_a.person),
    }


@pytest.fixture
def clients(member_a, member_b, observer_user, staff_user, admin_user) -> dict[str, Client]:
    users = {
        "anonymous": None,
        "member_a": member_a,
        "member_b": member_b,
        "observer": observer_user,
        "staff": staff_user,
        "admin": admin_user,
    }
    return {role: client_for(user) for role, user in users.items()}


STAFF = {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}
STAFF_POST = {**STAFF, "staff": 302, "admin": 302}
PUBLIC = dict.fromkeys(ROLES, 200)
PORTAL = {"anonymous": 302, "member_a": 200, "member_b": 404, "observer": 403, "staff": 403, "admin": 403}
PORTAL_HOME = {**PORTAL, "member_b": 200}
PANEL = {"anonymous": 403, "member_a": 200, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}


def staff_get(name, *keys):
    return ("get", name, keys, STAFF)


CASES = [
    ("get", "event_list", (), STAFF),
    ("get", "event_create", (), STAFF),
    ("get", "event_detail", ("event.pk",), STAFF),
    ("get", "event_edit", ("event.pk",), STAFF),
    ("get", "check_in", ("event.pk",), STAFF),
    ("get", "attendees_pdf", ("event.pk",), STAFF),
    ("get", "badges_pdf", ("event.pk",), STAFF),
    ("get", "event_statistics", ("event.pk",), STAFF),
    ("get", "session_setup", ("session.event.pk",), STAFF),
    ("get", "session_detail", ("session.pk",), STAFF),
    ("get", "session_agendas", ("session.pk",), STAFF),
    ("post", "event_status", ("event.pk", "=publish"), STAFF_POST),
    ("post", "registration_cancel", ("event.pk", "registration.pk"), STAFF_POST),
    ("post", "check_in_toggle", ("event.pk", "registration.pk"), STAFF_POST),
    ("post", "record_no_shows", ("event.pk",), STAFF_POST),
    ("post", "session_add_registered", ("session.pk",), STAFF_POST),
    ("post", "session_run", ("session.pk",), STAFF_POST),
    ("post", "session_publish", ("session.pk",), STAFF_POST),
    ("post", "meeting_impose", ("session.pk",), STAFF_POST),
    ("post", "meeting_move", ("session.pk",), STAFF_POST),
    ("post", "meeting_lock", ("meeting.pk",), STAFF_POST),
    ("post", "meeting_outcome", ("meeting.pk",), STAFF_POST),
    ("post", "participant_no_show", ("participant.pk",), STAFF_POST),
    ("get", "organisation_panel", ("org.pk",), PANEL),
    ("get", "event_public", ("event.slug",), PUBLIC),
    ("get", "event_ics", ("event.slug",), PUBLIC),
    ("get", "public_feed", (), PUBLIC),
    ("get", "person_feed", ("feed.token",), PUBLIC),
    ("get", "registration_manage", ("token",), PUBLIC),
    ("get", "survey", ("token",), PUBLIC),
    ("get", "portal_events", (), PORTAL_HOME),
    ("get", "portal_profile", ("session.pk",), PORTAL),
    ("get", "portal_recommendations", ("session.pk",), PORTAL),
    ("get", "portal_requests", ("session.pk",), PORTAL),
    ("get", "portal_agenda", ("session.pk",), PORTAL),
    ("get", "portal_agenda_pdf", ("session.pk",), PORTAL),
    ("post", "portal_request_create", ("session.pk",), {**PORTAL, "member_a": 302}),
    ("post", "portal_request_decide", ("request.pk",), {**PORTAL, "member_a": 302}),
]


def resolve(world, key):
    if key.startswith("="):
        return key[1:]
    head, *rest = key.split(".")
    value = world[head]
    for attr in rest:
        value = getattr(value, attr)
    return value


@pytest.mark.parametrize("method, name, keys, expected", CASES, ids=[c[1] for c in CASES])
def test_every_view_answers_each_role_as_the_rules_say(world, clients, method, name, keys, expected):
    url = reverse(f"events:{name}", args=[resolve(world, k) for k in keys])
    answers = {}
    for role in ROLES:
        response = getattr(clients[role], method)(url)
        answers[role] = response.status_code
        if response.status_code == 302 and role == "anonymous":
            assert "/accounts/login" in response["Location"]
    assert answers == {role: expected[role] for role in ROLES}, url


def test_draft_and_invitation_events_are_hidden_from_the_public(client, staff_client, event):
    event = services.event_update(actor=None, event=event, status=Event.Status.DRAFT)
    url = reverse("events:event_public", args=[event.slug])
    assert client.get(url).status_code == 404
    assert client.get(reverse("events:event_ics", args=[event.slug])).status_code == 404
    assert staff_client.get(url).status_code == 200
    services.event_update(actor=None, event=event, status=Event.Status.PUBLISHED, audience=Event.Audience.INVITATION)
    assert client.get(url).status_code == 404


def test_public_registration_form_registers_and_shows_the_waitlist_rank(client, event, people):
    register(event, people[0])
    register(event, people[1])
    url = reverse("events:event_public", args=[event.slug])
    response = client.post(
        url,
        {
            "first_name": "Léa",
            "last_name": "Lambert",
            "email": "lea@example.test",
            "organisation_name": "Menuiserie Lambert",
            "consent": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "En liste d'attente, position 1" in response.content.decode()
    assert Registration.objects.get(email="lea@example.test").status == Registration.Status.WAITLISTED


def test_public_registration_without_consent_names_the_field_and_saves_nothing(client, event):
    response = client.post(
        reverse("events:event_public", args=[event.slug]), {"first_name": "A", "last_name": "B", "email": "a@b.test"}
    )
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_bad_enterprise_number_is_reported_on_the_form(client, event):
    response = client.post(
        reverse("events:event_public", args=[event.slug]),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@b.test",
            "organisation_name": "X",
            "enterprise_number": "0123.456.789",
            "consent": "on",
        },
    )
    assert response.status_code == 200
    assert "enterprise_number" in response.context["form"].errors


def test_self_service_cancel_promotes_the_waitlist(client, event, people):
    first = register(event, people[0])
    register(event, people[1])
    waiting = register(event, people[2])
    token = services.registration_signed_token(first)
    client.post(reverse("events:registration_cancel_self", args=[token]))
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    page = client.get(reverse("events:registration_manage", args=[token])).content.decode()
    assert "Inscription annulée" in page
    assert client.get(reverse("events:registration_manage", args=["forged"])).status_code == 404


def test_self_service_edit_changes_answers(client, event, people):
    event = services.event_update(
        actor=None, event=event, questions=[{"key": "diet", "label": "Régime", "type": "text"}]
    )
    reg = register(event, people[0])
    token = services.registration_signed_token(reg)
    client.post(reverse("events:registration_manage", args=[token]), {"email": "new@example.test", "q_diet": "vegan"})
    reg.refresh_from_db()
    assert reg.answers == {"diet": "vegan"} and reg.email == "new@example.test"


def test_check_in_with_htmx_returns_the_row(staff_client, event, people):
    reg = register(event, people[0])
    url = reverse("events:check_in_toggle", args=[event.pk, reg.pk])
    response = staff_client.post(url, {"attended": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="registration-{reg.pk}"' in response.content.decode()
    reg.refresh_from_db()
    assert reg.attendance == Registration.Attendance.ATTENDED
    search = staff_client.get(reverse("events:check_in", args=[event.pk]), {"q": "nom1"}, HTTP_HX_REQUEST="true")
    assert "NOM1" in search.content.decode() and "<html" not in search.content.decode()


def test_attendee_list_and_badges_are_pdfs_with_the_names(staff_client, event, people):
    register(event, people[0])
    for name in ("attendees_pdf", "badges_pdf"):
        response = staff_client.get(reverse(f"events:{name}", args=[event.pk]))
        assert response["Content-Type"] == "application/pdf"
        import io

        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert "NOM1" in text.upper()


def test_staff_creates_an_event_with_a_postal_code_and_co_organisers(staff_client, org_a):
    from grappe.ecosystem import services as eco
    from grappe.ecosystem.models import Organisation

    agency = eco.organisation_create(actor=None, name="Agence du Développement", kind=Organisation.Kind.AGENCY)
    response = staff_client.post(
        reverse("events:event_create"),
        {
            "kind": "workshop",
            "title_fr": "Atelier BIM",
            "start": "2030-03-01T09:00",
            "end": "2030-03-01T12:00",
            "venue_name": "Salle A",
            "venue_address": "Rue 1",
            "postal_code": "5000",
            "audience": "public",
            "price_non_member": "0",
            "co_organisers": [agency.pk],
            "mission_tags": ["m2"],
            "questions": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    event = Event.objects.get(title="Atelier BIM")
    assert event.venue_postal_code.code == "5000" and list(event.co_organisers.all()) == [agency]
    assert event.status == Event.Status.DRAFT


def test_event_form_rejects_an_unknown_postal_code_and_bad_json(staff_client):
    response = staff_client.post(
        reverse("events:event_create"),
        {
            "kind": "workshop",
            "title_fr": "X",
            "start": "2030-03-01T09:00",
            "end": "2030-03-01T12:00",
            "venue_name": "Salle",
            "postal_code": "0001",
            "audience": "public",
            "price_non_member": "0",
            "questions": "[{",
        },
    )
    errors = response.context["form"].errors
    assert "postal_code" in errors and "questions" in errors and not Event.objects.filter(title="X").exists()


def test_member_sees_recommendations_and_requests_a_meeting(world, clients):
    client = clients["member_a"]
    session = world["session"]
    newcomer = matchmaking.participant_join(
        actor=None, session=session, person=make_person(77), type="supplier", offers="Béton recyclé sur mesure"
    )
    page = client.get(reverse("events:portal_recommendations", args=[session.pk])).content.decode()
    assert "Prénom77 Nom77" in page and "« béton recyclé »" in page
    assert "Prénom1 Nom1 —" not in page.split("Tous les participants")[0]  # already asked: not suggested again
    client.post(reverse("events:portal_request_create", args=[session.pk]), {"target": newcomer.pk})
    assert world["participant"].requests_sent.filter(target=newcomer).exists()


def test_member_b_cannot_decide_member_a_requests(world, clients):
    url = reverse("events:portal_request_decide", args=[world["request"].pk])
    assert clients["member_b"].post(url, {"accept": "1"}).status_code == 404
    clients["member_a"].post(url, {"accept": "1"})
    assert Meeting.objects.filter(request=world["request"]).exists()


def test_member_agenda_shows_published_meetings_as_web_and_pdf(world, clients):
    client = clients["member_a"]
    page = client.get(reverse("events:portal_agenda", args=[world["session"].pk])).content.decode()
    assert "Prénom2 Nom2" in page
    pdf = client.get(reverse("events:portal_agenda_pdf", args=[world["session"].pk]))
    import io

    assert "Nom2" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_staff_move_with_a_conflict_shows_the_reason_and_moves_nothing(world, staff_client):
    meeting = world["meeting"]
    session = world["session"]
    other = matchmaking.participant_join(actor=None, session=session, person=make_person(90), type="supplier")
    second = matchmaking.meeting_impose(actor=None, a=world["participant"], b=other)
    response = staff_client.post(
        reverse("events:meeting_move", args=[session.pk]),
        {"meeting": second.pk, "slot": meeting.slot_id, "table": 2},
        follow=True,
    )
    assert "a déjà un rendez-vous" in response.content.decode()
    second.refresh_from_db()
    assert second.slot_id is None


def test_staff_configures_a_session_with_blocks_and_rules(staff_client, b2b_event):
    response = staff_client.post(
        reverse("events:session_setup", args=[b2b_event.pk]),
        {
            "name_fr": "Matinée",
            "tables": 5,
            "meeting_minutes": 20,
            "blocks": "09:00-10:00 matin\n10:30-11:10 suite",
            "break_minutes": 0,
            "allowed_pairs_text": "supplier-buyer",
        },
    )
    assert response.status_code == 302
    session = b2b_event.matchmaking_sessions.get()
    assert session.slots.filter(is_break=False).count() == 5 and session.slots.filter(is_break=True).count() == 1
    assert session.allowed_pairs == [["supplier", "buyer"]]
    bad = staff_client.post(
        reverse("events:session_setup", args=[b2b_event.pk]),
        {
            "name_fr": "M",
            "tables": 5,
            "meeting_minutes": 20,
            "blocks": "9h à midi",
            "break_minutes": 0,
            "allowed_pairs_text": "supplier-alien",
        },
    )
    assert {"blocks", "allowed_pairs_text"} <= set(bad.context["form"].errors)


def test_event_page_query_count_does_not_grow_with_registrations(
    staff_client, event, people, django_assert_max_num_queries
):
    services.event_update(actor=None, event=event, capacity=None)
    for p in people:
        register(event, p)
    with django_assert_max_num_queries(30):
        staff_client.get(reverse("events:event_detail", args=[event.pk]))


def test_public_feed_and_event_ics_parse(client, event):
    for url in (reverse("events:public_feed"), reverse("events:event_ics", args=[event.slug])):
        calendar = icalendar.Calendar.from_ical(client.get(url).content)
        assert calendar.events and calendar.timezones


def test_statistics_page_counts_members_on_the_event_date(staff_client, event, org_a, people):
    register(event, make_person(60, org_a), organisation=org_a)
    register(event, people[0])
    stats = staff_client.get(reverse("events:event_statistics", args=[event.pk])).context["stats"]
    assert stats["registered"] == 2 and stats["member_share"] == 0.5 and stats["member_organisations"] == 1
    assert dt.date.today() <= event.start.date()


def test_member_joins_a_session_from_the_portal_with_the_profile_prefilled_from_the_ecosystem(
    clients, member_a, org_a, session
):
    from grappe.ecosystem import services as eco

    eco.activity_set(actor=None, organisation=org_a, codes=["43.110"])
    register(session.event, member_a.person, organisation=org_a)
    response = clients["member_a"].post(
        reverse("events:portal_profile", args=[session.pk]),
        {
            "type": "buyer",
            "offers": "Rénovation",
            "requests": "Béton recyclé",
            "tags_text": "réemploi, béton",
            "languages": ["fr", "nl"],
            "arrival": "",
            "departure": "",
            "max_meetings": "4",
        },
    )
    assert response.status_code == 302
    participant = session.participants.get(person=member_a.person)
    assert participant.organisation == org_a and participant.tags == ["réemploi", "béton"]
    assert [n.code for n in participant.nace_codes.all()] == ["43110"]
    assert participant.available_slots.count() == 6


def test_a_member_not_registered_cannot_join_a_session(clients, member_b, session):
    response = clients["member_b"].post(reverse("events:portal_profile", args=[session.pk]), {"type": "buyer"})
    assert response.status_code == 404
