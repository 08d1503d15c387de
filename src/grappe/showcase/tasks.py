"""Background work of the showcase (django.tasks)."""

from django.tasks import task


@task
def reindex_directory() -> dict:
    """Re-index the public directory: memberships that ended or started since the last run (periodic)."""
    from grappe.showcase import search

    return {"indexed": search.rebuild_index()}


@task
def send_opportunity_expiry_reminders(day: str | None = None) -> int:
    """E-mail posters whose opportunities expire soon, once per expiry date; ``day`` is an ISO date (default: today)."""
    import datetime as dt

    from grappe.showcase.opportunity_reminders import send_reminders

    return send_reminders(dt.date.fromisoformat(day) if day else None)
