"""The worker: heartbeat, tasks of a worker killed mid-task put back in the queue, /healthz."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grappe.core import scheduler
from grappe.core.models import AuditEntry, PeriodicJobState, WorkerHeartbeat
from tests.core import sample_tasks
from tests.core.conftest import in_memory_sqlite  # noqa: F401  (skipif condition)

pytestmark = pytest.mark.django_db


def claimed_by(worker_id: str, *, attempts: int = 1) -> DBTaskResult:
    result = sample_tasks.slow.enqueue(label="orphan")
    row = DBTaskResult.objects.get(id=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now()
    row.worker_ids = [f"earlier-{n}" for n in range(attempts - 1)] + [worker_id]
    row.save()
    return row


def heartbeat(worker_id: str, seconds_ago: int) -> None:
    seen = timezone.now() - dt.timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker_id=worker_id, started_at=seen, seen_at=seen, pid=1)


def test_a_task_of_a_dead_worker_goes_back_to_the_queue():
    heartbeat("dead", seconds_ago=600)
    heartbeat("alive", seconds_ago=5)
    orphan = claimed_by("dead")
    busy = claimed_by("alive")
    assert scheduler.requeue_orphans() == {"requeued": 1, "failed": 0}
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY and orphan.started_at is None
    assert busy.status == TaskResultStatus.RUNNING
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


def test_a_task_that_lost_its_worker_too_often_fails_and_its_periodic_job_says_so(settings):
    settings.GRAPPE_TASK_MAX_ATTEMPTS = 3
    heartbeat("dead", seconds_ago=600)
    orphan = claimed_by("dead", attempts=3)
    PeriodicJobState.objects.create(key="tests.slow", next_run_at=timezone.now(), last_task_id=str(orphan.id))
    assert scheduler.requeue_orphans() == {"requeued": 0, "failed": 1}
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED
    assert orphan.exception_class_path == "grappe.core.scheduler.WorkerLost"
    state = PeriodicJobState.objects.get(key="tests.slow")
    assert state.last_status == TaskResultStatus.FAILED and "WorkerLost" in state.last_error


def test_tasks_of_workers_without_a_heartbeat_row_are_left_alone():
    """A plain `db_worker` writes no heartbeat: its tasks are never taken for orphans."""
    task = claimed_by("plain-db-worker")
    assert scheduler.requeue_orphans() == {"requeued": 0, "failed": 0}
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_beat_creates_then_touches_the_heartbeat():
    start = timezone.now()
    scheduler.beat("w1", start, now=start)
    scheduler.beat("w1", start, now=start + dt.timedelta(seconds=15))
    row = WorkerHeartbeat.objects.get()
    assert row.seen_at == start + dt.timedelta(seconds=15) and row.pid == os.getpid()
    assert scheduler.worker_status(start + dt.timedelta(seconds=20))[0] == "ok"
    assert scheduler.worker_status(start + dt.timedelta(seconds=600))[0] == "stale"
    scheduler.forget("w1")
    assert scheduler.worker_status()[0] == "missing"


@pytest.mark.django_db(transaction=True)
def test_a_batch_worker_runs_a_task_requeued_from_a_dead_worker():
    heartbeat("dead", seconds_ago=600)
    orphan = claimed_by("dead")
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id="rescuer")
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.SUCCESSFUL
    assert orphan.worker_ids == ["dead", "rescuer"]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(predicate, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("in_memory_sqlite()", reason="a worker subprocess needs PostgreSQL or a file SQLite database")
def test_a_worker_killed_mid_task_has_its_task_retried_by_another_worker(settings):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "GRAPPE_TEST_SLOW_SECONDS": "120",
        "GRAPPE_WORKER_HEARTBEAT_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "grappe.settings",
    }
    result = sample_tasks.slow.enqueue(label="killed")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grappe",
            "worker",
            "--no-reload",
            "--no-startup-delay",
            "--worker-id",
            "victim",
            "--interval",
            "0.2",
            "--no-scheduler",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: AuditEntry.objects.filter(action="tests.slow.started").exists())
        assert WorkerHeartbeat.objects.filter(worker_id="victim").exists()
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.RUNNING  # what a killed worker leaves behind
    settings.GRAPPE_WORKER_STALE_SECONDS = 0  # as if the heartbeat had not moved for two minutes
    time.sleep(0.1)
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id="rescuer")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["victim", "rescuer"]
    assert AuditEntry.objects.filter(action="tests.slow.finished").count() == 1  # the killed attempt never finished


def _died_after_its_work(row_id, worker_id: str = "victim") -> None:
    """The worker ran the task to its end (its effects committed) and was killed before marking it done."""
    DBTaskResult.objects.filter(id=row_id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id], finished_at=None, return_value=None
    )
    heartbeat(worker_id, seconds_ago=600)


@pytest.mark.django_db(transaction=True)
def test_an_email_task_run_again_after_its_worker_died_sends_nothing_twice():
    from django.core import mail

    from grappe.ecosystem import services as eco
    from grappe.events import services as events
    from grappe.events.models import Event

    start = timezone.now() + dt.timedelta(days=10)
    event = events.event_create(
        actor=None,
        title="Atelier",
        start=start,
        end=start + dt.timedelta(hours=3),
        venue_name="Centre",
        venue_address="Rue 1",
        capacity=10,
        status=Event.Status.PUBLISHED,
    )
    person = eco.person_create(actor=None, first_name="Iris", last_name="Inscrite", email="iris@example.test")
    events.registration_create(actor=None, event=event, person=person, consent=True)  # enqueues the confirmation
    row = DBTaskResult.objects.get(task_path="grappe.events.tasks.send_registration_message")
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id="victim")
    assert len(mail.outbox) == 1

    _died_after_its_work(row.id)
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id="rescuer")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.worker_ids == ["victim", "rescuer"]
    assert row.return_value is False  # the second run found the confirmation already recorded
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_an_import_task_run_again_after_its_worker_died_does_not_import_twice(tmp_path):
    from grappe.register.models import Enterprise, ImportRun
    from grappe.register.tasks import run_import

    # Killed after the import's commit: the run says "succeeded" (restarting a run killed mid-import:
    # tests/register/test_interrupted.py).
    run = ImportRun.objects.create(status=ImportRun.Status.SUCCEEDED, source=str(tmp_path / "extract"))
    result = run_import.enqueue(run.pk)
    _died_after_its_work(result.id)
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id="rescuer")
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == ImportRun.Status.SUCCEEDED
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.started_at is None  # not started a second time
    assert not Enterprise.objects.exists()
