"""The monthly snapshot: declared to the worker's scheduler, archives once per month, never outside the contract."""

import datetime as dt

import pytest
from django.test import override_settings

from grappe.core.registry import periodic_jobs
from grappe.objectives import services
from grappe.objectives.models import ReportArchive

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_monthly_snapshot_is_declared_as_a_daily_periodic_job():
    job = next(job for job in periodic_jobs() if job.key == "objectives.monthly_snapshot")
    assert job.every == dt.timedelta(days=1)
    assert job.description


def test_first_run_of_january_archives_the_closed_year_as_of_the_31st_once(ecosystem_2024, contract):
    archive = services.monthly_snapshot(dt.date(2025, 1, 3))
    assert (archive.year, archive.snapshot_date, archive.kind) == (2024, dt.date(2024, 12, 31), "annual")
    assert archive.pdf_file and archive.xlsx_file
    members = contract.indicators.get(computation_key="ecosystem.members_at_year_end").code
    assert archive.numbers["indicators"][members]["value"] == "4"
    assert services.monthly_snapshot(dt.date(2025, 1, 20)) is None  # same month: already archived
    assert ReportArchive.objects.count() == 1


def test_a_running_year_is_archived_as_of_the_end_of_the_previous_month(ecosystem_2024, contract):
    archive = services.monthly_snapshot(dt.date(2024, 7, 1))
    assert (archive.year, archive.snapshot_date) == (2024, dt.date(2024, 6, 30))


def test_nothing_is_archived_outside_the_contract_or_without_an_active_contract(ecosystem_2024, contract):
    assert services.monthly_snapshot(dt.date(2023, 1, 5)) is None  # 31/12/2022 is before the contract
    assert services.monthly_snapshot(dt.date(2031, 3, 1)) is None  # after it
    contract.status = "draft"
    contract.save()
    assert services.monthly_snapshot(dt.date(2024, 7, 1)) is None
    assert not ReportArchive.objects.exists()


def test_no_contract_at_all_does_nothing(db):
    assert services.monthly_snapshot(dt.date(2024, 7, 1)) is None


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_the_task_runs_the_snapshot(ecosystem_2024, contract):
    from grappe.objectives.tasks import monthly_snapshot

    result = monthly_snapshot.enqueue()
    assert result.return_value == ReportArchive.objects.get().pk
