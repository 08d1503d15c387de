"""REST API of the watch ("veille"), mounted at /api/v1/watch/ (personal tokens or the browser session).

Same rules as the UI (``grappe.accounts.permissions``, watch section):

- staff (and admins) read every item (triage status, origin of each topic, staff marks), sources with
  their health, every topic's rules count and classifier; they triage items (``watch:write``);
- member users read the items staff kept (title, link, summary, the cluster's annotation, regulatory
  fields, topics with scores; never triage data, marks, nor who triaged), the topics, the deadline
  calendar of kept items, and manage their own subscriptions and digest archive;
- observers 403, anonymous 401. Reads carry an ETag (304 on If-None-Match); bad parameters are 422.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import field_validator

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth, ApiError, conditional
from grappe.core.api_pages import PageParams, list_schema, page_schema, paginate
from grappe.ecosystem.models import Person, Topic
from grappe.watch import selectors, services
from grappe.watch.models import Item, ItemTopic, Language, Subscription

READ = ApiAuth("watch:read")
WRITE = ApiAuth("watch:write")
# Role rules checked by the auth itself, before the body is validated (a refused role gets 403, not 422).
CURATOR_WRITE = ApiAuth(
    "watch:write",
    allow=lambda user: permissions.can_curate_watch(user),
    denied=gettext_lazy("Accès réservé à l'équipe du cluster."),
)
SUBSCRIBER_WRITE = ApiAuth(
    "watch:write",
    allow=lambda user: permissions.can_subscribe_watch(user),
    denied=gettext_lazy("Réservé aux membres ayant une fiche personne."),
)
router = Router(auth=READ, tags=["watch"])

SLUG = r"^[-a-zA-Z0-9_]+$"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"  # no control characters (PostgreSQL refuses NUL)
MAX_ID = 2**63 - 1


# --- Parameters -----------------------------------------------------------------------------------


class ItemFilters(PageParams):
    q: str = Field("", max_length=200, pattern=TEXT, description="mots (accents et casse ignorés), classés")
    status: Item.Status | None = Field(None, description="équipe uniquement (les membres lisent les éléments retenus)")
    topic: str | None = Field(None, max_length=120, pattern=SLUG)
    source: int | None = Field(None, ge=1, le=MAX_ID, description="équipe uniquement")
    language: Language | None = None
    kind: Item.Kind | None = None
    regulatory: bool | None = Field(None, description="éléments avec une date d'entrée en vigueur")
    since: dt.datetime | None = Field(None, description="publiés à partir de (années 1900 à 2200)")

    @field_validator("since")
    @classmethod
    def _plausible_since(cls, value: dt.datetime | None) -> dt.datetime | None:
        # Far dates overflow PostgreSQL's time zone arithmetic (a 500); no watch item is that old.
        if value is not None and not 1900 <= value.year <= 2200:
            raise ValueError("date hors de la plage 1900–2200")
        return value


class DeadlineFilters(Schema):
    days: int = Field(365, ge=1, le=3650)


class TriageIn(Schema):
    status: Item.Status


class SubscriptionIn(Schema):
    topic: str = Field(..., max_length=120, pattern=SLUG)
    language: Language | Literal[""] = ""
    frequency: Subscription.Frequency = Subscription.Frequency.WEEKLY


# --- Output schemas -------------------------------------------------------------------------------


class ItemTopicOut(Schema):
    slug: str
    name: str
    score: float


class ItemTopicStaffOut(ItemTopicOut):
    origin: str
    relevant: bool | None


class ItemOut(Schema):
    """What a member user reads of a kept item."""

    id: int
    kind: str
    title: str
    url: str
    source: str
    published: dt.datetime
    language: str
    summary: str
    annotation: str
    event_start: dt.datetime | None
    event_end: dt.datetime | None
    event_location: str
    effective_date: dt.date | None
    obligations: str
    topics: list[ItemTopicOut]


class ItemStaffOut(ItemOut):
    status: str
    triaged_at: dt.datetime | None
    source_id: int
    date_missing: bool
    duplicate_group: int | None
    topics: list[ItemTopicStaffOut]


class TopicOut(Schema):
    id: int
    slug: str
    name: str
    public_feed: bool
    subscribed: bool


class TopicStaffOut(TopicOut):
    rules: int
    subscribers: int
    classifier_trained_at: dt.datetime | None
    classifier_examples: int


class SourceOut(Schema):
    id: int
    url: str
    title: str
    kind: str
    category: str
    language: str
    status: str
    auto_paused: bool
    poll_interval_minutes: int
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error: str
    last_warning: str
    consecutive_failures: int
    next_poll_at: dt.datetime | None
    items: int


class SubscriptionOut(Schema):
    id: int
    topic: str
    topic_name: str
    language: str
    frequency: str
    created_at: dt.datetime


class DigestOut(Schema):
    id: int
    subject: str
    language: str
    period_start: dt.datetime
    period_end: dt.datetime
    sent_at: dt.datetime | None
    items: int


ItemList = list_schema(ItemOut, "WatchItemList")
ItemStaffList = list_schema(ItemStaffOut, "WatchItemStaffList")
TopicList = list_schema(TopicOut, "WatchTopicList")
TopicStaffList = list_schema(TopicStaffOut, "WatchTopicStaffList")
SubscriptionList = list_schema(SubscriptionOut, "WatchSubscriptionList")
DigestList = list_schema(DigestOut, "WatchDigestList")
ItemPage = page_schema(ItemOut, "WatchItemPage")
ItemStaffPage = page_schema(ItemStaffOut, "WatchItemStaffPage")
SourcePage = page_schema(SourceOut, "WatchSourcePage")


# --- Helpers --------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> bool:
    """True for staff, False for member users, 403 for anyone else."""
    if not permissions.can_use_watch_api(request.auth):
        raise ApiError(403, "forbidden", _("Accès réservé à l'équipe du cluster et aux membres."))
    return permissions.can_curate_watch(request.auth)


def _staff_only(request: HttpRequest) -> None:
    if not permissions.can_curate_watch(request.auth):
        raise ApiError(403, "forbidden", _("Accès réservé à l'équipe du cluster."))


def _subscriber(request: HttpRequest) -> Person:
    if not permissions.can_subscribe_watch(request.auth):
        raise ApiError(403, "forbidden", _("Réservé aux membres ayant une fiche personne."))
    return Person.objects.get(pk=request.auth.person_id)


def _items(*, staff: bool) -> QuerySet[Item]:
    items = Item.objects.select_related("source").prefetch_related(
        Prefetch("item_topics", queryset=ItemTopic.objects.select_related("topic").order_by("-score", "topic__slug"))
    )
    return items if staff else items.filter(status=Item.Status.KEPT)


def _item(item: Item, *, staff: bool) -> dict:
    links = list(item.item_topics.all())
    if not staff:
        links = [link for link in links if link.relevant is not False]  # staff said "not this topic"
    data = {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "url": item.link or item.canonical_url,
        "source": item.source.title or item.source.url,
        "published": item.published_at,
        "language": item.language,
        "summary": item.summary,  # sanitised HTML (nh3) at ingest
        "annotation": item.annotation,
        "event_start": item.event_start,
        "event_end": item.event_end,
        "event_location": item.event_location,
        "effective_date": item.effective_date,
        "obligations": item.obligations,
        "topics": [{"slug": link.topic.slug, "name": link.topic.name, "score": link.score} for link in links],
    }
    if staff:
        data.update(
            status=item.status,
            triaged_at=item.triaged_at,
            source_id=item.source_id,
            date_missing=item.date_missing,
            duplicate_group=item.duplicate_group,
            topics=[
                {
                    "slug": link.topic.slug,
                    "name": link.topic.name,
                    "score": link.score,
                    "origin": link.origin,
                    "relevant": link.relevant,
                }
                for link in links
            ],
        )
    return data


# --- Items ----------------------------------------------------------------------------------------


@router.get(
    "/items",
    response={200: ItemStaffPage | ItemPage, 304: None},
    summary="Items (staff: all, with triage; member users: kept items)",
)
def item_list(request: HttpRequest, response: HttpResponse, filters: Query[ItemFilters]):
    staff = _reader(request)
    if not staff and (filters.status not in (None, Item.Status.KEPT) or filters.source is not None):
        raise ApiError(403, "forbidden", _("Filtres « status » et « source » réservés à l'équipe du cluster."))
    items = _items(staff=staff)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.topic:
        items = items.filter(pk__in=ItemTopic.objects.filter(topic__slug=filters.topic).values("item_id"))
        if not staff:
            items = items.exclude(
                pk__in=ItemTopic.objects.filter(topic__slug=filters.topic, relevant=False).values("item_id")
            )
    if filters.source:
        items = items.filter(source_id=filters.source)
    if filters.language:
        items = items.filter(language=filters.language)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.regulatory is not None:
        items = items.filter(effective_date__isnull=not filters.regulatory)
    if filters.since:
        items = items.filter(published_at__gte=filters.since)
    if filters.q and selectors.search.query_words(filters.q):
        items = selectors.search_items(items, filters.q).order_by("-search_rank", "-published_at", "-id")
    else:
        items = items.order_by("-published_at", "-id")
    rows, meta = paginate(items, filters)
    meta["results"] = [_item(item, staff=staff) for item in rows]
    return conditional(request, response, ItemStaffPage if staff else ItemPage, meta)


@router.get("/items/{int:item_id}", response={200: ItemStaffOut | ItemOut, 304: None}, summary="One item")
def item_detail(request: HttpRequest, response: HttpResponse, item_id: int = Path(..., ge=1, le=MAX_ID)):
    staff = _reader(request)
    item = _items(staff=staff).filter(pk=item_id).first()
    if item is None:  # an item still in triage is "not found" for members: ids do not leak
        raise ApiError(404, "not_found", _("Élément introuvable."))
    return conditional(request, response, ItemStaffOut if staff else ItemOut, _item(item, staff=staff))


@router.post(
    "/items/{int:item_id}/status",
    auth=CURATOR_WRITE,
    response={200: ItemStaffOut},
    summary="Triage an item: keep, discard or back to the queue (staff, watch:write)",
)
def item_triage(request: HttpRequest, payload: TriageIn, item_id: int = Path(..., ge=1, le=MAX_ID)):
    _staff_only(request)
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise ApiError(404, "not_found", _("Élément introuvable."))
    services.item_set_status(actor=request.auth, item=item, status=payload.status)
    return _item(_items(staff=True).get(pk=item.pk), staff=True)


# --- Deadlines ------------------------------------------------------------------------------------


@router.get("/deadlines", response={200: ItemStaffList | ItemList, 304: None}, summary="Regulatory deadlines")
def deadlines(request: HttpRequest, response: HttpResponse, filters: Query[DeadlineFilters]):
    staff = _reader(request)
    ids = selectors.upcoming_deadlines(days=filters.days).values("pk")
    items = _items(staff=staff).filter(pk__in=ids).order_by("effective_date", "title")[:500]
    data = [_item(item, staff=staff) for item in items]
    return conditional(request, response, ItemStaffList if staff else ItemList, {"results": data})


class EventFilters(Schema):
    days: int = Field(180, ge=1, le=730)


@router.get(
    "/events",
    response={200: ItemStaffList | ItemList, 304: None},
    summary="Ecosystem agenda: events of partners' calendars not yet over",
)
def events(request: HttpRequest, response: HttpResponse, filters: Query[EventFilters]):
    staff = _reader(request)
    ids = selectors.upcoming_events(staff=staff, days=filters.days).values("pk")
    items = _items(staff=staff).filter(pk__in=ids).order_by("event_start", "title")[:500]
    data = [_item(item, staff=staff) for item in items]
    return conditional(request, response, ItemStaffList if staff else ItemList, {"results": data})


# --- Topics ---------------------------------------------------------------------------------------


@router.get("/topics", response={200: TopicStaffList | TopicList, 304: None}, summary="Watch topics")
def topic_list(request: HttpRequest, response: HttpResponse):
    staff = _reader(request)
    topics = Topic.objects.select_related("watch_profile").order_by("name")
    if staff:
        topics = topics.annotate(
            rule_count=Count("watch_rules", distinct=True), subscriber_count=Count("watch_subscriptions", distinct=True)
        )
    person_id = getattr(request.auth, "person_id", None)
    subscribed = set(
        Subscription.objects.filter(person_id=person_id).values_list("topic_id", flat=True) if person_id else []
    )
    data = []
    for topic in topics:
        profile = getattr(topic, "watch_profile", None)
        row = {
            "id": topic.pk,
            "slug": topic.slug,
            "name": topic.name,
            "public_feed": bool(profile and profile.public_feed),
            "subscribed": topic.pk in subscribed,
        }
        if staff:
            row.update(
                rules=topic.rule_count,
                subscribers=topic.subscriber_count,
                classifier_trained_at=profile.classifier_trained_at if profile else None,
                classifier_examples=profile.classifier_examples if profile else 0,
            )
        data.append(row)
    return conditional(request, response, TopicStaffList if staff else TopicList, {"results": data})


# --- Sources (staff only) -------------------------------------------------------------------------


@router.get("/sources", response={200: SourcePage, 304: None}, summary="Sources and their health (staff only)")
def source_list(request: HttpRequest, response: HttpResponse, filters: Query[PageParams]):
    _staff_only(request)
    rows, meta = paginate(selectors.source_list().order_by("-auto_paused", "title", "pk"), filters)
    meta["results"] = [
        {
            "id": s.pk,
            "url": s.url,
            "title": s.title,
            "kind": s.kind,
            "category": s.category,
            "language": s.language,
            "status": s.status,
            "auto_paused": s.auto_paused,
            "poll_interval_minutes": s.poll_interval_minutes,
            "last_success_at": s.last_success_at,
            "last_error_at": s.last_error_at,
            "last_error": s.last_error,
            "last_warning": s.last_warning,
            "consecutive_failures": s.consecutive_failures,
            "next_poll_at": s.next_poll_at,
            "items": s.item_count,
        }
        for s in rows
    ]
    return conditional(request, response, SourcePage, meta)


# --- Subscriptions and digests (the member's own) -------------------------------------------------


def _subscription(s: Subscription) -> dict:
    return {
        "id": s.pk,
        "topic": s.topic.slug,
        "topic_name": s.topic.name,
        "language": s.language,
        "frequency": s.frequency,
        "created_at": s.created_at,
    }


@router.get("/subscriptions", response={200: SubscriptionList, 304: None}, summary="My subscriptions")
def subscription_list(request: HttpRequest, response: HttpResponse):
    person = _subscriber(request)
    data = [_subscription(s) for s in selectors.person_subscriptions(person)]
    return conditional(request, response, SubscriptionList, {"results": data})


@router.post("/subscriptions", auth=SUBSCRIBER_WRITE, response={201: SubscriptionOut}, summary="Subscribe to a topic")
def subscription_create(request: HttpRequest, payload: SubscriptionIn):
    person = _subscriber(request)
    topic = Topic.objects.filter(slug=payload.topic).first()
    if topic is None:
        raise ApiError(422, "unknown_topic", _("Thématique inconnue : %(topic)s.") % {"topic": payload.topic})
    try:
        subscription = services.subscription_create(
            actor=request.auth, person=person, topic=topic, language=payload.language, frequency=payload.frequency
        )
    except (ValidationError, IntegrityError) as exc:
        raise ApiError(409, "already_subscribed", _("Vous êtes déjà abonné·e à cette thématique.")) from exc
    return Status(201, _subscription(subscription))


@router.delete(
    "/subscriptions/{int:subscription_id}", auth=WRITE, response={204: None}, summary="Unsubscribe from a topic"
)
def subscription_delete(request: HttpRequest, subscription_id: int = Path(..., ge=1, le=MAX_ID)):
    person = _subscriber(request)
    subscription = Subscription.objects.filter(pk=subscription_id, person=person).select_related("topic").first()
    if subscription is None:  # another person's subscription is "not found"
        raise ApiError(404, "not_found", _("Abonnement introuvable."))
    services.subscription_delete(actor=request.auth, subscription=subscription)
    return Status(204, None)


@router.get("/digests", response={200: DigestList, 304: None}, summary="My digest archive (sent bulletins)")
def digest_list(request: HttpRequest, response: HttpResponse):
    person = _subscriber(request)
    digests = selectors.person_digests(person).annotate(item_count=Count("items"))[:200]
    data = [
        {
            "id": d.pk,
            "subject": d.subject,
            "language": d.language,
            "period_start": d.period_start,
            "period_end": d.period_end,
            "sent_at": d.sent_at,
            "items": d.item_count,
        }
        for d in digests
    ]
    return conditional(request, response, DigestList, {"results": data})
