"""A background import whose worker died mid-import: started over by its retried task, or failed with the
reason when its task will not come back; never two imports at once (issue #11)."""

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grappe.core.models import AuditEntry, WorkerHeartbeat
from grappe.register.imports import Owner, apply_pending_updates, run_request
from grappe.register.models import Enterprise, ImportRun
from grappe.register.tasks import run_import
from tests.core.conftest import in_memory_sqlite  # noqa: F401  (skipif condition)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FULL = FIXTURES / "full_0146"
UPDATE = FIXTURES / "update_0147"

pytestmark = pytest.mark.django_db


def batch_worker(worker_id: str) -> None:
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id=worker_id)


def dead_worker(worker_id: str = "victim") -> None:
    seen = timezone.now() - dt.timedelta(seconds=600)
    WorkerHeartbeat.objects.create(worker_id=worker_id, started_at=seen, seen_at=seen, pid=1)


def killed_mid_import(run: ImportRun, worker_id: str = "victim") -> DBTaskResult:
    """What a worker killed mid-import leaves: its task RUNNING on it, the run "running" under attempt 1,
    the register tables untouched (the import's transaction died with the process)."""
    result = run_import.enqueue(run.pk)
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id], started_at=timezone.now()
    )
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, task_id=str(result.id), attempt=1, started_at=timezone.now()
    )
    dead_worker(worker_id)
    return DBTaskResult.objects.get(id=result.id)


def queued(source: Path) -> ImportRun:
    return ImportRun.objects.create(status=ImportRun.Status.QUEUED, source=str(source))


@pytest.mark.django_db(transaction=True)
def test_the_retried_task_starts_its_interrupted_run_over_and_imports_once():
    run = queued(FULL)
    row = killed_mid_import(run)
    batch_worker("rescuer")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.worker_ids == ["victim", "rescuer"]
    assert row.return_value == ImportRun.Status.SUCCEEDED
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.extract_number == 146
    assert run.attempt == 2 and run.task_id == str(row.id) and run.error == ""
    assert Enterprise.objects.count() == 7
    assert ImportRun.objects.count() == 1
    [entry] = AuditEntry.objects.filter(action="register.import.restarted")
    assert entry.changes == {"attempt": [1, 2]}


@pytest.mark.django_db(transaction=True)
def test_an_import_finished_before_its_worker_died_is_not_run_again():
    run = queued(FULL)
    result = run_import.enqueue(run.pk)
    batch_worker("victim")
    assert Enterprise.objects.count() == 7
    Enterprise.objects.filter(number=Enterprise.objects.order_by("number").first().number).delete()
    DBTaskResult.objects.filter(id=result.id).update(status=TaskResultStatus.RUNNING, finished_at=None)
    dead_worker("victim")  # killed after the import's commit, before the task was marked done
    batch_worker("rescuer")
    assert DBTaskResult.objects.get(id=result.id).worker_ids == ["victim", "rescuer"]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.attempt == 1
    assert Enterprise.objects.count() == 6  # not imported a second time
    assert not AuditEntry.objects.filter(action="register.import.restarted").exists()


def test_a_running_import_alive_is_never_started_twice_and_another_one_waits(django_capture_on_commit_callbacks):
    alive = queued(FULL)
    task = killed_mid_import(alive, worker_id="busy")
    WorkerHeartbeat.objects.filter(worker_id="busy").update(seen_at=timezone.now())  # this worker is alive
    same_attempt = run_request(alive.pk, Owner(str(task.id), 1))
    other_task = run_request(alive.pk, Owner(str(uuid.uuid4()), 2))
    assert same_attempt.status == other_task.status == ImportRun.Status.RUNNING
    second = queued(UPDATE)
    result = run_import.enqueue(second.pk)  # the import's own task, while the other one runs
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportRun.objects.create(status=ImportRun.Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        second = run_request(second.pk, Owner(str(result.id), 1))
    assert second.status == ImportRun.Status.QUEUED and not Enterprise.objects.exists()
    later = (
        DBTaskResult.objects.filter(task_path="grappe.register.tasks.run_import")
        .exclude(id__in=[result.id, task.id])
        .get()
    )
    assert later.args_kwargs["args"] == [second.pk] and later.run_after > timezone.now()
    alive.refresh_from_db()
    assert alive.status == ImportRun.Status.RUNNING and alive.attempt == 1  # untouched


def test_a_run_whose_task_gave_up_is_shown_failed_with_the_reason_and_can_be_relaunched(staff_client):
    run = queued(FULL)
    row = killed_mid_import(run)
    # The worker died on every attempt: the queue failed the task (scheduler.requeue_orphans).
    DBTaskResult.objects.filter(id=row.id).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())
    fragment = staff_client.get(reverse("register:import_progress", args=[run.pk])).content.decode()
    assert "interrompu" in fragment and "relancez" in fragment and "hx-get" not in fragment
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert AuditEntry.objects.filter(action="register.import.interrupted").count() == 1
    relaunched = queued(FULL)
    result = run_import.enqueue(relaunched.pk)
    assert run_request(relaunched.pk, Owner(str(result.id), 1)).status == ImportRun.Status.SUCCEEDED
    assert Enterprise.objects.count() == 7


def test_the_imports_page_fails_a_run_whose_task_was_pruned(staff_client):
    run = ImportRun.objects.create(
        status=ImportRun.Status.RUNNING, source=str(FULL), task_id=str(uuid.uuid4()), attempt=1
    )
    staff_client.get(reverse("register:import_list"))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "interrompu" in run.error


def test_an_update_round_killed_mid_import_fails_its_run_and_imports_the_extract_in_the_next_attempt(
    settings, tmp_path
):
    settings.DATA_DIR = tmp_path / "data"
    drop = tmp_path / "imports"
    drop.mkdir()
    settings.GRAPPE_REGISTER_IMPORT_DIR = str(drop)
    run_request(queued(FULL).pk)
    shutil.copytree(UPDATE, drop / "KboOpenData_0147_Update")
    dead = ImportRun.objects.create(
        status=ImportRun.Status.RUNNING, source=str(drop / "KboOpenData_0147_Update"), task_id="job-1", attempt=1
    )
    [run] = apply_pending_updates(Owner("job-1", 2))
    assert run.status == ImportRun.Status.SUCCEEDED and run.extract_number == 147
    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED and "interrompu" in dead.error


def test_an_update_round_waits_while_another_import_is_alive(settings, tmp_path):
    settings.GRAPPE_REGISTER_IMPORT_DIR = str(tmp_path)
    run_request(queued(FULL).pk)
    shutil.copytree(UPDATE, tmp_path / "KboOpenData_0147_Update")
    ImportRun.objects.create(status=ImportRun.Status.RUNNING, source="elsewhere")  # outside a worker: alive
    assert apply_pending_updates(Owner("job-2", 1)) == []
    assert ImportRun.objects.count() == 2


# A real worker, SIGKILLed after it swapped the staging tables in but before its commit --------------

_SLOW_SWAP = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import django
    django.setup()
    from grappe.register import writers
    swap, marker = writers.Stage.swap, Path(sys.argv[1])
    def slow_swap(self, tables):
        swap(self, tables)
        marker.touch()
        time.sleep(120)
    writers.Stage.swap = slow_swap
    from grappe.__main__ import main
    sys.argv = ["grappe", *sys.argv[2:]]
    main()
    """
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("in_memory_sqlite()", reason="a worker subprocess needs PostgreSQL or a file SQLite database")
def test_a_worker_killed_after_the_swap_left_the_register_unchanged_and_the_retry_imports(settings, tmp_path):
    from tests.core.test_worker import _database_url, _wait_for

    Enterprise.objects.create(number=999999999, name="Avant l'import")  # a full import replaces every row
    run = queued(FULL)
    result = run_import.enqueue(run.pk)
    swapped = tmp_path / "swapped"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "GRAPPE_WORKER_HEARTBEAT_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "grappe.settings",
    }
    args = ["worker", "--no-reload", "--no-startup-delay", "--worker-id", "victim", "--interval", "0.2"]
    worker = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SWAP, str(swapped), *args, "--no-scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "worker.err", "w"),  # noqa: SIM115
    )
    try:
        assert _wait_for(swapped.exists), (tmp_path / "worker.err").read_text()[-3000:]
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING and run.task_id == str(result.id) and run.attempt == 1
    assert _wait_for(lambda: list(Enterprise.objects.values_list("number", flat=True)) == [999999999], 30)
    settings.GRAPPE_WORKER_STALE_SECONDS = 0  # as if the heartbeat had not moved for two minutes
    time.sleep(0.1)
    batch_worker("rescuer")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.attempt == 2
    assert Enterprise.objects.count() == 7 and not Enterprise.objects.filter(number=999999999).exists()
    assert DBTaskResult.objects.get(id=result.id).worker_ids == ["victim", "rescuer"]
