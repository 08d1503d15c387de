"""Staff page of background work: periodic jobs, recent/queued/running/failed tasks, workers; retry.

Rules (``accounts.permissions`` PLATFORM section): staff and admins see the page, retry a failed
task and make a periodic job run now; member users and observers get a 403, visitors the login page.
"""

import datetime as dt
import uuid

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from grappe.accounts import permissions
from grappe.core import scheduler
from grappe.core.audit import audit_log
from grappe.core.models import PeriodicJobState, WorkerHeartbeat
from grappe.core.registry import periodic_jobs

PAGE_SIZE = 50
STATUSES = [s.value for s in TaskResultStatus]


def _short_error(row: DBTaskResult) -> str:
    lines = [line for line in (row.traceback or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else row.exception_class_path


def _task_rows(queryset) -> list[dict]:
    rows = []
    for row in queryset[:PAGE_SIZE]:
        # A task that raised and waits for its next attempt (scheduler.retry_later) keeps its last error.
        retrying = row.status == TaskResultStatus.READY and bool(row.traceback)
        rows.append(
            {
                "id": str(row.id),
                "name": row.task_path.rsplit(".", 2)[-2] + "." + row.task_path.rsplit(".", 1)[-1]
                if "." in row.task_path
                else row.task_path,
                "path": row.task_path,
                "status": row.status,
                "queue": row.queue_name,
                "enqueued_at": row.enqueued_at,
                "started_at": row.started_at,
                "finished_at": row.finished_at,
                "attempts": len(row.worker_ids or []),
                "error": _short_error(row) if row.status == TaskResultStatus.FAILED or retrying else "",
                "traceback": row.traceback if row.status == TaskResultStatus.FAILED or retrying else "",
                "retry_at": row.run_after if retrying else None,
                "args": row.args_kwargs,
            }
        )
    return rows


@permissions.jobs_required
def job_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in STATUSES:
        status = ""
    tasks = DBTaskResult.objects.order_by("-enqueued_at")
    if status:
        tasks = tasks.filter(status=status)
    counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    declared = {job.key: job for job in periodic_jobs()}
    states = {s.key: s for s in PeriodicJobState.objects.all()}
    periodic = [
        {"key": key, "job": job, "state": states.get(key), "every": dt.timedelta(seconds=job.every.total_seconds())}
        for key, job in declared.items()
    ]
    worker_state, worker_seen = scheduler.worker_status()
    context = {
        "periodic": periodic,
        "tasks": _task_rows(tasks),
        "status": status,
        "statuses": [(s, counts.get(s, 0)) for s in STATUSES],
        "workers": WorkerHeartbeat.objects.all(),
        "worker_state": worker_state,
        "worker_seen": worker_seen,
        "stale_before": timezone.now() - dt.timedelta(seconds=scheduler.stale_seconds()),
    }
    return render(request, "core/jobs.html", context)


@require_POST
@permissions.jobs_required
def job_retry(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    """Enqueue a failed task again, with the same arguments (the failed result stays as history)."""
    row = DBTaskResult.objects.filter(id=task_id).first()
    if row is None:
        raise Http404
    if row.status != TaskResultStatus.FAILED:
        messages.error(request, _("Seule une tâche en échec peut être relancée."))
        return redirect("core:jobs")
    try:
        task = row.task
        args = row.args_kwargs.get("args", [])
        kwargs = row.args_kwargs.get("kwargs", {})
        result = task.using(queue_name=row.queue_name, priority=row.priority).enqueue(*args, **kwargs)
    except Exception as exc:  # the task's code was removed or renamed since
        messages.error(request, _("La tâche ne peut pas être relancée : %(error)s") % {"error": exc})
        return redirect("core:jobs")
    PeriodicJobState.objects.filter(last_task_id=str(row.id)).update(
        last_task_id=str(result.id), last_status=TaskResultStatus.READY, last_error="", last_finished_at=None
    )
    audit_log(
        actor=request.user,
        action="core.task.retried",
        object_label=row.task_path,
        changes={"task": [str(row.id), str(result.id)]},
    )
    messages.success(request, _("Tâche relancée."))
    return redirect("core:jobs")


@require_POST
@permissions.jobs_required
def periodic_run_now(request: HttpRequest, key: str) -> HttpResponse:
    if key not in {job.key for job in periodic_jobs()}:
        raise Http404
    scheduler.sync_jobs()
    scheduler.run_now(key)
    audit_log(actor=request.user, action="core.periodic.run_now", object_label=key)
    messages.success(request, _("La tâche sera mise en file au prochain passage du planificateur."))
    return redirect("core:jobs")
