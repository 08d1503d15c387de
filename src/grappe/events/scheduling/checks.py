"""Schedule checks shared by the solvers, the tests and the organiser's "move by hand" view.

- :func:`assign_tables` numbers the meetings of each slot (locks keep their table);
- :func:`validate_schedule` lists every rule a schedule breaks;
- :func:`idle_gaps` counts idle slots in personal agendas;
- :func:`simple_upper_bound` bounds what any schedule could place, without a solver.

Idle gap (the definition used everywhere): for one participant, a slot where they are available
and have no meeting, strictly between their first and last meeting. Slots they declared
themselves unavailable for (arrived late, left for lunch) are not idle time and do not count;
breaks between slots are not slots and do not count either. One gap per participant per slot.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .instance import Id, Instance, _, quote_ids

Placement = Mapping[int, int]  # meeting index -> slot index


def assign_tables(instance: Instance, placement: Placement) -> dict[int, int]:
    """Number the meetings of each slot 1..tables, locked tables first.

    Correctness: the solver guarantees at most ``tables`` meetings per slot, and the instance
    guarantees the locked tables of a slot are distinct and within 1..tables. So in each slot the
    ``tables - L`` tables not taken by the ``L`` table-locked meetings suffice for the remaining
    ``n - L <= tables - L`` meetings, which take them in ascending order (meeting input order, so
    the numbering is deterministic).
    """
    by_slot: dict[int, list[int]] = defaultdict(list)
    for m, s in placement.items():
        by_slot[s].append(m)
    tables: dict[int, int] = {}
    for _s, group in by_slot.items():
        taken = {instance.meetings[m].lock_table for m in group if instance.meetings[m].lock_table is not None}
        free = (t for t in range(1, instance.tables + 1) if t not in taken)
        for m in sorted(group):
            lock_table = instance.meetings[m].lock_table
            tables[m] = lock_table if lock_table is not None else next(free)
    return tables


def to_assignments(instance: Instance, placement: Placement) -> list[dict[str, Any]]:
    """The output rows ``{"meeting", "slot", "table"}`` in slot then table order."""
    tables = assign_tables(instance, placement)
    rows = sorted(placement.items(), key=lambda ms: (ms[1], tables[ms[0]]))
    return [{"meeting": instance.meetings[m].id, "slot": instance.slots[s].id, "table": tables[m]} for m, s in rows]


def placement_from_assignments(instance: Instance, assignments: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    """Meeting index -> slot index from output rows (unknown ids are ignored; validate first)."""
    placement = {}
    for row in assignments:
        m, s = instance.meeting_index.get(row.get("meeting")), instance.slot_index.get(row.get("slot"))
        if m is not None and s is not None:
            placement[m] = s
    return placement


def idle_gaps_by_participant(instance: Instance, placement: Placement) -> list[int]:
    """Idle gaps of each participant (by participant index), see the module docstring."""
    busy: list[list[int]] = [[] for _p in instance.participants]
    for m, s in placement.items():
        meeting = instance.meetings[m]
        busy[meeting.a].append(s)
        busy[meeting.b].append(s)
    gaps = []
    for p, slots in zip(instance.participants, busy, strict=True):
        if len(slots) < 2:
            gaps.append(0)
            continue
        first, last = min(slots), max(slots)
        # Available slots within [first, last], minus the busy ones (each busy slot is available).
        lo = bisect.bisect_left(p.available, first)
        hi = bisect.bisect_right(p.available, last)
        gaps.append((hi - lo) - len(set(slots)))
    return gaps


def idle_gaps(instance: Instance, placement: Placement) -> int:
    return sum(idle_gaps_by_participant(instance, placement))


def validate_schedule(instance: Instance, assignments: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every rule ``assignments`` breaks, as readable sentences (empty list = valid schedule).

    Rules: known meeting and slot ids, each meeting at most once, tables numbered 1..tables and
    distinct within a slot (hence at most ``tables`` meetings per slot), nobody in two meetings in
    one slot, both sides available, ``max_meetings`` caps, locked meetings placed on their slot
    and table.
    """
    problems: list[str] = []
    seen: Counter[int] = Counter()
    slot_tables: dict[int, Counter[int]] = defaultdict(Counter)
    person_slots: dict[tuple[int, int], list[Id]] = defaultdict(list)
    per_person: Counter[int] = Counter()
    placed: dict[int, tuple[int, int]] = {}
    for row in assignments:
        mid, sid, table = row.get("meeting"), row.get("slot"), row.get("table")
        m, s = instance.meeting_index.get(mid), instance.slot_index.get(sid)
        if m is None:
            problems.append(_("Rendez-vous inconnu « %(id)s ».") % {"id": mid})
            continue
        if s is None:
            problems.append(_("Rendez-vous « %(id)s » : créneau inconnu « %(slot)s ».") % {"id": mid, "slot": sid})
            continue
        seen[m] += 1
        if seen[m] == 2:
            problems.append(_("Rendez-vous « %(id)s » placé plusieurs fois.") % {"id": mid})
        if seen[m] > 1:
            continue
        if not isinstance(table, int) or isinstance(table, bool) or not 1 <= table <= instance.tables:
            problems.append(
                _("Rendez-vous « %(id)s » : table %(table)s hors de 1..%(n)s.")
                % {"id": mid, "table": table, "n": instance.tables}
            )
        else:
            slot_tables[s][table] += 1
        meeting = instance.meetings[m]
        placed[m] = (s, table)
        for p in (meeting.a, meeting.b):
            person_slots[(p, s)].append(mid)
            per_person[p] += 1
            if s not in instance.participants[p].available:
                problems.append(
                    _("Rendez-vous « %(id)s » : « %(who)s » n'est pas disponible au créneau « %(slot)s ».")
                    % {"id": mid, "who": instance.participants[p].id, "slot": sid}
                )
    for s, counter in slot_tables.items():
        for table, n in counter.items():
            if n > 1:
                problems.append(
                    _("Créneau « %(slot)s » : la table %(table)s accueille %(n)s rendez-vous.")
                    % {"slot": instance.slots[s].id, "table": table, "n": n}
                )
        if sum(counter.values()) > instance.tables:
            problems.append(
                _("Créneau « %(slot)s » : plus de rendez-vous que de tables.") % {"slot": instance.slots[s].id}
            )
    for (p, s), ids in person_slots.items():
        if len(ids) > 1:
            problems.append(
                _("« %(who)s » a %(n)s rendez-vous au créneau « %(slot)s » (%(ids)s).")
                % {
                    "who": instance.participants[p].id,
                    "n": len(ids),
                    "slot": instance.slots[s].id,
                    "ids": quote_ids(ids),
                }
            )
    for p, n in per_person.items():
        cap = instance.participants[p].max_meetings
        if cap is not None and n > cap:
            problems.append(
                _("« %(who)s » a %(n)s rendez-vous pour un maximum de %(cap)s.")
                % {"who": instance.participants[p].id, "n": n, "cap": cap}
            )
    for meeting in instance.meetings:
        if not meeting.locked:
            continue
        where = placed.get(meeting.index)
        if (
            where is None
            or where[0] != meeting.lock_slot
            or (meeting.lock_table is not None and where[1] != meeting.lock_table)
        ):
            problems.append(_("Rendez-vous verrouillé « %(id)s » déplacé ou absent.") % {"id": meeting.id})
    return problems


def meeting_bounds(instance: Instance) -> tuple[int, list[int]]:
    """(bound on the number of meetings any schedule places, per-participant meeting bounds)."""
    per_slot_people: list[set[int]] = [set() for _s in instance.slots]
    per_slot_meetings = [0] * len(instance.slots)
    option_slots: list[set[int]] = [set() for _p in instance.participants]
    for m in instance.meetings:
        for s in m.options:
            per_slot_people[s].update((m.a, m.b))
            per_slot_meetings[s] += 1
            option_slots[m.a].add(s)
            option_slots[m.b].add(s)
    # A slot hosts a matching of its candidate meetings: at most `tables`, at most half its people.
    slot_bound = sum(
        min(instance.tables, len(people) // 2, n) for people, n in zip(per_slot_people, per_slot_meetings, strict=True)
    )
    person_bound = []
    for p in instance.participants:
        k = min(len(option_slots[p.index]), len(instance.meetings_of[p.index]))
        if p.max_meetings is not None:
            k = min(k, p.max_meetings)
        person_bound.append(k)
    return min(len(instance.meetings), slot_bound, sum(person_bound) // 2), person_bound


def simple_upper_bound(instance: Instance, weights: Sequence[int | float] | None = None) -> int | float:
    """The tightest of three solver-free bounds on the weight any schedule places.

    1. Count bound: the number of meetings is at most N = min(#meetings, sum over slots of
       min(tables, candidates/2), sum over participants of their meeting bound / 2); the weight
       is then at most the N largest weights.
    2. Participant bound: split each meeting's weight half to each side; participant p takes at
       most k_p = min(cap, slots where they have a candidate, their meetings) meetings, so the
       weight is at most sum over p of (their k_p largest weights) / 2.
    3. The plain sum of weights (implied by 1, kept for clarity).
    """
    w = list(weights) if weights is not None else [m.weight for m in instance.meetings]
    n_bound, person_bound = meeting_bounds(instance)
    top = sorted(w, reverse=True)
    count_bound = sum(top[:n_bound])
    half_sum = 0.0
    for p, k in zip(instance.participants, person_bound, strict=True):
        mine = sorted((w[m] for m in instance.meetings_of[p.index]), reverse=True)
        half_sum += sum(mine[:k])
    participant_bound = half_sum / 2
    best = min(count_bound, participant_bound, sum(w))
    if all(float(x).is_integer() for x in w):
        return int(best + 1e-9)  # every schedule's weight is an integer
    return best
