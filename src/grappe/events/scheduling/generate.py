"""Seeded random instances shaped like real brokerage days (for the benchmark and the tests).

- Slots: ``slots`` consecutive 20-minute slots from 09:00, a one-hour lunch break after the
  first half (the break is not a slot, so it is never an idle gap).
- Availability: 70% of participants stay all day, 15% arrive late, 15% leave early (by up to a
  third of the day).
- Requests follow popularity: each participant has a log-normal attractiveness, a request goes
  from a uniformly drawn participant to one drawn by attractiveness, so a few participants are
  in demand and many are not (as in the JAIR forum instances). A pair is requested at most
  once, must share an available slot, and nobody is given more requests than available slots.
- Weights: ``"unit"`` (all 1), or ``"mixed"``: 1 for most, 2 for a mutual request (20%), 3 for
  a meeting the organiser insists on (5%).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

SLOT_MINUTES = 20


def generate_instance(
    *,
    participants: int,
    meetings: int,
    slots: int,
    tables: int,
    cap: int | None = None,
    seed: int = 0,
    weights: str = "unit",
    full_availability: float = 0.7,
) -> dict[str, Any]:
    """A valid instance dict; fewer meetings than asked if the pairs run out."""
    rng = random.Random(seed)
    day = dt.datetime(2026, 3, 19, 9, 0)
    slot_list = []
    for i in range(slots):
        start = day + dt.timedelta(minutes=SLOT_MINUTES * i + (60 if i >= slots // 2 else 0))
        slot_list.append(
            {
                "id": f"s{i + 1:02d}",
                "start": start.isoformat(timespec="minutes"),
                "end": (start + dt.timedelta(minutes=SLOT_MINUTES)).isoformat(timespec="minutes"),
            }
        )
    people = []
    windows = []
    for i in range(participants):
        roll = rng.random()
        first, last = 0, slots - 1
        if roll >= full_availability:
            cut = rng.randint(1, max(1, slots // 3))
            if roll < full_availability + (1 - full_availability) / 2:
                first = cut
            else:
                last = slots - 1 - cut
        windows.append((first, last))
        people.append(
            {
                "id": f"p{i + 1:04d}",
                "available": [slot_list[s]["id"] for s in range(first, last + 1)],
                "max_meetings": cap,
            }
        )
    attractiveness = [rng.lognormvariate(0, 0.8) for _i in range(participants)]
    degree = [0] * participants
    pairs: set[tuple[int, int]] = set()
    meeting_list = []
    attempts = 0
    while len(meeting_list) < meetings and attempts < meetings * 50:
        attempts += 1
        a = rng.randrange(participants)
        b = rng.choices(range(participants), weights=attractiveness)[0]
        key = (min(a, b), max(a, b))
        if a == b or key in pairs:
            continue
        (fa, la), (fb, lb) = windows[a], windows[b]
        if max(fa, fb) > min(la, lb):
            continue  # no common slot
        if degree[a] >= la - fa + 1 or degree[b] >= lb - fb + 1:
            continue  # nobody gets more requests than slots they are present for
        pairs.add(key)
        degree[a] += 1
        degree[b] += 1
        weight = 1
        if weights == "mixed":
            roll = rng.random()
            weight = 3 if roll < 0.05 else 2 if roll < 0.25 else 1
        meeting_list.append(
            {
                "id": f"m{len(meeting_list) + 1:05d}",
                "participants": [people[a]["id"], people[b]["id"]],
                "weight": weight,
                "locked": None,
            }
        )
    return {"slots": slot_list, "tables": tables, "participants": people, "meetings": meeting_list}
