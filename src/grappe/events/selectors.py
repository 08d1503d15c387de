"""Reads of the events app, shared by views, calendars, and the insights and objectives apps.

Figures for a period come with the querysets behind them (``"items"``) for drill-down.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from grappe.core.text import fold
from grappe.ecosystem import selectors as eco_selectors
from grappe.events.models import (
    CalendarFeed,
    Event,
    MatchmakingSession,
    Meeting,
    MeetingRequest,
    Participant,
    Registration,
    SurveyResponse,
)


def _period(queryset: QuerySet, field: str, start: dt.date, end: dt.date) -> QuerySet:
    """Rows whose ``field`` (a datetime) falls on a day within [start, end], Brussels time."""
    tz = timezone.get_default_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return queryset.filter(**{f"{field}__gte": since, f"{field}__lt": until})


# --- lists ----------------------------------------------------------------------------------------


def event_list(filters: dict[str, Any] | None = None) -> QuerySet[Event]:
    filters = filters or {}
    queryset = Event.objects.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waitlist_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )
    if kind := filters.get("kind"):
        queryset = queryset.filter(kind=kind)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    when = filters.get("when")
    now = timezone.now()
    if when == "upcoming":
        queryset = queryset.filter(end__gte=now).order_by("start")
    elif when == "past":
        queryset = queryset.filter(end__lt=now).order_by("-start")
    else:
        queryset = queryset.order_by("-start")
    if text := fold(filters.get("q") or ""):
        queryset = queryset.filter(Q(title__icontains=text) | Q(slug__icontains=text.replace(" ", "-")))
    return queryset


def public_events(*, upcoming_only: bool = False) -> QuerySet[Event]:
    """Events the public may see: public audience, published (or cancelled after publication)."""
    queryset = Event.objects.filter(
        audience__in=[Event.Audience.PUBLIC, Event.Audience.MEMBERS_ONLY],
        status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
    ).select_related("venue_postal_code")
    if upcoming_only:
        queryset = queryset.filter(end__gte=timezone.now())
    return queryset.order_by("start")


def feed_events() -> QuerySet[Event]:
    """The public calendar feed: public published or cancelled events, from a year back."""
    return (
        Event.objects.filter(
            audience=Event.Audience.PUBLIC,
            status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
            end__gte=timezone.now() - dt.timedelta(days=365),
        )
        .select_related("venue_postal_code")
        .order_by("start")
    )


def registrations_of(event: Event) -> dict[str, QuerySet[Registration]]:
    base = event.registrations.select_related("person", "organisation")
    return {
        "confirmed": base.filter(status=Registration.Status.CONFIRMED).order_by("person__last_name"),
        "waitlisted": base.filter(status=Registration.Status.WAITLISTED).order_by("waitlist_position"),
        "cancelled": base.filter(status=Registration.Status.CANCELLED).order_by("-cancelled_at"),
    }


def check_in_search(event: Event, text: str) -> QuerySet[Registration]:
    queryset = event.registrations.filter(status=Registration.Status.CONFIRMED).select_related("person", "organisation")
    for term in fold(text).split()[:6]:
        queryset = queryset.filter(Q(person__search_text__contains=term) | Q(organisation__search_text__contains=term))
    return queryset.order_by("person__last_name", "person__first_name")


def seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(0, event.capacity - event.registrations.filter(status=Registration.Status.CONFIRMED).count())


def person_registrations(person_id: int) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(person_id=person_id)
        .select_related("event", "event__venue_postal_code", "organisation")
        .order_by("-event__start")
    )


def calendar_feed_for(person) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(person=person)
    return feed


def participant_agenda(participant: Participant, *, published_only: bool = False) -> QuerySet[Meeting]:
    queryset = Meeting.objects.filter(
        Q(participant_a=participant) | Q(participant_b=participant),
        slot__isnull=False,
        status__in=[Meeting.Status.SCHEDULED, Meeting.Status.HELD, Meeting.Status.NO_SHOW],
    )
    if published_only:
        queryset = queryset.filter(published=True)
    return queryset.select_related(
        "slot",
        "participant_a__person",
        "participant_a__organisation",
        "participant_b__person",
        "participant_b__organisation",
        "session__event",
    ).order_by("slot__start")


def person_meetings(person_id: int) -> list[tuple[Meeting, int]]:
    """Published meetings (cancelled ones too, so calendars drop them) of a person, with their participant id."""
    meetings = (
        Meeting.objects.filter(
            Q(participant_a__person_id=person_id) | Q(participant_b__person_id=person_id),
            slot__isnull=False,
            published=True,
        )
        .select_related(
            "slot",
            "participant_a__person",
            "participant_a__organisation",
            "participant_b__person",
            "participant_b__organisation",
            "session__event__venue_postal_code",
        )
        .order_by("slot__start")
    )
    return [(m, m.participant_a_id if m.participant_a.person_id == person_id else m.participant_b_id) for m in meetings]


# --- statistics -----------------------------------------------------------------------------------


def event_statistics(event: Event) -> dict[str, Any]:
    """Registered, attended, no-shows, member share (members on the event's date), organisations, satisfaction."""
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED)
    attended = confirmed.filter(attendance=Registration.Attendance.ATTENDED)
    members = eco_selectors.member_ids_on(timezone.localdate(event.start))
    org_ids = set(confirmed.exclude(organisation=None).values_list("organisation_id", flat=True))
    member_orgs = org_ids & members
    registered = confirmed.count()
    member_people = confirmed.filter(organisation_id__in=members).count()
    survey = SurveyResponse.objects.filter(registration__event=event)
    scores = survey.aggregate(avg=Avg("score"), n=Count("pk"))
    return {
        "registered": registered,
        "waitlisted": event.registrations.filter(status=Registration.Status.WAITLISTED).count(),
        "cancelled": event.registrations.filter(status=Registration.Status.CANCELLED).count(),
        "attended": attended.count(),
        "no_shows": confirmed.filter(attendance=Registration.Attendance.NO_SHOW).count(),
        "member_people": member_people,
        "member_share": round(member_people / registered, 3) if registered else None,
        "organisations": len(org_ids),
        "member_organisations": len(member_orgs),
        "satisfaction": round(scores["avg"], 2) if scores["avg"] is not None else None,
        "survey_responses": scores["n"],
        "score_distribution": dict(Counter(survey.values_list("score", flat=True))),
        "comments": survey.exclude(comment="").order_by("-created_at"),
    }


def organisation_history(organisation_id: int) -> dict[str, Any]:
    """Events an organisation registered people to, and its B2B meetings."""
    registrations = (
        Registration.objects.filter(organisation_id=organisation_id)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event", "person")
        .order_by("-event__start")
    )
    meetings = (
        Meeting.objects.filter(
            Q(participant_a__organisation_id=organisation_id) | Q(participant_b__organisation_id=organisation_id)
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related(
            "slot",
            "session__event",
            "participant_a__organisation",
            "participant_b__organisation",
            "participant_a__person",
            "participant_b__person",
        )
        .order_by("-session__event__start", "slot__start")
    )
    return {
        "registrations": registrations,
        "events": registrations.values("event").distinct().count(),
        "attended": registrations.filter(attendance=Registration.Attendance.ATTENDED).count(),
        "meetings": meetings,
        "meetings_held": meetings.filter(status=Meeting.Status.HELD).count(),
        "follow_ups": meetings.filter(follow_up_wanted=True).count(),
    }


# --- figures for insights and objectives ---------------------------------------------------------


def events_in_period(start: dt.date, end: dt.date, *, kind: str | None = None) -> dict[str, Any]:
    """Published events that started within [start, end] (cancelled ones excluded), by kind."""
    events = _period(Event.objects.filter(status=Event.Status.PUBLISHED), "start", start, end)
    if kind:
        events = events.filter(kind=kind)
    by_kind = dict(events.values_list("kind").annotate(n=Count("pk")).order_by("kind"))
    return {"count": events.count(), "by_kind": by_kind, "items": events.order_by("start")}


def participation_in_period(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Confirmed and attended registrations, people and organisations reached, members among them."""
    events = events_in_period(start, end)["items"]
    confirmed = Registration.objects.filter(event__in=events, status=Registration.Status.CONFIRMED)
    attended = confirmed.filter(attendance=Registration.Attendance.ATTENDED)
    org_ids = set(confirmed.exclude(organisation=None).values_list("organisation_id", flat=True))
    members = set(member_organisations_reached(start, end).values_list("pk", flat=True))
    return {
        "registrations": confirmed.count(),
        "attendances": attended.count(),
        "people": confirmed.values("person").distinct().count(),
        "organisations": len(org_ids),
        "member_organisations": len(members),
        "items": confirmed.select_related("event", "person", "organisation"),
        "member_organisation_ids": members,
    }


def satisfaction_in_period(start: dt.date, end: dt.date) -> dict[str, Any]:
    responses = SurveyResponse.objects.filter(registration__event__in=events_in_period(start, end)["items"])
    agg = responses.aggregate(avg=Avg("score"), n=Count("pk"))
    return {
        "average": round(agg["avg"], 2) if agg["avg"] is not None else None,
        "responses": agg["n"],
        "satisfied": responses.filter(score__gte=4).count(),
        "items": responses.select_related("registration__event"),
    }


def b2b_in_period(start: dt.date, end: dt.date) -> dict[str, Any]:
    """B2B meetings of sessions whose event started within [start, end]: requested, scheduled, held, follow-ups."""
    sessions = MatchmakingSession.objects.filter(event__in=_period(Event.objects.all(), "start", start, end))
    requests = MeetingRequest.objects.filter(session__in=sessions)
    meetings = Meeting.objects.filter(session__in=sessions)
    scheduled = meetings.filter(
        slot__isnull=False, status__in=[Meeting.Status.SCHEDULED, Meeting.Status.HELD, Meeting.Status.NO_SHOW]
    )
    held = meetings.filter(status=Meeting.Status.HELD)
    follow_ups = held.filter(follow_up_wanted=True)
    return {
        "sessions": sessions.count(),
        "requested": requests.count(),
        "accepted": requests.filter(status=MeetingRequest.Status.ACCEPTED).count(),
        "scheduled": scheduled.count(),
        "held": held.count(),
        "follow_ups": follow_ups.count(),
        "items": {"requests": requests, "scheduled": scheduled, "held": held, "follow_ups": follow_ups},
    }


def co_attendance_pairs(start: dt.date, end: dt.date, *, min_events: int = 1) -> list[dict[str, Any]]:
    """Pairs of organisations that attended (or, without check-in, were confirmed at) the same events.

    For the collaboration network: each pair with the number of shared events, heaviest first.
    B2B meetings held between two organisations count as a shared event too.
    """
    events = events_in_period(start, end)["items"]
    rows = (
        Registration.objects.filter(event__in=events, status=Registration.Status.CONFIRMED)
        .exclude(attendance=Registration.Attendance.NO_SHOW)
        .exclude(organisation=None)
        .values_list("event_id", "organisation_id")
        .distinct()
    )
    by_event: dict[int, set[int]] = {}
    for event_id, org_id in rows:
        by_event.setdefault(event_id, set()).add(org_id)
    weights: Counter[tuple[int, int]] = Counter()
    for orgs in by_event.values():
        for a, b in combinations(sorted(orgs), 2):
            weights[(a, b)] += 1
    held = Meeting.objects.filter(session__event__in=events, status=Meeting.Status.HELD).values_list(
        "participant_a__organisation_id", "participant_b__organisation_id"
    )
    meetings: Counter[tuple[int, int]] = Counter()
    for a, b in held:
        if a and b and a != b:
            meetings[tuple(sorted((a, b)))] += 1
    pairs = set(weights) | set(meetings)
    result = [
        {"a": a, "b": b, "events": weights[(a, b)], "meetings": meetings[(a, b)]}
        for a, b in pairs
        if weights[(a, b)] + meetings[(a, b)] >= min_events
    ]
    result.sort(key=lambda r: (-(r["events"] + r["meetings"]), r["a"], r["b"]))
    return result


# --- matchmaking inspection -----------------------------------------------------------------------


def schedule_grid(session: MatchmakingSession) -> dict[str, Any]:
    """Slots × tables with the meeting at each cell, the unplaced meetings, and idle gaps per person."""
    slots = list(session.slots.order_by("start"))
    meetings = list(
        session.meetings.exclude(status=Meeting.Status.CANCELLED).select_related(
            "slot",
            "participant_a__person",
            "participant_a__organisation",
            "participant_b__person",
            "participant_b__organisation",
        )
    )
    cells = {(m.slot_id, m.table): m for m in meetings if m.slot_id}
    rows = [{"slot": slot, "cells": [cells.get((slot.pk, t)) for t in range(1, session.tables + 1)]} for slot in slots]
    return {
        "tables": list(range(1, session.tables + 1)),
        "rows": rows,
        "unplaced": [m for m in meetings if not m.slot_id],
        "idle": idle_gaps(session, meetings=meetings, slots=slots),
    }


def idle_gaps(session: MatchmakingSession, *, meetings=None, slots=None) -> dict[Participant, int]:
    """Per participant, the free meeting slots between their first and last meeting (breaks do not count)."""
    slots = slots if slots is not None else list(session.slots.order_by("start"))
    index = {s.pk: i for i, s in enumerate(s for s in slots if not s.is_break)}
    meetings = meetings if meetings is not None else list(session.meetings.exclude(status=Meeting.Status.CANCELLED))
    per: dict[int, list[int]] = {}
    people: dict[int, Participant] = {}
    for m in meetings:
        if m.slot_id in index:
            for p in (m.participant_a, m.participant_b):
                per.setdefault(p.pk, []).append(index[m.slot_id])
                people[p.pk] = p
    gaps = {}
    for pid, positions in per.items():
        positions.sort()
        gap = (positions[-1] - positions[0] + 1) - len(positions)
        if gap:
            gaps[people[pid]] = gap
    return gaps


def participant_for(session: MatchmakingSession, person_id: int | None) -> Participant | None:
    if not person_id:
        return None
    return session.participants.filter(person_id=person_id).select_related("person", "organisation").first()


def portal_sessions(person_id: int) -> QuerySet[MatchmakingSession]:
    """Sessions of upcoming or recent events where the person has a confirmed registration or a profile."""
    return (
        MatchmakingSession.objects.filter(
            Q(event__registrations__person_id=person_id, event__registrations__status=Registration.Status.CONFIRMED)
            | Q(participants__person_id=person_id)
        )
        .select_related("event")
        .distinct()
        .order_by("-event__start")
    )


# --- the objectives contract's selectors: f(start=date, end=date) -> the records counted ---------
# Named as ``grappe.objectives.computations.events`` expects them.


def events_held(start: dt.date, end: dt.date) -> QuerySet[Event]:
    """Published events that took place (started) within the period; cancelled ones are not counted."""
    return events_in_period(start, end)["items"]


def participants(start: dt.date, end: dt.date) -> QuerySet[Registration]:
    """Participations present at events held: checked in, or confirmed and not marked absent."""
    return (
        Registration.objects.filter(event__in=events_held(start, end), status=Registration.Status.CONFIRMED)
        .exclude(attendance=Registration.Attendance.NO_SHOW)
        .select_related("event", "person", "organisation")
        .order_by("event__start", "pk")
    )


def member_organisations_reached(start: dt.date, end: dt.date):
    """Distinct organisations, members on the day of the event, that had someone present at an event held."""
    from grappe.ecosystem.models import Organisation

    reached: set[int] = set()
    members_by_day: dict[dt.date, set[int]] = {}
    for day, org in participants(start, end).exclude(organisation=None).values_list("event__start", "organisation_id"):
        local = timezone.localdate(day)
        if local not in members_by_day:
            members_by_day[local] = eco_selectors.member_ids_on(local)
        if org in members_by_day[local]:
            reached.add(org)
    return Organisation.objects.filter(pk__in=reached).order_by("name", "pk")


def satisfaction_responses(start: dt.date, end: dt.date) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(registration__event__in=events_held(start, end)).order_by("pk")


def _b2b_sessions(start: dt.date, end: dt.date) -> QuerySet[MatchmakingSession]:
    return MatchmakingSession.objects.filter(event__in=_period(Event.objects.all(), "start", start, end))


def b2b_meetings_requested(start: dt.date, end: dt.date) -> QuerySet[MeetingRequest]:
    return MeetingRequest.objects.filter(session__in=_b2b_sessions(start, end)).order_by("pk")


def b2b_meetings_scheduled(start: dt.date, end: dt.date) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        session__in=_b2b_sessions(start, end),
        slot__isnull=False,
        status__in=[Meeting.Status.SCHEDULED, Meeting.Status.HELD, Meeting.Status.NO_SHOW],
    ).order_by("pk")


def b2b_meetings_held(start: dt.date, end: dt.date) -> QuerySet[Meeting]:
    return Meeting.objects.filter(session__in=_b2b_sessions(start, end), status=Meeting.Status.HELD).order_by("pk")


def b2b_followups(start: dt.date, end: dt.date) -> QuerySet[Meeting]:
    return b2b_meetings_held(start, end).filter(follow_up_wanted=True)


# --- for other apps: what organisations offer and seek in B2B meetings -----------------------------


def matchmaking_offers(organisation_ids: Iterable[int], *, seeks: bool = False) -> dict[int, str]:
    """``{organisation_id: text}``: what each organisation's B2B profiles offer, newest session first.

    The text joins the profiles' "ce que j'offre", keywords and competences (each distinct text once);
    with ``seeks=True`` it is their "ce que je cherche" instead. Organisations without a profile are
    absent. Two queries whatever the number of organisations (used by partner suggestions).
    """
    ids = {int(pk) for pk in organisation_ids}
    if not ids:
        return {}
    profiles = (
        Participant.objects.filter(organisation_id__in=ids)
        .select_related("session__event")
        .order_by("-session__event__start", "-pk")
    )
    if not seeks:
        profiles = profiles.prefetch_related("competences")
    parts: dict[int, list[str]] = {}
    for profile in profiles:
        if seeks:
            texts = [profile.requests]
        else:
            texts = [profile.offers, ", ".join(str(tag) for tag in profile.tags or [])]
            texts.append(", ".join(c.name for c in profile.competences.all()))
        seen = parts.setdefault(profile.organisation_id, [])
        for text in texts:
            text = (text or "").strip()
            if text and text not in seen:
                seen.append(text)
    return {org_id: "\n".join(texts) for org_id, texts in parts.items() if texts}
