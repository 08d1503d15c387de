"""Deadline reminders: one e-mail per project owner listing the calls that close soon for their projects.

For each project still being shaped (idea, emergence, elaboration) with an owner, the calls considered are
its chosen call, else the open calls it is eligible for; a call closing within ``DAYS`` days is reminded
once per (project, call, closing date) — ``DeadlineReminder`` rows are written in the same transaction as
the e-mail is sent, so running twice sends nothing twice and a failed send is retried next run. A call
whose closing date moves is reminded again for the new date.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from grappe.innovation.matching import eligible_calls_by_project
from grappe.innovation.models import DeadlineReminder, InnovationProject

DAYS = 14
SHAPING_STAGES = (InnovationProject.Stage.IDEA, InnovationProject.Stage.EMERGENCE, InnovationProject.Stage.ELABORATION)


def due_deadlines(day: dt.date) -> list[tuple[InnovationProject, Any]]:
    """(project, call) pairs to remind on ``day``, not reminded yet for the call's current closing date."""
    horizon = day + dt.timedelta(days=DAYS)
    projects = (
        InnovationProject.objects.filter(stage__in=SHAPING_STAGES, owner__isnull=False, owner__is_active=True)
        .select_related("owner", "funding_call", "lead_organisation")
        .order_by("pk")
    )
    sent = set(DeadlineReminder.objects.filter(closes_on__gte=day).values_list("project_id", "call_id", "closes_on"))
    projects = list(projects)
    eligible = eligible_calls_by_project([p for p in projects if not p.funding_call_id], day=day)
    pairs = []
    for project in projects:
        if project.funding_call_id:
            calls = [project.funding_call] if project.funding_call.is_open_on(day) else []
        else:
            calls = [m.call for m in eligible[project.pk]]
        for call in calls:
            if day <= call.closes_on <= horizon and (project.pk, call.pk, call.closes_on) not in sent:
                pairs.append((project, call))
    return pairs


def _message(owner: Any, pairs: list[tuple[InnovationProject, Any]], day: dt.date) -> EmailMessage:
    with translation.override(getattr(owner, "language", None) or settings.LANGUAGE_CODE):
        base = settings.SITE_URL.rstrip("/")
        lines = [
            {
                "project": project,
                "call": call,
                "days": (call.closes_on - day).days,
                "url": base + reverse("innovation:project_detail", args=[project.pk]),
            }
            for project, call in pairs
        ]
        subject = ngettext(
            "%(n)s appel à projets clôture bientôt", "%(n)s appels à projets clôturent bientôt", len(lines)
        ) % {"n": len(lines)}
        body = render_to_string("innovation/email/deadline_reminder.txt", {"owner": owner, "lines": lines})
    return EmailMessage(subject=subject, body=body, to=[owner.email])


def send_deadline_reminders(day: dt.date | None = None) -> int:
    """Send the reminders due on ``day`` (default: today); returns the number of e-mails sent."""
    day = day or timezone.localdate()
    per_owner: dict[int, list] = defaultdict(list)
    owners: dict[int, Any] = {}
    for project, call in due_deadlines(day):
        per_owner[project.owner_id].append((project, call))
        owners[project.owner_id] = project.owner
    sent = 0
    for owner_id, pairs in sorted(per_owner.items()):
        owner = owners[owner_id]
        if not owner.email:
            continue
        try:
            with transaction.atomic():
                DeadlineReminder.objects.bulk_create(
                    [DeadlineReminder(project=p, call=c, closes_on=c.closes_on) for p, c in pairs]
                )
                _message(owner, pairs, day).send()
        except IntegrityError:
            continue  # another run claimed these reminders first and sends them
        sent += 1
    return sent
