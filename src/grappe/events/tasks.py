"""Background work of the events app (django.tasks): e-mails, reminders, surveys, the meeting scheduler.

Tasks take ids and call services; they are idempotent: a reminder or survey is recorded in
``Notification`` (unique per registration and kind) in the same transaction as it is sent; a B2B agenda
is recorded per participant and agenda version with ``core.tasks.claim_once``.
``send_due_reminders`` and ``send_due_surveys`` are meant to run every hour (``grappe events_due``).
"""

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.tasks import TaskContext, task
from django.utils import timezone

from grappe.events.models import Event, Notification, Registration

log = logging.getLogger(__name__)

# Surveys go out for events that ended within this window (not for last year's events after an outage).
SURVEY_WINDOW = dt.timedelta(days=14)


def _send(registration: Registration, kind: str, once: str = "") -> bool:
    from grappe.core.tasks import claim_once
    from grappe.events.emails import registration_message
    from grappe.events.services import notification_claim

    if not registration.email:
        return False
    with transaction.atomic():
        if once and not claim_once(once):  # this task run sent it already (its worker died before finishing)
            return False
        if not notification_claim(registration, kind):
            return False
        registration_message(registration, kind).send()  # an error rolls the claim back: retried next run
    return True


@task(takes_context=True)
def send_registration_message(context: TaskContext, registration_id: int, kind: str) -> bool:
    registration = Registration.objects.select_related("event", "person", "organisation").filter(pk=registration_id)
    registration = registration.first()
    if registration is None:
        return False
    # Confirmations and updates may be sent several times per registration: the task run is the unit of once.
    return _send(registration, kind, once=f"events.registration_message:{context.task_result.id}")


def due_reminders(now: dt.datetime) -> list[tuple[Registration, str]]:
    """(registration, kind) pairs whose reminder is due at ``now`` and not sent yet."""
    due = []
    candidates = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        event__status=Event.Status.PUBLISHED,
        event__start__gt=now,
        event__start__lte=now + dt.timedelta(days=7),
    ).select_related("event", "person")
    sent = set(
        Notification.objects.filter(
            registration__in=candidates, kind__in=[Notification.Kind.REMINDER_7, Notification.Kind.REMINDER_1]
        ).values_list("registration_id", "kind")
    )
    for registration in candidates:
        left = registration.event.start - now
        if left <= dt.timedelta(days=1):
            # Registered on the eve? the confirmation is enough.
            if registration.created_at <= registration.event.start - dt.timedelta(days=1):
                kind = Notification.Kind.REMINDER_1
            else:
                continue
        elif registration.created_at <= registration.event.start - dt.timedelta(days=7):
            kind = Notification.Kind.REMINDER_7
        else:
            continue
        if (registration.pk, kind) not in sent:
            due.append((registration, kind))
    return due


@task()
def send_due_reminders() -> int:
    """Send the 7-day and 1-day reminders that are due; running it twice sends nothing twice."""
    return sum(_send(registration, kind) for registration, kind in due_reminders(timezone.now()))


@task()
def send_due_surveys() -> int:
    """After an event, ask every participant who came (or was not marked absent) for their satisfaction."""
    now = timezone.now()
    registrations = (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            event__status=Event.Status.PUBLISHED,
            event__end__lte=now,
            event__end__gt=now - SURVEY_WINDOW,
        )
        .exclude(attendance=Registration.Attendance.NO_SHOW)
        .exclude(notifications__kind=Notification.Kind.SURVEY)
        .select_related("event", "person")
    )
    return sum(_send(registration, Notification.Kind.SURVEY) for registration in registrations)


@task()
def run_matchmaking(session_id: int, replan: bool = False, time_limit: float = 20.0) -> dict[str, Any]:
    """Compute (or re-plan) a session's schedule with the scheduler and store it."""
    from grappe.events.matchmaking import schedule_run
    from grappe.events.models import MatchmakingSession

    session = MatchmakingSession.objects.get(pk=session_id)
    return schedule_run(actor=None, session=session, replan=replan, time_limit=time_limit)


def agenda_version(participant, meetings) -> str:
    """The version of a participant's published agenda: what its e-mail and .ics entries say.

    Each meeting's id, slot, table and revision (``Meeting.sequence``, raised by every move or
    cancellation), and the event's revision (``Event.sequence``: dates, venue). Two publications that
    leave a participant's agenda as it was give the same version; any change gives a new one.
    """
    import hashlib

    parts = [f"event:{participant.session.event.sequence}"]
    parts += [
        f"{m.pk}:{m.sequence}:{m.slot_id}:{m.slot.start.isoformat()}:{m.slot.end.isoformat()}:{m.table}"
        for m in meetings
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@task()
def send_agendas(session_id: int) -> int:
    """E-mail each participant their published agenda with its .ics entries, once per agenda version.

    Each e-mail is recorded (``core.tasks.claim_once("events.agenda:<participant>:<version>")``) in the
    transaction that sends it, so a run retried after a failure, a killed worker or a staff "Retry" sends
    only the agendas not sent yet. After a republication, only participants whose agenda changed (a new
    ``agenda_version``) get it again. A failed e-mail does not stop the others: the run raises at the end
    and the retry policy sends the missing ones later.
    """
    from grappe.core.tasks import claim_once
    from grappe.events.emails import agenda_message
    from grappe.events.models import Participant
    from grappe.events.selectors import participant_agenda

    sent, failed = 0, []
    for participant in Participant.objects.filter(session_id=session_id, no_show=False).select_related(
        "person", "registration", "session__event"
    ):
        if not (participant.person.email or (participant.registration and participant.registration.email)):
            continue
        meetings = list(participant_agenda(participant, published_only=True))
        key = f"events.agenda:{participant.pk}:{agenda_version(participant, meetings)}"
        try:
            with transaction.atomic():
                if not claim_once(key):  # this version of the agenda was sent to them already
                    continue
                agenda_message(participant, meetings).send()  # an error rolls the claim back: sent on retry
        except Exception:
            log.exception("B2B agenda of participant %s (session %s) not sent", participant.pk, session_id)
            failed.append(participant.pk)
            continue
        sent += 1
    if failed:
        raise RuntimeError(f"{len(failed)} B2B agenda(s) not sent (participants {failed}); {sent} sent.")
    return sent
