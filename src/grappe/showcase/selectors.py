"""Reads for the public site: only organisations that are members today AND consented to a public profile.

Every public page, the sitemap and the open-data files go through ``public_organisations()``; nothing
here reads a private field (internal notes, fees, membership notes, people).

Directory search folds text in Python over the (small) public directory: accent- and case-insensitive
over names, acronyms, descriptions in every language and competence names in every language.
A database full-text backend (SQLite FTS5 / PostgreSQL) is the next step for national-size directories.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from grappe.core.text import fold
from grappe.ecosystem import selectors as ecosystem_selectors
from grappe.ecosystem.models import Competence, Organisation, Segment, Site, ValueChain
from grappe.events import selectors as event_selectors
from grappe.events.models import Event
from grappe.referential.models import Province

# A longer query is cut here: no visitor types more, and it bounds the work per request.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
PAGE_SIZE = 20
FACETS = ("value_chain", "competence", "province", "kind")
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def public_organisations(day: dt.date | None = None) -> QuerySet[Organisation]:
    """Members on ``day`` (today by default) that consented to a public profile."""
    return ecosystem_selectors.members_on(day or timezone.localdate()).filter(public_profile_consent=True)


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


def translated_description(organisation: Organisation) -> tuple[str, str]:
    """(text, language) of the description in the current language, else French, else English."""
    current = (get_language() or "fr")[:2]
    for language in dict.fromkeys([current, "fr", "en"]):
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
class _Entry:
    pk: int
    name: str
    kind: str
    haystack: str
    values: dict[str, set[str]] = field(default_factory=dict)


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


def _entries() -> list[_Entry]:
    organisations = public_organisations().values_list(
        "pk", "name", "acronym", "kind", *(f"description_{code}" for code in LANGUAGE_CODES)
    )
    entries: dict[int, _Entry] = {}
    for pk, name, acronym, kind, *descriptions in organisations:
        text = " ".join([name, acronym or "", *(d or "" for d in descriptions)])
        entries[pk] = _Entry(pk, name, kind, text, {f: set() for f in FACETS})
        entries[pk].values["kind"].add(kind)
    ids = list(entries)
    chains = Organisation.segments.through.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "segment__value_chain__slug"
    )
    for pk, slug in chains:
        entries[pk].values["value_chain"].add(slug)
    names = [f"competence__name_{code}" for code in LANGUAGE_CODES]
    competences = Organisation.competences.through.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "competence__slug", *names
    )
    for pk, slug, *labels in competences:
        entries[pk].values["competence"].add(slug)
        entries[pk].haystack += " " + " ".join(label or "" for label in labels)
    provinces = Site.objects.filter(organisation_id__in=ids, municipality__province__isnull=False).values_list(
        "organisation_id", "municipality__province__nis"
    )
    for pk, nis in provinces:
        entries[pk].values["province"].add(nis)
    for entry in entries.values():
        entry.haystack = fold(entry.haystack)
    return sorted(entries.values(), key=lambda e: fold(e.name))


def facet_labels() -> dict[str, dict[str, str]]:
    """Known values of each facet with their label in the current language."""
    return {
        "value_chain": {c.slug: c.name for c in ValueChain.objects.all()},
        "competence": {c.slug: c.name for c in Competence.objects.all()},
        "province": {p.nis: p.label_in() for p in Province.objects.all()},
        "kind": {str(value): str(label) for value, label in Organisation.Kind.choices},
    }


def _matches(entry: _Entry, terms: list[str], selected: dict[str, str], skip: str | None = None) -> bool:
    if any(term not in entry.haystack for term in terms):
        return False
    return all(value in entry.values[facet] for facet, value in selected.items() if facet != skip)


def directory_search(params: Any, *, page_size: int = PAGE_SIZE) -> DirectoryResult:
    """Search the public directory from query parameters (``q``, the facets, ``page``).

    Unknown facet values are ignored with a notice; an over-long query is truncated with a notice.
    Facet counts are computed over the results filtered by every *other* facet, so each count says
    how many results choosing that value would give.
    """
    notices: list[str] = []
    raw_query = str(params.get("q") or "")
    if len(raw_query) > MAX_QUERY_LENGTH:
        raw_query = raw_query[:MAX_QUERY_LENGTH]
        notices.append(_("La recherche a été raccourcie à %(count)d caractères.") % {"count": MAX_QUERY_LENGTH})
    query = raw_query.strip()
    terms = fold(query).split()[:MAX_TERMS]
    labels = facet_labels()
    facet_names = {
        "value_chain": _("chaîne de valeur"),
        "competence": _("compétence"),
        "province": _("province"),
        "kind": _("type d'organisation"),
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
    entries = _entries()
    results = [e for e in entries if _matches(e, terms, selected)]
    facets: dict[str, list[FacetOption]] = {}
    for facet in FACETS:
        counts: Counter[str] = Counter()
        for entry in entries:
            if _matches(entry, terms, selected, skip=facet):
                counts.update(entry.values[facet])
        options = [
            FacetOption(value, labels[facet].get(value, value), count, selected.get(facet) == value)
            for value, count in counts.items()
            if value in labels[facet]
        ]
        facets[facet] = sorted(options, key=lambda o: (-o.count, fold(o.label)))
    page = Paginator([e.pk for e in results], page_size).get_page(params.get("page"))
    organisations = Organisation.objects.in_bulk(list(page.object_list))
    page.object_list = [organisations[pk] for pk in page.object_list if pk in organisations]
    return DirectoryResult(query, selected, page, facets, notices, len(results))
