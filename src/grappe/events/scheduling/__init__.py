"""B2B meeting scheduler: pure Python + OR-Tools CP-SAT, no Django models.

The events app calls :func:`solve` with an instance dict (format in :mod:`.instance`) and gets
the output dict of issue 6; :func:`replan` re-plans after a no-show keeping confirmed meetings.
See docs/matchmaking-scheduler.md.
"""

from .checks import assign_tables, idle_gaps, idle_gaps_by_participant, simple_upper_bound, validate_schedule
from .generate import generate_instance
from .greedy import greedy_schedule
from .instance import Instance, InstanceError, Problem, load_json, lock_infeasibility, parse_instance
from .replan import replan, replan_instance
from .solve import report, solve

__all__ = [
    "Instance",
    "InstanceError",
    "Problem",
    "assign_tables",
    "generate_instance",
    "greedy_schedule",
    "idle_gaps",
    "idle_gaps_by_participant",
    "load_json",
    "lock_infeasibility",
    "parse_instance",
    "replan",
    "replan_instance",
    "report",
    "simple_upper_bound",
    "solve",
    "validate_schedule",
]
