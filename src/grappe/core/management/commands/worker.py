"""``grappe worker``: the background worker (django.tasks with the database queue) and its scheduler.

``db_worker`` with, beside the task loop, a housekeeping thread that every
``GRAPPE_WORKER_HEARTBEAT_SECONDS`` (15 s) writes the worker's heartbeat (read by ``/healthz``),
puts back in the queue the tasks of workers that died mid-task, and enqueues the periodic jobs that
are due (``grappe.core.scheduler``). Run as many workers as you like: each periodic job is enqueued
once per period. Every option of ``db_worker`` is accepted (``--batch`` runs one scheduler round,
then what is pending, and exits; ``--queue-name '*'`` serves all queues); ``--no-scheduler`` runs a
plain task worker. A task that raises is put back in the queue with a backoff while its retry policy
allows (``scheduler.retry_later``); only its last failure is final (``task_finished`` is sent then).
"""

import contextlib
import logging
import threading
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from grappe.core import scheduler

logger = logging.getLogger("grappe.scheduler")


class _Retrying(Exception):
    """Raised out of ``set_failed`` so that ``db_worker`` does not signal a retried task as finished."""


class SchedulingWorker(Worker):
    def __init__(self, *, scheduler_enabled: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scheduler_enabled = scheduler_enabled
        self.started_at = timezone.now()
        self._stop = threading.Event()

    def housekeeping_once(self) -> None:
        close_old_connections()
        try:
            if self.scheduler_enabled:
                scheduler.housekeeping(self.worker_id, self.started_at)
            else:
                scheduler.beat(self.worker_id, self.started_at)
        except Exception:  # a database hiccup: try again at the next round
            logger.exception("Worker housekeeping failed")

    def _housekeeping_loop(self) -> None:
        try:
            while not self._stop.wait(scheduler.heartbeat_seconds()):
                self.housekeeping_once()
        finally:
            connection.close()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """``db_worker``'s ``run_task``, except that a failure with attempts left is retried later
        (the row goes back to READY with a ``run_after``), not recorded as final nor signalled."""
        original = db_task_result.set_failed

        def set_failed(exc: BaseException) -> None:
            try:
                retried = scheduler.retry_later(db_task_result, exc) is not None
            except Exception:  # the database hiccupped: record the failure as db_worker would
                logger.exception("Could not schedule a retry of task %s", db_task_result.id)
                retried = False
            if retried:
                raise _Retrying
            original(exc)

        db_task_result.set_failed = set_failed  # type: ignore[method-assign]
        with contextlib.suppress(_Retrying):  # back in the queue: no task_finished until it succeeds or fails for good
            super().run_task(db_task_result)

    def run(self) -> None:
        self.housekeeping_once()  # heartbeat and due jobs before the first task (and in --batch)
        thread = None
        if not self.batch:
            thread = threading.Thread(target=self._housekeeping_loop, name="grappe-scheduler", daemon=True)
            thread.start()
        try:
            super().run()
        finally:
            self._stop.set()
            if thread is not None:
                thread.join(timeout=5)
            try:
                scheduler.forget(self.worker_id)
            except Exception:
                logger.exception("Could not remove the heartbeat of worker %s", self.worker_id)


class Command(DbWorkerCommand):
    help = "Run the Grappe background worker and its periodic scheduler (feed polling, digests, reminders, imports)."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Only run tasks: no periodic jobs, no orphan recovery (the heartbeat is still written).",
        )

    def handle(self, *args: Any, scheduler: bool = True, **options: Any) -> None:
        import django_tasks_db.management.commands.db_worker as db_worker

        original = db_worker.Worker
        db_worker.Worker = lambda **kwargs: SchedulingWorker(scheduler_enabled=scheduler, **kwargs)
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
