"""The periodic scheduler and the worker heartbeat, run inside ``grappe worker``.

- ``tick()`` enqueues every periodic job (``registry.register_periodic``) whose ``next_run_at`` has
  passed. The once-only lock is a conditional ``UPDATE core_periodicjobstate SET next_run_at = <next>
  WHERE key = %s AND next_run_at <= now``: on PostgreSQL the second of two concurrent updates waits
  for the first, re-reads the row and no longer matches; on SQLite writers are serialised. Only the
  scheduler whose update changed the row enqueues the task, in the same transaction, so a crash
  between the two leaves neither.
- ``beat()`` records that a worker process is alive (``WorkerHeartbeat``); ``/healthz`` reads it.
- ``retry_later()`` puts a task that raised back in the queue with a growing delay (``run_after``), until
  its retry policy's attempts are spent (``registry.register_retry``; default ``GRAPPE_TASK_MAX_ATTEMPTS``
  runs, waiting ``GRAPPE_TASK_RETRY_BACKOFF_SECONDS`` then four times longer each time). The same row is
  reused, so ``worker_ids`` counts the attempts and the last error stays visible on the jobs page.
- ``requeue_orphans()`` puts back in the queue the tasks left RUNNING by a worker whose heartbeat
  went stale (killed mid-task), or fails them once their policy's attempts are spent.
- The outcome of each periodic run is copied onto its ``PeriodicJobState`` when the task finishes
  (``task_finished`` signal).
"""

import datetime as dt
import logging
import os
import socket
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone

from grappe.core.models import PeriodicJobState, WorkerHeartbeat
from grappe.core.registry import PeriodicJob, periodic_jobs, retry_policy

logger = logging.getLogger("grappe.scheduler")


def heartbeat_seconds() -> int:
    return int(getattr(settings, "GRAPPE_WORKER_HEARTBEAT_SECONDS", 15))


def stale_seconds() -> int:
    return int(getattr(settings, "GRAPPE_WORKER_STALE_SECONDS", 120))


# --- Periodic jobs --------------------------------------------------------------------------------


def sync_jobs(now: dt.datetime | None = None) -> dict[str, PeriodicJob]:
    """Create the state row of each declared job (due at once) and follow period changes in code."""
    now = now or timezone.now()
    jobs = {job.key: job for job in periodic_jobs()}
    known = {state.key: state for state in PeriodicJobState.objects.filter(key__in=jobs)}
    missing = [
        PeriodicJobState(key=key, every_seconds=int(job.every.total_seconds()), next_run_at=now)
        for key, job in jobs.items()
        if key not in known
    ]
    if missing:
        PeriodicJobState.objects.bulk_create(missing, ignore_conflicts=True)
    for key, state in known.items():
        seconds = int(jobs[key].every.total_seconds())
        if state.every_seconds != seconds:  # a shorter period counts from the last run, not after the old one
            PeriodicJobState.objects.filter(key=key).update(every_seconds=seconds)
            earliest = (state.last_run_at or now) + jobs[key].every
            PeriodicJobState.objects.filter(key=key, next_run_at__gt=earliest).update(next_run_at=earliest)
    return jobs


def _next_run(previous: dt.datetime, every: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """The next slot on the job's grid; after a long stop, one run now and the next a period later."""
    following = previous + every
    return following if following > now else now + every


def tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue each due job once; return the keys this scheduler enqueued."""
    now = now or timezone.now()
    jobs = sync_jobs(now)
    enqueued: list[str] = []
    due = PeriodicJobState.objects.filter(key__in=jobs, next_run_at__lte=now).values_list("key", "next_run_at")
    for key, next_run_at in list(due):
        job = jobs[key]
        try:
            with transaction.atomic():
                claimed = PeriodicJobState.objects.filter(key=key, next_run_at__lte=now).update(
                    next_run_at=_next_run(next_run_at, job.every, now),
                    last_run_at=now,
                    run_count=F("run_count") + 1,
                    last_status=TaskResultStatus.READY,
                    last_finished_at=None,
                    last_error="",
                    last_task_id="",
                )
                if not claimed:  # another worker took this period
                    continue
                result = job.task.enqueue()
                PeriodicJobState.objects.filter(key=key).update(last_task_id=str(result.id))
        except Exception as exc:  # one broken job must not stop the others; retried at the next tick
            logger.exception("Periodic job %s could not be enqueued", key)
            PeriodicJobState.objects.filter(key=key).update(last_status="ERROR", last_error=repr(exc)[:2000])
            continue
        enqueued.append(key)
        logger.info("Periodic job %s enqueued (task %s)", key, result.id)
        if result.is_finished:  # an immediate backend ran it inline, before last_task_id was written
            _record_outcome(result)
    return enqueued


def run_now(key: str) -> bool:
    """Make a job due at the next tick (staff 'run now')."""
    return bool(PeriodicJobState.objects.filter(key=key).update(next_run_at=timezone.now()))


def _error_text(result: Any) -> str:
    errors = getattr(result, "errors", None) or []
    if not errors:
        return ""
    last = errors[-1]
    lines = [line for line in (last.traceback or "").strip().splitlines() if line.strip()]
    return (lines[-1] if lines else last.exception_class_path)[:2000]


def _record_outcome(task_result: Any) -> None:
    failed = task_result.status == TaskResultStatus.FAILED
    PeriodicJobState.objects.filter(last_task_id=str(task_result.id)).update(
        last_status=task_result.status,
        last_finished_at=task_result.finished_at or timezone.now(),
        last_error=_error_text(task_result) if failed else "",
        failure_count=F("failure_count") + (1 if failed else 0),
    )


def _on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    try:
        _record_outcome(task_result)
    except Exception:  # bookkeeping must never fail the task itself
        logger.exception("Could not record the outcome of task %s", getattr(task_result, "id", "?"))


task_finished.connect(_on_task_finished, dispatch_uid="grappe.scheduler.outcome")


# --- Worker heartbeat and orphaned tasks ----------------------------------------------------------


def beat(worker_id: str, started_at: dt.datetime, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:200],
                "pid": os.getpid(),
                "started_at": started_at,
                "seen_at": now,
            },
        )


def forget(worker_id: str) -> None:
    """A worker stopping cleanly removes its heartbeat (its running task finished first)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_status(now: dt.datetime | None = None) -> tuple[str, dt.datetime | None]:
    """``("ok" | "stale" | "missing", last seen)`` of the freshest worker."""
    now = now or timezone.now()
    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if seen is None:
        return "missing", None
    if seen < now - dt.timedelta(seconds=stale_seconds()):
        return "stale", seen
    return "ok", seen


class WorkerLost(Exception):
    """The worker running this task stopped answering (killed, out of memory, machine lost)."""


def requeue_orphans(now: dt.datetime | None = None) -> dict[str, int]:
    """Tasks RUNNING on a worker with a stale heartbeat go back to READY (or FAILED after too many
    attempts); the stale heartbeats are then removed. Safe with several workers (conditional updates)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds())
    dead = set(WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).values_list("worker_id", flat=True))
    counts = {"requeued": 0, "failed": 0}
    if not dead:
        return counts
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("id", "worker_ids", "task_path")
    for task_id, worker_ids, task_path in list(running):
        if not worker_ids or worker_ids[-1] not in dead:
            continue
        rows = DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING)
        if len(worker_ids) >= retry_policy(task_path).attempts:
            error = f"WorkerLost: worker {worker_ids[-1]} stopped during attempt {len(worker_ids)}"
            if rows.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=error,
            ):
                counts["failed"] += 1
                PeriodicJobState.objects.filter(last_task_id=str(task_id)).update(
                    last_status=TaskResultStatus.FAILED,
                    last_finished_at=now,
                    last_error=error,
                    failure_count=F("failure_count") + 1,
                )
                logger.error("Task %s failed: %s", task_id, error)
        elif rows.update(status=TaskResultStatus.READY, started_at=None):
            counts["requeued"] += 1
            logger.warning("Task %s requeued: worker %s stopped while running it", task_id, worker_ids[-1])
    WorkerHeartbeat.objects.filter(worker_id__in=dead, seen_at__lt=cutoff).delete()
    return counts


def retry_later(row: Any, exc: BaseException, now: dt.datetime | None = None) -> dt.datetime | None:
    """If ``row`` (a RUNNING ``DBTaskResult`` whose task just raised ``exc``) has attempts left, put it back
    in the queue after its backoff, keeping the error, and return when it runs again; else ``None``.
    Only ``Exception``s are retried: a worker stopped by a second Ctrl+C fails the task as before."""
    from traceback import format_exception

    from django_tasks_db.models import DBTaskResult

    if not isinstance(exc, Exception):
        return None
    policy = retry_policy(row.task_path)
    attempt = len(row.worker_ids or [])
    if attempt >= policy.attempts:
        return None
    now = now or timezone.now()
    run_after = now + policy.delay(attempt)
    updated = DBTaskResult.objects.filter(id=row.id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY,
        started_at=None,
        run_after=run_after,
        exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}",
        traceback="".join(format_exception(exc)),
    )
    if not updated:
        return None
    logger.warning(
        "Task %s (%s) failed on attempt %s of %s: retried after %s",
        row.id,
        row.task_path,
        attempt,
        policy.attempts,
        run_after.isoformat(),
    )
    return run_after


def housekeeping(worker_id: str, started_at: dt.datetime) -> list[str]:
    """One round of the worker's scheduler thread: heartbeat, orphans, due periodic jobs."""
    beat(worker_id, started_at)
    requeue_orphans()
    return tick()
