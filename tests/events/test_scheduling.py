"""The matchmaking scheduler: valid schedules, optimality, idle gaps, bounds, locks, re-planning."""

from __future__ import annotations

import pytest

from grappe.events.scheduling import (
    generate_instance,
    greedy_schedule,
    idle_gaps,
    idle_gaps_by_participant,
    parse_instance,
    replan,
    replan_instance,
    simple_upper_bound,
    solve,
    validate_schedule,
)
from grappe.events.scheduling.checks import placement_from_assignments, to_assignments
from grappe.events.scheduling.cpsat import integer_weights
from grappe.events.scheduling.localsearch import improve_gaps

from .scheduling_helpers import brute_force, random_instance


def slots(n: int) -> list[dict]:
    return [
        {"id": f"s{i}", "start": f"2026-03-19T{9 + i:02d}:00", "end": f"2026-03-19T{9 + i:02d}:30"} for i in range(n)
    ]


def person(pid: str, available: list[str], cap: int | None = None) -> dict:
    return {"id": pid, "available": available, "max_meetings": cap}


def meeting(mid: str, a: str, b: str, weight: float = 1, locked: dict | None = None) -> dict:
    return {"id": mid, "participants": [a, b], "weight": weight, "locked": locked}


def assert_consistent(data: dict, result: dict) -> None:
    """Everything the output promises about itself, checked independently."""
    inst = parse_instance(data)
    assert validate_schedule(inst, result["assignments"]) == []
    placed = {row["meeting"] for row in result["assignments"]}
    assert placed.isdisjoint(result["unscheduled"])
    assert placed | set(result["unscheduled"]) == {m["id"] for m in data["meetings"]}
    assert result["scheduled"] == len(result["assignments"])
    placement = placement_from_assignments(inst, result["assignments"])
    assert result["idle_gaps"] == idle_gaps(inst, placement)
    weight = sum(inst.meetings[m].weight for m in placement)
    assert result["weighted_scheduled"] == pytest.approx(weight)
    assert result["upper_bound"] >= result["weighted_scheduled"] - 1e-9
    if result["status"] == "optimal":
        assert result["upper_bound"] == pytest.approx(result["weighted_scheduled"])


# --- validity on many random instances -------------------------------------------------------


@pytest.mark.parametrize("seed", range(16))
def test_solver_returns_a_valid_schedule_on_random_instances(seed):
    data = random_instance(seed)
    result = solve(data, time_limit=0.4, seed=seed)
    assert result["status"] in {"optimal", "feasible"}
    assert_consistent(data, result)


def test_greedy_schedules_are_valid_on_many_random_instances():
    for seed in range(120):
        data = random_instance(1000 + seed)
        inst = parse_instance(data)
        assert validate_schedule(inst, to_assignments(inst, greedy_schedule(inst))) == [], seed


def test_local_search_keeps_schedules_valid_and_weight_and_removes_idle_gaps():
    data = generate_instance(participants=30, meetings=90, slots=10, tables=6, cap=5, seed=4, weights="mixed")
    inst = parse_instance(data)
    weights, _scale, _exact = integer_weights(inst)
    start = greedy_schedule(inst)
    better = improve_gaps(inst, start, weights, time_limit=0.8, seed=1)
    assert validate_schedule(inst, to_assignments(inst, better)) == []
    assert sum(weights[m] for m in better) >= sum(weights[m] for m in start)
    assert idle_gaps(inst, start) > 0
    assert idle_gaps(inst, better) < idle_gaps(inst, start)


# --- optimality against brute force -----------------------------------------------------------


@pytest.mark.parametrize("seed", range(14))
def test_solver_is_optimal_on_tiny_instances_checked_by_brute_force(seed):
    data = random_instance(
        500 + seed, people=(3, 6), meetings=(3, 6), slots=(2, 3), tables=(1, 2), locks=0.2, decimals=seed % 3 == 0
    )
    weight, gaps, worst = brute_force(data)
    result = solve(data, time_limit=2, seed=seed)
    assert_consistent(data, result)
    assert result["status"] == "optimal"
    assert result["weighted_scheduled"] == pytest.approx(weight)
    assert result["upper_bound"] == pytest.approx(weight)
    inst = parse_instance(data)
    per_person = idle_gaps_by_participant(inst, placement_from_assignments(inst, result["assignments"]))
    assert (result["idle_gaps"], max(per_person)) == (gaps, worst)


def test_brute_force_oracle_agrees_with_a_hand_solved_instance():
    # Triangle in one slot: only one of the three meetings fits; the heaviest wins.
    data = {
        "slots": slots(1),
        "tables": 3,
        "participants": [person("a", ["s0"]), person("b", ["s0"]), person("c", ["s0"])],
        "meetings": [meeting("ab", "a", "b", 1), meeting("bc", "b", "c", 3), meeting("ac", "a", "c", 2)],
    }
    assert brute_force(data) == (3, 0, 0)
    result = solve(data, time_limit=1)
    assert result["assignments"] == [{"meeting": "bc", "slot": "s0", "table": 1}]
    assert result["unscheduled"] == ["ab", "ac"]
    assert result["upper_bound"] == 3
    assert result["status"] == "optimal"


# --- idle gaps ---------------------------------------------------------------------------------


def gaps_of(available_a: list[str], at: list[str], n_slots: int = 6) -> int:
    """Idle gaps of participant a, who meets a different partner in each slot of ``at``."""
    partners = [person(f"q{i}", [s]) for i, s in enumerate(at)]
    data = {
        "slots": slots(n_slots),
        "tables": 4,
        "participants": [person("a", available_a), *partners],
        "meetings": [meeting(f"m{i}", "a", f"q{i}", locked={"slot": s, "table": 1}) for i, s in enumerate(at)],
    }
    inst = parse_instance(data)
    placement = {m.index: m.lock_slot for m in inst.meetings}
    return idle_gaps_by_participant(inst, placement)[0]


def test_idle_gaps_count_each_free_slot_between_two_meetings():
    everywhere = [f"s{i}" for i in range(6)]
    assert gaps_of(everywhere, ["s0", "s3"]) == 2
    assert gaps_of(everywhere, ["s0", "s1", "s2"]) == 0
    assert gaps_of(everywhere, ["s1", "s3", "s5"]) == 2
    assert gaps_of(everywhere, ["s0", "s5"]) == 4


def test_idle_gaps_ignore_slots_before_the_first_and_after_the_last_meeting():
    everywhere = [f"s{i}" for i in range(6)]
    assert gaps_of(everywhere, ["s2"]) == 0
    assert gaps_of(everywhere, ["s2", "s3"]) == 0
    assert gaps_of(everywhere, []) == 0


def test_slots_a_participant_is_away_are_not_idle_gaps():
    # Away in s1 and s2 (e.g. a lunch with a client): only s3 counts between s0 and s4.
    assert gaps_of(["s0", "s3", "s4", "s5"], ["s0", "s4"]) == 1


def test_idle_gaps_follow_chronological_order_not_input_order():
    data = {
        "slots": [
            {"id": "late", "start": "14:00", "end": "14:20"},
            {"id": "early", "start": "09:00", "end": "09:20"},
            {"id": "mid", "start": "11:00", "end": "11:20"},
        ],
        "tables": 2,
        "participants": [person("a", ["late", "early", "mid"]), person("b", ["early"]), person("c", ["late"])],
        "meetings": [meeting("ab", "a", "b"), meeting("ac", "a", "c")],
    }
    inst = parse_instance(data)
    assert [s.id for s in inst.slots] == ["early", "mid", "late"]
    assert idle_gaps(inst, {0: 0, 1: 2}) == 1


def test_solver_removes_an_avoidable_idle_gap():
    # a meets b and c; b can come at s0 or s2, c only at s1 or s2: the compact agenda is s0+s1 or s1+s2.
    data = {
        "slots": slots(3),
        "tables": 1,
        "participants": [person("a", ["s0", "s1", "s2"]), person("b", ["s0", "s2"]), person("c", ["s1", "s2"])],
        "meetings": [meeting("ab", "a", "b"), meeting("ac", "a", "c")],
    }
    result = solve(data, time_limit=1)
    assert result["scheduled"] == 2
    assert result["idle_gaps"] == 0
    assert result["status"] == "optimal"


def test_fairness_spreads_unavoidable_gaps_over_participants():
    # One table, four slots, all four meetings placed. x only comes at s0 and z only at s1, so a
    # and b both have a hole; y and w share s2/s3. Either way the total is 2 idle gaps, but
    # "ay at s3, bw at s2" gives a both of them, "ay at s2, bw at s3" gives each one.
    everywhere = ["s0", "s1", "s2", "s3"]
    data = {
        "slots": slots(4),
        "tables": 1,
        "participants": [
            person("a", everywhere),
            person("b", everywhere),
            person("x", ["s0"]),
            person("z", ["s1"]),
            person("y", ["s2", "s3"]),
            person("w", ["s2", "s3"]),
        ],
        "meetings": [
            meeting("ax", "a", "x"),
            meeting("bz", "b", "z"),
            meeting("ay", "a", "y"),
            meeting("bw", "b", "w"),
        ],
    }
    assert brute_force(data) == (4, 2, 1)
    result = solve(data, time_limit=2)
    rows = {row["meeting"]: row["slot"] for row in result["assignments"]}
    assert rows == {"ax": "s0", "bz": "s1", "ay": "s2", "bw": "s3"}
    assert result["idle_gaps"] == 2
    assert result["status"] == "optimal"


# --- upper bound -----------------------------------------------------------------------------


def test_upper_bound_is_never_below_the_best_schedule():
    for seed in range(40):
        data = random_instance(2000 + seed, meetings=(3, 6), slots=(2, 3))
        inst = parse_instance(data)
        assert simple_upper_bound(inst) >= brute_force(data)[0] - 1e-9, seed


def test_upper_bound_counts_slots_tables_and_caps():
    people = [person(p, ["s0", "s1"], cap=1) for p in "abcd"]
    data = {
        "slots": slots(2),
        "tables": 5,
        "participants": people,
        "meetings": [meeting(f"{x}{y}", x, y) for x, y in ["ab", "ac", "ad", "bc", "bd", "cd"]],
    }
    # Caps of 1: four people hold at most two meetings, whatever the tables.
    assert simple_upper_bound(parse_instance(data)) == 2
    data["tables"] = 1
    for p in data["participants"]:
        p["max_meetings"] = None
    # One table, two slots: two meetings.
    assert simple_upper_bound(parse_instance(data)) == 2


def test_decimal_weights_are_scaled_exactly_and_others_bounded_safely():
    data = random_instance(5, decimals=True)
    _weights, scale, exact = integer_weights(parse_instance(data))
    assert exact and scale == 100
    result = solve(data, time_limit=1)
    assert_consistent(data, result)
    for m in data["meetings"]:
        m["weight"] = 1 / 3 if m["weight"] == 0.5 else m["weight"]
    _weights, _scale, exact = integer_weights(parse_instance(data))
    assert not exact
    result = solve(data, time_limit=1)
    assert_consistent(data, result)
    assert result["status"] == "feasible"  # never claimed optimal with rounded weights


# --- locks and infeasibility ---------------------------------------------------------------------


def test_locked_meetings_keep_their_slot_and_table_and_others_take_free_tables():
    everyone = ["s0", "s1"]
    data = {
        "slots": slots(2),
        "tables": 3,
        "participants": [person(p, everyone) for p in "abcdef"],
        "meetings": [
            meeting("ab", "a", "b", locked={"slot": "s1", "table": 2}),
            meeting("cd", "c", "d", locked={"slot": "s1", "table": None}),
            meeting("ef", "e", "f"),
            meeting("ac", "a", "c"),
            meeting("be", "b", "e"),
        ],
    }
    result = solve(data, time_limit=1)
    assert_consistent(data, result)
    rows = {row["meeting"]: row for row in result["assignments"]}
    assert rows["ab"]["slot"] == "s1" and rows["ab"]["table"] == 2
    assert rows["cd"]["slot"] == "s1" and rows["cd"]["table"] in {1, 3}
    assert result["scheduled"] == 5
    in_s1 = sorted(row["table"] for row in result["assignments"] if row["slot"] == "s1")
    assert len(set(in_s1)) == len(in_s1)


def test_a_slot_full_of_locks_leaves_other_meetings_unscheduled_not_misplaced():
    data = {
        "slots": slots(1),
        "tables": 1,
        "participants": [person(p, ["s0"]) for p in "abcd"],
        "meetings": [meeting("ab", "a", "b", locked={"slot": "s0", "table": 1}), meeting("cd", "c", "d", weight=5)],
    }
    result = solve(data, time_limit=1)
    assert result["assignments"] == [{"meeting": "ab", "slot": "s0", "table": 1}]
    assert result["unscheduled"] == ["cd"]
    assert simple_upper_bound(parse_instance(data)) == 5  # the solver-free bounds do not see the lock...
    assert result["upper_bound"] == 1  # ...the solver's proof does, and the tightest bound is reported
    assert result["status"] == "optimal"


def test_locks_beyond_a_participants_cap_make_the_instance_infeasible_with_reasons():
    data = {
        "slots": slots(2),
        "tables": 2,
        "participants": [person("a", ["s0", "s1"], cap=1), person("b", ["s0", "s1"]), person("c", ["s0", "s1"])],
        "meetings": [
            meeting("ab", "a", "b", locked={"slot": "s0", "table": 1}),
            meeting("ac", "a", "c", locked={"slot": "s1", "table": 1}),
        ],
    }
    result = solve(data, time_limit=1)
    assert result["status"] == "infeasible"
    assert result["assignments"] == []
    assert result["unscheduled"] == ["ab", "ac"]
    assert result["reasons"] == [
        {
            "code": "locks_exceed_max_meetings",
            "message": result["reasons"][0]["message"],
            "participant": "a",
            "meetings": ["ab", "ac"],
        }
    ]
    assert "« a »" in result["reasons"][0]["message"]


def test_solver_respects_caps_and_availability():
    data = {
        "slots": slots(4),
        "tables": 4,
        "participants": [person("hub", ["s0", "s1", "s2", "s3"], cap=2)]
        + [person(f"v{i}", ["s1", "s2"]) for i in range(4)],
        "meetings": [meeting(f"m{i}", "hub", f"v{i}", weight=i + 1) for i in range(4)],
    }
    result = solve(data, time_limit=1)
    assert_consistent(data, result)
    assert sorted(row["meeting"] for row in result["assignments"]) == ["m2", "m3"]
    assert {row["slot"] for row in result["assignments"]} == {"s1", "s2"}
    assert result["status"] == "optimal"


def test_empty_instance_is_trivially_optimal():
    result = solve({"slots": slots(2), "tables": 1, "participants": [], "meetings": []}, time_limit=1)
    assert result["status"] == "optimal"
    assert result["assignments"] == [] and result["scheduled"] == 0 and result["upper_bound"] == 0


# --- re-planning -------------------------------------------------------------------------------


def test_replanning_after_a_no_show_keeps_confirmed_meetings_and_closes_past_slots():
    data = generate_instance(participants=14, meetings=30, slots=6, tables=4, seed=8)
    first = solve(data, time_limit=1)
    absent = data["participants"][0]["id"]
    new = replan_instance(data, first["assignments"], remove_participants=[absent], not_before="s03")
    assert all(absent not in m["participants"] for m in new["meetings"])
    assert all(p["id"] != absent for p in new["participants"])
    result = replan(data, first["assignments"], time_limit=1, remove_participants=[absent], not_before="s03")
    before = {row["meeting"]: row for row in first["assignments"]}
    after = {row["meeting"]: row for row in result["assignments"]}
    for mid, row in before.items():
        if absent in next(m["participants"] for m in data["meetings"] if m["id"] == mid):
            assert mid not in after
        else:
            assert after[mid] == row  # confirmed meetings do not move, not even their table
    newly = [row for mid, row in after.items() if mid not in before]
    assert all(row["slot"] >= "s03" for row in newly)
    assert_consistent(
        new, {**result, "unscheduled": [u for u in result["unscheduled"] if u not in new.get("closed_meetings", [])]}
    )


def test_replanning_can_free_chosen_meetings_and_keep_the_rest():
    data = generate_instance(participants=10, meetings=20, slots=5, tables=3, seed=9)
    first = solve(data, time_limit=1)
    keep = [row["meeting"] for row in first["assignments"][:3]]
    new = replan_instance(data, first["assignments"], keep=keep)
    locked = {m["id"] for m in new["meetings"] if m["locked"]}
    assert locked == set(keep)
