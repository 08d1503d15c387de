"""iCalendar (RFC 5545) files: one event, the public feed, and each person's private feed.

- UIDs are stable (``event-<pk>@<host>``, ``meeting-<pk>@<host>``) so calendar clients update
  entries in place; SEQUENCE rises whenever attendees would see a change (the event's own sequence
  plus the registration's or meeting's);
- times are written in Europe/Brussels with a VTIMEZONE built from the EU daylight-saving rule
  (compact and valid for any year, unlike a list of transitions);
- a cancelled event or registration is sent with METHOD:CANCEL and STATUS:CANCELLED (RFC 5546);
- escaping and line folding are icalendar's.
"""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.events.models import Event, Meeting, Registration

BRUSSELS = ZoneInfo("Europe/Brussels")
PRODID = "-//Grappe//Events//FR"


def host() -> str:
    return urlparse(settings.SITE_URL).hostname or "grappe.localhost"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{host()}"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{host()}"


def brussels_timezone() -> icalendar.Timezone:
    """VTIMEZONE for Europe/Brussels: CET/CEST switching on the last Sundays of March and October."""
    tz = icalendar.Timezone()
    tz.add("tzid", "Europe/Brussels")
    daylight = icalendar.TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("dtstart", dt.datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("tzoffsetfrom", dt.timedelta(hours=1))
    daylight.add("tzoffsetto", dt.timedelta(hours=2))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    standard = icalendar.TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("dtstart", dt.datetime(1970, 10, 25, 3, 0, 0))
    standard.add("tzoffsetfrom", dt.timedelta(hours=2))
    standard.add("tzoffsetto", dt.timedelta(hours=1))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _calendar(*, method: str, name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Brussels")
    cal.add_component(brussels_timezone())
    return cal


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, BRUSSELS)


def _organizer() -> icalendar.vCalAddress:
    from email.utils import parseaddr

    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address or 'noreply@' + host()}")
    organizer.params["cn"] = settings.GRAPPE_CLUSTER_NAME or name
    return organizer


def _attendee(email: str, name: str) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(f"mailto:{email}")
    attendee.params["cn"] = name
    attendee.params["role"] = "REQ-PARTICIPANT"
    return attendee


def event_vevent(event: Event, *, registration: Registration | None = None, cancelled: bool = False) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("dtstart", _local(event.start))
    vevent.add("dtend", _local(event.end))
    vevent.add("summary", event.title)
    if event.description:
        vevent.add("description", event.description)
    if event.location_text:
        vevent.add("location", event.location_text)
    vevent.add("url", absolute(reverse("events:event_public", args=[event.slug])))
    vevent.add("organizer", _organizer())
    vevent.add("categories", [event.get_kind_display()])
    vevent.add("last-modified", event.updated_at.astimezone(dt.UTC))
    sequence = event.sequence + (registration.sequence if registration else 0)
    vevent.add("sequence", sequence)
    if registration is not None and registration.email:
        vevent.add("attendee", _attendee(registration.email, str(registration.person)))
    if cancelled or event.status == Event.Status.CANCELLED:
        vevent.add("status", "CANCELLED")
    elif registration is not None and registration.status == Registration.Status.WAITLISTED:
        vevent.add("status", "TENTATIVE")
    else:
        vevent.add("status", "CONFIRMED")
    return vevent


def event_ics(event: Event, *, registration: Registration | None = None) -> bytes:
    """The .ics of one event (for a registration: that person's copy, cancelled if it is)."""
    cancelled = event.status == Event.Status.CANCELLED or (
        registration is not None and registration.status == Registration.Status.CANCELLED
    )
    cal = _calendar(method="CANCEL" if cancelled else "PUBLISH", name=event.title)
    cal.add_component(event_vevent(event, registration=registration, cancelled=cancelled))
    return cal.to_ical()


def meeting_vevent(meeting: Meeting, *, viewer_participant_id: int | None = None) -> icalendar.Event:
    slot = meeting.slot
    a, b = meeting.participant_a, meeting.participant_b
    other = b if viewer_participant_id == a.pk else a
    vevent = icalendar.Event()
    vevent.add("uid", meeting_uid(meeting))
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("dtstart", _local(slot.start))
    vevent.add("dtend", _local(slot.end))
    summary = _("Rendez-vous B2B : %(who)s") % {"who": str(other)}
    vevent.add("summary", summary)
    location = _("Table %(table)s") % {"table": meeting.table}
    event = meeting.session.event
    if event.location_text:
        location = f"{location}, {event.location_text}"
    vevent.add("location", location)
    vevent.add("organizer", _organizer())
    vevent.add("related-to", event_uid(event))
    vevent.add("sequence", event.sequence + meeting.sequence)
    cancelled = meeting.status == Meeting.Status.CANCELLED or event.status == Event.Status.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return vevent


def public_feed(events: Iterable[Event]) -> bytes:
    """Subscription feed of public published events (cancelled ones stay, marked CANCELLED)."""
    cal = _calendar(method="PUBLISH", name=_("Événements — %(cluster)s") % {"cluster": settings.GRAPPE_CLUSTER_NAME})
    for event in events:
        cal.add_component(event_vevent(event))
    return cal.to_ical()


def person_feed(*, name: str, registrations: Iterable[Registration], meetings: Iterable[tuple[Meeting, int]]) -> bytes:
    """A person's private feed: their registrations and their published B2B meetings."""
    cal = _calendar(method="PUBLISH", name=name)
    for registration in registrations:
        cancelled = registration.status == Registration.Status.CANCELLED
        cal.add_component(event_vevent(registration.event, registration=registration, cancelled=cancelled))
    for meeting, participant_id in meetings:
        cal.add_component(meeting_vevent(meeting, viewer_participant_id=participant_id))
    return cal.to_ical()


def agenda_ics(*, name: str, meetings: Iterable[tuple[Meeting, int]]) -> bytes:
    cal = _calendar(method="PUBLISH", name=name)
    for meeting, participant_id in meetings:
        cal.add_component(meeting_vevent(meeting, viewer_participant_id=participant_id))
    return cal.to_ical()
