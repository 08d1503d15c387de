"""``grappe events_due``: enqueue the periodic e-mail work of events (reminders, surveys). Run it hourly (cron).

Both tasks are idempotent (each message is recorded once per registration and kind), so running
this more often, or twice, sends nothing twice. ``--now`` runs them in this process instead.
"""

from django.core.management.base import BaseCommand

from grappe.events.tasks import send_due_reminders, send_due_surveys


class Command(BaseCommand):
    help = "Enqueue the due event reminders (7 days and 1 day before) and satisfaction surveys."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", action="store_true", help="run in this process instead of enqueuing")

    def handle(self, *args, now: bool = False, **options) -> None:
        if now:
            reminders, surveys = send_due_reminders.call(), send_due_surveys.call()
            self.stdout.write(f"reminders sent: {reminders}, surveys sent: {surveys}")
        else:
            send_due_reminders.enqueue()
            send_due_surveys.enqueue()
            self.stdout.write("enqueued: send_due_reminders, send_due_surveys")
