"""`grappe matchmaking solve|generate`: JSON round trips, exit statuses, no tracebacks."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from grappe.events.scheduling import parse_instance, validate_schedule

FIXTURES = Path(__file__).parent / "fixtures"
GRAPPE = Path(sys.executable).with_name("grappe")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("matchmaking", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_solve_prints_a_valid_schedule_as_json():
    out, _err = run("solve", str(FIXTURES / "small_day.json"), "--time-limit", "2")
    result = json.loads(out)
    assert set(result) == {
        "status",
        "assignments",
        "unscheduled",
        "scheduled",
        "weighted_scheduled",
        "upper_bound",
        "idle_gaps",
        "seconds",
    }
    inst = parse_instance(json.loads((FIXTURES / "small_day.json").read_text()))
    assert validate_schedule(inst, result["assignments"]) == []
    assert {"meeting": 1, "slot": "am2", "table": 2} in result["assignments"]  # the lock, ids keep their type
    assert result["status"] == "optimal"
    assert result["weighted_scheduled"] == result["upper_bound"] == 6.5


def test_generate_then_solve_round_trip(tmp_path):
    path = tmp_path / "day.json"
    args = ["--participants", "20", "--meetings", "40", "--slots", "6", "--tables", "5", "--cap", "4"]
    run("generate", *args, "--seed", "3", "--output", str(path))
    data = json.loads(path.read_text())
    assert len(data["participants"]) == 20 and len(data["slots"]) == 6 and data["tables"] == 5
    assert all(p["max_meetings"] == 4 for p in data["participants"])
    again, _err = run("generate", *args, "--seed", "3")
    assert json.loads(again) == data  # seeded: same instance
    out, _err = run("solve", str(path), "--time-limit", "1", "--seed", "2")
    result = json.loads(out)
    assert validate_schedule(parse_instance(data), result["assignments"]) == []
    assert result["scheduled"] + len(result["unscheduled"]) == len(data["meetings"])


def test_bad_instance_exits_with_status_2_and_problems_on_stderr(capsys):
    with pytest.raises(SystemExit) as stopped:
        run("solve", str(FIXTURES / "bad_locks.json"))
    assert stopped.value.code == 2


def test_bad_instance_problems_are_json_on_stderr():
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("matchmaking", "solve", str(FIXTURES / "bad_locks.json"), stdout=io.StringIO(), stderr=err)
    payload = json.loads(err.getvalue())
    assert payload["error"] == "invalid_instance"
    assert {"code": "unknown_participant", "meeting": "dx", "participants": ["x"]}.items() <= payload["problems"][
        2
    ].items()


def test_missing_file_exits_with_status_2(tmp_path):
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("matchmaking", "solve", str(tmp_path / "nope.json"), stdout=io.StringIO(), stderr=err)
    assert stopped.value.code == 2
    assert json.loads(err.getvalue())["problems"][0]["code"] == "unreadable_file"


def test_infeasible_instance_prints_reasons_and_exits_with_status_1():
    out = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("matchmaking", "solve", str(FIXTURES / "infeasible.json"), stdout=out, stderr=io.StringIO())
    assert stopped.value.code == 1
    result = json.loads(out.getvalue())
    assert result["status"] == "infeasible"
    assert result["reasons"][0]["participant"] == "a"


def _grappe(*args: str, stdin: str | None = None, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRAPPE_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [str(GRAPPE), "matchmaking", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_console_script_solves_a_file(tmp_path):
    done = _grappe("solve", str(FIXTURES / "small_day.json"), "--time-limit", "2", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["scheduled"] == 6
    assert result["status"] == "optimal"


def test_solve_reads_the_instance_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO((FIXTURES / "small_day.json").read_text()))
    out, _err = run("solve", "-", "--time-limit", "2")
    assert json.loads(out)["scheduled"] == 6


def test_console_script_reports_bad_json_without_a_traceback(tmp_path):
    done = _grappe("solve", "-", tmp_path=tmp_path, stdin='{"slots": [}')
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert json.loads(done.stderr)["problems"][0]["code"] == "bad_json"
    assert done.stdout == ""
