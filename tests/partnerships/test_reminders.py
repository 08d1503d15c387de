"""Follow-up reminders, time-travelled: sent on the due day, once; not before; again after a new date."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from grappe.partnerships import services
from grappe.partnerships.models import Reminder
from grappe.partnerships.tasks import send_follow_up_reminders

START = dt.date(2025, 3, 3)
DUE = dt.date(2025, 3, 10)


@pytest.fixture
def planned(org_a, org_b, staff_user, travel):
    travel(START)
    introduction = services.introduction_create(
        actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="Réemploi de tuiles", follow_up_on=DUE
    )
    interaction = services.interaction_log(
        actor=staff_user,
        organisation=org_a,
        kind="call",
        date=START,
        summary="Appel de découverte",
        next_action="Envoyer la brochure",
        next_action_due=DUE,
    )
    return introduction, interaction


def test_nothing_is_sent_before_the_due_day(planned, travel):
    travel(DUE - dt.timedelta(days=1))
    assert send_follow_up_reminders.call() == 0
    assert mail.outbox == []


def test_due_today_is_sent_once_to_the_owner_with_both_items(planned, travel, staff_user):
    travel(DUE)
    assert send_follow_up_reminders.call() == 1
    (message,) = mail.outbox
    assert message.to == [staff_user.email]
    assert "Alpha Matériaux ↔ Béton Bêta" in message.body
    assert "Envoyer la brochure" in message.body
    assert message.subject == "2 suivis à faire"
    assert f"suivi prévu le {DUE:%d/%m/%Y}" in message.body
    assert Reminder.objects.count() == 2
    assert send_follow_up_reminders.call() == 0
    travel(DUE + dt.timedelta(days=1))
    assert send_follow_up_reminders.call() == 0
    assert len(mail.outbox) == 1


def test_a_missed_day_is_caught_up_the_next_day(planned, travel):
    travel(DUE + dt.timedelta(days=2))
    assert send_follow_up_reminders.call() == 1


def test_closed_introductions_and_done_actions_are_not_reminded(planned, travel, staff_user):
    introduction, interaction = planned
    services.introduction_record_outcome(actor=staff_user, introduction=introduction, outcome="nothing")
    services.interaction_update(actor=staff_user, interaction=interaction, next_action_done=True)
    travel(DUE)
    assert send_follow_up_reminders.call() == 0


def test_a_follow_up_moved_later_is_reminded_again_on_its_new_date(planned, travel, staff_user):
    introduction, _interaction = planned
    travel(DUE)
    send_follow_up_reminders.call()
    new_date = DUE + dt.timedelta(days=7)
    services.introduction_update(actor=staff_user, introduction=introduction, follow_up_on=new_date)
    travel(new_date - dt.timedelta(days=1))
    assert send_follow_up_reminders.call() == 0
    travel(new_date)
    assert send_follow_up_reminders.call() == 1
    assert "Alpha Matériaux ↔ Béton Bêta" in mail.outbox[-1].body
    assert "Envoyer la brochure" not in mail.outbox[-1].body


def test_the_day_can_be_given_explicitly_and_the_command_runs_it(planned, capsys):
    assert send_follow_up_reminders.call(DUE.isoformat()) == 1
    call_command("partnerships_reminders", "--date", DUE.isoformat())
    assert "Reminder e-mails sent: 0" in capsys.readouterr().out


def test_the_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("partnerships_reminders", "--date", "31/12/2025")


def test_follow_up_reminders_are_declared_as_a_daily_periodic_job():
    from grappe.core.registry import periodic_jobs
    from grappe.partnerships import tasks

    job = {j.key: j for j in periodic_jobs()}["partnerships.follow_up_reminders"]
    assert job.task is tasks.send_follow_up_reminders and job.every == dt.timedelta(days=1)
