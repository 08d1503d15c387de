"""Writes of B2B matchmaking: sessions and slots, participant profiles, requests, meetings, schedules.

The scheduler itself is ``grappe.events.scheduling`` (pure Python, JSON in and out); the adapter
``grappe.events.matchmaking_adapter`` turns a session into its instance and applies the result.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log, diff, snapshot
from grappe.ecosystem.models import Organisation, Person
from grappe.events.models import (
    Event,
    MatchmakingSession,
    Meeting,
    MeetingRequest,
    Participant,
    Registration,
    Slot,
)

PLACED = (Meeting.Status.SCHEDULED, Meeting.Status.HELD, Meeting.Status.NO_SHOW)


# --- sessions and slots ---------------------------------------------------------------------------


@transaction.atomic
def session_create(*, actor: Any, event: Event, **fields: Any) -> MatchmakingSession:
    session = MatchmakingSession(event=event, **fields)
    session.full_clean()
    session.save()
    audit_log(
        actor=actor, action="events.matchmaking_session.created", obj=session, changes=diff({}, snapshot(session))
    )
    return session


@transaction.atomic
def session_update(*, actor: Any, session: MatchmakingSession, **fields: Any) -> MatchmakingSession:
    before = snapshot(session)
    for key, value in fields.items():
        setattr(session, key, value)
    session.full_clean()
    placed_beyond = session.meetings.filter(table__gt=session.tables).exclude(status=Meeting.Status.CANCELLED)
    if placed_beyond.exists():
        raise ValidationError({"tables": _("Des rendez-vous sont placés à des tables au-delà de ce nombre.")})
    session.save()
    if changes := diff(before, snapshot(session)):
        audit_log(actor=actor, action="events.matchmaking_session.updated", obj=session, changes=changes)
    return session


@transaction.atomic
def slots_generate(
    *,
    actor: Any,
    session: MatchmakingSession,
    blocks: Iterable[tuple[dt.datetime, dt.datetime, str]],
    break_minutes: int = 0,
) -> list[Slot]:
    """Replace the session's slots by cutting each block (start, end, label) into meetings of the session's length.

    ``break_minutes`` leaves a short gap between meetings (people change tables); the time between
    two blocks (lunch) becomes a break slot, shown in agendas but never used for a meeting.
    """
    if session.meetings.filter(slot__isnull=False).exclude(status=Meeting.Status.CANCELLED).exists():
        raise ValidationError(
            _("Des rendez-vous sont déjà placés : déplacez-les ou annulez-les avant de refaire les créneaux.")
        )
    blocks = sorted(blocks)
    length = dt.timedelta(minutes=session.meeting_minutes)
    gap = dt.timedelta(minutes=break_minutes)
    session.slots.all().delete()
    slots: list[Slot] = []
    previous_end = None
    for start, end, label in blocks:
        if end <= start:
            raise ValidationError(
                {"blocks": _("Le bloc « %(label)s » se termine avant de commencer.") % {"label": label}}
            )
        if previous_end and start < previous_end:
            raise ValidationError({"blocks": _("Le bloc « %(label)s » chevauche le précédent.") % {"label": label}})
        if previous_end and start > previous_end:
            slots.append(Slot(session=session, start=previous_end, end=start, block=_("pause"), is_break=True))
        cursor = start
        while cursor + length <= end:
            slots.append(Slot(session=session, start=cursor, end=cursor + length, block=label))
            cursor += length + gap
        previous_end = end
    if not any(not s.is_break for s in slots):
        raise ValidationError({"blocks": _("Aucun créneau ne tient dans ces blocs.")})
    Slot.objects.bulk_create(slots)
    for participant in session.participants.all():
        _refresh_availability(participant)
    audit_log(
        actor=actor,
        action="events.matchmaking_session.slots_generated",
        obj=session,
        changes={"slots": [None, len([s for s in slots if not s.is_break])]},
    )
    return list(session.slots.all())


def _refresh_availability(participant: Participant) -> None:
    """Available slots = meeting slots inside [arrival, departure] (the whole day when not given)."""
    slots = participant.session.slots.filter(is_break=False)
    if participant.arrival:
        slots = slots.filter(start__gte=participant.arrival)
    if participant.departure:
        slots = slots.filter(end__lte=participant.departure)
    participant.available_slots.set(slots)


# --- participants ---------------------------------------------------------------------------------

PROFILE_FIELDS = ("type", "offers", "requests", "tags", "languages", "arrival", "departure", "max_meetings")


@transaction.atomic
def participant_join(
    *,
    actor: Any,
    session: MatchmakingSession,
    person: Person,
    organisation: Organisation | None = None,
    registration: Registration | None = None,
    **profile: Any,
) -> Participant:
    """Add a participant; NACE codes and competences are pre-filled from the organisation's ecosystem record."""
    if registration is None:
        registration = Registration.objects.filter(
            event=session.event, person=person, status=Registration.Status.CONFIRMED
        ).first()
    participant = Participant(session=session, person=person, organisation=organisation, registration=registration)
    for key, value in profile.items():
        if key not in PROFILE_FIELDS:
            raise TypeError(key)
        setattr(participant, key, value)
    participant.full_clean()
    participant.save()
    if organisation is not None:
        participant.nace_codes.set(organisation.activities.values_list("nace_id", flat=True))
        participant.competences.set(organisation.competences.all())
    _refresh_availability(participant)
    audit_log(
        actor=actor,
        action="events.participant.joined",
        obj=participant,
        changes=diff({}, snapshot(participant)),
        organisation_id=organisation.pk if organisation else None,
    )
    return participant


@transaction.atomic
def participant_update(*, actor: Any, participant: Participant, **profile: Any) -> Participant:
    before = snapshot(participant)
    nace_codes = profile.pop("nace_codes", None)
    competences = profile.pop("competences", None)
    for key, value in profile.items():
        if key not in PROFILE_FIELDS:
            raise TypeError(key)
        setattr(participant, key, value)
    participant.full_clean()
    participant.save()
    if nace_codes is not None:
        participant.nace_codes.set(nace_codes)
    if competences is not None:
        participant.competences.set(competences)
    _refresh_availability(participant)
    if changes := diff(before, snapshot(participant)):
        audit_log(
            actor=actor,
            action="events.participant.updated",
            obj=participant,
            changes=changes,
            organisation_id=participant.organisation_id,
        )
    return participant


@transaction.atomic
def participant_withdraw(*, actor: Any, participant: Participant) -> int:
    """The participant will not come (registration cancelled): their meetings still to come are cancelled."""
    meetings = _live_meetings(participant).filter(
        Q(slot__isnull=True) | Q(slot__start__gt=timezone.now()),
        status__in=[Meeting.Status.TO_SCHEDULE, Meeting.Status.SCHEDULED],
    )
    count = 0
    for meeting in meetings:
        meeting_cancel(actor=actor, meeting=meeting)
        count += 1
    return count


@transaction.atomic
def participant_no_show(*, actor: Any, participant: Participant, replan: bool = True) -> int:
    """Record that a participant did not come; cancel their remaining meetings and (by default) re-plan the rest.

    The re-plan keeps every placed meeting where it is (they are locked for the solver) and tries to
    place the meetings still waiting in the freed seats; it runs as a task after commit.
    """
    participant.no_show = True
    participant.save(update_fields=["no_show"])
    cancelled = 0
    for meeting in _live_meetings(participant).filter(
        status__in=[Meeting.Status.TO_SCHEDULE, Meeting.Status.SCHEDULED]
    ):
        if meeting.slot and meeting.slot.end <= timezone.now():
            meeting.status = Meeting.Status.NO_SHOW
            meeting.save(update_fields=["status", "updated_at"])
        else:
            meeting_cancel(actor=actor, meeting=meeting)
        cancelled += 1
    audit_log(
        actor=actor,
        action="events.participant.no_show",
        obj=participant,
        changes={"no_show": [False, True], "meetings": [None, cancelled]},
        organisation_id=participant.organisation_id,
    )
    if replan:
        schedule_enqueue(session=participant.session, replan=True)
    return cancelled


def _live_meetings(participant: Participant):
    return Meeting.objects.filter(Q(participant_a=participant) | Q(participant_b=participant)).exclude(
        status=Meeting.Status.CANCELLED
    )


# --- requests -------------------------------------------------------------------------------------


def _check_may_meet(session: MatchmakingSession, a: Participant, b: Participant) -> None:
    if a.pk == b.pk:
        raise ValidationError(_("On ne peut pas se demander un rendez-vous à soi-même."))
    if a.session_id != session.pk or b.session_id != session.pk:
        raise ValidationError(_("Ces participants ne sont pas dans la même session."))
    if not session.types_may_meet(a.type, b.type):
        raise ValidationError(
            _("Les règles de cette session ne prévoient pas de rendez-vous entre « %(a)s » et « %(b)s ».")
            % {"a": a.get_type_display(), "b": b.get_type_display()}
        )


@transaction.atomic
def request_create(
    *, actor: Any, requester: Participant, target: Participant, message: str = "", weight: int = 1
) -> MeetingRequest:
    """Ask to meet someone: before the deadline, within the cap on requests, allowed by the rules."""
    session = MatchmakingSession.objects.select_for_update().get(pk=requester.session_id)
    _check_may_meet(session, requester, target)
    if session.request_deadline and timezone.now() > session.request_deadline:
        raise ValidationError(_("La date limite des demandes de rendez-vous est passée."))
    if session.max_requests is not None and requester.requests_sent.count() >= session.max_requests:
        raise ValidationError(
            _("Vous avez atteint le maximum de %(n)s demandes pour cette session.") % {"n": session.max_requests}
        )
    existing = MeetingRequest.objects.filter(
        Q(requester=requester, target=target) | Q(requester=target, target=requester), session=session
    ).first()
    if existing:
        raise ValidationError(_("Une demande existe déjà entre vous et %(who)s.") % {"who": str(target)})
    request = MeetingRequest(session=session, requester=requester, target=target, message=message, weight=weight)
    request.full_clean()
    request.save()
    audit_log(
        actor=actor,
        action="events.meeting_request.created",
        obj=request,
        changes=diff({}, snapshot(request)),
        organisation_id=requester.organisation_id,
    )
    return request


@transaction.atomic
def request_decide(*, actor: Any, request: MeetingRequest, accept: bool) -> Meeting | None:
    """The person asked accepts (a meeting to schedule is created) or declines."""
    if request.status != MeetingRequest.Status.PENDING:
        raise ValidationError(_("Cette demande a déjà reçu une réponse."))
    request.status = MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    audit_log(
        actor=actor,
        action="events.meeting_request.accepted" if accept else "events.meeting_request.declined",
        obj=request,
        changes={"status": [MeetingRequest.Status.PENDING, request.status]},
        organisation_id=request.target.organisation_id,
    )
    if not accept:
        return None
    meeting = Meeting(
        session=request.session,
        request=request,
        participant_a=request.requester,
        participant_b=request.target,
        weight=request.weight,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_impose(
    *,
    actor: Any,
    a: Participant,
    b: Participant,
    weight: int = 3,
    slot: Slot | None = None,
    table: int | None = None,
) -> Meeting:
    """An organiser-imposed meeting (e.g. a VIP pair); with a slot and table it is placed and locked."""
    session = a.session
    _check_may_meet(session, a, b)
    request = MeetingRequest.objects.filter(
        Q(requester=a, target=b) | Q(requester=b, target=a), session=session
    ).first()
    if request is None:
        request = MeetingRequest.objects.create(
            session=session, requester=a, target=b, imposed=True, weight=weight, status=MeetingRequest.Status.ACCEPTED
        )
    else:
        request.imposed, request.weight, request.status = True, weight, MeetingRequest.Status.ACCEPTED
        request.decided_at = timezone.now()
        request.save()
    meeting = Meeting.objects.filter(request=request).first() or Meeting(
        session=session, request=request, participant_a=request.requester, participant_b=request.target
    )
    meeting.weight = weight
    if meeting.status == Meeting.Status.CANCELLED:
        meeting.status = Meeting.Status.TO_SCHEDULE
    meeting.full_clean()
    meeting.save()
    audit_log(
        actor=actor,
        action="events.meeting.imposed",
        obj=meeting,
        changes={"participants": [None, [a.pk, b.pk]], "weight": [None, weight]},
        organisation_id=a.organisation_id,
    )
    if slot is not None:
        meeting = meeting_move(actor=actor, meeting=meeting, slot=slot, table=table)
    return meeting


# --- meetings -------------------------------------------------------------------------------------


def meeting_conflicts(meeting: Meeting, slot: Slot, table: int | None) -> list[str]:
    """Why ``meeting`` cannot go to ``slot`` at ``table``: each reason names who or what is in the way."""
    session = meeting.session
    problems: list[str] = []
    if slot.session_id != session.pk:
        problems.append(_("Ce créneau n'appartient pas à la session."))
        return problems
    if slot.is_break:
        problems.append(_("Le créneau %(slot)s est une pause.") % {"slot": slot})
    if table is None or not 1 <= table <= session.tables:
        problems.append(_("La table doit être comprise entre 1 et %(n)s.") % {"n": session.tables})
    others = Meeting.objects.filter(slot=slot).exclude(pk=meeting.pk).exclude(status=Meeting.Status.CANCELLED)
    if table is not None and others.filter(table=table).exists():
        problems.append(_("La table %(table)s est déjà occupée à %(slot)s.") % {"table": table, "slot": slot})
    for participant in (meeting.participant_a, meeting.participant_b):
        if others.filter(Q(participant_a=participant) | Q(participant_b=participant)).exists():
            problems.append(_("%(who)s a déjà un rendez-vous à %(slot)s.") % {"who": participant, "slot": slot})
        if not participant.available_slots.filter(pk=slot.pk).exists():
            problems.append(_("%(who)s n'est pas disponible à %(slot)s.") % {"who": participant, "slot": slot})
        cap = participant.max_meetings if participant.max_meetings is not None else session.default_max_meetings
        if cap is not None and meeting.slot_id is None:
            placed = _live_meetings(participant).filter(slot__isnull=False).exclude(pk=meeting.pk).count()
            if placed >= cap:
                problems.append(
                    _("%(who)s a atteint son maximum de %(n)s rendez-vous.") % {"who": participant, "n": cap}
                )
    return problems


@transaction.atomic
def meeting_move(*, actor: Any, meeting: Meeting, slot: Slot, table: int | None) -> Meeting:
    """Place or move a meeting by hand; refused with the list of conflicts. A hand-placed meeting is locked."""
    MatchmakingSession.objects.select_for_update().get(pk=meeting.session_id)
    meeting = Meeting.objects.select_related("participant_a__person", "participant_b__person", "session").get(
        pk=meeting.pk
    )
    if meeting.status not in (Meeting.Status.TO_SCHEDULE, Meeting.Status.SCHEDULED):
        raise ValidationError(_("Seul un rendez-vous à venir peut être déplacé."))
    if problems := meeting_conflicts(meeting, slot, table):
        raise ValidationError(problems)
    before = {"slot": meeting.slot_id, "table": meeting.table}
    meeting.slot, meeting.table, meeting.locked = slot, table, True
    meeting.status = Meeting.Status.SCHEDULED
    meeting.sequence += 1
    meeting.save()
    audit_log(
        actor=actor,
        action="events.meeting.moved",
        obj=meeting,
        changes={"slot": [before["slot"], slot.pk], "table": [before["table"], table]},
    )
    return meeting


@transaction.atomic
def meeting_lock(*, actor: Any, meeting: Meeting, locked: bool) -> Meeting:
    if locked and meeting.slot_id is None:
        raise ValidationError(_("Placez le rendez-vous avant de le verrouiller."))
    meeting.locked = locked
    meeting.save(update_fields=["locked", "updated_at"])
    audit_log(
        actor=actor,
        action="events.meeting.locked" if locked else "events.meeting.unlocked",
        obj=meeting,
        changes={"locked": [not locked, locked]},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting) -> Meeting:
    was = meeting.status
    meeting.status = Meeting.Status.CANCELLED
    meeting.locked = False
    meeting.sequence += 1
    meeting.save()
    audit_log(actor=actor, action="events.meeting.cancelled", obj=meeting, changes={"status": [was, meeting.status]})
    return meeting


@transaction.atomic
def meeting_record_outcome(
    *, actor: Any, meeting: Meeting, held: bool, follow_up_wanted: bool = False, notes: str = ""
) -> Meeting:
    """After the day: did the meeting take place, and does either side want a follow-up?"""
    if meeting.slot_id is None or meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Ce rendez-vous n'était pas planifié."))
    if meeting.slot.start > timezone.now():
        raise ValidationError(_("Ce rendez-vous n'a pas encore eu lieu."))
    before = snapshot(meeting)
    meeting.status = Meeting.Status.HELD if held else Meeting.Status.NO_SHOW
    meeting.follow_up_wanted = bool(held and follow_up_wanted)
    meeting.notes = notes[:500]
    meeting.save()
    audit_log(
        actor=actor, action="events.meeting.outcome_recorded", obj=meeting, changes=diff(before, snapshot(meeting))
    )
    return meeting


# --- schedule -------------------------------------------------------------------------------------


def schedule_enqueue(*, session: MatchmakingSession, replan: bool = False, time_limit: float = 20.0) -> None:
    """Run the scheduler in the background once the current transaction commits."""
    from grappe.events.tasks import run_matchmaking

    session_id = session.pk
    transaction.on_commit(lambda: run_matchmaking.enqueue(session_id, replan, time_limit))


def schedule_run(
    *, actor: Any, session: MatchmakingSession, replan: bool = False, time_limit: float = 20.0, solve=None
) -> dict[str, Any]:
    """Build the instance, solve it and store the schedule; returns the run summary (also kept in ``last_run``).

    ``replan`` keeps every placed meeting where it is and only places the others (after a no-show
    or a late request). ``solve`` defaults to ``grappe.events.scheduling.solve``.
    """
    from grappe.events import matchmaking_adapter

    if solve is None:
        from grappe.events.scheduling import solve  # imported here: the scheduler is optional at import time
    with transaction.atomic():
        session = MatchmakingSession.objects.select_for_update().get(pk=session.pk)
        summary = matchmaking_adapter.run(session, solve=solve, replan=replan, time_limit=time_limit)
        if summary.get("error"):
            session.last_run = summary
            session.save(update_fields=["last_run"])
        else:
            if session.status == MatchmakingSession.Status.OPEN:
                session.status = MatchmakingSession.Status.SCHEDULED
            session.last_run = summary
            session.save(update_fields=["last_run", "status"])
        audit_log(
            actor=actor,
            action="events.matchmaking_session.scheduled",
            obj=session,
            changes={k: [None, v] for k, v in summary.items() if k != "changed"},
        )
    return summary


@transaction.atomic
def session_publish(*, actor: Any, session: MatchmakingSession, notify: bool = True) -> int:
    """Publish the schedule: placed meetings appear in agendas and calendar feeds; agendas are e-mailed."""
    count = session.meetings.filter(status=Meeting.Status.SCHEDULED, slot__isnull=False).update(
        published=True, updated_at=timezone.now()
    )
    session.status = MatchmakingSession.Status.PUBLISHED
    session.save(update_fields=["status"])
    audit_log(
        actor=actor, action="events.matchmaking_session.published", obj=session, changes={"meetings": [None, count]}
    )
    if notify:
        from grappe.events.tasks import send_agendas

        session_id = session.pk
        transaction.on_commit(lambda: send_agendas.enqueue(session_id))
    return count
