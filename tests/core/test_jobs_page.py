"""Staff page of background work: who sees it, what it lists, retry of a failed task, run now."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from grappe.core import scheduler
from grappe.core.models import AuditEntry, PeriodicJobState
from tests.conftest import client_for
from tests.core import sample_tasks

pytestmark = pytest.mark.django_db

FIVE = dt.timedelta(minutes=5)


def failed_task() -> DBTaskResult:
    result = sample_tasks.boom.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    row.claim("w-test")
    try:
        raise RuntimeError("the sample job failed on purpose")
    except RuntimeError as exc:
        row.set_failed(exc)
    return row


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("member_a", 403), ("observer_user", 403), ("staff_user", 200), ("admin_user", 200)],
)
def test_who_sees_the_jobs_page(persona, expected, request):
    client = client_for(request.getfixturevalue(persona) if persona else None)
    response = client.get(reverse("core:jobs"))
    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("persona", "expected"), [(None, 302), ("member_a", 403), ("observer_user", 403)])
def test_only_staff_retry_or_run_now(persona, expected, request, periodic):
    periodic("tests.record", sample_tasks.record, FIVE)
    row = failed_task()
    client = client_for(request.getfixturevalue(persona) if persona else None)
    assert client.post(reverse("core:job_retry", args=[row.id])).status_code == expected
    assert client.post(reverse("core:periodic_run_now", args=["tests.record"])).status_code == expected
    assert DBTaskResult.objects.count() == 1
    assert not PeriodicJobState.objects.exists()


def test_the_page_lists_periodic_jobs_tasks_errors_and_workers(staff_client, periodic):
    periodic("tests.record", sample_tasks.record, FIVE, "Enregistrer un passage")
    periodic("tests.never", sample_tasks.record, dt.timedelta(days=1), "Jamais lancée")
    scheduler.tick()
    PeriodicJobState.objects.filter(key="tests.never").delete()
    failed_task()
    scheduler.beat("worker-on-page", scheduler.timezone.now())
    html = staff_client.get(reverse("core:jobs")).content.decode()
    assert "Enregistrer un passage" in html and "tests.record" in html
    assert "au démarrage du worker" in html  # declared, never scheduled yet
    assert "the sample job failed on purpose" in html
    assert "worker-on-page" in html
    assert "Relancer" in html
    assert "FAILED (1)" in html


def test_the_status_filter_and_an_unknown_status(staff_client):
    failed_task()
    sample_tasks.record.enqueue()
    failed_only = staff_client.get(reverse("core:jobs"), {"status": "FAILED"}).content.decode()
    assert "sample_tasks.boom" in failed_only and "sample_tasks.record" not in failed_only
    assert staff_client.get(reverse("core:jobs"), {"status": "<script>"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_retry_enqueues_the_failed_task_again_and_the_worker_runs_it(staff_user, periodic):
    periodic("tests.boom", sample_tasks.boom, FIVE)
    scheduler.tick()
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, scheduler=False)
    state = PeriodicJobState.objects.get(key="tests.boom")
    assert state.last_status == TaskResultStatus.FAILED
    failed = DBTaskResult.objects.get(id=state.last_task_id)
    response = client_for(staff_user).post(reverse("core:job_retry", args=[failed.id]))
    assert response.status_code == 302
    retried = DBTaskResult.objects.exclude(id=failed.id).get()
    assert retried.status == TaskResultStatus.READY and retried.task_path == failed.task_path
    state.refresh_from_db()
    assert state.last_task_id == str(retried.id) and state.last_status == TaskResultStatus.READY
    assert AuditEntry.objects.filter(action="core.task.retried", actor=staff_user).exists()
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, scheduler=False)
    state.refresh_from_db()
    assert state.last_status == TaskResultStatus.FAILED and state.failure_count == 2


def test_retry_keeps_the_arguments(staff_client):
    result = sample_tasks.record.enqueue(label="with-args")
    row = DBTaskResult.objects.get(id=result.id)
    row.set_failed(RuntimeError("x"))
    staff_client.post(reverse("core:job_retry", args=[row.id]))
    retried = DBTaskResult.objects.exclude(id=row.id).get()
    assert retried.args_kwargs == {"args": [], "kwargs": {"label": "with-args"}}


def test_only_a_failed_task_can_be_retried(staff_client):
    result = sample_tasks.record.enqueue()
    response = staff_client.post(reverse("core:job_retry", args=[result.id]), follow=True)
    assert "Seule une tâche en échec" in response.content.decode()
    assert DBTaskResult.objects.count() == 1


def test_retry_of_an_unknown_task_is_a_404_and_get_is_refused(staff_client):
    import uuid

    assert staff_client.post(reverse("core:job_retry", args=[uuid.uuid4()])).status_code == 404
    assert staff_client.get(reverse("core:job_retry", args=[failed_task().id])).status_code == 405


def test_a_task_whose_code_disappeared_cannot_be_retried_but_does_not_crash(staff_client):
    row = failed_task()
    DBTaskResult.objects.filter(id=row.id).update(task_path="grappe.nowhere.gone")
    response = staff_client.post(reverse("core:job_retry", args=[row.id]), follow=True)
    assert response.status_code == 200
    assert "ne peut pas être relancée" in response.content.decode()


def test_run_now_makes_the_job_due(staff_client, staff_user, periodic):
    periodic("tests.record", sample_tasks.record, FIVE)
    scheduler.tick()
    assert scheduler.tick() == []
    assert staff_client.post(reverse("core:periodic_run_now", args=["tests.record"])).status_code == 302
    assert scheduler.tick() == ["tests.record"]
    assert AuditEntry.objects.filter(action="core.periodic.run_now", actor=staff_user).exists()
    assert staff_client.post(reverse("core:periodic_run_now", args=["nope"])).status_code == 404


def test_the_staff_menu_links_the_page(staff_client):
    assert reverse("core:jobs") in staff_client.get(reverse("core:workspace")).content.decode()
