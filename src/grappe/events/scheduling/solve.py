"""``solve(instance) -> dict``: the scheduler's one entry point (also behind the command).

Steps: validate (raises InstanceError), detect lock infeasibility (status "infeasible" with
reasons), greedy schedule (hint and fallback), CP-SAT phase 1 (placed weight, bound), idle-gap
local search (localsearch.py), CP-SAT phase 2 hinted with its result (idle gaps, fairly; it may
also prove optimality), number tables, report. The result is always a valid schedule: the
greedy one if the solver finds nothing in time.

Status: "optimal" when both phases are proven optimal (with exact weights), "feasible"
otherwise, "infeasible" when locked meetings alone break someone's ``max_meetings``.
``upper_bound`` is a proven bound on the weight any schedule could place: the tightest of the
phase-1 solver bound and the solver-free bounds (checks.simple_upper_bound).
"""

from __future__ import annotations

import time
from typing import Any

from .checks import idle_gaps_by_participant, simple_upper_bound, to_assignments
from .cpsat import Scheduler
from .greedy import greedy_schedule
from .instance import Instance, lock_infeasibility, parse_instance
from .localsearch import improve_gaps

PHASE1_SHARE = 0.4  # of the time left after building the model
# The local search gets at most 70% of the time left after phase 1, and less on small instances,
# where the CP-SAT phase 2 (which gets the rest) can prove the idle gaps optimal.
LOCAL_SEARCH_SHARE = 0.7
LOCAL_SEARCH_BASE = 0.2  # seconds
LOCAL_SEARCH_PER_MEETING = 0.06  # seconds per placed meeting
# Above this many x[m, s] variables the CP-SAT gap phase is skipped and the local search gets
# (almost) all the time: on the 80,000-variable brokerage day CP-SAT did not finish loading the
# hinted gap model in 17 s (status UNKNOWN), while the local search removes thousands of gaps.
CP_SAT_PHASE2_MAX_VARIABLES = 20_000
LARGE_LOCAL_SEARCH_SHARE = 0.97


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 9)


def report(
    instance: Instance,
    placement: dict[int, int],
    *,
    status: str,
    upper_bound: float,
    seconds: float,
) -> dict[str, Any]:
    """The output document of issue 6 for a placement (meeting index -> slot index)."""
    weighted = sum(instance.meetings[m].weight for m in placement)
    return {
        "status": status,
        "assignments": to_assignments(instance, placement),
        "unscheduled": [m.id for m in instance.meetings if m.index not in placement],
        "scheduled": len(placement),
        "weighted_scheduled": _number(weighted),
        "upper_bound": _number(upper_bound),
        "idle_gaps": sum(idle_gaps_by_participant(instance, placement)),
        "seconds": round(seconds, 3),
    }


def solve(
    data: Any,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int | None = None,
    log: bool = False,
    details: bool = False,
) -> dict[str, Any]:
    """Schedule ``data`` (instance dict, JSON text or parsed Instance) within ``time_limit`` seconds.

    Raises :class:`~.instance.InstanceError` on bad input. With ``details=True`` the result
    also has a ``"phases"`` entry (solver statuses and times, for the benchmark and debugging).
    """
    began = time.perf_counter()
    deadline = began + time_limit
    instance = parse_instance(data)
    reasons = lock_infeasibility(instance)
    if reasons:
        result = report(instance, {}, status="infeasible", upper_bound=0, seconds=time.perf_counter() - began)
        result["reasons"] = [r.as_dict() for r in reasons]
        return result
    greedy = greedy_schedule(instance)
    simple = simple_upper_bound(instance)
    if not instance.meetings:
        return report(instance, {}, status="optimal", upper_bound=0, seconds=time.perf_counter() - began)

    scheduler = Scheduler(instance, seed=seed, workers=workers, log=log)
    scaled_simple = simple_upper_bound(instance, scheduler.weights)
    left = deadline - time.perf_counter()
    phase1 = scheduler.maximise_weight(greedy, int(scaled_simple), left * PHASE1_SHARE)
    incumbent = greedy
    if phase1.placement is not None and scheduler.placed_weight(phase1.placement) >= scheduler.placed_weight(greedy):
        incumbent = phase1.placement
    upper = simple
    if phase1.bound is not None:
        upper = min(upper, scheduler.weight_bound(phase1.bound))
    weight_optimal = phase1.status == "OPTIMAL" and scheduler.exact

    k = len(instance.slots)

    def key(placement: dict[int, int]) -> tuple[int, int]:
        """Lexicographic: heavier first, then S * total idle gaps + the worst participant's gaps."""
        per_person = idle_gaps_by_participant(instance, placement)
        return (-scheduler.placed_weight(placement), k * sum(per_person) + max(per_person, default=0))

    best_key = key(incumbent)
    phase2_status = "SKIPPED"
    phase2_seconds = ls_seconds = 0.0
    left = deadline - time.perf_counter()
    if best_key[1] > 0 and left > 0.05:
        began_ls = time.perf_counter()
        if len(scheduler.x) > CP_SAT_PHASE2_MAX_VARIABLES:
            budget = left * LARGE_LOCAL_SEARCH_SHARE
        else:
            budget = min(left * LOCAL_SEARCH_SHARE, LOCAL_SEARCH_BASE + LOCAL_SEARCH_PER_MEETING * len(incumbent))
        improved = improve_gaps(instance, incumbent, scheduler.weights, time_limit=budget, seed=seed)
        ls_seconds = time.perf_counter() - began_ls
        if key(improved) <= best_key:
            incumbent, best_key = improved, key(improved)
    if best_key[1] > 0 and len(scheduler.x) <= CP_SAT_PHASE2_MAX_VARIABLES:
        scheduler.build_gaps()  # before reading the clock: building costs time too
    left = deadline - time.perf_counter()
    if best_key[1] > 0 and left > 0.05 and len(scheduler.x) <= CP_SAT_PHASE2_MAX_VARIABLES:
        phase2 = scheduler.minimise_gaps(incumbent, left)
        phase2_status, phase2_seconds = phase2.status, phase2.seconds
        if phase2.placement is not None and key(phase2.placement) <= best_key:
            incumbent, best_key = phase2.placement, key(phase2.placement)
    # No idle gap at all cannot be improved; otherwise only a proof from phase 2 counts.
    gaps_optimal = best_key[1] == 0 or phase2_status == "OPTIMAL"
    gaps = idle_gaps_by_participant(instance, incumbent)
    status = "optimal" if weight_optimal and gaps_optimal else "feasible"
    result = report(instance, incumbent, status=status, upper_bound=upper, seconds=time.perf_counter() - began)
    if details:
        result["phases"] = {
            "greedy": {"weighted": _number(sum(instance.meetings[m].weight for m in greedy))},
            "phase1": {"status": phase1.status, "seconds": round(phase1.seconds, 3)},
            "local_search": {"seconds": round(ls_seconds, 3)},
            "phase2": {"status": phase2_status, "seconds": round(phase2_seconds, 3)},
            "simple_bound": _number(simple),
            "max_idle_gaps": max(gaps, default=0),
        }
    return result
