"""Bad matchmaking instances: every problem named, with its culprits, never a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from grappe.events.scheduling import InstanceError, load_json, parse_instance, solve, validate_schedule

FIXTURES = Path(__file__).parent / "fixtures"


def good() -> dict:
    return json.loads((FIXTURES / "small_day.json").read_text())


def problems(data) -> list[dict]:
    with pytest.raises(InstanceError) as caught:
        parse_instance(data)
    return [p.as_dict() for p in caught.value.problems]


def codes(data) -> list[str]:
    return [p["code"] for p in problems(data)]


def test_the_good_fixture_parses_with_slots_in_chronological_order():
    inst = parse_instance(good())
    assert [s.id for s in inst.slots] == ["am1", "am2", "am3", "pm1"]
    assert inst.meetings[0].locked and inst.meetings[0].lock_table == 2
    assert inst.meetings[2].weight == 1.5


def test_unknown_participant_is_named_with_its_meeting():
    data = good()
    data["meetings"][1]["participants"] = ["acme", "zorg"]
    assert problems(data) == [
        {"code": "unknown_participant", "message": problems(data)[0]["message"], "meeting": 2, "participants": ["zorg"]}
    ]
    assert "zorg" in problems(data)[0]["message"]


def test_unknown_slot_in_availability_and_in_a_lock_are_named():
    data = good()
    data["participants"][0]["available"].append("evening")
    data["meetings"][0]["locked"] = {"slot": "night", "table": 1}
    found = problems(data)
    assert [(p["code"], p.get("slots"), p.get("slot")) for p in found] == [
        ("unknown_slot", ["evening"], None),
        ("unknown_slot", None, "night"),
    ]


def test_a_meeting_whose_sides_share_no_slot_is_an_error():
    data = good()
    data["meetings"].append({"id": 8, "participants": ["bolt", "dyna"]})
    data["participants"][3]["available"] = ["pm1"]
    found = problems(data)
    assert [(p["code"], p["meeting"], p["participants"]) for p in found] == [("no_common_slot", 8, ["bolt", "dyna"])]


def test_a_meeting_with_the_same_participant_twice_is_an_error():
    data = good()
    data["meetings"][1]["participants"] = ["cera", "cera"]
    assert codes(data) == ["same_participant_twice"]


def test_duplicated_ids_are_errors():
    data = good()
    data["slots"].append(copy.deepcopy(data["slots"][0]))
    data["participants"].append({"id": "acme", "available": []})
    data["meetings"].append({"id": 1, "participants": ["acme", "bolt"]})
    assert codes(data) == ["duplicate_slot", "duplicate_participant", "duplicate_meeting"]


def test_ids_one_and_string_one_are_different_ids():
    data = good()
    data["meetings"].append({"id": "1", "participants": ["bolt", "cera"]})
    assert parse_instance(data).meetings[-1].id == "1"


def test_negative_or_non_numeric_weights_are_errors():
    data = good()
    data["meetings"][1]["weight"] = -1
    data["meetings"][3]["weight"] = "high"
    data["meetings"][4]["weight"] = True
    found = problems(data)
    assert [(p["code"], p["meeting"]) for p in found] == [("bad_weight", 2), ("bad_weight", 4), ("bad_weight", 5)]


def test_a_lock_where_a_side_is_unavailable_is_an_error():
    data = good()
    data["meetings"][2]["locked"] = {"slot": "am2", "table": 1}  # dyna is not there at am2
    assert problems(data)[0] | {"message": ""} == {
        "code": "lock_unavailable",
        "message": "",
        "meeting": 3,
        "slot": "am2",
        "participants": ["dyna"],
    }


def test_locks_that_clash_on_a_person_or_a_table_are_errors():
    data = good()
    data["meetings"][6]["locked"] = {"slot": "am2", "table": 2}  # acme again, table 2 again
    found = problems(data)
    assert {(p["code"], tuple(p["meetings"])) for p in found} == {
        ("lock_table_clash", (1, 7)),
        ("lock_person_clash", (1, 7)),
    }


def test_more_locked_meetings_in_a_slot_than_tables_is_an_error():
    data = good()
    data["meetings"][4]["locked"] = {"slot": "am3", "table": None}
    data["meetings"][1]["locked"] = {"slot": "am3", "table": None}
    data["meetings"][5]["locked"] = {"slot": "pm1", "table": None}
    data["meetings"][3]["locked"] = {"slot": "am3", "table": None}
    found = [p for p in problems(data) if p["code"] == "too_many_locks"]
    assert found == [{"code": "too_many_locks", "message": found[0]["message"], "slot": "am3", "meetings": [2, 4, 5]}]


def test_the_bad_locks_fixture_lists_every_culprit():
    assert codes(json.loads((FIXTURES / "bad_locks.json").read_text())) == [
        "no_common_slot",
        "lock_unavailable",
        "unknown_participant",
        "too_many_locks",
        "lock_table_clash",
        "lock_person_clash",
    ]


def test_a_locked_table_outside_the_room_is_an_error():
    data = good()
    data["meetings"][0]["locked"] = {"slot": "am2", "table": 3}
    assert codes(data) == ["bad_lock_table"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.update(tables=0), "bad_tables"),
        (lambda d: d.update(tables="two"), "bad_tables"),
        (lambda d: d.pop("meetings"), "missing_field"),
        (lambda d: d.update(participants={}), "bad_field"),
        (lambda d: d["slots"][0].update(end="2026-03-19T08:00:00+01:00"), "bad_slot_time"),
        (lambda d: d["slots"][1].update(start="half past nine"), "bad_slot_time"),
        (lambda d: d["slots"][1].update(start="2026-03-19T09:10:00+01:00"), "overlapping_slots"),
        (lambda d: d["slots"][3].update(start=840, end=860), "mixed_slot_times"),
        (lambda d: d["participants"][0].update(max_meetings=-2), "bad_max_meetings"),
        (lambda d: d["participants"][0].update(available="am1"), "bad_availability"),
        (lambda d: d["meetings"][1].update(participants=["acme"]), "bad_meeting_participants"),
        (lambda d: d["meetings"][1].update(id=None), "bad_meeting"),
        (lambda d: d["meetings"][1].update(locked="am1"), "bad_lock"),
    ],
)
def test_malformed_fields_are_named(change, code):
    data = good()
    change(data)
    assert code in codes(data)


def test_bad_json_names_line_and_column():
    with pytest.raises(InstanceError) as caught:
        load_json('{"slots": [],\n "tables": }')
    (problem,) = caught.value.problems
    assert problem.code == "bad_json"
    assert problem.culprits == {"line": 2, "column": 12}


def test_not_an_object_is_an_error():
    assert codes([1, 2, 3]) == ["bad_instance"]
    assert codes("[]") == ["bad_instance"]


def test_solve_raises_the_same_typed_error():
    data = good()
    data["meetings"][1]["participants"] = ["acme", "zorg"]
    with pytest.raises(InstanceError):
        solve(data, time_limit=1)


def test_validate_schedule_names_every_broken_rule():
    inst = parse_instance(good())
    broken = [
        {"meeting": 1, "slot": "am1", "table": 1},  # locked at am2 table 2
        {"meeting": 2, "slot": "am1", "table": 1},  # cera absent at am1, table 1 taken twice, acme twice
        {"meeting": 3, "slot": "pm1", "table": 9},  # table out of range
        {"meeting": 6, "slot": "pm1", "table": 1},  # dyna twice in pm1 and beyond her cap of 1
        {"meeting": 6, "slot": "pm1", "table": 2},  # placed twice
        {"meeting": 99, "slot": "pm1", "table": 2},  # unknown
    ]
    found = validate_schedule(inst, broken)
    text = "\n".join(found)
    for fragment in [
        "« 99 »",
        "plusieurs fois",
        "table 9",
        "« cera » n'est pas disponible",
        "la table 1 accueille",
        "« acme » a 2 rendez-vous",
        "« dyna » a 2 rendez-vous au créneau",
        "maximum de 1",
        "verrouillé « 1 »",
    ]:
        assert fragment in text, fragment
