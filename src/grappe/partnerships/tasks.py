"""Background work of the partnerships app (django.tasks).

``send_follow_up_reminders`` is meant to run once a day (``grappe partnerships_reminders``, from cron
or the worker's scheduler); running it twice sends nothing twice (see ``reminders``).
"""

import datetime as dt

from django.tasks import task


@task()
def send_follow_up_reminders(day: str | None = None) -> int:
    """E-mail each owner their due follow-ups; ``day`` is an ISO date (default: today)."""
    from grappe.partnerships.reminders import send_reminders

    return send_reminders(dt.date.fromisoformat(day) if day else None)
