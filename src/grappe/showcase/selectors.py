"""Reads for the public site: only organisations that are members today AND consented to a public profile.

Every public page, the sitemap and the open-data files go through ``public_organisations()``; nothing
here reads a private field (internal notes, fees, membership notes, people).

Directory search goes through ``showcase.search`` (SQLite FTS5 trigram / PostgreSQL pg_trgm, typo
tolerance, facet counts) over an index that holds public organisations and public text only.
"""

import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from grappe.core.text import fold
from grappe.ecosystem import selectors as ecosystem_selectors
from grappe.ecosystem.models import Competence, Organisation, Segment, Site, ValueChain
from grappe.events import selectors as event_selectors
from grappe.events.models import Event
from grappe.referential.models import Province
from grappe.showcase import search
from grappe.showcase.models import CommunicationAction, Opportunity, Post

# A longer query is cut here: no visitor types more, and it bounds the work per request.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
PAGE_SIZE = 20
FACETS = search.FACETS
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def public_organisations(day: dt.date | None = None) -> QuerySet[Organisation]:
    """Members on ``day`` (today by default) that consented to a public profile."""
    return ecosystem_selectors.members_on(day or timezone.localdate()).filter(public_profile_consent=True)


# The columns a directory card (and the widget) shows: nothing private is ever read for a results page.
CARD_FIELDS = ("pk", "slug", "name", "kind", *(f"description_{code}" for code in LANGUAGE_CODES))


def public_page(ids: list[int]) -> dict[int, SimpleNamespace]:
    """The public members among ``ids``, as plain objects with the ``CARD_FIELDS`` only, in one query.

    Plain objects rather than model instances: nothing else can be read from them (no lazy loading of
    a private field), and they cost a third of the time. PostgreSQL plans the ``EXISTS`` of
    ``members_on`` as a semi-join over every membership (160 ms at 100,000 members); a subquery on the
    memberships of these ids stays on the indexes. The membership rule is still the ecosystem's
    (``_membership_on``).
    """
    if not ids:
        return {}
    live = (
        ecosystem_selectors._membership_on(timezone.localdate())
        .filter(organisation_id__in=ids)
        .values("organisation_id")
    )
    rows = (
        Organisation.objects.filter(pk__in=ids, public_profile_consent=True)
        .filter(pk__in=live)
        .order_by()
        .values_list(*CARD_FIELDS)
    )
    return {row[0]: SimpleNamespace(**dict(zip(CARD_FIELDS, row, strict=True))) for row in rows}


def public_organisation(slug: str) -> Organisation:
    """One public profile; raises ``Organisation.DoesNotExist`` for unknown or non-public slugs."""
    return public_organisations().prefetch_related("segments__value_chain", "competences").get(slug=slug)


def public_markers(organisation: Organisation) -> list[tuple[float, float, str]]:
    """(lat, lon, "postcode municipality") of the sites: the municipality only, never the street."""
    points = []
    sites = Site.objects.filter(organisation=organisation).select_related("postal_code", "municipality")
    for site in sites:
        lat = site.latitude if site.latitude is not None else site.postal_code.latitude
        lon = site.longitude if site.longitude is not None else site.postal_code.longitude
        if lat is None or lon is None:
            continue
        points.append((lat, lon, f"{site.postal_code.code} {site.municipality.label_in()}"))
    return points


def translated_description(organisation: Organisation | SimpleNamespace) -> tuple[str, str]:
    """(text, language) of the description in the current language, else French, else English, else any."""
    current = (get_language() or "fr")[:2]
    for language in dict.fromkeys([current, "fr", "en", *LANGUAGE_CODES]):
        text = (getattr(organisation, f"description_{language}", "") or "").strip()
        if text:
            return text, language
    return "", current


def key_figures(day: dt.date | None = None) -> dict[str, int]:
    """Figures on the home page, computed live."""
    day = day or timezone.localdate()
    events = event_selectors.public_events().filter(status=Event.Status.PUBLISHED, start__year=day.year)
    return {
        "members": ecosystem_selectors.members_on(day).count(),
        "organisations": ecosystem_selectors.organisation_count(),
        "events": events.count(),
    }


def value_chains_with_segments() -> QuerySet[ValueChain]:
    return ValueChain.objects.prefetch_related("segments")


def value_chain_detail(slug: str) -> tuple[ValueChain, list[tuple[Segment, list[Organisation]]]]:
    """The chain and, per segment, its public members (raises ``ValueChain.DoesNotExist``)."""
    chain = ValueChain.objects.get(slug=slug)
    public_ids = set(public_organisations().values_list("pk", flat=True))
    through = Organisation.segments.through.objects.filter(
        segment__value_chain=chain, organisation_id__in=public_ids
    ).values_list("segment_id", "organisation_id")
    by_segment: dict[int, set[int]] = {}
    for segment_id, organisation_id in through:
        by_segment.setdefault(segment_id, set()).add(organisation_id)
    organisations = Organisation.objects.in_bulk({pk for ids in by_segment.values() for pk in ids})
    rows = []
    for segment in chain.segments.all():
        members = sorted((organisations[pk] for pk in by_segment.get(segment.pk, ())), key=lambda o: fold(o.name))
        rows.append((segment, members))
    return chain, rows


# --- Directory ---------------------------------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class DirectoryResult:
    query: str
    selected: dict[str, str]
    page: Page
    facets: dict[str, list[FacetOption]]
    notices: list[str]
    total: int
    sort: str = "name"
    corrections: dict[str, list[str]] = field(default_factory=dict)


class _Window(Sequence):
    """The ids of one page of results, seen by ``Paginator`` as the whole result list of ``total`` items."""

    def __init__(self, total: int, offset: int, ids: list[int]) -> None:
        self.total, self.offset, self.ids = total, offset, ids

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start = (index.start or 0) - self.offset
            stop = (index.stop if index.stop is not None else self.total) - self.offset
            return self.ids[max(start, 0) : max(stop, 0)]
        return self.ids[index - self.offset]


_LABEL_TTL = 60.0  # seconds a worker keeps the facet labels (taxonomy renames show within a minute)
_labels_cache: dict[tuple[str, str], tuple[float, dict[str, dict[str, str]]]] = {}


def facet_labels(generation: str | None = None) -> dict[str, dict[str, str]]:
    """Known values of each facet with their label in the current language (kept a minute per worker).

    ``generation``: the index token the caller already read (``search.snapshot().generation``).
    """
    key = (get_language() or "fr", search.index_token() if generation is None else generation)
    cached = _labels_cache.get(key)
    if cached and time.monotonic() - cached[0] < _LABEL_TTL:
        return cached[1]
    labels = {
        "value_chain": {c.slug: c.name for c in ValueChain.objects.all()},
        "competence": {c.slug: c.name for c in Competence.objects.all()},
        "province": {p.nis: p.label_in() for p in Province.objects.all()},
        "kind": {str(value): str(label) for value, label in Organisation.Kind.choices},
        "market": {str(code): str(name) for code, name in countries},
    }
    if len(_labels_cache) > 64:
        _labels_cache.clear()
    _labels_cache[key] = (time.monotonic(), labels)
    return labels


_sort_keys_cache: dict[int, tuple[dict, dict[str, dict[str, str]]]] = {}


def facet_sort_keys(labels: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Folded labels (sort keys) of a ``facet_labels()`` result, computed once per labels object."""
    entry = _sort_keys_cache.get(id(labels))
    if entry is None or entry[0] is not labels:  # the entry holds its labels: an id is never reused under it
        keys = {facet: {value: fold(label) for value, label in values.items()} for facet, values in labels.items()}
        if len(_sort_keys_cache) > 64:
            _sort_keys_cache.clear()
        entry = _sort_keys_cache[id(labels)] = (labels, keys)
    return entry[1]


def _page_number(raw: Any) -> int:
    try:
        return max(int(str(raw)), 1)
    except (TypeError, ValueError):
        return 1


def directory_search(params: Any, *, page_size: int = PAGE_SIZE) -> DirectoryResult:
    """Search the public directory from query parameters (``q``, the facets, ``sort``, ``page``).

    The text search, typo tolerance and facet counts are in ``showcase.search`` (FTS5 / pg_trgm).
    Unknown facet values are ignored with a notice; an over-long query is truncated with a notice.
    Facet counts are computed over the results filtered by every *other* facet, so each count says
    how many results choosing that value would give.
    """
    notices: list[str] = []
    raw_query = str(params.get("q") or "")
    if len(raw_query) > MAX_QUERY_LENGTH:
        raw_query = raw_query[:MAX_QUERY_LENGTH]
        notices.append(_("La recherche a été raccourcie à %(count)d caractères.") % {"count": MAX_QUERY_LENGTH})
    query = raw_query.replace("\x00", "").strip()
    terms = list(dict.fromkeys(fold(query).split()))[:MAX_TERMS]
    snapshot = search.snapshot()  # the one index-state read of the request
    labels = facet_labels(snapshot.generation)
    sort_keys = facet_sort_keys(labels)
    facet_names = {
        "value_chain": _("chaîne de valeur"),
        "competence": _("compétence"),
        "province": _("province"),
        "kind": _("type d'organisation"),
        "market": _("marché d'exportation"),
    }
    selected: dict[str, str] = {}
    for facet in FACETS:
        value = str(params.get(facet) or "").strip()
        if not value:
            continue
        if value in labels[facet]:
            selected[facet] = value
        else:
            notices.append(_("Filtre « %(facet)s » ignoré : valeur inconnue.") % {"facet": facet_names[facet]})
    sort = str(params.get("sort") or "name")
    if sort not in search.SORTS:
        sort = "name"
    number = _page_number(params.get("page"))
    found = search.search(
        terms, selected, offset=(number - 1) * page_size, limit=page_size, sort=sort, snapshot=snapshot
    )
    last = max((found.total + page_size - 1) // page_size, 1)
    if number > last:
        number = last
        found = search.search(
            terms, selected, offset=(number - 1) * page_size, limit=page_size, sort=sort, snapshot=snapshot
        )
    if found.corrections:
        spelled = ", ".join(word for words in found.corrections.values() for word in words[:3])
        notice = _("Aucun résultat exact : résultats pour une orthographe proche (%(words)s).")
        notices.append(notice % {"words": spelled})
    facets: dict[str, list[FacetOption]] = {}
    for facet in FACETS:
        options = [
            FacetOption(value, labels[facet][value], count, selected.get(facet) == value)
            for value, count in found.counts.get(facet, {}).items()
            if value in labels[facet]
        ]
        facets[facet] = sorted(options, key=lambda o: (-o.count, sort_keys[facet].get(o.value, "")))
    page = Paginator(_Window(found.total, (number - 1) * page_size, found.ids), page_size).get_page(number)
    # The index is re-synced periodically: the page is re-checked against today's public members.
    organisations = public_page(list(page.object_list))
    page.object_list = [organisations[pk] for pk in page.object_list if pk in organisations]
    return DirectoryResult(query, selected, page, facets, notices, found.total, sort, found.corrections)


# --- Promotion log (mission 3 indicators read these) ----------------------------------------------

FOREIGN_FAIR_KINDS = (CommunicationAction.Kind.TRADE_FAIR, CommunicationAction.Kind.MISSION)


def communication_actions(start: dt.date, end: dt.date) -> QuerySet[CommunicationAction]:
    """Communication actions dated within [start, end] (each has ``kind``)."""
    return CommunicationAction.objects.filter(date__gte=start, date__lte=end).order_by("date", "pk")


def promotion_actions(year: int) -> QuerySet[CommunicationAction]:
    """Every communication action of ``year``, with the organisations featured."""
    return communication_actions(dt.date(year, 1, 1), dt.date(year, 12, 31)).prefetch_related("organisations")


def media_coverage(start: dt.date, end: dt.date) -> QuerySet[CommunicationAction]:
    """Press coverage within [start, end] (each has ``language``)."""
    return communication_actions(start, end).filter(kind=CommunicationAction.Kind.MEDIA_COVERAGE)


def trade_fairs_and_missions(start: dt.date, end: dt.date) -> QuerySet[CommunicationAction]:
    """Trade fairs and missions abroad (country other than Belgium) within [start, end] (each has ``country``)."""
    return communication_actions(start, end).filter(kind__in=FOREIGN_FAIR_KINDS).exclude(country="BE")


def promotion_summary(year: int) -> dict[str, Any]:
    """Counts by kind, total reported reach, countries, distinct organisations featured."""
    actions = list(promotion_actions(year))
    by_kind: Counter[str] = Counter(a.kind for a in actions)
    return {
        "year": year,
        "count": len(actions),
        "by_kind": {str(label): by_kind[value] for value, label in CommunicationAction.Kind.choices if by_kind[value]},
        "reach": sum(a.reach or 0 for a in actions),
        "countries": sorted({str(a.country.code) for a in actions if a.country and a.country.code != "BE"}),
        "organisations": len({o.pk for a in actions for o in a.organisations.all()}),
        "with_export_agency": sum(1 for a in actions if a.with_export_agency),
    }


# --- News, stories, opportunities, events, competences -------------------------------------------


def public_posts(kind: str | None = None) -> QuerySet[Post]:
    """Published posts whose publication time has come, newest first."""
    qs = Post.objects.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-pk")


def public_post(kind: str, slug: str) -> Post:
    return public_posts(kind).get(slug=slug)


def stories_published(start: dt.date, end: dt.date) -> QuerySet[Post]:
    """Success stories published within [start, end] (objectives, mission 3)."""
    return Post.objects.filter(
        kind=Post.Kind.STORY,
        status=Post.Status.PUBLISHED,
        published_at__date__gte=start,
        published_at__date__lte=end,
    ).order_by("published_at")


def public_opportunities() -> QuerySet[Opportunity]:
    """Published opportunities not expired, newest first; the organisation shown only if it is public."""
    return (
        Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED, expires_on__gte=timezone.localdate())
        .select_related("organisation")
        .order_by("-published_at", "-pk")
    )


def public_event_list() -> QuerySet[Event]:
    """Upcoming public events (published or cancelled after publication), soonest first."""
    return event_selectors.feed_events().filter(end__gte=timezone.now())


def competences_with_members() -> list[tuple[Competence, int]]:
    """Competences held by at least one public member, with the count (from the directory index)."""
    counts = search.search([], {}, limit=0).counts.get("competence", {})
    competences = Competence.objects.filter(slug__in=counts.keys())
    return sorted(((c, counts[c.slug]) for c in competences), key=lambda pair: fold(pair[0].name))


def featured_organisations(organisations: Any) -> list[Organisation]:
    """Among ``organisations``, the public ones (a post or opportunity never reveals a non-public member)."""
    ids = [o.pk for o in organisations]
    return list(public_organisations().filter(pk__in=ids).order_by("name"))
