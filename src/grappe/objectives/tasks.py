"""Background work of the objectives app: archiving a report (computing and rendering can take seconds)."""

import datetime as dt

from django.tasks import task


@task()
def archive_report(
    *, contract_id: int, year: int, kind: str, language: str, snapshot: str | None, user_id: int | None
) -> int:
    from django.contrib.auth import get_user_model

    from grappe.objectives import services
    from grappe.objectives.models import ObjectivesContract

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    archive = services.report_archive(
        actor=user,
        contract=ObjectivesContract.objects.get(pk=contract_id),
        year=year,
        kind=kind,
        language=language,
        snapshot_date=dt.date.fromisoformat(snapshot) if snapshot else None,
    )
    return archive.pk


@task()
def monthly_snapshot() -> int | None:
    """Periodic (daily, acts once a month): archive the annual report as of the end of last month."""
    from grappe.objectives import services

    archive = services.monthly_snapshot()
    return archive.pk if archive else None
