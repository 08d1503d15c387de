"""Background work of the showcase (django.tasks)."""

from django.tasks import task


@task
def reindex_directory() -> dict:
    """Re-index the public directory: memberships that ended or started since the last run (periodic)."""
    from grappe.showcase import search

    return {"indexed": search.rebuild_index()}
