"""Tasks used by the scheduler and worker tests (importable by a worker subprocess)."""

import os
import time

from django.tasks import task

from grappe.core.models import AuditEntry
from grappe.core.registry import register_retry


@task()
def record(label: str = "tick") -> str:
    AuditEntry.objects.create(action="tests.periodic", message=label)
    return label


@task()
def boom() -> None:
    raise RuntimeError("the sample job failed on purpose")


# boom fails for good at its first run (no automatic retry), as the jobs page and scheduler tests expect.
register_retry(boom, attempts=1)


@task()
def slow(label: str = "slow") -> str:
    """Sleeps GRAPPE_TEST_SLOW_SECONDS (0 unless a test's worker subprocess sets it)."""
    AuditEntry.objects.create(action="tests.slow.started", message=label)
    time.sleep(float(os.environ.get("GRAPPE_TEST_SLOW_SECONDS", "0")))
    AuditEntry.objects.create(action="tests.slow.finished", message=label)
    return label


@task()
def flaky(label: str = "flaky", succeed_on: int = 2) -> int:
    """Fails until its ``succeed_on``-th run (runs are counted in the audit log, which survives a failure)."""
    AuditEntry.objects.create(action="tests.flaky.attempt", message=label)
    runs = AuditEntry.objects.filter(action="tests.flaky.attempt", message=label).count()
    if runs < succeed_on:
        raise RuntimeError(f"flaky failure on run {runs}")
    return runs
