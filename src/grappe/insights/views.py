"""Staff and observer pages of the strategic view; thin: selectors compute, templates show."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grappe.accounts.permissions import (
    can_act_on_prospects,
    can_edit_perimeter,
    can_read_insights,
    can_see_staff_only_projects,
    can_view_organisation,
    insights_required,
)
from grappe.ecosystem.models import Organisation, Segment
from grappe.insights import charts, perimeter_editor
from grappe.insights import dashboard as dashboard_data
from grappe.insights.exporting import csv_response, xlsx_response
from grappe.insights.mapping import ecosystem_map, map_svg, organisation_map, organisation_map_svg
from grappe.insights.network import (
    SOURCE_LABELS,
    build_graph,
    export_bytes,
    graph_svg,
    network_report,
    segment_connectivity,
)
from grappe.insights.prospects import rank_prospects
from grappe.insights.representativeness import FIRST_DAY, LAST_DAY, compute
from grappe.referential.models import NaceCode, Province
from grappe.register import services as register_services

NAV = [
    ("insights:dashboard", gettext_lazy("Tableau de bord")),
    ("insights:representativeness", gettext_lazy("Représentativité")),
    ("insights:prospects", gettext_lazy("Prospects")),
    ("insights:map", gettext_lazy("Carte")),
    ("insights:network", gettext_lazy("Réseau")),
    ("insights:perimeter", gettext_lazy("Périmètre")),
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
    """The date asked for (today when absent) and an error message naming the field when malformed or out of range."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return dt.date.today(), ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return dt.date.today(), _("Date invalide « %(value)s » (attendu AAAA-MM-JJ) : date du jour utilisée.") % {
            "value": raw
        }
    if not FIRST_DAY <= day <= LAST_DAY:
        return dt.date.today(), _(
            "Date hors limites « %(value)s » (entre %(first)s et %(last)s) : date du jour utilisée."
        ) % {"value": raw, "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
    return day, ""


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


# --- prospects --------------------------------------------------------------------------------------

PROSPECT_HEADER = [
    "rank",
    "score",
    "name",
    "enterprise_number",
    "in_ecosystem",
    "postal_code",
    "province",
    "nace",
    "start_date",
    "legal_form",
    "reasons",
]


def _segment_filter(request: HttpRequest) -> tuple[int | None, str]:
    """The segment asked for, or None and a message when it is not a segment id (the filter is then dropped)."""
    raw = (request.GET.get("segment") or "").strip()
    if not raw:
        return None, ""
    if raw.isdigit() and len(raw) < 18 and Segment.objects.filter(pk=int(raw)).exists():
        return int(raw), ""
    return None, _("Segment inconnu « %(value)s » : tous les segments sont montrés.") % {"value": raw[:40]}


def _prospect_filters(request: HttpRequest) -> tuple[dict[str, Any], str]:
    segment, error = _segment_filter(request)
    limit = (request.GET.get("limit") or "").strip()
    filters = {
        "segment": segment,
        "province": (request.GET.get("province") or "").strip()[:5] or None,
        "limit": max(1, min(int(limit), 5000)) if limit.isdigit() else 200,
    }
    return filters, error


@insights_required
def prospects(request: HttpRequest) -> HttpResponse:
    day, error = parse_day(request)
    filters, filter_error = _prospect_filters(request)
    error = " ".join(e for e in (error, filter_error) if e)
    result = rank_prospects(day, **filters)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        rows = (
            [
                rank,
                round(p.score, 1),
                p.name,
                p.display_number,
                "oui" if p.organisation_id else "non",
                p.zipcode,
                p.province,
                " ".join(sorted({c for _v, c in p.codes})),
                p.start_date.isoformat() if p.start_date else "",
                p.legal_form,
                " ; ".join(p.reasons),
            ]
            for rank, p in enumerate(result.prospects, start=1)
        )
        writer = csv_response if export == "csv" else xlsx_response
        return writer(f"prospects-{day.isoformat()}", PROSPECT_HEADER, rows)
    context = {
        "result": result,
        "day": day,
        "error": error,
        "filters": filters,
        "segments": Segment.objects.select_related("value_chain").order_by("value_chain__order", "order", "name"),
        "provinces": Province.objects.filter(region__nis="03000").order_by("nis") or Province.objects.order_by("nis"),
        "can_act": can_act_on_prospects(request.user),
        "query": request.GET.urlencode(),
    }
    return _render(request, "insights/prospects.html", context)


@require_POST
@insights_required
def prospect_act(request: HttpRequest) -> HttpResponse:
    """One click: add a register enterprise to the ecosystem and mark it prospect, or mark an organisation."""
    if not can_act_on_prospects(request.user):
        raise PermissionDenied
    back = reverse("insights:prospects") + ("?" + request.POST["query"] if request.POST.get("query") else "")
    number = (request.POST.get("number") or "").strip()
    organisation_id = (request.POST.get("organisation") or "").strip()
    try:
        with transaction.atomic():
            if number:
                if not number.isdigit():
                    raise ValidationError(_("Numéro d'entreprise invalide."))
                organisation = register_services.organisation_for_number(int(number))
                if organisation is None:
                    organisation = register_services.organisation_add_from_register(
                        actor=request.user, number=int(number)
                    )
            elif organisation_id.isdigit():
                organisation = Organisation.objects.filter(pk=int(organisation_id)).first()
                if organisation is None:
                    raise ValidationError(_("Organisation introuvable."))
            else:
                raise ValidationError(_("Indiquez une entreprise ou une organisation."))
            register_services.organisation_mark_prospect(actor=request.user, organisation=organisation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request, _("« %(name)s » est dans l'écosystème, marquée comme prospect.") % {"name": organisation.name}
    )
    return redirect(back)


# --- map --------------------------------------------------------------------------------------------


@insights_required
def ecosystem_map_view(request: HttpRequest) -> HttpResponse:
    day, error = parse_day(request)
    segment, segment_error = _segment_filter(request)
    error = " ".join(e for e in (error, segment_error) if e)
    data = ecosystem_map(day, segment=segment)
    if request.GET.get("csv") == "provinces":
        header = ["province", "label", "members", "non_members", "research", "universe", "coverage"]
        return csv_response(
            f"carte-provinces-{day.isoformat()}",
            header,
            ([r[k] for k in ("nis", *header[1:])] for r in data["provinces"]),
        )
    if request.GET.get("csv") == "municipalities":
        header = ["municipality", "label", "members", "non_members", "research", "universe", "coverage"]
        rows = (
            [
                p.nis,
                p.label,
                p.counts["members"],
                p.counts["non_members"],
                p.counts["research"],
                p.counts["universe"],
                p.coverage,
            ]
            for p in data["places"]
        )
        return csv_response(f"carte-communes-{day.isoformat()}", header, rows)
    context = {
        "data": data,
        "day": day,
        "error": error,
        "segment": segment,
        "segments": Segment.objects.select_related("value_chain").order_by("value_chain__order", "order", "name"),
        "svg": map_svg(data, title=_("Carte de l'écosystème")),
    }
    return _render(request, "insights/map.html", context)


def organisation_map_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Organisation page panel: its sites on the offline map (ORG-VIEW); insights readers also see the
    ecosystem's members around them and the counts in its municipalities."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_view_organisation(request.user, organisation):
        raise PermissionDenied
    context = can_read_insights(request.user)
    data = organisation_map(organisation, dt.date.today(), context=context)
    svg = organisation_map_svg(data, title=_("Implantations de %(name)s") % {"name": organisation.name})
    return render(
        request, "insights/_organisation_map.html", {"org": organisation, "data": data, "svg": svg, "context": context}
    )


# --- network ----------------------------------------------------------------------------------------


@insights_required
def network(request: HttpRequest) -> HttpResponse:
    day, error = parse_day(request)
    report = network_report(day, include_staff_only=can_see_staff_only_projects(request.user))
    graph = report["result"].graph
    export = request.GET.get("format")
    if export in ("gexf", "graphml"):
        response = HttpResponse(export_bytes(graph, export), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="reseau-{day.isoformat()}.{export}"'
        return response
    stats = report["metrics"]
    labels = {n: d.get("label", n) for n, d in graph.nodes(data=True)}
    context = {
        "day": day,
        "error": error,
        "report": report,
        "stats": stats,
        "sources": [(SOURCE_LABELS.get(k, k), n) for k, n in report["result"].sources.items()],
        "svg": graph_svg(graph, title=_("Réseau de collaboration")),
        "brokers": [(n, labels[n], graph.nodes[n]["betweenness"], graph.degree(n)) for n in stats["brokers"]],
        "top_degree": [(n, labels[n], graph.degree(n)) for n in stats.get("top_degree", [])],
        "isolated": [(n, labels[n]) for n in stats["isolated_members"]],
        "communities": [[labels[n] for n in c] for c in stats["communities"][:12]],
        "segments": segment_connectivity(graph),
    }
    return _render(request, "insights/network.html", context)


# --- dashboard --------------------------------------------------------------------------------------


@insights_required
def dashboard(request: HttpRequest) -> HttpResponse:
    day, error = parse_day(request)
    flows = dashboard_data.membership_quarters(day)
    report = compute(day)
    staff_only = can_see_staff_only_projects(request.user)
    engagement = dashboard_data.engagement(day, include_staff_only=staff_only)
    risk = dashboard_data.members_at_risk(day, include_staff_only=staff_only)
    connectivity = segment_connectivity(build_graph(day, include_staff_only=staff_only).graph)
    segment_cells = report["breakdowns"].get("segment", {}).get("cells", [])
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "quarters": (
            ["quarter", "joins", "exits", "members"],
            [[r["quarter"], r["joins"], r["exits"], r["members"]] for r in flows],
        ),
        "segments": (
            ["segment", "members", "universe", "coverage", "residual"],
            [[c["label"], c["members"], c["universe"], c["coverage"], c["residual"]] for c in segment_cells],
        ),
        "engagement": (
            ["organisation", "score", *engagement.get("codes", [])],
            [
                [r["name"], r["score"], *[r["parts"].get(c, 0) for c in engagement.get("codes", [])]]
                for r in engagement["rows"]
            ],
        ),
        "risk": (
            ["organisation", "reasons", "fee_paid_until"],
            [[r["name"], " ; ".join(r["reasons"]), r["fee_paid_until"]] for r in risk["rows"]],
        ),
        "connectivity": (
            ["segment", "members", "mean_degree"],
            [[r["label"], r["members"], round(r["mean_degree"], 3)] for r in connectivity],
        ),
    }
    wanted = request.GET.get("csv")
    if wanted:
        if wanted not in tables:
            raise Http404
        header, rows = tables[wanted]
        return csv_response(f"tableau-de-bord-{wanted}-{day.isoformat()}", header, rows)
    under = sorted(
        (c for c in segment_cells if c["residual"] is not None and c["residual"] < 0), key=lambda c: c["residual"]
    )[:2]
    this_quarter = flows[-1] if flows else None
    context = {
        "day": day,
        "error": error,
        "flows": flows,
        "this_quarter": this_quarter,
        "report": report,
        "under": under,
        "engagement": engagement,
        "engagement_top": engagement["rows"][:15],
        "risk": risk,
        "connectivity": connectivity,
        "flows_chart": charts.bar_chart(
            [(r["quarter"], [r["joins"], r["exits"]]) for r in flows],
            title=_("Adhésions et départs par trimestre"),
            series=[_("adhésions"), _("départs")],
        ),
        "members_chart": charts.line_chart(
            [(r["quarter"], r["members"]) for r in flows], title=_("Membres en fin de trimestre")
        ),
        "coverage_chart": charts.bar_chart(
            [(c["label"][-24:], [round((c["coverage"] or 0) * 100, 1)]) for c in segment_cells],
            title=_("Couverture par segment (%)"),
            series=[_("couverture %")],
        )
        if segment_cells
        else None,
    }
    return _render(request, "insights/dashboard.html", context)


# --- perimeter editor -------------------------------------------------------------------------------


@insights_required
def perimeter(request: HttpRequest) -> HttpResponse:
    """The segments and their NACE codes, with labels and register / ecosystem counts (readers)."""
    context = {
        "overview": perimeter_editor.perimeter_overview(),
        "can_edit": can_edit_perimeter(request.user),
    }
    return _render(request, "insights/perimeter.html", context)


def _search_context(request: HttpRequest) -> dict[str, Any]:
    query = (request.GET.get("q") or "").strip()[:100]
    version = request.GET.get("version") or ""
    version = version if version in ("2008", "2025") else ""
    results = perimeter_editor.code_counts(perimeter_editor.nace_search(query, version=version)) if query else []
    return {"q": query, "version": version, "results": results}


@insights_required
def perimeter_search(request: HttpRequest) -> HttpResponse:
    """htmx: NACE codes matching the search, each with its labels and counts, as checkboxes to add."""
    if not can_edit_perimeter(request.user):
        raise PermissionDenied
    return render(request, "insights/_nace_results.html", _search_context(request))


@insights_required
def perimeter_segment(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit one segment's codes: keep or drop the current ones, search and tick new ones, save."""
    if not can_edit_perimeter(request.user):
        raise PermissionDenied
    segment = get_object_or_404(Segment.objects.select_related("value_chain"), pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            codes = request.POST.getlist("codes")
            perimeter_editor.segment_codes_set(actor=request.user, segment=segment, code_ids=codes)
        except ValidationError as exc:
            errors = exc.messages
        else:
            redundant = perimeter_editor.redundant_codes(list(segment.nace_codes.all()))
            messages.success(request, _("Périmètre du segment « %(name)s » enregistré.") % {"name": segment.name})
            if redundant:
                messages.warning(
                    request,
                    _("Codes déjà couverts par un code plus large du segment : %(codes)s.")
                    % {"codes": ", ".join(f"{a.dotted} ⊂ {b.dotted}" for a, b in redundant)},
                )
            return redirect("insights:perimeter")
    current = perimeter_editor.segment_rows(segment)
    if errors:  # show the codes as ticked, not as saved (the valid ones; the error names the others)
        picked = [int(i) for i in request.POST.getlist("codes") if i.isdigit() and len(i) < 18]
        current = perimeter_editor.code_counts(
            [perimeter_editor.code_row(n) for n in NaceCode.objects.filter(pk__in=picked).order_by("-version", "code")]
        )
    context = {
        "segment": segment,
        "current": current,
        "errors": errors,
        **_search_context(request),
    }
    return _render(request, "insights/perimeter_segment.html", context)
