"""Deadline reminders: who gets an e-mail, about which calls, on which day, and never twice."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from grappe.core.registry import periodic_jobs
from grappe.innovation import reminders, services, tasks
from grappe.innovation.models import DeadlineReminder, FundingCall, InnovationProject

from ..conftest import make_user

Stage = InnovationProject.Stage
DAY = dt.date(2026, 3, 2)


def make_call(staff_user, title: str, closes_in: int, **fields) -> FundingCall:
    return services.call_create(
        actor=staff_user,
        title=title,
        programme="Programme test",
        funder="Région",
        level=fields.pop("level", FundingCall.Level.FEDERAL),
        opens_on=DAY - dt.timedelta(days=60),
        closes_on=DAY + dt.timedelta(days=closes_in),
        **fields,
    )


@pytest.fixture
def other_staff(db):
    return make_user("marc@cluster.test", "staff", full_name="Marc Mission")


@pytest.fixture
def calls(staff_user):
    return {
        "chosen": make_call(staff_user, "Appel choisi", 10),
        "soon": make_call(staff_user, "Appel proche", 5),
        "today": make_call(staff_user, "Appel du jour", 0),
        "later": make_call(staff_user, "Appel lointain", 30),
        "big": make_call(staff_user, "Appel à grand consortium", 7, min_partners=5),
    }


@pytest.fixture
def projects(staff_user, other_staff, org_a, org_b, calls):
    """Who owns what: staff_user has a project with a chosen call; other_staff one without call."""

    def project(title, owner, stage=Stage.IDEA, lead=org_a, **fields):
        return services.project_create(
            actor=staff_user, title=title, lead_organisation=lead, owner=owner, stage=stage, **fields
        )

    return {
        "chosen": project("Briques de réemploi", staff_user, funding_call=calls["chosen"]),
        "open": project("Béton recyclé", other_staff, stage=Stage.ELABORATION, lead=org_b),
        "submitted": project("Déjà déposé", staff_user, stage=Stage.SUBMITTED),
        "ownerless": project("Sans chargé de mission", None),
    }


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_each_owner_gets_one_email_listing_the_calls_closing_within_two_weeks(projects, calls, staff_user):
    assert reminders.send_deadline_reminders(DAY) == 2
    assert len(mail.outbox) == 2
    (mine,) = sent_to(staff_user.email)
    # The project with a chosen call is reminded about that call only, not the other open calls.
    assert "Briques de réemploi" in mine.body and "Appel choisi" in mine.body
    assert "Appel proche" not in mine.body and "Déjà déposé" not in mine.body
    assert "dans 10 jours" in mine.body
    assert mine.subject == "1 appel à projets clôture bientôt"
    (theirs,) = sent_to("marc@cluster.test")
    # Without a chosen call: the eligible open calls closing within 14 days (today included).
    assert "Appel proche" in theirs.body and "Appel du jour" in theirs.body and "Appel choisi" in theirs.body
    assert "aujourd'hui" in theirs.body
    assert "Appel lointain" not in theirs.body  # closes in 30 days
    assert "Appel à grand consortium" not in theirs.body  # not eligible: 5 partners required
    assert theirs.subject == "3 appels à projets clôturent bientôt"
    assert f"/staff/innovation/projects/{projects['open'].pk}/" in theirs.body


def test_a_second_run_the_same_day_or_the_next_sends_nothing(projects, calls):
    assert reminders.send_deadline_reminders(DAY) == 2
    mail.outbox.clear()
    assert reminders.send_deadline_reminders(DAY) == 0
    assert reminders.send_deadline_reminders(DAY + dt.timedelta(days=1)) == 0
    assert mail.outbox == []
    assert DeadlineReminder.objects.count() == 4  # (project, call) pairs: 1 + 3


def test_a_call_whose_closing_date_moves_is_reminded_again(projects, calls, staff_user):
    reminders.send_deadline_reminders(DAY)
    mail.outbox.clear()
    services.call_update(actor=staff_user, call=calls["chosen"], closes_on=DAY + dt.timedelta(days=12))
    # Both owners: the chosen call is also an eligible open call for the other project.
    assert reminders.send_deadline_reminders(DAY + dt.timedelta(days=1)) == 2
    (message,) = sent_to(staff_user.email)
    assert "Appel choisi" in message.body and "dans 11 jours" in message.body
    assert "Appel proche" not in "".join(m.body for m in mail.outbox)  # unchanged: already reminded


def test_a_call_entering_the_two_week_window_is_reminded_on_that_day(projects, calls, staff_user):
    reminders.send_deadline_reminders(DAY)
    mail.outbox.clear()
    assert reminders.send_deadline_reminders(DAY + dt.timedelta(days=15)) == 0  # later closes in 15 days
    assert reminders.send_deadline_reminders(DAY + dt.timedelta(days=16)) == 1
    (message,) = mail.outbox
    assert "Appel lointain" in message.body and "dans 14 jours" in message.body


def test_projects_past_elaboration_abandoned_or_with_an_inactive_owner_are_not_reminded(
    projects, calls, staff_user, other_staff
):
    services.project_move_stage(
        actor=staff_user, project=projects["open"], to_stage=Stage.ABANDONED, reason="Pas de partenaire"
    )
    staff_user.is_active = False
    staff_user.save()
    assert reminders.send_deadline_reminders(DAY) == 0
    assert mail.outbox == []


def test_the_reminder_is_written_in_the_owner_language(projects, calls, other_staff):
    other_staff.language = "en"
    other_staff.save()
    reminders.send_deadline_reminders(DAY)
    (message,) = sent_to(other_staff.email)
    assert "Béton recyclé" in message.body


def test_the_command_and_the_task_run_the_same_reminders(projects, calls):
    out = io.StringIO()
    call_command("innovation_reminders", "--date", DAY.isoformat(), stdout=out)
    assert len(mail.outbox) == 2 and "Reminder e-mails sent: 2" in out.getvalue()
    assert tasks.send_deadline_reminders.call(DAY.isoformat()) == 0


def test_deadline_reminders_are_declared_as_a_daily_periodic_job():
    job = {j.key: j for j in periodic_jobs()}["innovation.deadline_reminders"]
    assert job.task is tasks.send_deadline_reminders and job.every == dt.timedelta(days=1)
