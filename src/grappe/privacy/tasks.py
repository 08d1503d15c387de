from django.conf import settings
from django.tasks import task


@task()
def apply_retention() -> int:
    """Daily: erase the retention candidates when GRAPPE_RETENTION_APPLY is on, else a dry run (audited)."""
    from grappe.privacy.services import retention_run

    return len(retention_run(apply=bool(getattr(settings, "GRAPPE_RETENTION_APPLY", False))))
