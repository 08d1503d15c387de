"""Follow-up reminders: one e-mail per owner listing their introductions and next actions that are due.

Idempotent: each (introduction or interaction, due date) gets one ``Reminder`` row, written in the same
transaction as the e-mail is sent; a failed send rolls the rows back and the next run retries. A
follow-up moved to a new date is reminded again on that date. Items overdue for more than
``WINDOW`` days are left alone (after an outage, nobody wants last quarter's backlog by e-mail).
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from grappe.partnerships.models import Interaction, Introduction, Reminder

WINDOW = dt.timedelta(days=14)


def due_introductions(day: dt.date):
    return (
        Introduction.objects.exclude(status=Introduction.Status.CLOSED)
        .filter(follow_up_on__lte=day, follow_up_on__gte=day - WINDOW, owner__isnull=False, owner__is_active=True)
        .exclude(reminders__due_on=F("follow_up_on"))
        .select_related("organisation_a", "organisation_b", "owner")
        .order_by("follow_up_on", "pk")
    )


def due_interactions(day: dt.date):
    return (
        Interaction.objects.filter(
            next_action_done=False,
            next_action_due__lte=day,
            next_action_due__gte=day - WINDOW,
            owner__isnull=False,
            owner__is_active=True,
        )
        .exclude(next_action="")
        .exclude(reminders__due_on=F("next_action_due"))
        .select_related("organisation", "owner")
        .order_by("next_action_due", "pk")
    )


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _message(
    owner: Any, introductions: list[Introduction], interactions: list[Interaction], day: dt.date
) -> EmailMessage:
    with translation.override(getattr(owner, "language", None) or settings.LANGUAGE_CODE):
        context = {
            "owner": owner,
            "day": day,
            "introductions": introductions,
            "interactions": interactions,
            "introductions_url": _absolute(reverse("partnerships:introduction_list") + "?mine=1"),
            "interaction_urls": {
                i.pk: _absolute(reverse("partnerships:organisation_interactions", args=[i.organisation_id]))
                for i in interactions
            },
        }
        count = len(introductions) + len(interactions)
        subject = ngettext("%(n)s suivi à faire", "%(n)s suivis à faire", count) % {"n": count}
        body = render_to_string("partnerships/email/follow_up_reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[owner.email])


def send_reminders(day: dt.date | None = None) -> int:
    """Send the reminders due on ``day`` (default: today); returns the number of e-mails sent."""
    day = day or timezone.localdate()
    per_owner: dict[int, dict[str, list]] = defaultdict(lambda: {"introductions": [], "interactions": []})
    owners: dict[int, Any] = {}
    for introduction in due_introductions(day):
        per_owner[introduction.owner_id]["introductions"].append(introduction)
        owners[introduction.owner_id] = introduction.owner
    for interaction in due_interactions(day):
        per_owner[interaction.owner_id]["interactions"].append(interaction)
        owners[interaction.owner_id] = interaction.owner
    sent = 0
    for owner_id, items in sorted(per_owner.items()):
        owner = owners[owner_id]
        if not owner.email:
            continue
        rows = [Reminder(introduction=i, due_on=i.follow_up_on, recipient=owner.email) for i in items["introductions"]]
        rows += [
            Reminder(interaction=i, due_on=i.next_action_due, recipient=owner.email) for i in items["interactions"]
        ]
        try:
            with transaction.atomic():
                Reminder.objects.bulk_create(rows)
                _message(owner, items["introductions"], items["interactions"], day).send()
        except IntegrityError:
            # Another run claimed these reminders first and sends them: nothing to do here.
            continue
        sent += 1
    return sent
