"""Re-planning after a no-show or a late change, without moving confirmed meetings.

Re-planning is just a new instance: the kept meetings become locks (slot and table), the
participants who left and the cancelled meetings are removed, and, once the day has started,
slots already past are closed to every meeting that is not kept.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from .instance import Id, _is_id, parse_instance
from .solve import solve


def replan_instance(
    instance: Mapping[str, Any],
    assignments: Iterable[Mapping[str, Any]],
    *,
    keep: Iterable[Id] | None = None,
    remove_participants: Iterable[Id] = (),
    remove_meetings: Iterable[Id] = (),
    not_before: Id | None = None,
) -> dict[str, Any]:
    """A new instance dict for re-planning.

    ``assignments`` is the current schedule (rows ``{"meeting", "slot", "table"}``). ``keep``:
    the meetings that must not move (default: every assigned meeting that is not removed).
    ``not_before``: the first slot still open; earlier slots stay available to a participant only
    for their kept meetings there. Meetings of removed participants are removed too. Meetings whose
    sides no longer share an open slot leave the instance and are listed under
    ``"closed_meetings"`` (an extra key the parser ignores; :func:`replan` reports them unscheduled).
    The result is validated (:class:`InstanceError` if, e.g., a kept meeting is unknown).
    """
    parsed = parse_instance(dict(instance))  # validates the original first
    new = copy.deepcopy(dict(instance))
    gone_people = set(remove_participants)
    gone = set(remove_meetings)
    new["participants"] = [p for p in new["participants"] if p["id"] not in gone_people]
    meetings = []
    for m in new["meetings"]:
        if m["id"] in gone or any(p in gone_people for p in m["participants"]):
            continue
        meetings.append(m)
    where = {row["meeting"]: row for row in assignments}
    keep_ids = set(where) if keep is None else set(keep)
    for m in meetings:
        if m["id"] in keep_ids and m["id"] in where:
            m["locked"] = {"slot": where[m["id"]]["slot"], "table": where[m["id"]]["table"]}
    new["meetings"] = meetings
    if not_before is not None and _is_id(not_before) and not_before in parsed.slot_index:
        first_open = parsed.slot_index[not_before]
        past = {s.id for s in parsed.slots if s.index < first_open}
        locked_past: dict[Id, set[Id]] = {}
        for m in meetings:
            if m.get("locked") and m["locked"]["slot"] in past:
                for p in m["participants"]:
                    locked_past.setdefault(p, set()).add(m["locked"]["slot"])
        for p in new["participants"]:
            p["available"] = [s for s in p["available"] if s not in past or s in locked_past.get(p["id"], ())]
        # A meeting whose sides no longer share an open slot cannot be re-planned: drop it.
        avail = {p["id"]: set(p["available"]) for p in new["participants"]}
        still = [m for m in meetings if m.get("locked") or avail[m["participants"][0]] & avail[m["participants"][1]]]
        if len(still) < len(meetings):
            new["closed_meetings"] = [m["id"] for m in meetings if m not in still]
        new["meetings"] = still
    parse_instance(new)
    return new


def replan(
    instance: Mapping[str, Any],
    assignments: Iterable[Mapping[str, Any]],
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    **changes: Any,
) -> dict[str, Any]:
    """Solve :func:`replan_instance` (same keyword arguments); kept meetings stay where they are."""
    new = replan_instance(instance, assignments, **changes)
    result = solve(new, time_limit=time_limit, seed=seed)
    result["unscheduled"].extend(new.get("closed_meetings", []))
    return result
