"""Random instances and a brute-force oracle for the scheduler tests."""

from __future__ import annotations

import itertools
import random
from typing import Any

from grappe.events.scheduling import greedy_schedule, parse_instance
from grappe.events.scheduling.checks import assign_tables


def random_instance(
    seed: int,
    *,
    people: tuple[int, int] = (5, 14),
    meetings: tuple[int, int] = (4, 30),
    slots: tuple[int, int] = (3, 8),
    tables: tuple[int, int] = (1, 4),
    locks: float = 0.15,
    decimals: bool = False,
) -> dict[str, Any]:
    """A valid random instance; some meetings locked where a greedy schedule put them."""
    rng = random.Random(seed)
    n_slots = rng.randint(*slots)
    slot_ids: list[Any] = [rng.choice([f"s{i}", 100 + i]) for i in range(n_slots)]
    slot_list = [{"id": sid, "start": f"{9 + i:02d}:00", "end": f"{9 + i:02d}:30"} for i, sid in enumerate(slot_ids)]
    rng.shuffle(slot_list)  # input order is not chronological order
    n_people = rng.randint(*people)
    participants = []
    for i in range(n_people):
        available = [sid for sid in slot_ids if rng.random() < 0.75] or [rng.choice(slot_ids)]
        cap = rng.choice([None, None, 1, 2, 3])
        participants.append({"id": f"p{i}", "available": available, "max_meetings": cap})
    meeting_list = []
    for i in range(rng.randint(*meetings)):
        a, b = rng.sample(range(n_people), 2)
        if not set(participants[a]["available"]) & set(participants[b]["available"]):
            continue
        weight: int | float = rng.choice([1, 1, 2, 3])
        if decimals:
            weight = rng.choice([0.5, 1.25, 2, 0.1])
        meeting_list.append({"id": i, "participants": [f"p{a}", f"p{b}"], "weight": weight, "locked": None})
    data = {"slots": slot_list, "tables": rng.randint(*tables), "participants": participants, "meetings": meeting_list}
    if locks:
        inst = parse_instance(data)
        placement = greedy_schedule(inst)
        tables_of = assign_tables(inst, placement)
        for m, s in placement.items():
            if rng.random() < locks:
                meeting_list[m]["locked"] = {
                    "slot": inst.slots[s].id,
                    "table": tables_of[m] if rng.random() < 0.7 else None,
                }
    return data


def brute_force(data: dict[str, Any]) -> tuple[float, int, int]:
    """(best weight, then fewest idle gaps, then smallest worst gaps) over every assignment."""
    inst = parse_instance(data)
    choices = [[s for s in m.options] if m.locked else [None, *m.options] for m in inst.meetings]
    best: tuple[float, int, int] | None = None
    for combo in itertools.product(*choices):
        load: dict[int, int] = {}
        seen: set[tuple[int, int]] = set()
        count = [0] * len(inst.participants)
        busy: list[list[int]] = [[] for _p in inst.participants]
        ok = True
        for meeting, s in zip(inst.meetings, combo, strict=True):
            if s is None:
                continue
            load[s] = load.get(s, 0) + 1
            for p in (meeting.a, meeting.b):
                if (p, s) in seen:
                    ok = False
                seen.add((p, s))
                count[p] += 1
                busy[p].append(s)
        if not ok or any(n > inst.tables for n in load.values()):
            continue
        if any(p.max_meetings is not None and count[p.index] > p.max_meetings for p in inst.participants):
            continue
        gaps = []
        for p in inst.participants:
            mine = busy[p.index]
            if len(mine) < 2:
                gaps.append(0)
                continue
            inside = [s for s in p.available if min(mine) <= s <= max(mine)]
            gaps.append(len(inside) - len(mine))
        weight = round(sum(m.weight for m, s in zip(inst.meetings, combo, strict=True) if s is not None), 9)
        key = (-weight, sum(gaps), max(gaps))
        if best is None or key < best:
            best = key
    assert best is not None
    return -best[0], best[1], best[2]
