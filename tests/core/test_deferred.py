"""``core.deferred``: work postponed by signal handlers runs once per batch, only when it succeeds."""

import pytest

from grappe.core import deferred


def test_outside_a_batch_nothing_is_deferred():
    assert deferred.defer(lambda keys: None, {1}) is False


def test_a_batch_runs_each_deferred_work_once_with_every_key():
    seen: list[tuple[str, set]] = []

    def index(keys: set) -> None:
        seen.append(("index", set(keys)))

    def text(keys: set) -> None:
        seen.append(("text", set(keys)))

    with deferred.batch():
        assert deferred.defer(index, {1, 2})
        assert deferred.defer(text, {2})
        assert deferred.defer(index, [3, 1])
        with deferred.batch():  # a nested batch belongs to the outer one
            assert deferred.defer(index, {4})
        assert seen == []
    assert sorted(seen) == [("index", {1, 2, 3, 4}), ("text", {2})]
    assert deferred.defer(index, {5}) is False  # the batch is closed


def test_a_batch_that_fails_runs_nothing():
    seen: list[set] = []
    with pytest.raises(RuntimeError), deferred.batch():
        deferred.defer(seen.append, {1})
        raise RuntimeError("rolled back")
    assert seen == []
    assert deferred.defer(seen.append, {2}) is False
