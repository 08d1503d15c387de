"""Retries with backoff: a task that raises goes back to the queue later, until its policy's attempts are
spent; a task declared with one attempt never runs twice; the issue's periodic jobs are all declared."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grappe.core import registry, scheduler
from grappe.core.models import AuditEntry, PeriodicJobState, WorkerHeartbeat
from tests.core import sample_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(monkeypatch, settings):
    """The test's own retry declarations (the apps' stay untouched); 3 attempts, 60 s then x4 by default."""
    monkeypatch.setattr(registry, "_retry", {})
    settings.GRAPPE_TASK_MAX_ATTEMPTS = 3
    settings.GRAPPE_TASK_RETRY_BACKOFF_SECONDS = 60
    return registry.register_retry


def run_worker(worker_id: str) -> None:
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id=worker_id)


def make_due(row: DBTaskResult) -> None:
    DBTaskResult.objects.filter(id=row.id).update(run_after=timezone.now() - dt.timedelta(seconds=1))


def test_the_default_policy_follows_the_settings_and_grows_fourfold(policies):
    policy = registry.retry_policy("some.undeclared.task")
    assert policy.attempts == 3
    assert [policy.delay(n) for n in (1, 2, 3)] == [dt.timedelta(seconds=s) for s in (60, 240, 960)]


def test_a_declared_policy_wins_and_bad_ones_are_refused(policies):
    policies(sample_tasks.boom, attempts=5, backoff=dt.timedelta(seconds=10), factor=2)
    policy = registry.retry_policy(sample_tasks.boom.module_path)
    assert (policy.attempts, policy.delay(3)) == (5, dt.timedelta(seconds=40))
    with pytest.raises(ValueError):
        policies(sample_tasks.boom, attempts=0)
    with pytest.raises(ValueError):
        policies(sample_tasks.boom, attempts=2, backoff=dt.timedelta(seconds=-1))


def test_retry_later_requeues_with_the_backoff_and_keeps_the_error(policies):
    result = sample_tasks.boom.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    row.claim("w1")
    now = timezone.now()
    assert scheduler.retry_later(row, RuntimeError("no network"), now=now) == now + dt.timedelta(seconds=60)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY and row.started_at is None
    assert row.run_after == now + dt.timedelta(seconds=60)
    assert row.exception_class_path == "builtins.RuntimeError" and "no network" in row.traceback
    assert not DBTaskResult.objects.ready().filter(id=row.id).exists()  # not before its time


def test_no_retry_once_the_attempts_are_spent_nor_for_a_stopped_worker(policies):
    row = DBTaskResult.objects.get(id=sample_tasks.boom.enqueue().id)
    for worker in ("w1", "w2", "w3"):
        row.claim(worker)
    assert scheduler.retry_later(row, RuntimeError("third failure")) is None
    fresh = DBTaskResult.objects.get(id=sample_tasks.boom.enqueue().id)
    fresh.claim("w1")
    assert scheduler.retry_later(fresh, KeyboardInterrupt()) is None  # a second Ctrl+C is not a failure to retry
    assert DBTaskResult.objects.get(id=fresh.id).status == TaskResultStatus.RUNNING


@pytest.mark.django_db(transaction=True)  # the worker closes "old" connections, so no test transaction around it
def test_the_worker_retries_a_failing_task_after_its_backoff_until_it_succeeds(policies):
    result = sample_tasks.flaky.enqueue(label="net", succeed_on=3)
    PeriodicJobState.objects.create(key="tests.flaky", next_run_at=timezone.now(), last_task_id=str(result.id))
    before = timezone.now()
    run_worker("w1")
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.READY and row.worker_ids == ["w1"]
    assert before + dt.timedelta(seconds=59) < row.run_after < timezone.now() + dt.timedelta(seconds=61)
    assert "flaky failure on run 1" in row.traceback

    run_worker("w2")  # not due yet: nothing runs
    assert AuditEntry.objects.filter(action="tests.flaky.attempt").count() == 1

    make_due(row)
    run_worker("w2")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY and row.worker_ids == ["w1", "w2"]
    assert row.run_after > timezone.now() + dt.timedelta(seconds=230)  # second wait: four times longer

    make_due(row)
    run_worker("w3")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == 3
    assert row.worker_ids == ["w1", "w2", "w3"]
    state = PeriodicJobState.objects.get(key="tests.flaky")  # only the final outcome is signalled
    assert state.last_status == TaskResultStatus.SUCCESSFUL and state.failure_count == 0


@pytest.mark.django_db(transaction=True)
def test_the_last_failure_is_final_and_reaches_the_periodic_job(policies, settings):
    settings.GRAPPE_TASK_MAX_ATTEMPTS = 2
    result = sample_tasks.flaky.enqueue(label="down", succeed_on=99)
    PeriodicJobState.objects.create(key="tests.flaky", next_run_at=timezone.now(), last_task_id=str(result.id))
    run_worker("w1")
    make_due(DBTaskResult.objects.get(id=result.id))
    run_worker("w2")
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.FAILED and row.worker_ids == ["w1", "w2"]
    assert "flaky failure on run 2" in row.traceback
    state = PeriodicJobState.objects.get(key="tests.flaky")
    assert state.last_status == TaskResultStatus.FAILED and state.failure_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_declared_with_one_attempt_runs_once_even_when_its_worker_dies(policies):
    policies(sample_tasks.flaky, attempts=1)
    failed = sample_tasks.flaky.enqueue(label="once", succeed_on=2)
    run_worker("w1")
    assert DBTaskResult.objects.get(id=failed.id).status == TaskResultStatus.FAILED
    assert AuditEntry.objects.filter(action="tests.flaky.attempt").count() == 1

    orphan = DBTaskResult.objects.get(id=sample_tasks.flaky.enqueue(label="killed").id)
    orphan.claim("dead")
    stale = timezone.now() - dt.timedelta(hours=1)
    WorkerHeartbeat.objects.create(worker_id="dead", started_at=stale, seen_at=stale, pid=1)
    assert scheduler.requeue_orphans() == {"requeued": 0, "failed": 1}


def test_event_agendas_take_the_default_retry_policy_since_each_one_is_recorded(settings):
    """send_agendas records each agenda it sends (tests/events/test_agendas.py): retries send only the missing."""
    settings.GRAPPE_TASK_MAX_ATTEMPTS = 5  # not the built-in 3: a policy declared for the task would not follow
    assert registry.retry_policy("grappe.events.tasks.send_agendas").attempts == 5


def test_the_jobs_page_shows_the_error_and_the_next_attempt_of_a_retried_task(policies, staff_client):
    row = DBTaskResult.objects.get(id=sample_tasks.boom.enqueue().id)
    row.claim("w1")
    scheduler.retry_later(row, RuntimeError("SMTP refused"))
    page = staff_client.get(reverse("core:jobs")).content.decode()
    assert "SMTP refused" in page and "Nouvel essai automatique" in page


def test_every_periodic_job_named_by_the_platform_issue_is_declared():
    """Feed polling, digests, event reminders, follow-up reminders, register update checks, retention."""
    keys = {job.key for job in registry.periodic_jobs()}
    expected = {
        "watch.poll",
        "watch.digests",
        "events.reminders",
        "events.surveys",
        "partnerships.follow_up_reminders",
        "register.updates",
        "privacy.retention",
        "core.retention",
    }
    assert expected <= keys


def test_the_default_backoff_follows_its_setting(settings):
    """Read when the policy is built (GRAPPE_TASK_RETRY_BACKOFF_SECONDS in settings.py, from the environment)."""
    settings.GRAPPE_TASK_RETRY_BACKOFF_SECONDS = 7
    assert registry.retry_policy("some.undeclared.task").delay(2) == dt.timedelta(seconds=28)


def test_claim_once_is_true_once_and_rolls_back_with_a_failed_effect():
    from django.db import transaction

    from grappe.core.tasks import claim_once

    assert claim_once("tests.effect:1") is True
    assert claim_once("tests.effect:1") is False
    with pytest.raises(RuntimeError), transaction.atomic():
        assert claim_once("tests.effect:2") is True
        raise RuntimeError("the e-mail could not be sent")
    assert claim_once("tests.effect:2") is True  # the failed attempt left no claim: the retry does it
