"""The periodic scheduler: due jobs enqueued once per period, even with several schedulers; outcomes."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from grappe.core import scheduler
from grappe.core.models import AuditEntry, PeriodicJobState
from tests.core import sample_tasks
from tests.core.conftest import in_memory_sqlite  # noqa: F401  (skipif condition)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
FIVE = dt.timedelta(minutes=5)


def test_a_new_job_is_due_at_once_then_once_per_period(periodic):
    periodic("tests.record", sample_tasks.record, FIVE, "record")
    assert scheduler.tick(T0) == ["tests.record"]
    assert scheduler.tick(T0) == []
    assert scheduler.tick(T0 + dt.timedelta(minutes=4, seconds=59)) == []
    assert scheduler.tick(T0 + FIVE) == ["tests.record"]
    state = PeriodicJobState.objects.get(key="tests.record")
    assert state.run_count == 2
    assert state.next_run_at == T0 + 2 * FIVE
    assert state.every_seconds == 300
    assert DBTaskResult.objects.filter(task_path="tests.core.sample_tasks.record").count() == 2
    assert state.last_task_id == str(DBTaskResult.objects.order_by("-enqueued_at").first().id)


def test_after_a_long_stop_a_job_runs_once_not_once_per_missed_period(periodic):
    periodic("tests.record", sample_tasks.record, FIVE)
    scheduler.tick(T0)
    assert scheduler.tick(T0 + dt.timedelta(hours=3)) == ["tests.record"]
    assert scheduler.tick(T0 + dt.timedelta(hours=3, seconds=1)) == []
    state = PeriodicJobState.objects.get(key="tests.record")
    assert state.next_run_at == T0 + dt.timedelta(hours=3) + FIVE


def test_a_shorter_period_in_code_takes_effect_at_once(periodic):
    periodic("tests.record", sample_tasks.record, dt.timedelta(days=1))
    scheduler.tick(T0)
    periodic("tests.record", sample_tasks.record, FIVE)
    assert scheduler.tick(T0 + FIVE) == ["tests.record"]
    assert PeriodicJobState.objects.get(key="tests.record").every_seconds == 300


def test_a_scheduler_that_read_the_job_as_due_does_not_enqueue_it_after_another_did(periodic, monkeypatch):
    """Scheduler B lists the due jobs, then A claims and enqueues the period before B's UPDATE."""
    periodic("tests.record", sample_tasks.record, FIVE)
    scheduler.sync_jobs(T0)
    real_filter = PeriodicJobState.objects.filter
    interleaved = []

    def filter_then_let_a_run(*args, **kwargs):
        queryset = real_filter(*args, **kwargs)
        if "next_run_at__lte" in kwargs and "key" in kwargs and not interleaved:
            interleaved.append(True)
            monkeypatch.setattr(PeriodicJobState.objects, "filter", real_filter)
            assert scheduler.tick(T0) == ["tests.record"]  # scheduler A, between B's read and B's update
        return queryset

    monkeypatch.setattr(PeriodicJobState.objects, "filter", filter_then_let_a_run)
    assert scheduler.tick(T0) == []  # scheduler B
    assert interleaved
    assert DBTaskResult.objects.count() == 1


def test_one_failing_job_does_not_stop_the_others(periodic, monkeypatch):
    class Unenqueueable:
        def enqueue(self):
            raise RuntimeError("queue unavailable")

    periodic("a.broken", Unenqueueable(), FIVE)
    periodic("b.record", sample_tasks.record, FIVE)
    assert scheduler.tick(T0) == ["b.record"]
    broken = PeriodicJobState.objects.get(key="a.broken")
    assert broken.last_status == "ERROR" and "queue unavailable" in broken.last_error
    assert broken.next_run_at == T0  # rolled back with the failed enqueue: retried at the next tick
    assert scheduler.tick(T0 + dt.timedelta(seconds=15)) == []


@pytest.mark.django_db(transaction=True)  # the worker closes "old" connections, so no test transaction around it
def test_the_worker_runs_due_jobs_and_records_their_outcome(periodic):
    periodic("tests.record", sample_tasks.record, FIVE)
    periodic("tests.boom", sample_tasks.boom, FIVE)
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    ok = PeriodicJobState.objects.get(key="tests.record")
    failed = PeriodicJobState.objects.get(key="tests.boom")
    assert ok.last_status == TaskResultStatus.SUCCESSFUL and ok.last_finished_at and ok.last_error == ""
    assert failed.last_status == TaskResultStatus.FAILED and failed.failure_count == 1
    assert "failed on purpose" in failed.last_error
    assert AuditEntry.objects.filter(action="tests.periodic").count() == 1
    # A batch worker stopping cleanly removes its heartbeat.
    from grappe.core.models import WorkerHeartbeat

    assert not WorkerHeartbeat.objects.exists()


def test_an_immediate_backend_records_the_outcome_too(periodic, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    periodic("tests.record", sample_tasks.record, FIVE)
    assert scheduler.tick() == ["tests.record"]
    assert PeriodicJobState.objects.get(key="tests.record").last_status == TaskResultStatus.SUCCESSFUL


def test_run_now_makes_a_job_due(periodic):
    periodic("tests.record", sample_tasks.record, FIVE)
    scheduler.tick()
    assert scheduler.tick() == []
    assert scheduler.run_now("tests.record")
    assert scheduler.tick() == ["tests.record"]
    assert not scheduler.run_now("unknown")


def test_every_declared_job_of_the_apps_has_a_task_and_a_positive_period():
    from grappe.core.registry import periodic_jobs

    for job in periodic_jobs():
        assert hasattr(job.task, "enqueue"), job.key
        assert job.every.total_seconds() >= 60, job.key


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("in_memory_sqlite()", reason="concurrent connections need PostgreSQL or a file SQLite database")
def test_two_concurrent_schedulers_enqueue_each_period_once(periodic):
    periodic("tests.a", sample_tasks.record, FIVE)
    periodic("tests.b", sample_tasks.record, dt.timedelta(minutes=10))
    periods = 6
    barrier = threading.Barrier(2)
    enqueued: dict[int, list[str]] = {0: [], 1: []}
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            for p in range(periods):
                barrier.wait(timeout=30)
                enqueued[n] += scheduler.tick(T0 + p * FIVE)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    together = sorted(enqueued[0] + enqueued[1])
    assert together == ["tests.a"] * periods + ["tests.b"] * (periods // 2)
    assert DBTaskResult.objects.count() == periods + periods // 2
    assert PeriodicJobState.objects.get(key="tests.a").run_count == periods
