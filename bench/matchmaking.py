"""Benchmark of the B2B meeting scheduler against the greedy baseline (run on demand).

    .venv/bin/python bench/matchmaking.py [--only a|b] [--time-limit-a 25] [--time-limit-b 55] [--seed 1]

Instances (seeded, grappe.events.scheduling.generate):
  (a) literature size, as in the JAIR business-to-business meeting-scheduling benchmarks:
      78 participants, 302 meetings, 22 slots, 22 tables, no caps, unit weights;
      targets: every meeting placed, idle gaps minimised, under 30 s;
  (b) large brokerage day: 1,000 participants, 5,000 accepted requests, 16 slots, 200 tables,
      caps of 10, mixed weights (1, 2 for mutual requests, 3 for imposed meetings);
      targets: at least 99% of the upper bound in under 60 s, far fewer idle gaps than greedy.

For each: placed (weighted) / upper bound, idle gaps (total and worst participant) and seconds
for CP-SAT and for the greedy baseline, measured in the same run, and the ratios. Every
schedule is checked with validate_schedule. No time is asserted: the figures are printed.
"""

from __future__ import annotations

import argparse
import os
import time

from grappe.events.scheduling import (
    generate_instance,
    greedy_schedule,
    idle_gaps_by_participant,
    parse_instance,
    simple_upper_bound,
    solve,
    validate_schedule,
)
from grappe.events.scheduling.checks import placement_from_assignments, to_assignments

CASES = {
    "a": {
        "title": "(a) literature size: 78 participants, 302 meetings, 22 slots, 22 tables",
        "params": {"participants": 78, "meetings": 302, "slots": 22, "tables": 22, "cap": None, "weights": "unit"},
    },
    "b": {
        "title": "(b) brokerage day: 1,000 participants, 5,000 requests, 16 slots, 200 tables, caps 10",
        "params": {"participants": 1000, "meetings": 5000, "slots": 16, "tables": 200, "cap": 10, "weights": "mixed"},
    },
}


def run_case(key: str, time_limit: float, seed: int) -> None:
    case = CASES[key]
    data = generate_instance(seed=seed, **case["params"])
    inst = parse_instance(data)
    print(case["title"])
    print(f"  generated: {len(inst.participants)} participants, {len(inst.meetings)} meetings, seed {seed}")

    began = time.perf_counter()
    greedy = greedy_schedule(parse_instance(data))
    greedy_rows = to_assignments(inst, greedy)
    greedy_seconds = time.perf_counter() - began
    assert validate_schedule(inst, greedy_rows) == []
    greedy_gaps = idle_gaps_by_participant(inst, greedy)
    greedy_weight = sum(inst.meetings[m].weight for m in greedy)

    result = solve(data, time_limit=time_limit, seed=seed, details=True)
    assert validate_schedule(inst, result["assignments"]) == []
    gaps = idle_gaps_by_participant(inst, placement_from_assignments(inst, result["assignments"]))
    bound = result["upper_bound"]
    simple = simple_upper_bound(inst)

    def pct(x: float) -> str:
        return f"{100 * x / bound:6.2f}%" if bound else "   n/a"

    print(f"  upper bound (proven): {bound}   solver-free bound: {simple}")
    print(f"  {'':9} {'placed':>7} {'weighted':>9} {'of bound':>9} {'idle gaps':>10} {'worst':>6} {'seconds':>8}")
    print(
        f"  {'scheduler':9} {result['scheduled']:7d} {result['weighted_scheduled']:9}"
        f" {pct(result['weighted_scheduled']):>9}"
        f" {result['idle_gaps']:10d} {max(gaps, default=0):6d} {result['seconds']:8.2f}"
    )
    print(
        f"  {'greedy':9} {len(greedy):7d} {greedy_weight:9} {pct(greedy_weight):>9}"
        f" {sum(greedy_gaps):10d} {max(greedy_gaps, default=0):6d} {greedy_seconds:8.2f}"
    )
    ratio_gaps = sum(greedy_gaps) / result["idle_gaps"] if result["idle_gaps"] else float("inf")
    print(
        f"  status {result['status']}; phases {result['phases']}\n"
        f"  ratios: weighted CP-SAT/greedy {result['weighted_scheduled'] / max(greedy_weight, 1e-9):.3f}, "
        f"idle gaps greedy/CP-SAT {ratio_gaps:.1f}x, unscheduled {len(result['unscheduled'])}"
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--time-limit-a", type=float, default=25.0)
    parser.add_argument("--time-limit-b", type=float, default=55.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    limits = {"a": args.time_limit_a, "b": args.time_limit_b}
    print(f"CPU cores: {os.cpu_count()}")
    for key in sorted(CASES):
        if args.only in (None, key):
            run_case(key, limits[key], args.seed)


if __name__ == "__main__":
    main()
