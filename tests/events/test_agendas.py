"""B2B agendas are e-mailed once per participant and agenda version: reruns and retries send only the missing
ones, a republication after a change sends the new agenda to those whose agenda changed."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grappe.core import registry
from grappe.core.models import TaskOnce, WorkerHeartbeat
from grappe.events import matchmaking, tasks
from grappe.events.models import Meeting
from tests.events.conftest import make_person

N = 6  # three meetings of two participants


class Killed(BaseException):
    """The worker process dies mid-run: nothing after this point runs, the open transaction rolls back."""


@pytest.fixture
def published(session):
    """Six participants in three meetings on the first three morning slots, schedule published."""
    people = [make_person(n) for n in range(1, N + 1)]
    participants = [
        matchmaking.participant_join(actor=None, session=session, person=p, type="supplier") for p in people
    ]
    slots = list(session.slots.filter(is_break=False).order_by("start"))
    for i in range(0, N, 2):
        request = matchmaking.request_create(actor=None, requester=participants[i], target=participants[i + 1])
        meeting = matchmaking.request_decide(actor=None, request=request, accept=True)
        matchmaking.meeting_move(actor=None, meeting=meeting, slot=slots[i // 2], table=1)
    matchmaking.session_publish(actor=None, session=session, notify=False)
    return session


def killed_after(monkeypatch, k: int) -> None:
    """The worker dies while sending the (k+1)-th e-mail: k were sent and recorded."""
    real = EmailBackend.send_messages

    def send_messages(self, messages):
        if len(mail.outbox) >= k:
            raise Killed
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def recipients() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


@pytest.mark.parametrize("k", [0, 2, 5])
def test_a_run_killed_after_k_agendas_then_rerun_sends_exactly_the_missing_ones(published, monkeypatch, k):
    with monkeypatch.context() as m:
        killed_after(m, k)
        with pytest.raises(Killed):
            tasks.send_agendas.call(published.pk)
    first = recipients()
    assert len(first) == k
    assert TaskOnce.objects.filter(key__startswith="events.agenda:").count() == k  # the (k+1)-th rolled back

    assert tasks.send_agendas.call(published.pk) == N - k
    assert len(mail.outbox) == N
    assert recipients() == sorted(f"p{n}@example.test" for n in range(1, N + 1))  # each one exactly once
    assert not set(first) & {m.to[0] for m in mail.outbox[k:]}

    assert tasks.send_agendas.call(published.pk) == 0  # a second full rerun sends none
    assert len(mail.outbox) == N


def test_a_failed_email_does_not_stop_the_others_and_the_retry_sends_it(published, monkeypatch):
    real = EmailBackend.send_messages

    def refuse_p3(self, messages):
        if messages[0].to == ["p3@example.test"]:
            raise ConnectionRefusedError("SMTP down for this one")
        return real(self, messages)

    with monkeypatch.context() as m:
        m.setattr(EmailBackend, "send_messages", refuse_p3)
        with pytest.raises(RuntimeError, match="1 B2B agenda"):
            tasks.send_agendas.call(published.pk)
    assert len(mail.outbox) == N - 1 and "p3@example.test" not in recipients()
    assert tasks.send_agendas.call(published.pk) == 1
    assert mail.outbox[-1].to == ["p3@example.test"]


def test_a_republication_sends_the_new_agenda_to_those_whose_agenda_changed(published):
    assert tasks.send_agendas.call(published.pk) == N
    mail.outbox.clear()

    # Nothing changed: publishing again sends nothing.
    matchmaking.session_publish(actor=None, session=published, notify=False)
    assert tasks.send_agendas.call(published.pk) == 0

    # Prénom1 and Prénom2's meeting moves to another slot: both get their new agenda, nobody else.
    meeting = Meeting.objects.get(session=published, participant_a__person__email="p1@example.test")
    free = published.slots.filter(is_break=False).order_by("start")[3]
    matchmaking.meeting_move(actor=None, meeting=meeting, slot=free, table=2)
    matchmaking.session_publish(actor=None, session=published, notify=False)
    assert tasks.send_agendas.call(published.pk) == 2
    assert recipients() == ["p1@example.test", "p2@example.test"]
    ics = mail.outbox[0].attachments[0][1]
    assert f"SEQUENCE:{published.event.sequence + meeting.sequence + 1}" in ics  # the moved meeting's revision
    assert tasks.send_agendas.call(published.pk) == 0

    # Moved back where it was: a new revision of the meeting, so the agenda is sent again (not "already seen").
    matchmaking.meeting_move(actor=None, meeting=meeting, slot=meeting.slot, table=1)
    matchmaking.session_publish(actor=None, session=published, notify=False)
    assert tasks.send_agendas.call(published.pk) == 2

    # A cancelled meeting changes both agendas too.
    mail.outbox.clear()
    other = Meeting.objects.get(session=published, participant_a__person__email="p3@example.test")
    matchmaking.meeting_cancel(actor=None, meeting=other)
    matchmaking.session_publish(actor=None, session=published, notify=False)
    assert tasks.send_agendas.call(published.pk) == 2
    assert recipients() == ["p3@example.test", "p4@example.test"]


def test_the_agendas_take_the_default_retry_policy(published, settings):
    settings.GRAPPE_TASK_MAX_ATTEMPTS = 5  # not the built-in 3: a policy declared for the task would not follow
    assert registry.retry_policy(tasks.send_agendas.module_path).attempts == 5


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_then_a_staff_retry_send_each_agenda_once(published, monkeypatch, settings, staff_client):
    """The worker dies after 2 of 6 agendas; the rescuer sends the others but one (SMTP refuses it) and the
    task fails; the jobs page's Retry then sends that one only."""
    from django.urls import reverse

    settings.GRAPPE_TASK_MAX_ATTEMPTS = 2  # the victim's attempt and the rescuer's
    with monkeypatch.context() as m:
        killed_after(m, 2)
        with pytest.raises(Killed):
            tasks.send_agendas.call(published.pk)  # what the victim did before dying
    result = tasks.send_agendas.enqueue(published.pk)
    stale = timezone.now() - dt.timedelta(minutes=10)
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["victim"], started_at=stale
    )
    WorkerHeartbeat.objects.create(worker_id="victim", started_at=stale, seen_at=stale, pid=1)
    real = EmailBackend.send_messages
    refused = "p5@example.test"

    def smtp_refuses_one(self, messages):
        if messages[0].to == [refused]:
            raise ConnectionRefusedError("SMTP refuses this one")
        return real(self, messages)

    with monkeypatch.context() as m:
        m.setattr(EmailBackend, "send_messages", smtp_refuses_one)
        call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id="rescuer")
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.FAILED and row.worker_ids == ["victim", "rescuer"]
    assert len(mail.outbox) == N - 1 and refused not in recipients()

    staff_client.post(reverse("core:job_retry", args=[result.id]))
    retry = DBTaskResult.objects.exclude(id=result.id).get(task_path=row.task_path)  # enqueued by the button
    call_command("worker", batch=True, reload=False, startup_delay=False, verbosity=0, worker_id="rescuer")
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.SUCCESSFUL and retry.return_value == 1
    assert len(mail.outbox) == N and mail.outbox[-1].to == [refused]
    assert recipients() == sorted(f"p{n}@example.test" for n in range(1, N + 1))
