"""``grappe innovation_reminders [--date YYYY-MM-DD] [--enqueue]``: send the call deadline reminders."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from grappe.innovation.tasks import send_deadline_reminders


class Command(BaseCommand):
    help = "E-mail project owners the funding calls that close within two weeks (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="Day to run for (YYYY-MM-DD), default today.")
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the task for the worker instead.")

    def handle(self, *args, **options) -> None:
        day = options.get("date")
        if day:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--date: not a date (YYYY-MM-DD): {day!r}") from None
        if options["enqueue"]:
            result = send_deadline_reminders.enqueue(day)
            self.stdout.write(f"Enqueued: {result.id}")
            return
        sent = send_deadline_reminders.call(day)
        self.stdout.write(f"Reminder e-mails sent: {sent}")
