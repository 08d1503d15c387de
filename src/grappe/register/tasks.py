"""Background work of the register app (django.tasks): imports requested from the staff workspace."""

from django.tasks import task


@task()
def run_import(run_id: int) -> str:
    """Import the extract of a queued ``ImportRun`` (see ``imports.run_request``); returns its final status."""
    from grappe.register.imports import run_request

    return run_request(run_id).status
