"""Background work of the innovation app (django.tasks).

``send_deadline_reminders`` runs once a day (``grappe innovation_reminders`` from cron, or enqueued);
running it twice sends nothing twice (see ``reminders``).
"""

import datetime as dt

from django.tasks import task


@task()
def send_deadline_reminders(day: str | None = None) -> int:
    """E-mail each project owner the calls closing soon for their projects; ``day`` is an ISO date."""
    from grappe.innovation.reminders import send_deadline_reminders as send

    return send(dt.date.fromisoformat(day) if day else None)
