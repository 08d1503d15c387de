"""Bridge between a matchmaking session in the database and the scheduler's JSON instance (issue 6 format).

``build_instance`` writes the instance: meeting slots (breaks excluded), tables, participants with
their available slots and caps, and the meetings to place with their weight and lock. Locked
meetings are the organiser's locks, plus — when re-planning — every meeting already placed, so a
no-show or a late change never moves a confirmed meeting. ``apply_result`` checks the output and
stores it. Ids are the database primary keys.
"""

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.events.models import MatchmakingSession, Meeting, Participant

Solver = Callable[..., dict]  # solve(instance, *, time_limit=...) -> output dict


def _schedulable(session: MatchmakingSession):
    return session.meetings.filter(
        status__in=[Meeting.Status.TO_SCHEDULE, Meeting.Status.SCHEDULED, Meeting.Status.HELD],
        participant_a__no_show=False,
        participant_b__no_show=False,
    ).select_related("slot")


def build_instance(session: MatchmakingSession, *, replan: bool = False, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    slots = list(session.slots.filter(is_break=False).order_by("start"))
    # When re-planning during the day, slots already started cannot receive a new meeting.
    open_slots = {s.pk for s in slots if not replan or s.start > now}
    meetings = list(_schedulable(session))
    involved = {pid for m in meetings for pid in (m.participant_a_id, m.participant_b_id)}
    participants = Participant.objects.filter(pk__in=involved).prefetch_related("available_slots").order_by("pk")
    instance_participants = []
    locked_slots: dict[int, set[int]] = {}
    for m in meetings:
        if m.slot_id and (m.locked or replan or m.status == Meeting.Status.HELD):
            for pid in (m.participant_a_id, m.participant_b_id):
                locked_slots.setdefault(pid, set()).add(m.slot_id)
    for p in participants:
        available = {s.pk for s in p.available_slots.all()} & open_slots
        # A locked meeting's slot stays available to its participants even if it has started.
        available |= locked_slots.get(p.pk, set())
        cap = p.max_meetings if p.max_meetings is not None else session.default_max_meetings
        instance_participants.append(
            {"id": p.pk, "available": [s.pk for s in slots if s.pk in available], "max_meetings": cap}
        )
    instance_meetings = []
    for m in meetings:
        lock = None
        if m.slot_id and (m.locked or replan or m.status == Meeting.Status.HELD):
            lock = {"slot": m.slot_id, "table": m.table}
        instance_meetings.append(
            {"id": m.pk, "participants": [m.participant_a_id, m.participant_b_id], "weight": m.weight, "locked": lock}
        )
    return {
        "slots": [{"id": s.pk, "start": s.start.isoformat(), "end": s.end.isoformat()} for s in slots],
        "tables": session.tables,
        "participants": instance_participants,
        "meetings": instance_meetings,
    }


def apply_result(session: MatchmakingSession, instance: dict, result: dict) -> int:
    """Store the scheduler's assignments; meetings left out go back to "to schedule". Returns meetings moved.

    The output is checked against the instance first (unknown ids, double bookings, tables out of
    range): a bad result changes nothing.
    """
    meeting_ids = {m["id"] for m in instance["meetings"]}
    slot_ids = {s["id"] for s in instance["slots"]}
    pairs = {m["id"]: m["participants"] for m in instance["meetings"]}
    seen_tables: set[tuple[int, int]] = set()
    seen_people: set[tuple[int, int]] = set()
    placement: dict[int, tuple[int, int]] = {}
    for a in result.get("assignments", []):
        meeting, slot, table = a.get("meeting"), a.get("slot"), a.get("table")
        if meeting not in meeting_ids or slot not in slot_ids or not isinstance(table, int):
            raise ValidationError(_("Résultat du planificateur invalide : %(a)s.") % {"a": a})
        if not 1 <= table <= instance["tables"] or (slot, table) in seen_tables:
            raise ValidationError(_("Résultat du planificateur invalide (table) : %(a)s.") % {"a": a})
        for pid in pairs[meeting]:
            if (slot, pid) in seen_people:
                raise ValidationError(_("Résultat du planificateur invalide (double réservation) : %(a)s.") % {"a": a})
            seen_people.add((slot, pid))
        seen_tables.add((slot, table))
        placement[meeting] = (slot, table)
    changed = 0
    meetings = {m.pk: m for m in session.meetings.filter(pk__in=meeting_ids)}
    # Free every seat first so the (slot, table) unique constraint never sees a transient clash.
    movers = [m for pk, m in meetings.items() if (m.slot_id, m.table) != placement.get(pk, (None, None))]
    Meeting.objects.filter(pk__in=[m.pk for m in movers]).update(slot=None, table=None)
    for meeting in movers:
        slot, table = placement.get(meeting.pk, (None, None))
        meeting.slot_id, meeting.table = slot, table
        if meeting.status != Meeting.Status.HELD:
            meeting.status = Meeting.Status.SCHEDULED if slot else Meeting.Status.TO_SCHEDULE
        meeting.sequence += 1
        meeting.save(update_fields=["slot", "table", "status", "sequence", "updated_at"])
        changed += 1
    return changed


def run(
    session: MatchmakingSession, *, solve: Solver, replan: bool = False, time_limit: float = 20.0
) -> dict[str, Any]:
    """Build, solve, check and apply; the summary says what happened, or which input was wrong."""
    instance = build_instance(session, replan=replan)
    started = time.monotonic()
    try:
        result = solve(instance, time_limit=time_limit)
    except (ValueError, ValidationError) as exc:  # bad input named by the scheduler: report it, change nothing
        return {"error": "; ".join(getattr(exc, "messages", None) or [str(exc)]), "ran_at": timezone.now().isoformat()}
    if result.get("status") not in ("optimal", "feasible"):
        return {
            "error": "; ".join(r.get("message", "") for r in result.get("reasons", []))
            or str(result.get("error") or _("Aucun planning trouvé.")),
            "status": result.get("status"),
            "ran_at": timezone.now().isoformat(),
        }
    changed = apply_result(session, instance, result)
    return {
        "status": result["status"],
        "scheduled": result.get("scheduled", len(result.get("assignments", []))),
        "meetings": len(instance["meetings"]),
        "weighted_scheduled": result.get("weighted_scheduled"),
        "upper_bound": result.get("upper_bound"),
        "idle_gaps": result.get("idle_gaps"),
        "unscheduled": len(result.get("unscheduled", [])),
        "seconds": round(result.get("seconds", time.monotonic() - started), 3),
        "replan": replan,
        "changed": changed,
        "ran_at": timezone.now().isoformat(),
    }
