"""Core background tasks: retention of the queue's finished results and of the webhook delivery log; the
once-only guard of task effects (``claim_once``)."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone


def claim_once(key: str) -> bool:
    """Record ``key`` in the current transaction; ``False`` when it was recorded already.

    A task whose effect must not repeat (an e-mail that may legitimately be sent several times, so that
    the effect itself cannot be the record) claims ``"<what>:<task result id>"`` in the transaction that
    does it: if its worker dies after the commit, the run retried by another worker finds the claim and
    stops; if the effect failed, the claim rolled back with it and the retry does it.
    """
    from grappe.core.models import TaskOnce

    try:
        with transaction.atomic():
            TaskOnce.objects.create(key=key[:200])
    except IntegrityError:
        return False
    return True


@task()
def prune_platform_records() -> dict[str, int]:
    """Delete finished task results older than ``GRAPPE_TASK_RESULT_RETENTION_DAYS`` (30; the last
    run of each periodic job is kept) and finished webhook deliveries older than
    ``GRAPPE_WEBHOOK_LOG_RETENTION_DAYS`` (90)."""
    from django_tasks_db.models import DBTaskResult

    from grappe.core.models import PeriodicJobState, TaskOnce, WebhookDelivery

    now = timezone.now()
    task_days = int(getattr(settings, "GRAPPE_TASK_RESULT_RETENTION_DAYS", 30))
    log_days = int(getattr(settings, "GRAPPE_WEBHOOK_LOG_RETENTION_DAYS", 90))
    keep = [k for k in PeriodicJobState.objects.values_list("last_task_id", flat=True) if k]
    tasks, _ = (
        DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            finished_at__lt=now - dt.timedelta(days=task_days),
        )
        .exclude(id__in=keep)
        .delete()
    )
    deliveries, _ = WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED],
        created_at__lt=now - dt.timedelta(days=log_days),
    ).delete()
    TaskOnce.objects.filter(created_at__lt=now - dt.timedelta(days=task_days)).delete()
    return {"task_results": tasks, "webhook_deliveries": deliveries}
