"""Background work of the register app (django.tasks): imports, the candidate queue, pending update extracts."""

from django.tasks import TaskContext, task


@task(takes_context=True)
def run_import(context: TaskContext, run_id: int) -> str:
    """Import the extract of a queued ``ImportRun`` (see ``imports.run_request``); returns its final status.

    Run again after its worker died mid-import, it starts its run over (the dead attempt committed nothing)."""
    from grappe.register.imports import Owner, run_request

    return run_request(run_id, Owner(str(context.task_result.id), context.attempt)).status


@task()
def refresh_candidates() -> int:
    """Recompute the review queue of candidate matches (enqueued after every successful import)."""
    from grappe.register.services import candidates_refresh_all

    return candidates_refresh_all()


@task(takes_context=True)
def apply_updates(context: TaskContext) -> list[str]:
    """Apply, in order, the update extracts dropped in the server's import directory (periodic job)."""
    from grappe.register.imports import Owner, apply_pending_updates

    owner = Owner(str(context.task_result.id), context.attempt)
    return [f"{run.extract_number} {run.status}" for run in apply_pending_updates(owner)]
