"""Retention of finished task results and webhook deliveries; the platform's demo data."""

import datetime as dt
import io
import uuid

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grappe.core import tasks
from grappe.core.models import PeriodicJobState, Webhook, WebhookDelivery
from grappe.core.registry import periodic_jobs
from tests.core import sample_tasks

pytestmark = pytest.mark.django_db


def finished(days_ago: int, status=TaskResultStatus.SUCCESSFUL) -> DBTaskResult:
    row = DBTaskResult.objects.get(id=sample_tasks.record.enqueue().id)
    DBTaskResult.objects.filter(id=row.id).update(
        status=status, finished_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return row


def test_old_finished_results_and_deliveries_go_recent_and_pending_ones_stay():
    old, recent, old_failed_kept = finished(40), finished(5), finished(40, TaskResultStatus.FAILED)
    pending = DBTaskResult.objects.get(id=sample_tasks.record.enqueue().id)
    PeriodicJobState.objects.create(key="x", next_run_at=timezone.now(), last_task_id=str(old_failed_kept.id))
    hook = Webhook.objects.create(name="h", url="https://h.example/", events=["ping"])
    long_ago = timezone.now() - dt.timedelta(days=100)
    for status in (WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.RETRYING):
        d = WebhookDelivery.objects.create(webhook=hook, event="ping", event_id=uuid.uuid4(), payload={}, status=status)
        WebhookDelivery.objects.filter(pk=d.pk).update(created_at=long_ago)
    assert tasks.prune_platform_records.call() == {"task_results": 1, "webhook_deliveries": 1}
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {recent.id, old_failed_kept.id, pending.id}
    assert old.id not in set(DBTaskResult.objects.values_list("id", flat=True))
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.RETRYING


def test_retention_is_a_declared_daily_job():
    job = {j.key: j for j in periodic_jobs()}["core.retention"]
    assert job.every == dt.timedelta(days=1) and job.task is tasks.prune_platform_records


def test_the_demo_loader_makes_an_inactive_example_webhook_with_a_log():
    from grappe.core.demo import load

    out = io.StringIO()
    load(out)
    hook = Webhook.objects.get()
    assert not hook.is_active and hook.url.startswith("https://")
    assert hook.deliveries.filter(status=WebhookDelivery.Status.FAILED).count() == 1
    assert hook.deliveries.count() == 4 and "example webhook" in out.getvalue()
