"""``grappe partnerships_reminders [--date YYYY-MM-DD] [--enqueue]``: send the due follow-up reminders."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from grappe.partnerships.tasks import send_follow_up_reminders


class Command(BaseCommand):
    help = "Send the follow-up reminders of introductions and interactions that are due (idempotent)."

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
            result = send_follow_up_reminders.enqueue(day)
            self.stdout.write(f"Enqueued: {result.id}")
            return
        sent = send_follow_up_reminders.call(day)
        self.stdout.write(f"Reminder e-mails sent: {sent}")
