"""Expiry reminders: the poster of a published opportunity is told by e-mail some days before it expires.

Run daily by the worker's scheduler (``showcase.opportunity_expiry_reminders``). Never twice: each
opportunity is claimed for its expiry date (``reminded_for``) by a conditional UPDATE in the same
transaction as the e-mail is sent; a second run, or a concurrent one, finds it claimed. A failed send
rolls the claim back and the next run retries. An expiry date moved later is reminded again. The e-mail links
to the extend page (a new date, a year ahead at most) and to the list where the poster edits or withdraws it.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grappe.accounts import permissions
from grappe.showcase.models import Opportunity

logger = logging.getLogger(__name__)


def reminder_days() -> int:
    """How many days before expiry the poster is reminded (``GRAPPE_SHOWCASE_OPPORTUNITY_REMINDER_DAYS``)."""
    return max(int(getattr(settings, "GRAPPE_SHOWCASE_OPPORTUNITY_REMINDER_DAYS", 7)), 1)


def due(day: dt.date) -> QuerySet[Opportunity]:
    """Published opportunities expiring within the reminder window whose poster was not reminded of that date."""
    return (
        Opportunity.objects.filter(
            status=Opportunity.Status.PUBLISHED,
            expires_on__gte=day,
            expires_on__lte=day + dt.timedelta(days=reminder_days()),
            posted_by__isnull=False,
            posted_by__is_active=True,
        )
        .exclude(posted_by__email="")
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("expires_on")))
        .select_related("posted_by")
        .order_by("expires_on", "pk")
    )


def _message(opportunity: Opportunity) -> EmailMessage:
    user = opportunity.posted_by
    path = (
        reverse("showcase_members:staff_opportunities")
        if permissions.is_staff(user)
        else reverse("showcase_members:portal_opportunities")
    )
    site = settings.SITE_URL.rstrip("/")
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        context = {
            "user": getattr(user, "full_name", "") or user.email,
            "opportunity": opportunity,
            "url": site + path,
            "extend_url": site + reverse("showcase_members:opportunity_extend", args=[opportunity.pk]),
            "cluster_name": settings.GRAPPE_CLUSTER_NAME,
        }
        subject = _("Votre opportunité expire bientôt : %(title)s") % {"title": opportunity.title[:80]}
        body = render_to_string("showcase/email/opportunity_expiry.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def send_reminders(day: dt.date | None = None) -> int:
    """Send the reminders due on ``day`` (default: today); returns the number of e-mails sent."""
    day = day or timezone.localdate()
    sent = 0
    for opportunity in due(day):
        try:
            with transaction.atomic():
                claimed = (
                    Opportunity.objects.filter(pk=opportunity.pk, expires_on=opportunity.expires_on)
                    .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("expires_on")))
                    .update(reminded_for=opportunity.expires_on)
                )
                if not claimed:
                    continue  # another run reminded it first
                _message(opportunity).send()
        except Exception:  # one failed e-mail must not stop the others; its claim was rolled back
            logger.exception("opportunity expiry reminder failed (opportunity %s)", opportunity.pk)
            continue
        sent += 1
    return sent
