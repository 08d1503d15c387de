"""Digests: each subscriber receives, in their language, the items staff kept in their topics since the last one.

A digest is sent only to a person with an active ``watch_digest`` consent and an e-mail address; it
carries a signed unsubscribe link (no login needed). Failed sends are recorded and retried next time.
"""

import datetime as dt
import logging
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log
from grappe.ecosystem.models import Affiliation, Consent, Person, Topic
from grappe.watch.cleaning import LANGUAGES
from grappe.watch.models import Digest, Item, ItemTopic, Subscription

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "grappe.watch.unsubscribe"
FEED_SALT = "grappe.watch.topic-feed"
PERIODS = {Subscription.Frequency.DAILY: dt.timedelta(days=1), Subscription.Frequency.WEEKLY: dt.timedelta(days=7)}
# A weekly run scheduled at a fixed hour must not skip a week because the previous one ended minutes later.
EARLY_TOLERANCE = dt.timedelta(hours=2)


# --- tokens --------------------------------------------------------------------------------------


def unsubscribe_token(person_id: int, topic_id: int | None = None) -> str:
    """A signed, non-expiring token: unsubscribe ``person_id`` from one topic, or from everything."""
    return signing.dumps({"p": person_id, "t": topic_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int | None]:
    """``(person_id, topic_id)``; raises ``signing.BadSignature`` on a forged or damaged token."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        raise signing.BadSignature("malformed token")
    topic = data.get("t")
    return data["p"], topic if isinstance(topic, int) else None


def feed_token(user: Any) -> str:
    """The personal token of a user's private topic feeds (revoked when the user is deactivated)."""
    return signing.dumps(user.pk, salt=FEED_SALT)


def feed_token_user(token: str) -> Any:
    from grappe.accounts.models import User

    try:
        user_id = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None


# --- who, when, in which language ----------------------------------------------------------------


def digest_language(person: Person) -> str:
    for language in person.languages or []:
        if isinstance(language, str) and language[:2].lower() in LANGUAGES:
            return language[:2].lower()
    user = getattr(person, "user", None)
    if user is not None and user.language in LANGUAGES:
        return user.language
    return settings.LANGUAGE_CODE


def recipient_email(person: Person) -> str:
    if person.email:
        return person.email
    user = getattr(person, "user", None)
    if user is not None and user.email:
        return user.email
    today = timezone.localdate()
    affiliation = (
        Affiliation.objects.filter(person=person)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .exclude(email="")
        .first()
    )
    return affiliation.email if affiliation else ""


def has_digest_consent(person: Person) -> bool:
    return Consent.objects.filter(
        person=person, purpose=Consent.Purpose.WATCH_DIGEST, withdrawn_at__isnull=True
    ).exists()


def last_sent(person: Person) -> dt.datetime | None:
    return (
        Digest.objects.filter(person=person, status=Digest.Status.SENT)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )


def period_of(subscriptions: list[Subscription]) -> dt.timedelta:
    return min(PERIODS[s.frequency] for s in subscriptions)


# --- content -------------------------------------------------------------------------------------


def digest_sections(person: Person, since: dt.datetime, until: dt.datetime) -> "OrderedDict[Topic, list[Item]]":
    """Kept items of the person's topics curated in ``(since, until]``, by topic; an item appears once."""
    subscriptions = list(Subscription.objects.filter(person=person).select_related("topic").order_by("topic__name"))
    sections: OrderedDict[Topic, list[Item]] = OrderedDict()
    seen: set[int] = set()
    for subscription in subscriptions:
        links = (
            ItemTopic.objects.filter(
                topic=subscription.topic,
                item__status=Item.Status.KEPT,
                item__triaged_at__gt=since,
                item__triaged_at__lte=until,
            )
            .exclude(relevant=False)
            .select_related("item", "item__source")
            .order_by("-item__effective_date", "-item__triaged_at")
        )
        if subscription.language:
            links = links.filter(item__language=subscription.language)
        items = [link.item for link in links if link.item_id not in seen]
        seen.update(item.pk for item in items)
        if items:
            sections[subscription.topic] = items
    return sections


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def render_digest(person: Person, sections, *, language: str, since: dt.datetime, until: dt.datetime) -> dict:
    count = sum(len(items) for items in sections.values())
    with translation.override(language):
        context = {
            "person": person,
            "sections": sections,
            "count": count,
            "since": since,
            "until": until,
            "cluster_name": settings.GRAPPE_CLUSTER_NAME,
            "unsubscribe_url": _absolute(reverse("watch:unsubscribe", args=[unsubscribe_token(person.pk)])),
            "topic_unsubscribe_urls": {
                topic.pk: _absolute(reverse("watch:unsubscribe", args=[unsubscribe_token(person.pk, topic.pk)]))
                for topic in sections
            },
            "archive_url": _absolute(reverse("watch:portal_digests")),
            "language": language,
        }
        subject = _("Veille %(cluster)s : %(count)d nouvelle(s) information(s)") % {
            "cluster": settings.GRAPPE_CLUSTER_NAME,
            "count": count,
        }
        return {
            "subject": subject[:300],
            "html": render_to_string("watch/email/digest.html", context),
            "text": render_to_string("watch/email/digest.txt", context),
            "unsubscribe_url": context["unsubscribe_url"],
        }


# --- sending -------------------------------------------------------------------------------------


def send_digest(person: Person, *, now: dt.datetime | None = None, force: bool = False) -> Digest | None:
    """Build and send the person's digest if due (or ``force``) and not empty; return the recorded digest."""
    now = now or timezone.now()
    subscriptions = list(Subscription.objects.filter(person=person))
    if not subscriptions or person.erased_at or not has_digest_consent(person):
        return None
    email = recipient_email(person)
    if not email:
        return None
    period = period_of(subscriptions)
    since = last_sent(person) or now - period
    if not force and now - since < period - EARLY_TOLERANCE:
        return None
    sections = digest_sections(person, since, now)
    if not sections:
        return None
    language = digest_language(person)
    rendered = render_digest(person, sections, language=language, since=since, until=now)
    message = EmailMultiAlternatives(
        subject=rendered["subject"],
        body=rendered["text"],
        to=[email],
        headers={
            "List-Unsubscribe": f"<{rendered['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(rendered["html"], "text/html")
    status, error = Digest.Status.SENT, ""
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP refused, network down...: record it, retry at the next run
        logger.warning("watch: digest to person %s failed: %s", person.pk, exc)
        status, error = Digest.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic():
        digest = Digest.objects.create(
            person=person,
            email=email,
            language=language,
            period_start=since,
            period_end=now,
            subject=rendered["subject"],
            html=rendered["html"],
            text=rendered["text"],
            status=status,
            error=error,
            sent_at=now if status == Digest.Status.SENT else None,
        )
        digest.items.set([item for items in sections.values() for item in items])
        audit_log(
            actor=None,
            action=f"watch.digest.{status}",
            obj=digest,
            object_label=f"{rendered['subject']} → {person}",
            changes={"items": sum(len(i) for i in sections.values())},
        )
    return digest


def send_due_digests(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    person_ids = Subscription.objects.values_list("person_id", flat=True).distinct()
    sent = failed = 0
    for person in Person.objects.filter(pk__in=person_ids, erased_at__isnull=True).order_by("pk"):
        digest = send_digest(person, now=now)
        if digest is None:
            continue
        if digest.status == Digest.Status.SENT:
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "failed": failed}


@transaction.atomic
def unsubscribe(*, person_id: int, topic_id: int | None) -> int:
    """Remove one subscription (or all of the person's); return how many were removed."""
    subscriptions = Subscription.objects.filter(person_id=person_id)
    if topic_id is not None:
        subscriptions = subscriptions.filter(topic_id=topic_id)
    removed = 0
    for subscription in subscriptions.select_related("person", "topic"):
        audit_log(
            actor=None, action="watch.subscription.unsubscribed", obj=subscription, message="lien de désabonnement"
        )
        subscription.delete()
        removed += 1
    return removed
