"""Greedy baseline: the benchmark's yardstick, CP-SAT's first hint, and the fallback.

Locked meetings first (on their slot). Then the others by descending weight, fewest candidate
slots first (the hardest to place go before the slots fill), input order last. Each meeting goes
to the feasible slot that adds the fewest idle gaps to its two participants' agendas (next to
their existing meetings, or filling a hole), the earliest such slot on ties. A meeting with no
feasible slot left stays unscheduled; nothing is ever moved back.
"""

from __future__ import annotations

import bisect

from .instance import Instance


def _added_gaps(available: tuple[int, ...], mine: list[int], s: int) -> int:
    """How many idle gaps a meeting at slot ``s`` adds to an agenda (negative if it fills one)."""
    if not mine:
        return 0
    pos = bisect.bisect_left(available, s)
    first = bisect.bisect_left(available, mine[0])
    last = bisect.bisect_left(available, mine[-1])
    if pos < first:
        return first - pos - 1
    if pos > last:
        return pos - last - 1
    return -1


def greedy_schedule(instance: Instance) -> dict[int, int]:
    """Meeting index -> slot index, built greedily (see the module docstring)."""
    people = instance.participants
    agenda: list[list[int]] = [[] for _p in people]  # sorted busy slots per participant
    load = [0] * len(instance.slots)
    placement: dict[int, int] = {}

    def place(m: int, s: int) -> None:
        meeting = instance.meetings[m]
        placement[m] = s
        load[s] += 1
        bisect.insort(agenda[meeting.a], s)
        bisect.insort(agenda[meeting.b], s)

    for meeting in instance.meetings:
        if meeting.locked:
            place(meeting.index, meeting.lock_slot)
    order = sorted((m for m in instance.meetings if not m.locked), key=lambda m: (-m.weight, len(m.options), m.index))
    for meeting in order:
        a, b = meeting.a, meeting.b
        if any(people[p].max_meetings is not None and len(agenda[p]) >= people[p].max_meetings for p in (a, b)):
            continue
        best: tuple[int, int] | None = None
        busy_a, busy_b = set(agenda[a]), set(agenda[b])
        for s in meeting.options:
            if load[s] >= instance.tables or s in busy_a or s in busy_b:
                continue
            key = (
                _added_gaps(people[a].available, agenda[a], s) + _added_gaps(people[b].available, agenda[b], s),
                s,
            )
            if best is None or key < best:
                best = key
        if best is not None:
            place(meeting.index, best[1])
    return placement
