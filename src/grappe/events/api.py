"""REST API of events and B2B matchmaking, mounted at /api/v1/events/ (personal tokens or the session).

Same rules as the UI (``grappe.accounts.permissions``, events section), read-only:

- staff (and admins) read every event (drafts and invitation-only ones too, with registration counts),
  every registration of an event (contact data, answers, price, attendance), every matchmaking
  session and meeting (with the follow-up remark);
- member users read published or cancelled events open to the public or to members (EVENT-VIEW), plus
  invitation-only events they are registered to; only their own registrations; the sessions of the
  events they may see; and only the meetings where one of their organisations takes part, once the
  schedule is published (the other side's name and organisation, never contact data nor staff notes);
- observers 403, anonymous 401. Every read needs the ``events:read`` scope with a token, carries an
  ETag (304 on If-None-Match); bad parameters are 422, never 500.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from pydantic import field_validator

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth, ApiError, conditional
from grappe.core.api_pages import PageParams, list_schema, page_schema, paginate
from grappe.events import selectors
from grappe.events.models import Event, MatchmakingSession, Meeting, Registration

READ = ApiAuth("events:read")
router = Router(auth=READ, tags=["events"])

TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"  # no control characters (PostgreSQL refuses NUL)
MAX_ID = 2**63 - 1
VISIBLE_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)
SCHEDULE_PUBLISHED = (MatchmakingSession.Status.PUBLISHED, MatchmakingSession.Status.CLOSED)


# --- Parameters -----------------------------------------------------------------------------------


class EventFilters(PageParams):
    date_from: dt.date | None = Field(
        None, alias="from", description="se terminant ce jour ou après (années 1900 à 2200)"
    )
    date_to: dt.date | None = Field(None, alias="to", description="commençant ce jour ou avant (années 1900 à 2200)")
    kind: Event.Kind | None = None
    q: str = Field("", max_length=200, pattern=TEXT, description="mots du titre (accents et casse ignorés)")

    @field_validator("date_from", "date_to")
    @classmethod
    def _plausible(cls, value: dt.date | None) -> dt.date | None:
        # Far dates overflow PostgreSQL's time zone arithmetic (a 500); no event is that old or far.
        if value is not None and not 1900 <= value.year <= 2200:
            raise ValueError("date hors de la plage 1900–2200")
        return value


# --- Output schemas -------------------------------------------------------------------------------


class EventOut(Schema):
    """What a member user reads of an event: its public page."""

    id: int
    slug: str
    kind: str
    title: str
    description: str
    start: dt.datetime
    end: dt.datetime
    venue_name: str
    venue_address: str
    postal_code: str | None
    audience: str
    status: str
    capacity: int | None
    price_non_member: Decimal | None
    registration_deadline: dt.datetime | None
    mission_tags: list[str]


class EventStaffOut(EventOut):
    confirmed: int
    waitlisted: int
    created_at: dt.datetime
    updated_at: dt.datetime


class RegistrationOut(Schema):
    """A member's own registration."""

    id: int
    event_id: int
    organisation: str | None
    status: str
    waitlist_position: int | None
    price: Decimal
    attendance: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None


class RegistrationStaffOut(RegistrationOut):
    person_id: int
    first_name: str
    last_name: str
    email: str
    organisation_id: int | None
    is_member: bool
    answers: dict
    checked_in_at: dt.datetime | None


class SessionOut(Schema):
    id: int
    event_id: int
    name: str
    tables: int
    meeting_minutes: int
    request_deadline: dt.datetime | None
    status: str
    schedule_published: bool


class SideOut(Schema):
    name: str
    organisation: str | None


class SideStaffOut(SideOut):
    participant_id: int
    person_id: int
    organisation_id: int | None
    no_show: bool


class MeetingOut(Schema):
    id: int
    session_id: int
    start: dt.datetime | None
    end: dt.datetime | None
    table: int | None
    status: str
    participant_a: SideOut
    participant_b: SideOut


class MeetingStaffOut(MeetingOut):
    weight: int
    locked: bool
    published: bool
    follow_up_wanted: bool
    notes: str
    participant_a: SideStaffOut
    participant_b: SideStaffOut


EventPage = page_schema(EventOut, "EventsEventPage")
EventStaffPage = page_schema(EventStaffOut, "EventsEventStaffPage")
RegistrationList = list_schema(RegistrationOut, "EventsRegistrationList")
RegistrationStaffList = list_schema(RegistrationStaffOut, "EventsRegistrationStaffList")
SessionList = list_schema(SessionOut, "EventsSessionList")
MeetingList = list_schema(MeetingOut, "EventsMeetingList")
MeetingStaffList = list_schema(MeetingStaffOut, "EventsMeetingStaffList")


# --- Helpers --------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> bool:
    """True for staff, False for member users, 403 for anyone else."""
    if permissions.can_manage_events(request.auth):
        return True
    if permissions.is_member_user(request.auth):
        return False
    raise ApiError(403, "forbidden", _("Accès réservé à l'équipe du cluster et aux membres."))


def _visible_events(user, *, staff: bool) -> QuerySet[Event]:
    """EVENT-VIEW, plus the invitation-only events a member user is invited to (registered for)."""
    events = Event.objects.select_related("venue_postal_code")
    if staff:
        return events
    seen = Q(audience__in=[Event.Audience.PUBLIC, Event.Audience.MEMBERS_ONLY])
    if user.person_id:
        seen |= Q(pk__in=Registration.objects.filter(person_id=user.person_id).values("event_id"))
    return events.filter(seen, status__in=VISIBLE_STATUSES)


def _event_or_404(request: HttpRequest, event_id: int, *, staff: bool) -> Event:
    event = _visible_events(request.auth, staff=staff).filter(pk=event_id).first()
    if event is None:  # drafts and others' invitations are "not found": their existence does not leak
        raise ApiError(404, "not_found", _("Événement introuvable."))
    return event


def _event(event: Event, *, staff: bool, counts: dict[int, tuple[int, int]] | None = None) -> dict:
    data = {
        "id": event.pk,
        "slug": event.slug,
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "start": event.start,
        "end": event.end,
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "postal_code": event.venue_postal_code.code if event.venue_postal_code_id else None,
        "audience": event.audience,
        "status": event.status,
        "capacity": event.capacity,
        "price_non_member": event.price_non_member,
        "registration_deadline": event.registration_deadline,
        "mission_tags": [str(tag) for tag in (event.mission_tags or [])],
    }
    if staff:
        if counts is None:
            rows = event.registrations.values_list("status", flat=True)
            confirmed = sum(1 for s in rows if s == Registration.Status.CONFIRMED)
            waitlisted = sum(1 for s in rows if s == Registration.Status.WAITLISTED)
        else:
            confirmed, waitlisted = counts.get(event.pk, (0, 0))
        data.update(
            confirmed=confirmed, waitlisted=waitlisted, created_at=event.created_at, updated_at=event.updated_at
        )
    return data


def _side(participant, *, staff: bool) -> dict:
    data = {
        "name": f"{participant.person.first_name} {participant.person.last_name}".strip(),
        "organisation": participant.organisation.name if participant.organisation_id else None,
    }
    if staff:
        data.update(
            participant_id=participant.pk,
            person_id=participant.person_id,
            organisation_id=participant.organisation_id,
            no_show=participant.no_show,
        )
    return data


# --- Events ---------------------------------------------------------------------------------------


@router.get(
    "/events",
    response={200: EventStaffPage | EventPage, 304: None},
    summary="Events (staff: all; member users: published events they may see)",
)
def event_list(request: HttpRequest, response: HttpResponse, filters: Query[EventFilters]):
    staff = _reader(request)
    events = _visible_events(request.auth, staff=staff)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.date_from:
        events = selectors._period(events, "end", filters.date_from, dt.date(2200, 12, 31))
    if filters.date_to:
        events = selectors._period(events, "start", dt.date(1900, 1, 1), filters.date_to)
    if filters.q:
        ids = selectors.event_list({"q": filters.q}).values("pk")
        events = events.filter(pk__in=ids)
    rows, meta = paginate(events.order_by("start", "pk"), filters)
    counts: dict[int, tuple[int, int]] = {}
    if staff and rows:
        for row in (
            selectors.event_list().filter(pk__in=[e.pk for e in rows]).values("pk", "confirmed_count", "waitlist_count")
        ):
            counts[row["pk"]] = (row["confirmed_count"], row["waitlist_count"])
    meta["results"] = [_event(e, staff=staff, counts=counts) for e in rows]
    return conditional(request, response, EventStaffPage if staff else EventPage, meta)


@router.get("/events/{int:event_id}", response={200: EventStaffOut | EventOut, 304: None}, summary="One event")
def event_detail(request: HttpRequest, response: HttpResponse, event_id: int = Path(..., ge=1, le=MAX_ID)):
    staff = _reader(request)
    event = _event_or_404(request, event_id, staff=staff)
    return conditional(request, response, EventStaffOut if staff else EventOut, _event(event, staff=staff))


# --- Registrations --------------------------------------------------------------------------------


@router.get(
    "/events/{int:event_id}/registrations",
    response={200: RegistrationStaffList | RegistrationList, 304: None},
    summary="Registrations of an event (staff: all; member users: their own)",
)
def event_registrations(request: HttpRequest, response: HttpResponse, event_id: int = Path(..., ge=1, le=MAX_ID)):
    staff = _reader(request)
    event = _event_or_404(request, event_id, staff=staff)
    registrations = event.registrations.select_related("person", "organisation").order_by("created_at", "pk")
    if not staff:
        person_id = request.auth.person_id
        registrations = registrations.filter(person_id=person_id) if person_id else registrations.none()
    data = []
    for r in registrations:
        row = {
            "id": r.pk,
            "event_id": r.event_id,
            "organisation": r.organisation.name if r.organisation_id else None,
            "status": r.status,
            "waitlist_position": r.waitlist_position,
            "price": r.price,
            "attendance": r.attendance,
            "created_at": r.created_at,
            "cancelled_at": r.cancelled_at,
        }
        if staff:
            row.update(
                person_id=r.person_id,
                first_name=r.person.first_name,
                last_name=r.person.last_name,
                email=r.email,
                organisation_id=r.organisation_id,
                is_member=r.is_member,
                answers=r.answers or {},
                checked_in_at=r.checked_in_at,
            )
        data.append(row)
    schema = RegistrationStaffList if staff else RegistrationList
    return conditional(request, response, schema, {"results": data})


# --- Matchmaking ----------------------------------------------------------------------------------


@router.get(
    "/events/{int:event_id}/sessions",
    response={200: SessionList, 304: None},
    summary="Matchmaking sessions of an event",
)
def event_sessions(request: HttpRequest, response: HttpResponse, event_id: int = Path(..., ge=1, le=MAX_ID)):
    staff = _reader(request)
    event = _event_or_404(request, event_id, staff=staff)
    data = [
        {
            "id": s.pk,
            "event_id": s.event_id,
            "name": s.name,
            "tables": s.tables,
            "meeting_minutes": s.meeting_minutes,
            "request_deadline": s.request_deadline,
            "status": s.status,
            "schedule_published": s.status in SCHEDULE_PUBLISHED,
        }
        for s in event.matchmaking_sessions.order_by("pk")
    ]
    return conditional(request, response, SessionList, {"results": data})


@router.get(
    "/sessions/{int:session_id}/meetings",
    response={200: MeetingStaffList | MeetingList, 304: None},
    summary="Meetings of a session (staff: all; member users: their organisations', once published)",
)
def session_meetings(request: HttpRequest, response: HttpResponse, session_id: int = Path(..., ge=1, le=MAX_ID)):
    staff = _reader(request)
    session = MatchmakingSession.objects.filter(pk=session_id).first()
    if session is None or not _visible_events(request.auth, staff=staff).filter(pk=session.event_id).exists():
        raise ApiError(404, "not_found", _("Session introuvable."))
    meetings = (
        Meeting.objects.filter(session=session)
        .select_related(
            "slot",
            "participant_a__person",
            "participant_a__organisation",
            "participant_b__person",
            "participant_b__organisation",
        )
        .order_by("slot__start", "table", "pk")
    )
    if not staff:
        organisations = permissions.member_organisation_ids(request.auth)
        if session.status not in SCHEDULE_PUBLISHED or not organisations:
            meetings = meetings.none()
        else:
            meetings = meetings.filter(
                Q(participant_a__organisation_id__in=organisations)
                | Q(participant_b__organisation_id__in=organisations),
                published=True,
                slot__isnull=False,
            ).exclude(status=Meeting.Status.CANCELLED)
    data = []
    for m in meetings:
        row = {
            "id": m.pk,
            "session_id": m.session_id,
            "start": m.slot.start if m.slot_id else None,
            "end": m.slot.end if m.slot_id else None,
            "table": m.table,
            "status": m.status,
            "participant_a": _side(m.participant_a, staff=staff),
            "participant_b": _side(m.participant_b, staff=staff),
        }
        if staff:
            row.update(
                weight=m.weight,
                locked=m.locked,
                published=m.published,
                follow_up_wanted=m.follow_up_wanted,
                notes=m.notes,
            )
        data.append(row)
    return conditional(request, response, MeetingStaffList if staff else MeetingList, {"results": data})
