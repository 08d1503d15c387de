"""Polling and digests run periodically: declared to the worker's scheduler, the poll job fans out."""

import datetime as dt

import pytest
from django.utils import timezone

from grappe.core.registry import periodic_jobs
from grappe.watch import tasks
from grappe.watch.models import Source


def test_polling_and_digests_are_declared_to_the_scheduler():
    jobs = {job.key: job for job in periodic_jobs()}
    assert jobs["watch.poll"].task is tasks.enqueue_due_polls
    assert jobs["watch.poll"].every == dt.timedelta(minutes=5)
    assert jobs["watch.digests"].task is tasks.send_due_digests
    assert jobs["watch.digests"].every <= dt.timedelta(hours=2)  # within the digests' early tolerance


@pytest.mark.django_db(transaction=True)
def test_the_periodic_poll_enqueues_one_task_per_due_source(monkeypatch):
    now = timezone.now()
    due = Source.objects.create(url="https://a.example/feed", next_poll_at=now - dt.timedelta(minutes=1))
    Source.objects.create(url="https://b.example/feed", next_poll_at=now + dt.timedelta(hours=1))
    Source.objects.create(url="https://c.example/feed", status=Source.Status.PAUSED)
    Source.objects.create(url="https://d.example/feed", polling_enabled=False)
    enqueued = []

    class FakeTask:
        def enqueue(self, *args):
            enqueued.append(args)

    monkeypatch.setattr(tasks, "poll_source", FakeTask())
    assert tasks.enqueue_due_polls.call() == {"enqueued": 1}
    assert enqueued == [(due.pk,)]
