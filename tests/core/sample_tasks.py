"""Tasks used by the scheduler and worker tests (importable by a worker subprocess)."""

import os
import time

from django.tasks import task

from grappe.core.models import AuditEntry


@task()
def record(label: str = "tick") -> str:
    AuditEntry.objects.create(action="tests.periodic", message=label)
    return label


@task()
def boom() -> None:
    raise RuntimeError("the sample job failed on purpose")


@task()
def slow(label: str = "slow") -> str:
    """Sleeps GRAPPE_TEST_SLOW_SECONDS (0 unless a test's worker subprocess sets it)."""
    AuditEntry.objects.create(action="tests.slow.started", message=label)
    time.sleep(float(os.environ.get("GRAPPE_TEST_SLOW_SECONDS", "0")))
    AuditEntry.objects.create(action="tests.slow.finished", message=label)
    return label
