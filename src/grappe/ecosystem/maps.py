"""A small map of Belgium that works offline: an inline SVG drawn on the server.

The country's silhouette is made of every Belgian postal code's locality as a faint dot (no tiles,
no JavaScript, no network); the organisation's sites are drawn on top as labelled markers.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from grappe.referential.models import PostalCode

# Bounding box of Belgium with a small margin (degrees).
LAT_MIN, LAT_MAX = 49.45, 51.56
LON_MIN, LON_MAX = 2.50, 6.45
WIDTH = 400
# Equirectangular projection corrected by the cosine of the middle latitude: good enough at this size.
_COS = math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))
_SCALE = WIDTH / ((LON_MAX - LON_MIN) * _COS)
HEIGHT = round((LAT_MAX - LAT_MIN) * _SCALE)

_background_cache: dict[str, str] = {}


@dataclass(frozen=True)
class Marker:
    latitude: float
    longitude: float
    label: str
    highlight: bool = True


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """SVG coordinates (x to the east, y to the south) of a point."""
    x = (longitude - LON_MIN) * _COS * _SCALE
    y = (LAT_MAX - latitude) * _SCALE
    return round(x, 1), round(y, 1)


def background_path() -> str:
    """The ``d`` attribute of one path drawing a dot per postal code (computed once per process).

    One path with zero-length segments and round caps is far lighter than a thousand circles.
    """
    if "d" in _background_cache:
        return _background_cache["d"]
    points = PostalCode.objects.filter(latitude__isnull=False, longitude__isnull=False).values_list(
        "latitude", "longitude"
    )
    d = "".join("M{} {}h0".format(*project(lat, lon)) for lat, lon in points)
    if d:  # never cache an empty silhouette (reference data not loaded yet)
        _background_cache["d"] = d
    return d


def markers_for_sites(sites: Iterable) -> list[Marker]:
    """Markers for sites that have coordinates (their own, else their postal code's)."""
    markers = []
    for site in sites:
        lat = site.latitude if site.latitude is not None else getattr(site.postal_code, "latitude", None)
        lon = site.longitude if site.longitude is not None else getattr(site.postal_code, "longitude", None)
        if lat is None or lon is None:
            continue
        label = f"{site.postal_code.code} {site.municipality}"
        if site.label:
            label = f"{site.label} — {label}"
        markers.append(Marker(lat, lon, label))
    return markers


def map_svg(markers: list[Marker], *, title: str | None = None, element_id: str = "site-map") -> SafeString:
    """An accessible inline SVG: a title, a description listing the markers, the dots, the markers."""
    title = title or _("Carte des sites")
    description = "; ".join(m.label for m in markers) or _("Aucun site localisé.")
    circles = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="6" class="map-site"><title>{}</title></circle>',
        ((*project(m.latitude, m.longitude), m.label) for m in markers),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="site-map" role="img" '
        'aria-labelledby="{id}-title {id}-desc" width="100%" preserveAspectRatio="xMidYMid meet">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<path d="{d}" stroke="#9aa5b1" stroke-width="2.4" stroke-linecap="round" fill="none"/>'
        '<g fill="#a4161a" stroke="#ffffff" stroke-width="1.5">{circles}</g></svg>',
        w=WIDTH,
        h=HEIGHT,
        id=element_id,
        title=title,
        desc=description,
        d=background_path(),
        circles=circles,
    )


def site_map(sites: Iterable, *, title: str | None = None) -> SafeString:
    return map_svg(markers_for_sites(sites), title=title)
