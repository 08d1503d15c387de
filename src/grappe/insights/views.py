"""Staff and observer pages of the strategic view; thin: selectors compute, templates show."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.accounts.permissions import insights_required
from grappe.insights import charts
from grappe.insights.exporting import csv_response
from grappe.insights.representativeness import compute

NAV = [
    ("insights:dashboard", gettext_lazy("Tableau de bord")),
    ("insights:representativeness", gettext_lazy("Représentativité")),
    ("insights:prospects", gettext_lazy("Prospects")),
    ("insights:map", gettext_lazy("Carte")),
    ("insights:network", gettext_lazy("Réseau")),
]


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    nav = []
    for name, label in NAV:
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        nav.append((name, label))
    return render(request, template, {**context, "insights_nav": nav})


def parse_day(request: HttpRequest, name: str = "date") -> tuple[dt.date, str]:
    """The date asked for (today when absent) and an error message naming the field when malformed."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return dt.date.today(), ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return dt.date.today(), _("Date invalide « %(value)s » (attendu AAAA-MM-JJ) : date du jour utilisée.") % {
            "value": raw
        }


CELL_HEADER = [
    "key",
    "label",
    "members",
    "universe",
    "coverage",
    "member_share",
    "universe_share",
    "residual",
    "significant",
]


@insights_required
def representativeness(request: HttpRequest) -> HttpResponse:
    day, error = parse_day(request)
    report = compute(day)
    breakdown = request.GET.get("csv")
    if breakdown:
        if breakdown not in report["breakdowns"]:
            raise Http404
        cells = report["breakdowns"][breakdown]["cells"]
        return csv_response(
            f"representativite-{breakdown}-{day.isoformat()}",
            CELL_HEADER,
            ([c[k] for k in CELL_HEADER] for c in cells),
        )
    points = [(p["date"][:4] if p["date"].endswith("12-31") else p["date"], p["index"]) for p in report["evolution"]]
    context: dict[str, Any] = {
        "report": report,
        "day": day,
        "error": error,
        "evolution_chart": charts.line_chart(points, title=_("Évolution de l'indice de représentativité"), maximum=1)
        if report["evolution"]
        else None,
        "under": [
            c
            for c in report["breakdowns"].get("segment", {}).get("cells", [])
            if c["residual"] is not None and c["residual"] < 0
        ][:2],
    }
    return _render(request, "insights/representativeness.html", context)
