"""Background work of the register app (django.tasks): imports, the candidate queue, pending update extracts."""

from django.tasks import task


@task()
def run_import(run_id: int) -> str:
    """Import the extract of a queued ``ImportRun`` (see ``imports.run_request``); returns its final status."""
    from grappe.register.imports import run_request

    return run_request(run_id).status


@task()
def refresh_candidates() -> int:
    """Recompute the review queue of candidate matches (enqueued after every successful import)."""
    from grappe.register.services import candidates_refresh_all

    return candidates_refresh_all()


@task()
def apply_updates() -> list[str]:
    """Apply, in order, the update extracts dropped in the server's import directory (periodic job)."""
    from grappe.register.imports import apply_pending_updates

    return [f"{run.extract_number} {run.status}" for run in apply_pending_updates()]
