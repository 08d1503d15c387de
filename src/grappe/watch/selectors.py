"""Reads of the watch, shared by views, the command line, feeds and the objectives app."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from grappe.ecosystem.models import Person, Topic
from grappe.watch import search
from grappe.watch.models import Digest, Item, ItemTopic, Source, Subscription


def search_items(queryset: QuerySet[Item], text: str) -> QuerySet[Item]:
    """Accent- and case-insensitive full-text search, every word required, annotated with ``search_rank``
    (``grappe.watch.search``: FTS5 on SQLite, tsvector + GIN on PostgreSQL)."""
    return search.search_items(queryset, text)


def item_list(
    *, status: str | None = None, topic: Topic | int | None = None, source: int | None = None, text: str = ""
) -> QuerySet[Item]:
    items = Item.objects.select_related("source").prefetch_related(
        Prefetch("item_topics", queryset=ItemTopic.objects.select_related("topic").order_by("-score"))
    )
    if status:
        items = items.filter(status=status)
    if topic:
        items = items.filter(item_topics__topic=topic).distinct()
    if source:
        items = items.filter(source_id=source)
    if text and search.query_words(text):
        return search_items(items, text).order_by("-search_rank", "-published_at", "-id")
    return items.order_by("-published_at", "-id")


def item_rows(*, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Items as plain dicts (``grappe watch items --json``)."""
    rows = []
    for item in item_list(status=status)[:limit]:
        rows.append(
            {
                "id": item.pk,
                "source": item.source.title or item.source.url,
                "source_id": item.source_id,
                "url": item.link or item.canonical_url,
                "title": item.title,
                "published": item.published_at.isoformat(),
                "date_missing": item.date_missing,
                "language": item.language,
                "status": item.status,
                "duplicate_group": item.duplicate_group,
                "topics": [
                    {"slug": link.topic.slug, "name": link.topic.name, "score": link.score, "origin": link.origin}
                    for link in item.item_topics.all()
                ],
            }
        )
    return rows


def source_list() -> QuerySet[Source]:
    return Source.objects.select_related("owner").annotate(item_count=Count("items")).order_by("-auto_paused", "title")


def sources_needing_attention() -> QuerySet[Source]:
    return Source.objects.filter(Q(auto_paused=True) | Q(consecutive_failures__gt=0)).order_by("-consecutive_failures")


def triage_counts() -> dict[str, int]:
    counts = dict(Item.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in Item.Status.values}


def upcoming_deadlines(*, start: dt.date | None = None, days: int = 365) -> QuerySet[Item]:
    start = start or timezone.localdate()
    return (
        Item.objects.filter(effective_date__gte=start, effective_date__lte=start + dt.timedelta(days=days))
        .exclude(status=Item.Status.DISCARDED)
        .select_related("source")
        .prefetch_related("affected_segments")
        .order_by("effective_date", "title")
    )


def upcoming_events(*, staff: bool, days: int = 180, now: dt.datetime | None = None) -> QuerySet[Item]:
    """Ecosystem events read from partners' calendars (iCalendar sources), not yet over, soonest first.
    Staff see every event not discarded; everyone else only the events staff kept."""
    now = now or timezone.now()
    events = Item.objects.filter(kind=Item.Kind.EVENT, event_start__lte=now + dt.timedelta(days=days)).filter(
        Q(event_end__gte=now) | Q(event_end__isnull=True, event_start__gte=now)
    )
    events = events.exclude(status=Item.Status.DISCARDED) if staff else events.filter(status=Item.Status.KEPT)
    return events.select_related("source").order_by("event_start", "title")


def topic_items(topic: Topic, *, limit: int = 50) -> QuerySet[Item]:
    """Kept items of a topic, newest first (its RSS/Atom feed)."""
    return (
        Item.objects.filter(status=Item.Status.KEPT, item_topics__topic=topic)
        .exclude(pk__in=ItemTopic.objects.filter(topic=topic, relevant=False).values("item_id"))
        .select_related("source")
        .distinct()
        .order_by("-triaged_at", "-published_at")[:limit]
    )


def person_subscriptions(person: Person) -> QuerySet[Subscription]:
    return Subscription.objects.filter(person=person).select_related("topic").order_by("topic__name")


def suggested_topics(person: Person) -> QuerySet[Topic]:
    """Topics whose kept items concern the NACE codes or segments of the person's organisations."""
    from grappe.ecosystem.models import Affiliation

    today = timezone.localdate()
    organisation_ids = list(
        Affiliation.objects.filter(person=person)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("organisation_id", flat=True)
    )
    if not organisation_ids:
        return Topic.objects.none()
    related = Item.objects.filter(status=Item.Status.KEPT).filter(
        Q(nace_codes__in=_organisation_nace_ids(organisation_ids))
        | Q(segments__organisations__in=organisation_ids)
        | Q(affected_segments__organisations__in=organisation_ids)
    )
    subscribed = Subscription.objects.filter(person=person).values("topic_id")
    return (
        Topic.objects.filter(watch_item_topics__item__in=related)
        .exclude(pk__in=subscribed)
        .annotate(matches=Count("watch_item_topics__item", distinct=True))
        .order_by("-matches", "name")
    )


def organisation_items(organisation_id: int, *, staff: bool) -> QuerySet[Item]:
    """Items that concern an organisation: linked to one of its NACE codes (or an ancestor of one), one
    of its segments, or subject to an obligation for one of its segments. Staff also see items still in
    triage; everyone else only kept items. Discarded items never."""
    from grappe.ecosystem.models import Segment

    segment_ids = list(Segment.objects.filter(organisations=organisation_id).values_list("pk", flat=True))
    concerns = Q(nace_codes__in=_organisation_nace_ids([organisation_id]))
    if segment_ids:
        concerns |= Q(segments__in=segment_ids) | Q(affected_segments__in=segment_ids)
    ids = Item.objects.filter(concerns).values("pk")
    items = Item.objects.filter(pk__in=ids).exclude(status=Item.Status.DISCARDED)
    if not staff:
        items = items.filter(status=Item.Status.KEPT)
    return items.select_related("source").order_by("-published_at", "-id")


def _organisation_nace_ids(organisation_ids: list[int]) -> list[int]:
    """NACE codes of the organisations' activities and their ancestors (an item about 43.1 concerns 43.110)."""
    from grappe.ecosystem.models import Activity
    from grappe.referential.models import NaceCode

    ids = set(Activity.objects.filter(organisation_id__in=organisation_ids).values_list("nace_id", flat=True))
    frontier = set(ids)
    while frontier:
        parents = set(
            NaceCode.objects.filter(pk__in=frontier, parent__isnull=False).values_list("parent_id", flat=True)
        )
        frontier = parents - ids
        ids |= parents
    return list(ids)


def person_digests(person: Person) -> QuerySet[Digest]:
    return Digest.objects.filter(person=person, status=Digest.Status.SENT).order_by("-period_end")


# --- figures for the objectives contract ----------------------------------------------------------


@dataclass
class Figure:
    """A number and the rows behind it (for drill-down)."""

    value: int
    queryset: QuerySet

    def __int__(self) -> int:
        return self.value


def _moment(day: dt.date | dt.datetime, *, end: bool = False) -> dt.datetime:
    if isinstance(day, dt.datetime):
        return day
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
    return timezone.make_aware(moment)


def bulletins_sent(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> Figure:
    """Digests delivered between ``start`` and ``end`` (dates: both days included)."""
    queryset = Digest.objects.filter(
        status=Digest.Status.SENT, sent_at__gte=_moment(start), sent_at__lt=_moment(end, end=True)
    )
    return Figure(queryset.count(), queryset.order_by("sent_at"))


def digest_recipients(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> Figure:
    """Distinct people who received at least one digest in the period."""
    sent = bulletins_sent(start, end).queryset
    queryset = Person.objects.filter(pk__in=sent.values("person_id")).order_by("last_name", "first_name")
    return Figure(queryset.count(), queryset)


def items_curated(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> Figure:
    """Items staff kept (curated for members) in the period."""
    queryset = Item.objects.filter(
        status=Item.Status.KEPT, triaged_at__gte=_moment(start), triaged_at__lt=_moment(end, end=True)
    ).order_by("triaged_at")
    return Figure(queryset.count(), queryset)
