"""Background work: the candidate queue follows every import, pending update extracts are applied periodically."""

import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from grappe.core.registry import periodic_jobs
from grappe.ecosystem import services as ecosystem
from grappe.register import tasks
from grappe.register.importer import import_extract
from grappe.register.imports import apply_pending_updates, pending_updates
from grappe.register.models import ImportRun, RegisterLink

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FULL = FIXTURES / "full_0146"
UPDATE = FIXTURES / "update_0147"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

pytestmark = pytest.mark.django_db


def unnumbered():
    organisation = ecosystem.organisation_create(actor=None, name="Namur Construction")
    ecosystem.site_add(actor=None, organisation=organisation, postal_code="5000")
    return organisation


def test_an_import_refreshes_the_candidate_queue_in_a_task(settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    organisation = unnumbered()
    assert not RegisterLink.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_extract(FULL)
    assert callbacks  # enqueued after the commit, not run inside the import
    [link] = RegisterLink.objects.filter(organisation=organisation, status=RegisterLink.Status.CANDIDATE)
    assert link.enterprise_number == 200065765


def test_a_failed_import_enqueues_nothing(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    source = tmp_path / "full"
    shutil.copytree(FULL, source)
    (source / "activity.csv").unlink()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(Exception):  # noqa: B017
        import_extract(source)
    assert callbacks == []


def test_the_candidates_page_recomputes_the_queue_in_a_task(staff_client, settings, django_capture_on_commit_callbacks):
    import_extract(FULL)
    organisation = unnumbered()
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(reverse("register:candidates"), follow=True)
    assert "en cours de recalcul" in response.content.decode()
    assert not RegisterLink.objects.exists()  # nothing computed in the request
    for callback in callbacks:
        callback()
    assert RegisterLink.objects.filter(organisation=organisation).count() == 1


def test_the_update_job_is_declared_for_the_scheduler():
    job = next(job for job in periodic_jobs() if job.key == "register.updates")
    assert job.task is tasks.apply_updates and job.every.total_seconds() == 3600


def test_pending_update_extracts_are_applied_in_order_once(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.DATA_DIR = tmp_path / "data"
    drop = tmp_path / "imports"
    drop.mkdir()
    settings.GRAPPE_REGISTER_IMPORT_DIR = str(drop)
    (drop / "notes.txt").write_text("not an extract")
    shutil.copytree(FULL, drop / "KboOpenData_0146_Full")  # a full extract is never applied by the job
    assert pending_updates() == []  # no full extract imported yet: nothing to follow
    import_extract(FULL)
    shutil.copytree(UPDATE, drop / "KboOpenData_0147_2025_10_12_Update")
    assert [number for number, _path in pending_updates()] == [147]
    [run] = apply_pending_updates()
    assert run.status == ImportRun.Status.SUCCEEDED and run.extract_number == 147 and run.kind == "update"
    assert pending_updates() == [] and apply_pending_updates() == []
    assert tasks.apply_updates.enqueue().return_value == []
