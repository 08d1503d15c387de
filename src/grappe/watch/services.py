"""Writes of the watch: sources, triage, topic rules and marks, subscriptions. One transaction each, audited."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log, diff, snapshot
from grappe.ecosystem.models import Person, Segment, Topic
from grappe.referential.models import NaceCode
from grappe.watch.models import Item, ItemTopic, Source, Subscription, TopicProfile, TopicRule
from grappe.watch.rules import RuleSyntaxError, parse_rule

SOURCE_FIELDS = {"url", "title", "kind", "category", "language", "poll_interval_minutes", "owner", "polling_enabled"}


def _source_snapshot(source: Source) -> dict[str, Any]:
    data = snapshot(source)
    for noisy in ("page_text", "claimed_until", "etag", "last_modified"):
        data.pop(noisy, None)
    return data


def _validate_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError(
            {"url": _("Adresse invalide : « %(url)s » (http ou https attendu).") % {"url": url}}
        ) from exc
    return url


def _enqueue_poll(source_id: int, *, force: bool = False) -> None:
    from grappe.watch.tasks import poll_source

    transaction.on_commit(lambda: poll_source.enqueue(source_id, force))


@transaction.atomic
def source_create(*, actor: Any, url: str, **fields: Any) -> Source:
    unknown = set(fields) - SOURCE_FIELDS
    if unknown:
        raise TypeError(f"unknown source fields: {sorted(unknown)}")
    url = _validate_url(url)
    if Source.objects.filter(url=url).exists():
        raise ValidationError({"url": _("Cette adresse est déjà suivie.")})
    source = Source(url=url, **fields)
    source.full_clean()
    source.save()
    audit_log(actor=actor, action="watch.source.created", obj=source, changes=_source_snapshot(source))
    if source.polling_enabled:
        _enqueue_poll(source.pk)
    return source


@transaction.atomic
def source_update(*, actor: Any, source: Source, **fields: Any) -> Source:
    unknown = set(fields) - SOURCE_FIELDS
    if unknown:
        raise TypeError(f"unknown source fields: {sorted(unknown)}")
    before = _source_snapshot(source)
    if "url" in fields:
        fields["url"] = _validate_url(fields["url"])
        if Source.objects.filter(url=fields["url"]).exclude(pk=source.pk).exists():
            raise ValidationError({"url": _("Cette adresse est déjà suivie.")})
        if fields["url"] != source.url:  # a new address: forget the old validators and page text
            source.etag = source.last_modified = source.page_text = ""
    for name, value in fields.items():
        setattr(source, name, value)
    source.full_clean()
    source.save()
    audit_log(actor=actor, action="watch.source.updated", obj=source, changes=diff(before, _source_snapshot(source)))
    return source


@transaction.atomic
def source_pause(*, actor: Any, source: Source) -> Source:
    source.status = Source.Status.PAUSED
    source.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action="watch.source.paused", obj=source)
    return source


@transaction.atomic
def source_resume(*, actor: Any, source: Source) -> Source:
    """Resume polling now; an auto-paused source starts again with a clean failure count."""
    source.status = Source.Status.ACTIVE
    source.auto_paused = False
    source.consecutive_failures = 0
    source.next_poll_at = timezone.now()
    source.save(update_fields=["status", "auto_paused", "consecutive_failures", "next_poll_at", "updated_at"])
    audit_log(actor=actor, action="watch.source.resumed", obj=source)
    if source.polling_enabled:
        _enqueue_poll(source.pk)
    return source


def source_poll_now(*, actor: Any, source: Source) -> None:
    """Ask a worker to poll the source now, even if it is not due or is paused."""
    with transaction.atomic():
        audit_log(actor=actor, action="watch.source.poll_requested", obj=source)
        _enqueue_poll(source.pk, force=True)


@transaction.atomic
def source_delete(*, actor: Any, source: Source) -> None:
    audit_log(actor=actor, action="watch.source.deleted", obj=source, changes=_source_snapshot(source))
    source.delete()


# --- triage --------------------------------------------------------------------------------------


@transaction.atomic
def item_set_status(*, actor: Any, item: Item, status: str) -> Item:
    if status not in Item.Status.values:
        raise ValidationError({"status": _("Statut inconnu : %(status)s.") % {"status": status}})
    before = item.status
    item.status = status
    item.triaged_at = timezone.now() if status != Item.Status.NEW else None
    item.triaged_by = actor if status != Item.Status.NEW and getattr(actor, "is_authenticated", False) else None
    item.save(update_fields=["status", "triaged_at", "triaged_by"])
    audit_log(actor=actor, action=f"watch.item.{status}", obj=item, changes={"status": [before, status]})
    return item


@transaction.atomic
def item_annotate(
    *,
    actor: Any,
    item: Item,
    annotation: str = "",
    effective_date: dt.date | None = None,
    obligations: str = "",
    nace_codes: list[NaceCode] | None = None,
    segments: list[Segment] | None = None,
    affected_segments: list[Segment] | None = None,
) -> Item:
    before = snapshot(item)
    item.annotation = annotation.strip()
    item.effective_date = effective_date
    item.obligations = obligations.strip()
    item.save(update_fields=["annotation", "effective_date", "obligations"])
    if nace_codes is not None:
        item.nace_codes.set(nace_codes)
    if segments is not None:
        item.segments.set(segments)
    if affected_segments is not None:
        item.affected_segments.set(affected_segments)
    changes = diff(
        {k: v for k, v in before.items() if k != "minhash"},
        {k: v for k, v in snapshot(item).items() if k != "minhash"},
    )
    audit_log(actor=actor, action="watch.item.annotated", obj=item, changes=changes)
    return item


@transaction.atomic
def item_mark_topic(*, actor: Any, item: Item, topic: Topic, relevant: bool | None) -> ItemTopic:
    """Staff say whether ``item`` belongs to ``topic``; the mark teaches the topic's classifier."""
    link, created = ItemTopic.objects.get_or_create(
        item=item, topic=topic, defaults={"origin": ItemTopic.Origin.MANUAL, "score": 1.0}
    )
    before = link.relevant
    link.relevant = relevant
    link.marked_by = actor if getattr(actor, "is_authenticated", False) else None
    link.marked_at = timezone.now()
    link.save(update_fields=["relevant", "marked_by", "marked_at"])
    audit_log(
        actor=actor,
        action="watch.item.topic_marked",
        obj=item,
        changes={"topic": topic.slug, "relevant": [before, relevant], "created": created},
    )
    if before != relevant:
        from grappe.watch.tasks import retrain_topic

        transaction.on_commit(lambda: retrain_topic.enqueue(topic.pk))
    return link


# --- topics --------------------------------------------------------------------------------------


def _check_expression(expression: str) -> str:
    expression = (expression or "").strip()
    try:
        parse_rule(expression)
    except RuleSyntaxError as exc:
        raise ValidationError({"expression": str(exc)}) from exc
    return expression


@transaction.atomic
def topic_rule_create(
    *, actor: Any, topic: Topic, expression: str, language: str = "", weight: float = 1.0
) -> TopicRule:
    rule = TopicRule(topic=topic, expression=_check_expression(expression), language=language, weight=weight)
    rule.full_clean()
    rule.save()
    audit_log(actor=actor, action="watch.topic_rule.created", obj=rule, changes=snapshot(rule))
    return rule


@transaction.atomic
def topic_rule_update(*, actor: Any, rule: TopicRule, **fields: Any) -> TopicRule:
    before = snapshot(rule)
    if "expression" in fields:
        fields["expression"] = _check_expression(fields["expression"])
    for name, value in fields.items():
        if name not in {"expression", "language", "weight", "is_active"}:
            raise TypeError(f"unknown rule field: {name}")
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    audit_log(actor=actor, action="watch.topic_rule.updated", obj=rule, changes=diff(before, snapshot(rule)))
    return rule


@transaction.atomic
def topic_rule_delete(*, actor: Any, rule: TopicRule) -> None:
    audit_log(actor=actor, action="watch.topic_rule.deleted", obj=rule, changes=snapshot(rule))
    rule.delete()


@transaction.atomic
def topic_profile_update(
    *, actor: Any, topic: Topic, public_feed: bool, suggestion_threshold: float | None = None
) -> TopicProfile:
    profile, _created = TopicProfile.objects.get_or_create(topic=topic)
    before = {"public_feed": profile.public_feed, "suggestion_threshold": profile.suggestion_threshold}
    profile.public_feed = public_feed
    if suggestion_threshold is not None:
        if not 0 < suggestion_threshold <= 1:
            raise ValidationError({"suggestion_threshold": _("Le seuil est compris entre 0 et 1.")})
        profile.suggestion_threshold = suggestion_threshold
    profile.save()
    after = {"public_feed": profile.public_feed, "suggestion_threshold": profile.suggestion_threshold}
    audit_log(actor=actor, action="watch.topic.profile_updated", obj=topic, changes=diff(before, after))
    return profile


def retag_items(*, since: dt.datetime | None = None) -> int:
    """Re-apply rules and classifiers to untriaged items (after rules change); staff marks are kept."""
    from grappe.watch.tagging import Tagger

    items = list(Item.objects.filter(status=Item.Status.NEW, **({"fetched_at__gte": since} if since else {})))
    with transaction.atomic():
        ItemTopic.objects.filter(item__in=items, relevant__isnull=True).exclude(origin=ItemTopic.Origin.MANUAL).delete()
        return Tagger().tag(items)


# --- subscriptions -------------------------------------------------------------------------------


@transaction.atomic
def subscription_create(
    *, actor: Any, person: Person, topic: Topic, language: str = "", frequency: str = Subscription.Frequency.WEEKLY
) -> Subscription:
    if Subscription.objects.filter(person=person, topic=topic).exists():
        raise ValidationError({"topic": _("Vous êtes déjà abonné·e à cette thématique.")})
    subscription = Subscription(person=person, topic=topic, language=language, frequency=frequency)
    subscription.full_clean()
    subscription.save()
    audit_log(actor=actor, action="watch.subscription.created", obj=subscription, changes=snapshot(subscription))
    return subscription


@transaction.atomic
def subscription_update(*, actor: Any, subscription: Subscription, language: str, frequency: str) -> Subscription:
    before = snapshot(subscription)
    subscription.language = language
    subscription.frequency = frequency
    subscription.full_clean()
    subscription.save()
    audit_log(
        actor=actor,
        action="watch.subscription.updated",
        obj=subscription,
        changes=diff(before, snapshot(subscription)),
    )
    return subscription


@transaction.atomic
def subscription_delete(*, actor: Any, subscription: Subscription) -> None:
    audit_log(actor=actor, action="watch.subscription.deleted", obj=subscription, changes=snapshot(subscription))
    subscription.delete()


@transaction.atomic
def topic_create(*, actor: Any, name: str, slug: str, description: str = "") -> Topic:
    """A new watch topic (an ``ecosystem.Topic``, shared with people's interests) with its watch profile."""
    topic = Topic(name=name.strip(), slug=slug.strip(), description=description.strip())
    topic.full_clean()
    topic.save()
    TopicProfile.objects.create(topic=topic)
    audit_log(actor=actor, action="watch.topic.created", obj=topic, changes=snapshot(topic))
    return topic
