import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from grappe.events import calendars, matchmaking, selectors, services
from grappe.events.models import Event
from tests.events.conftest import register


def parse(content: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar.get("version") == "2.0" and calendar.get("prodid")
    return calendar


def test_event_ics_has_a_stable_uid_brussels_times_and_a_vtimezone(event):
    calendar = parse(calendars.event_ics(event))
    assert calendar.get("method") == "PUBLISH"
    (vevent,) = calendar.events
    assert str(vevent["uid"]) == f"event-{event.pk}@127.0.0.1"
    assert vevent.start == timezone.localtime(event.start)
    assert vevent.start.tzinfo.key == "Europe/Brussels" if hasattr(vevent.start.tzinfo, "key") else True
    assert vevent.decoded("dtstart").utcoffset() == event.start.astimezone(calendars.BRUSSELS).utcoffset()
    assert "TZID=Europe/Brussels" in calendars.event_ics(event).decode()
    (tz,) = calendar.timezones
    assert tz.tz_name == "Europe/Brussels"
    assert str(vevent["organizer"]).startswith("mailto:")
    assert vevent["status"] == "CONFIRMED"


@pytest.mark.parametrize(
    "day, offset", [(dt.date(2027, 1, 15), 1), (dt.date(2027, 7, 15), 2), (dt.date(2031, 10, 26), 1)]
)
def test_the_vtimezone_gives_the_same_offsets_as_zoneinfo(day, offset):
    tz = calendars.brussels_timezone().to_tz()
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=tz)
    assert moment.utcoffset() == dt.timedelta(hours=offset)
    assert moment.utcoffset() == dt.datetime.combine(day, dt.time(12), tzinfo=calendars.BRUSSELS).utcoffset()


def test_special_characters_are_escaped_and_long_lines_folded(event):
    title = "Atelier; béton, recyclé — " + "très long " * 12
    event = services.event_update(actor=None, event=event, title=title, title_fr=title)
    raw = calendars.event_ics(event)
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"Atelier\\; b" in raw
    (vevent,) = parse(raw).events
    assert str(vevent["summary"]) == title


def test_sequence_rises_when_attendees_would_see_a_change(event):
    before = parse(calendars.event_ics(event)).events[0]["sequence"]
    event = services.event_update(actor=None, event=event, capacity=50)  # not visible in a calendar
    assert parse(calendars.event_ics(event)).events[0]["sequence"] == before
    event = services.event_update(actor=None, event=event, start=event.start + dt.timedelta(hours=1))
    assert parse(calendars.event_ics(event)).events[0]["sequence"] == before + 1


def test_cancelled_event_is_sent_with_method_cancel(event):
    event = services.event_cancel(actor=None, event=event)
    calendar = parse(calendars.event_ics(event))
    assert calendar.get("method") == "CANCEL"
    assert calendar.events[0]["status"] == "CANCELLED"


def test_cancelled_registration_copy_has_method_cancel_a_higher_sequence_and_the_attendee(event, people):
    registration = register(event, people[0])
    first = parse(calendars.event_ics(event, registration=registration)).events[0]
    services.registration_cancel(actor=None, registration=registration)
    registration.refresh_from_db()
    calendar = parse(calendars.event_ics(event, registration=registration))
    assert calendar.get("method") == "CANCEL"
    vevent = calendar.events[0]
    assert vevent["sequence"] > first["sequence"]
    assert str(vevent["attendee"]) == "mailto:p1@example.test"
    assert str(vevent["uid"]) == str(first["uid"])


def test_public_feed_lists_public_published_events_only(client, event, in_ten_days):
    from tests.events.conftest import aware

    services.event_create(
        actor=None, title="Brouillon", start=aware(in_ten_days, 9), end=aware(in_ten_days, 10), venue_name="X"
    )
    services.event_create(
        actor=None,
        title="Comité restreint",
        start=aware(in_ten_days, 9),
        end=aware(in_ten_days, 10),
        venue_name="X",
        audience=Event.Audience.INVITATION,
        status=Event.Status.PUBLISHED,
    )
    response = client.get(reverse("events:public_feed"))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = parse(response.content)
    assert [str(e["summary"]) for e in calendar.events] == [event.title]
    assert calendar.get("x-wr-calname")


def test_private_feed_holds_registrations_and_published_meetings_and_needs_the_token(client, session, people):
    event = session.event
    register(event, people[0])
    reg_b = register(event, people[1])
    a = matchmaking.participant_join(actor=None, session=session, person=people[0], type="supplier")
    b = matchmaking.participant_join(actor=None, session=session, person=people[1], type="buyer")
    request = matchmaking.request_create(actor=None, requester=a, target=b)
    meeting = matchmaking.request_decide(actor=None, request=request, accept=True)
    matchmaking.meeting_move(actor=None, meeting=meeting, slot=session.slots.filter(is_break=False).first(), table=1)
    feed = selectors.calendar_feed_for(people[0])
    url = reverse("events:person_feed", args=[feed.token])
    calendar = parse(client.get(url).content)
    assert {str(e["uid"]).split("-")[0] for e in calendar.events} == {"event"}  # not published yet
    matchmaking.session_publish(actor=None, session=session, notify=False)
    calendar = parse(client.get(url).content)
    uids = sorted(str(e["uid"]) for e in calendar.events)
    assert uids == sorted([f"event-{event.pk}@127.0.0.1", f"meeting-{meeting.pk}@127.0.0.1"])
    meeting_event = next(e for e in calendar.events if str(e["uid"]).startswith("meeting"))
    assert "Prénom2 Nom2" in str(meeting_event["summary"])
    assert "Table 1" in str(meeting_event["location"])
    assert client.get(reverse("events:person_feed", args=["wrong-token"])).status_code == 404
    assert reg_b.pk  # the other person's registration is not in this feed
    assert len([e for e in calendar.events if str(e["uid"]).startswith("event")]) == 1
