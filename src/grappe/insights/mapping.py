"""The ecosystem map: organisations and register coverage per municipality, drawn offline as SVG.

Reuses the projection and the country silhouette of ``ecosystem.maps`` (every postal code as a
faint dot; no tiles, no network). Each municipality gets proportional circles (area ∝ count) for
members, other ecosystem organisations and research organisations; hover titles give the counts
and the coverage of the register universe (members / perimeter enterprises in the municipality).
"""

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from grappe.ecosystem import selectors as eco_selectors
from grappe.ecosystem.maps import HEIGHT, WIDTH, background_path, markers_for_sites, project
from grappe.ecosystem.models import Organisation, Site
from grappe.insights.perimeter import load_perimeter
from grappe.insights.representativeness import member_rows, universe_location_age
from grappe.referential.models import Municipality, PostalCode, Province

RESEARCH_KINDS = {Organisation.Kind.RESEARCH_CENTRE, Organisation.Kind.UNIVERSITY}
MAX_RADIUS = 14.0


@dataclass
class Place:
    nis: str
    label: str
    province: str
    latitude: float | None
    longitude: float | None
    counts: Counter = field(default_factory=Counter)

    @property
    def coverage(self) -> float | None:
        universe = self.counts["universe"]
        return self.counts["members_register"] / universe if universe else None


def ecosystem_map(day: dt.date, *, segment: int | None = None) -> dict[str, Any]:
    """Counts per municipality and province: members, non-members, research, universe, coverage."""
    member_ids = eco_selectors.member_ids_on(day)
    organisations = Organisation.objects.all()
    perimeter = load_perimeter([segment] if segment else None)
    if segment:
        organisations = organisations.filter(segments__pk=segment)
    heads: dict[int, Site] = {}
    for site in (
        Site.objects.filter(organisation__in=organisations)
        .filter(municipality__isnull=False)
        .order_by("organisation_id", "-is_head_office", "id")
    ):
        heads.setdefault(site.organisation_id, site)
    municipalities = {
        m.pk: m
        for m in Municipality.objects.filter(pk__in={s.municipality_id for s in heads.values()}).select_related(
            "province"
        )
    }
    places: dict[str, Place] = {}

    def place_for(municipality: Municipality) -> Place:
        if municipality.nis not in places:
            places[municipality.nis] = Place(
                municipality.nis,
                municipality.label,
                municipality.province.nis if municipality.province_id else "",
                municipality.latitude,
                municipality.longitude,
            )
        return places[municipality.nis]

    located = 0
    for org in organisations.only("id", "kind", "enterprise_number").distinct():
        site = heads.get(org.pk)
        if site is None:
            continue
        located += 1
        place = place_for(municipalities[site.municipality_id])
        if org.kind in RESEARCH_KINDS:
            place.counts["research"] += 1
        elif org.pk in member_ids:
            place.counts["members"] += 1
        else:
            place.counts["non_members"] += 1
    # Register universe and register-matched members per municipality (one GROUP BY, then postal code -> municipality).
    notes: list[str] = []
    if perimeter.is_empty:
        notes.append(_("Le périmètre est vide : la couverture par commune n'est pas calculable."))
    else:
        zip_muni = {code: muni_id for code, muni_id in PostalCode.objects.values_list("code", "municipality_id")}
        rows = universe_location_age(perimeter, day)
        needed = {zip_muni.get(r["zipcode"]) for r in rows} - {None}
        for municipality in Municipality.objects.filter(pk__in=needed).select_related("province"):
            municipalities[municipality.pk] = municipality
        for r in rows:
            muni_id = zip_muni.get(r["zipcode"])
            if muni_id is not None:
                place_for(municipalities[muni_id]).counts["universe"] += r["n"]
        for row in member_rows(perimeter, day).rows:
            muni_id = zip_muni.get(row.zipcode)
            if muni_id is not None and muni_id in municipalities:
                place_for(municipalities[muni_id]).counts["members_register"] += 1
        if not rows:
            notes.append(_("Aucune entreprise du registre dans le périmètre : pas de couverture par commune."))
    provinces = {p.nis: p.label for p in Province.objects.all()}
    by_province: dict[str, Counter] = defaultdict(Counter)
    for place in places.values():
        by_province[place.province].update(place.counts)
    province_rows = [
        {
            "nis": nis,
            "label": provinces.get(nis) or _("hors province (Bruxelles) ou inconnue"),
            "members": c["members"],
            "non_members": c["non_members"],
            "research": c["research"],
            "universe": c["universe"],
            "coverage": c["members_register"] / c["universe"] if c["universe"] else None,
        }
        for nis, c in sorted(by_province.items())
    ]
    if not located:
        notes.append(_("Aucune organisation localisée (aucun site avec une commune)."))
    return {
        "date": day.isoformat(),
        "places": sorted(places.values(), key=lambda p: (-sum(p.counts.values()), p.label)),
        "provinces": province_rows,
        "notes": notes,
    }


def _radius(count: int, top: int) -> float:
    return round(MAX_RADIUS * math.sqrt(count / top), 1) if top else 0


LAYERS = [
    ("universe", "#d9dde3", 0.7),
    ("non_members", "#f4a261", 0.85),
    ("members", "#1d4e89", 0.85),
    ("research", "#2b9348", 0.9),
]


def map_svg(data: dict[str, Any], *, title: str) -> SafeString:
    """Proportional circles per municipality over the offline silhouette of Belgium."""
    places = [p for p in data["places"] if p.latitude is not None and p.longitude is not None]
    top = max([max(p.counts[k] for k, _c, _o in LAYERS) for p in places] or [0])
    layer_names = {
        "universe": _("entreprises du périmètre (registre)"),
        "non_members": _("non-membres"),
        "members": _("membres"),
        "research": _("recherche et enseignement"),
    }
    circles = []
    for key, colour, opacity in LAYERS:
        for p in places:
            if not p.counts[key]:
                continue
            x, y = project(p.latitude, p.longitude)
            coverage = "—" if p.coverage is None else f"{p.coverage * 100:.1f} %"
            text = _(
                "%(place)s — membres %(m)d, non-membres %(n)d, recherche %(r)d, univers %(u)d, couverture %(c)s"
            ) % {
                "place": p.label,
                "m": p.counts["members"],
                "n": p.counts["non_members"],
                "r": p.counts["research"],
                "u": p.counts["universe"],
                "c": coverage,
            }
            circles.append((x, y, max(_radius(p.counts[key], top), 1.5), colour, opacity, key, text))
    legend = format_html_join(
        "",
        '<circle cx="12" cy="{}" r="5" fill="{}"/><text x="22" y="{}" font-size="10">{}</text>',
        ((14 + 14 * i, colour, 18 + 14 * i, layer_names[key]) for i, (key, colour, _o) in enumerate(LAYERS)),
    )
    description = "; ".join(
        f"{p.label}: {p.counts['members']}/{p.counts['non_members']}/{p.counts['research']}/{p.counts['universe']}"
        for p in places[:60]
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="site-map insights-map" role="img" '
        'width="100%" preserveAspectRatio="xMidYMid meet" data-places="{n}">'
        "<title>{title}</title><desc>{desc}</desc>"
        '<path d="{d}" stroke="#9aa5b1" stroke-width="2.4" stroke-linecap="round" fill="none"/>'
        "{circles}{legend}</svg>",
        w=WIDTH,
        h=HEIGHT,
        n=len(places),
        title=title,
        desc=description or _("Aucune organisation localisée."),
        d=background_path(),
        circles=format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="{}" class="layer-{}" stroke="#fff" '
            'stroke-width="0.5"><title>{}</title></circle>',
            circles,
        ),
        legend=legend,
    )


# --- one organisation's sites (organisation page panel) ----------------------------------------------


def organisation_map(organisation: Organisation, day: dt.date, *, context: bool) -> dict[str, Any]:
    """The organisation's sites as markers and, with ``context`` (insights readers), the ecosystem around them.

    Context is what an insights reader may see: per municipality of the organisation's sites, the
    ecosystem members and other organisations whose head office (else first site) is there, and the
    members of the whole ecosystem as a faint layer. Member users get their own sites only.
    """
    sites = list(organisation.sites.select_related("postal_code", "municipality__province"))
    markers = markers_for_sites(sites)
    data: dict[str, Any] = {"sites": sites, "markers": markers, "places": [], "municipalities": [], "notes": []}
    if not sites:
        data["notes"].append(_("Aucun site enregistré : rien à placer sur la carte."))
    elif not markers:
        data["notes"].append(_("Aucun site localisé (coordonnées inconnues pour ses codes postaux)."))
    if not context:
        return data
    member_ids = eco_selectors.member_ids_on(day)
    heads: dict[int, Site] = {}
    for site in Site.objects.select_related("municipality").order_by("organisation_id", "-is_head_office", "id"):
        heads.setdefault(site.organisation_id, site)
    places: dict[int, Place] = {}
    for org_id, site in heads.items():
        muni = site.municipality
        place = places.get(muni.pk)
        if place is None:
            place = places[muni.pk] = Place(muni.nis, muni.label, "", muni.latitude, muni.longitude)
        place.counts["members" if org_id in member_ids else "non_members"] += 1
    own = {s.municipality_id for s in sites}
    data["places"] = [p for p in places.values() if p.counts["members"]]
    data["municipalities"] = [
        {
            "label": places[m].label
            if m in places
            else next(s.municipality.label for s in sites if s.municipality_id == m),
            "members": places[m].counts["members"] if m in places else 0,
            "non_members": places[m].counts["non_members"] if m in places else 0,
        }
        for m in sorted(own)
    ]
    return data


def organisation_map_svg(data: dict[str, Any], *, title: str) -> SafeString:
    """The silhouette, the ecosystem's members per municipality (faint, when given), the organisation's sites."""
    places = [p for p in data["places"] if p.latitude is not None and p.longitude is not None]
    top = max([p.counts["members"] for p in places] or [0])
    context = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" fill="#1d4e89" fill-opacity="0.25" class="layer-members">'
        "<title>{}</title></circle>",
        (
            (
                *project(p.latitude, p.longitude),
                max(_radius(p.counts["members"], top) * 0.6, 1.2),
                _("%(place)s — %(n)d membre(s)") % {"place": p.label, "n": p.counts["members"]},
            )
            for p in places
        ),
    )
    markers = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="6" class="org-site" fill="#a4161a" stroke="#fff" stroke-width="1.5">'
        "<title>{}</title></circle>",
        ((*project(m.latitude, m.longitude), m.label) for m in data["markers"]),
    )
    description = "; ".join(m.label for m in data["markers"]) or _("Aucun site localisé.")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="site-map insights-map organisation-map" '
        'role="img" width="100%" preserveAspectRatio="xMidYMid meet" data-sites="{n}">'
        "<title>{title}</title><desc>{desc}</desc>"
        '<path d="{d}" stroke="#9aa5b1" stroke-width="2.4" stroke-linecap="round" fill="none"/>'
        "{context}{markers}</svg>",
        w=WIDTH,
        h=HEIGHT,
        n=len(data["markers"]),
        title=title,
        desc=description,
        d=background_path(),
        context=context,
        markers=markers,
    )
