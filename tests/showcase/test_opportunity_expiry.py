"""Opportunities expire: gone from every public page and feed; the poster is reminded once before."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from grappe.core import registry
from grappe.showcase import opportunity_reminders, tasks
from grappe.showcase.models import Opportunity


@pytest.fixture
def public_a(org_a):
    org_a.public_profile_consent = True
    org_a.save()
    return org_a


def _opportunity(org, poster, title, days, **fields) -> Opportunity:
    values = {
        "kind": Opportunity.Kind.JOB,
        "status": Opportunity.Status.PUBLISHED,
        "title": title,
        "description": "Description.",
        "organisation": org,
        "expires_on": timezone.localdate() + dt.timedelta(days=days),
        "published_at": timezone.now(),
        "posted_by": poster,
    }
    values.update(fields)
    return Opportunity.objects.create(**values)


def test_expired_opportunity_leaves_pages_feed_and_profile(client, public_a, member_a):
    _opportunity(public_a, member_a, "Open today", 0)
    _opportunity(public_a, member_a, "SENTINEL-EXPIRED", -1)
    urls = ["/fr/opportunities/", "/fr/opportunities/rss.xml", f"/fr/directory/{public_a.slug}/", "/sitemap.xml"]
    for url in urls:
        body = client.get(url).content.decode()
        assert "SENTINEL-EXPIRED" not in body, url
    assert "Open today" in client.get("/fr/opportunities/").content.decode()
    assert "Open today" in client.get("/fr/opportunities/rss.xml").content.decode()


def test_poster_is_reminded_once_per_expiry_date(public_a, member_a, staff_user):
    soon = _opportunity(public_a, member_a, "Stage BIM", 5)
    _opportunity(public_a, member_a, "Later", 60)  # outside the 7-day window
    _opportunity(public_a, member_a, "Expired", -1)
    _opportunity(public_a, member_a, "Pending", 3, status=Opportunity.Status.PENDING)
    _opportunity(public_a, None, "Nobody to tell", 3)
    staff_post = _opportunity(None, staff_user, "Appel d'offres", 7)

    assert opportunity_reminders.send_reminders() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@alpha.test", "staff@cluster.test"]
    message = next(m for m in mail.outbox if m.to == ["anna@alpha.test"])
    assert "Stage BIM" in message.subject and "Stage BIM" in message.body
    assert soon.expires_on.strftime("%d/%m/%Y") in message.body
    assert "/portal/opportunities/" in message.body
    staff_message = next(m for m in mail.outbox if m.to == ["staff@cluster.test"])
    assert "/staff/showcase/opportunities/" in staff_message.body

    assert opportunity_reminders.send_reminders() == 0  # never twice
    assert opportunity_reminders.send_reminders(timezone.localdate() + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
    soon.refresh_from_db()
    staff_post.refresh_from_db()
    assert soon.reminded_for == soon.expires_on and staff_post.reminded_for == staff_post.expires_on

    # The date is moved later: the poster is reminded again when the new date comes near.
    Opportunity.objects.filter(pk=soon.pk).update(expires_on=soon.expires_on + dt.timedelta(days=30))
    assert opportunity_reminders.send_reminders() == 0
    assert opportunity_reminders.send_reminders(timezone.localdate() + dt.timedelta(days=30)) == 1


def test_reminder_in_the_posters_language(public_a, member_a):
    member_a.language = "en"
    member_a.save()
    _opportunity(public_a, member_a, "Stage BIM", 2)
    opportunity_reminders.send_reminders()
    assert len(mail.outbox) == 1


@override_settings(GRAPPE_SHOWCASE_OPPORTUNITY_REMINDER_DAYS=2)
def test_window_is_a_setting(public_a, member_a):
    _opportunity(public_a, member_a, "In three days", 3)
    assert opportunity_reminders.send_reminders() == 0
    assert opportunity_reminders.send_reminders(timezone.localdate() + dt.timedelta(days=1)) == 1


def test_a_failed_send_is_retried_next_run(public_a, member_a, monkeypatch):
    opportunity = _opportunity(public_a, member_a, "Stage BIM", 2)

    def fail(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    assert opportunity_reminders.send_reminders() == 0
    opportunity.refresh_from_db()
    assert opportunity.reminded_for is None  # the claim was rolled back
    monkeypatch.undo()
    assert opportunity_reminders.send_reminders() == 1


def test_reminders_are_a_periodic_job(public_a, member_a):
    jobs = {job.key: job for job in registry.periodic_jobs()}
    job = jobs["showcase.opportunity_expiry_reminders"]
    assert job.every == dt.timedelta(days=1)
    _opportunity(public_a, member_a, "Stage BIM", 1)
    assert tasks.send_opportunity_expiry_reminders.call() == 1
