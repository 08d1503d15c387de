"""The CP-SAT model of B2B meeting scheduling, solved in two lexicographic phases.

Variables: ``x[m, s]`` (meeting m held in slot s) only for the slots where both sides are
available (just the locked slot for a locked meeting): 80,000 booleans for a 5,000-meeting,
16-slot day, not meetings x slots x tables. Tables are numbered afterwards
(:func:`checks.assign_tables`): any set of at most ``tables`` meetings of a slot can be numbered,
and the locked tables of a slot are distinct (checked on input), so the free tables always
suffice for the unlocked meetings.

Constraints: each meeting at most once (exactly once, on its slot, if locked); each participant
at most one meeting per slot; at most ``tables`` meetings per slot; ``max_meetings`` caps.

Phase 1 maximises the placed weight (integer weights; decimals are scaled, see
:func:`integer_weights`). Its proven bound, with the solver-free bounds of
:func:`checks.simple_upper_bound`, gives the reported upper bound. Phase 2 keeps the placed
weight at least the phase-1 incumbent and minimises idle gaps, fairly::

    minimise  S * (total idle gaps) + (largest number of idle gaps of any participant)

where S (the number of slots) exceeds any participant's possible gaps, so this is lexicographic:
first the fewest idle slots overall (the time attendees lose), then, among those schedules, the
one whose worst-off participant waits least. (A sum of squares would trade total for balance;
we do not want to add idle time to anyone just to even it out.)

Idle gaps of participant p, over p's available slots a_0 < ... < a_{n-1} (see checks.py for
why unavailable slots do not count), with busy_i = sum of x[m, a_i] over p's meetings (0/1 by
the per-slot at-most-one):

    started_i  = busy_0 or ... or busy_i        (exactly: started_{i-1} <= started_i <= started_{i-1} + busy_i,
    pending_i  = busy_i or ... or busy_{n-1}     busy_i <= started_i; symmetric for pending)
    gap_i     >= started_{i-1} + pending_{i+1} - 1 - busy_i        for 0 < i < n-1

``gap_i`` is only bounded below; the minimisation makes it exact. Participants who can hold at
most one meeting get no gap variables at all.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ortools.sat.python import cp_model

from .checks import meeting_bounds
from .instance import Instance

MAX_DECIMALS = 6
MAX_SCALED_TOTAL = 2**50


def integer_weights(instance: Instance) -> tuple[list[int], int, bool]:
    """(integer weights, scale, exact): CP-SAT needs integer objective coefficients.

    Decimal weights with up to six decimals are scaled exactly (0.25 -> 25 with scale 100).
    Others are rounded at scale 10^6; ``exact`` is then False and the bound is widened by the
    worst rounding error (see :meth:`Scheduler.weight_bound`).
    """
    weights = [m.weight for m in instance.meetings]
    if all(float(w).is_integer() for w in weights):
        return [int(w) for w in weights], 1, True
    decimals = max(-Decimal(repr(float(w))).as_tuple().exponent for w in weights)
    exact = decimals <= MAX_DECIMALS
    decimals = min(decimals, MAX_DECIMALS)
    total = sum(weights) or 1
    while decimals > 0 and total * 10**decimals > MAX_SCALED_TOTAL:
        decimals -= 1
        exact = False
    scale = 10**decimals
    scaled = [int(Decimal(repr(float(w))) * scale) if exact else round(w * scale) for w in weights]
    return scaled, scale, exact


def default_workers() -> int:
    """One CP-SAT thread per core, at least 2 (capped at 8). Measured on the 2-core machine:
    8 threads found a 78-person schedule with 4,260 (scaled) gap cost where 2 threads reached 2,760."""
    return max(2, min(8, os.cpu_count() or 2))


@dataclass
class PhaseResult:
    status: str  # CP-SAT status name, or "SKIPPED"
    placement: dict[int, int] | None
    bound: float | None = None
    seconds: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


class Scheduler:
    """Builds the model once; :meth:`maximise_weight` then :meth:`minimise_gaps` reuse it."""

    def __init__(
        self,
        instance: Instance,
        *,
        seed: int = 0,
        workers: int | None = None,
        log: bool = False,
    ) -> None:
        self.instance = instance
        self.seed = seed
        self.workers = workers or default_workers()
        self.log = log
        self.weights, self.scale, self.exact = integer_weights(instance)
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.of_meeting: list[list[tuple[int, cp_model.IntVar]]] = []
        self.busy: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        self._build_core()
        self.gaps_built = False

    # --- model -------------------------------------------------------------------------------
    def _build_core(self) -> None:
        inst, model = self.instance, self.model
        per_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for meeting in inst.meetings:
            row = []
            for s in meeting.options:
                var = model.new_bool_var(f"x{meeting.index}_{s}")
                self.x[meeting.index, s] = var
                row.append((s, var))
                per_slot[s].append(var)
                self.busy[meeting.a, s].append(var)
                self.busy[meeting.b, s].append(var)
            self.of_meeting.append(row)
            if meeting.locked:
                model.add(row[0][1] == 1)
            elif len(row) > 1:
                model.add_at_most_one(v for _s, v in row)
        for vars_ in self.busy.values():
            if len(vars_) > 1:
                model.add_at_most_one(vars_)
        for vars_ in per_slot.values():
            if len(vars_) > inst.tables:
                model.add(sum(vars_) <= inst.tables)
        for p in inst.participants:
            if p.max_meetings is None:
                continue
            mine = [v for m in inst.meetings_of[p.index] for _s, v in self.of_meeting[m]]
            if len(mine) > p.max_meetings:
                model.add(sum(mine) <= p.max_meetings)
        self.weight_expr = sum(self.weights[m] * v for m, row in enumerate(self.of_meeting) for _s, v in row)

    def build_gaps(self) -> None:
        """Idle-gap variables (module docstring), built only if phase 2 runs."""
        if self.gaps_built:
            return
        inst, model = self.instance, self.model
        _n_bound, person_bound = meeting_bounds(inst)
        self.gap_vars: dict[int, list[cp_model.IntVar]] = {}
        self.aux: dict[int, tuple[list, list, list]] = {}
        for p in inst.participants:
            slots = p.available
            n = len(slots)
            if person_bound[p.index] < 2 or n < 3:
                continue
            busy = [sum(self.busy.get((p.index, s), [])) for s in slots]
            started = [model.new_bool_var("") for _i in range(n - 2)]  # started[i]: a meeting at or before i
            pending = [model.new_bool_var("") for _i in range(n - 2)]  # pending[j]: a meeting at or after j + 2
            for i, var in enumerate(started):
                model.add(var >= busy[i])
                if i == 0:
                    model.add(var <= busy[0])
                else:
                    model.add(var >= started[i - 1])
                    model.add(var <= started[i - 1] + busy[i])
            for j in reversed(range(n - 2)):
                i = j + 2
                var = pending[j]
                model.add(var >= busy[i])
                if i == n - 1:
                    model.add(var <= busy[i])
                else:
                    model.add(var >= pending[j + 1])
                    model.add(var <= pending[j + 1] + busy[i])
            gaps = []
            for i in range(1, n - 1):
                gap = model.new_bool_var("")
                model.add(gap >= started[i - 1] + pending[i - 1] - 1 - busy[i])
                gaps.append(gap)
            self.gap_vars[p.index] = gaps
            self.aux[p.index] = (started, pending, gaps)
        self.total_gaps = sum(v for gaps in self.gap_vars.values() for v in gaps)
        self.max_gaps = model.new_int_var(0, max(0, len(inst.slots)), "max_gaps")
        for gaps in self.gap_vars.values():
            model.add(self.max_gaps >= sum(gaps))
        self.gaps_built = True

    # --- solving -----------------------------------------------------------------------------
    def _solver(self, time_limit: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
        solver.parameters.log_search_progress = self.log
        return solver

    def _read(self, solver: cp_model.CpSolver) -> dict[int, int]:
        return {m: s for (m, s), var in self.x.items() if solver.boolean_value(var)}

    def placed_weight(self, placement: dict[int, int]) -> int:
        return sum(self.weights[m] for m in placement)

    def _hint_x(self, placement: dict[int, int]) -> None:
        self.model.clear_hints()
        for (m, s), var in self.x.items():
            self.model.add_hint(var, placement.get(m) == s)

    def maximise_weight(self, hint: dict[int, int], upper: int, time_limit: float) -> PhaseResult:
        """Phase 1. ``upper`` is a solver-free bound (scaled), added as a redundant cut."""
        if self.placed_weight(hint) >= upper:
            return PhaseResult("OPTIMAL", dict(hint), bound=upper)  # the hint already meets the bound
        model = self.model
        model.add(self.weight_expr <= upper)
        model.maximize(self.weight_expr)
        self._hint_x(hint)
        solver = self._solver(time_limit)
        status = solver.solve(model)
        name = solver.status_name(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return PhaseResult(name, self._read(solver), bound=solver.best_objective_bound, seconds=solver.wall_time)
        return PhaseResult(name, None, seconds=solver.wall_time)

    def minimise_gaps(self, incumbent: dict[int, int], time_limit: float) -> PhaseResult:
        """Phase 2: keep at least the incumbent's weight, minimise S * total gaps + max gaps."""
        from .checks import idle_gaps_by_participant

        self.build_gaps()
        model = self.model
        model.clear_objective()
        model.add(self.weight_expr >= self.placed_weight(incumbent))
        k = len(self.instance.slots)
        model.minimize(k * self.total_gaps + self.max_gaps)
        self._hint_x(incumbent)
        self._hint_gaps(incumbent)
        solver = self._solver(time_limit)
        status = solver.solve(model)
        name = solver.status_name(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            placement = self._read(solver)
            gaps = idle_gaps_by_participant(self.instance, placement)
            return PhaseResult(
                name,
                placement,
                bound=solver.best_objective_bound,
                seconds=solver.wall_time,
                extra={"total": sum(gaps), "max": max(gaps, default=0)},
            )
        return PhaseResult(name, None, seconds=solver.wall_time)

    def _hint_gaps(self, placement: dict[int, int]) -> None:
        inst, model = self.instance, self.model
        busy_slots: dict[int, set[int]] = defaultdict(set)
        for m, s in placement.items():
            busy_slots[inst.meetings[m].a].add(s)
            busy_slots[inst.meetings[m].b].add(s)
        worst = 0
        for p, (started, pending, gaps) in self.aux.items():
            slots = inst.participants[p].available
            busy = [int(s in busy_slots[p]) for s in slots]
            n = len(slots)
            prefix = [int(any(busy[: i + 1])) for i in range(n)]
            suffix = [int(any(busy[i:])) for i in range(n)]
            for i, var in enumerate(started):
                model.add_hint(var, prefix[i])
            for j, var in enumerate(pending):
                model.add_hint(var, suffix[j + 2])
            mine = 0
            for i, var in enumerate(gaps, start=1):
                value = prefix[i - 1] and suffix[i + 1] and not busy[i]
                model.add_hint(var, bool(value))
                mine += bool(value)
            worst = max(worst, mine)
        model.add_hint(self.max_gaps, worst)

    def weight_bound(self, scaled_bound: float) -> float:
        """A bound in true weight units from a bound in scaled units (widened if rounding was inexact)."""
        if self.exact:
            return math.floor(scaled_bound + 1e-6) / self.scale
        n_bound, _person = meeting_bounds(self.instance)
        return (scaled_bound + 0.5 * n_bound) / self.scale
