import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from grappe.events import services, tasks
from grappe.events.models import Notification, Registration
from tests.events.conftest import register


@pytest.fixture
def clock(monkeypatch):
    """Time travel: ``clock.set(moment)`` makes ``timezone.now()`` return ``moment``."""

    class Clock:
        def set(self, moment: dt.datetime) -> None:
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


@pytest.fixture
def early_registrations(event, people):
    """Two confirmed registrations made three weeks before the event, one waitlisted."""
    regs = [register(event, p) for p in people[:3]]
    Registration.objects.filter(pk__in=[r.pk for r in regs]).update(created_at=event.start - dt.timedelta(days=21))
    return regs


def test_reminders_go_out_7_days_then_1_day_before_and_never_twice(event, early_registrations, clock):
    clock.set(event.start - dt.timedelta(days=8))
    assert tasks.send_due_reminders.call() == 0
    clock.set(event.start - dt.timedelta(days=6, hours=23))
    assert tasks.send_due_reminders.call() == 2  # the waitlisted person gets none
    assert tasks.send_due_reminders.call() == 0
    assert all(m.subject.startswith("Dans une semaine") for m in mail.outbox)
    assert mail.outbox[0].attachments[0][0].endswith(".ics")
    clock.set(event.start - dt.timedelta(hours=20))
    assert tasks.send_due_reminders.call() == 2
    assert tasks.send_due_reminders.call() == 0
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER_1).count() == 2
    clock.set(event.start + dt.timedelta(minutes=5))
    assert tasks.send_due_reminders.call() == 0


def test_a_registration_made_on_the_eve_gets_no_reminder(event, people, clock):
    clock.set(event.start - dt.timedelta(hours=10))
    register(event, people[0])
    assert tasks.send_due_reminders.call() == 0


def test_a_cancelled_registration_gets_no_reminder(event, early_registrations, clock):
    services.registration_cancel(actor=None, registration=early_registrations[0])
    clock.set(event.start - dt.timedelta(days=3))
    assert tasks.send_due_reminders.call() == 2  # the promoted person and the other confirmed one


def test_surveys_go_to_participants_who_came_once_after_the_event(event, early_registrations, clock):
    services.registration_check_in(actor=None, registration=early_registrations[0])
    clock.set(event.start - dt.timedelta(hours=1))
    assert tasks.send_due_surveys.call() == 0
    clock.set(event.end + dt.timedelta(hours=1))
    services.event_record_no_shows(actor=None, event=event)
    assert tasks.send_due_surveys.call() == 1
    assert tasks.send_due_surveys.call() == 0
    (message,) = mail.outbox
    assert "/events/survey/" in message.body
    clock.set(event.end + dt.timedelta(days=30))
    Notification.objects.all().delete()
    assert tasks.send_due_surveys.call() == 0  # too late: outside the survey window


def test_a_failed_send_is_retried_next_run(event, early_registrations, clock, monkeypatch):
    clock.set(event.start - dt.timedelta(days=6))

    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(OSError):
        tasks.send_due_reminders.call()
    assert not Notification.objects.filter(kind=Notification.Kind.REMINDER_7).exists()
    monkeypatch.undo()
    clock.set(event.start - dt.timedelta(days=6))
    assert tasks.send_due_reminders.call() == 2


def test_the_periodic_command_runs_both_tasks_in_process(event, early_registrations, clock):
    from io import StringIO

    from django.core.management import call_command

    clock.set(event.start - dt.timedelta(days=6))
    out = StringIO()
    call_command("events_due", "--now", stdout=out)
    assert "reminders sent: 2" in out.getvalue()
