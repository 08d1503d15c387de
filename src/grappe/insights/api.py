"""REST API of the strategic view, mounted at /api/v1/insights/ (personal tokens or the browser session).

Same rules as the pages (``grappe.accounts.permissions``): INSIGHTS-READ — staff, admins and observers
read every aggregate (observers through their session: they have no tokens); member users 403,
anonymous 401. A token needs the ``insights:read`` scope. Everything is read-only; adding a prospect
to the ecosystem stays a staff action in the UI. Reads carry an ETag (304 on If-None-Match). Bad
parameters answer 422 naming the parameter; a date before any data or an empty perimeter is a 200
whose ``notes`` explain why values are ``null``, never a 500.

- ``GET /representativeness``: the report of ``grappe ecosystem representativeness --json``;
- ``GET /prospects``: the ranked prospects with their score, parts and reasons;
- ``GET /map``: members, non-members, research organisations, universe and coverage per province and
  municipality;
- ``GET /network``: graph size, brokers, most connected, isolated members, communities, change;
- ``GET /dashboard``: members per quarter, coverage per segment, members at risk, segment connectivity;
- ``GET /perimeter``: the segments' NACE codes with labels and register / ecosystem counts.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth, ApiError, conditional
from grappe.insights import dashboard as dashboard_data
from grappe.insights import perimeter_editor
from grappe.insights.mapping import ecosystem_map
from grappe.insights.network import build_graph, network_report, segment_connectivity
from grappe.insights.prospects import rank_prospects
from grappe.insights.representativeness import FIRST_DAY, LAST_DAY, compute

READ = ApiAuth("insights:read")
router = Router(auth=READ, tags=["insights"])

MAX_ID = 2**63 - 1


# --- Query parameters -----------------------------------------------------------------------------


class DayParams(Schema):
    date: dt.date | None = Field(None, description="AAAA-MM-JJ (défaut : aujourd'hui)")


class SegmentParams(DayParams):
    segment: int | None = Field(None, ge=1, le=MAX_ID, description="identifiant de segment")


class ProspectParams(SegmentParams):
    province: str | None = Field(None, pattern=r"^\d{5}$", description="code INS de la province")
    limit: int = Field(50, ge=1, le=500)


# --- Output schemas -------------------------------------------------------------------------------


class CellOut(Schema):
    key: str
    label: str
    members: int
    universe: int | None
    coverage: float | None
    member_share: float | None
    universe_share: float | None
    residual: float | None
    significant: bool


class BreakdownOut(Schema):
    key: str
    label: str
    cells: list[CellOut]
    index: float | None
    partition: bool
    chi2: float | None
    p_value: float | None
    notes: list[str]


class EvolutionOut(Schema):
    date: str
    index: float | None
    members: int


class SmeShareOut(Schema):
    value: float | None
    smes: int
    known: int
    unknown: int


class PerimeterSegmentOut(Schema):
    id: int
    label: str
    codes: list[str]


class RepresentativenessOut(Schema):
    date: str
    index: float | None
    perimeter: list[PerimeterSegmentOut]
    members_total: int
    members_in_perimeter: int
    unmatched: int
    outside_perimeter: int
    universe: int
    coverage: float | None
    sme_share: SmeShareOut | None
    breakdowns: dict[str, BreakdownOut]
    evolution: list[EvolutionOut]
    notes: list[str]


class ProspectOut(Schema):
    rank: int
    score: float
    similarity: float
    gap: float
    name: str
    enterprise_number: str
    organisation_id: int | None
    postal_code: str
    province: str
    nace: list[str]
    start_date: dt.date | None
    legal_form: str
    reasons: list[str]


class UnderCellOut(Schema):
    breakdown: str
    key: str
    label: str
    residual: float | None


class ProspectsOut(Schema):
    date: str
    candidates: int
    under_represented: list[UnderCellOut]
    results: list[ProspectOut]
    notes: list[str]


class MapProvinceOut(Schema):
    nis: str
    label: str
    members: int
    non_members: int
    research: int
    universe: int
    coverage: float | None


class MapPlaceOut(Schema):
    nis: str
    label: str
    province: str
    latitude: float | None
    longitude: float | None
    members: int
    non_members: int
    research: int
    universe: int
    coverage: float | None


class MapOut(Schema):
    date: str
    provinces: list[MapProvinceOut]
    municipalities: list[MapPlaceOut]
    notes: list[str]


class NodeOut(Schema):
    id: str
    label: str
    degree: int
    betweenness: float


class NetworkOut(Schema):
    date: str
    nodes: int
    edges: int
    density: float
    sources: dict[str, int]
    brokers: list[NodeOut]
    top_degree: list[NodeOut]
    isolated_members: list[NodeOut]
    communities: list[list[str]]
    change: dict[str, Any]
    notes: list[str]


class QuarterOut(Schema):
    quarter: str
    start: dt.date
    end: dt.date
    joins: int
    exits: int
    members: int


class SegmentCoverageOut(Schema):
    key: str
    label: str
    members: int
    universe: int | None
    coverage: float | None
    residual: float | None


class RiskOut(Schema):
    organisation: int
    name: str
    reasons: list[str]
    fee_paid_until: dt.date | None


class ConnectivityOut(Schema):
    label: str
    members: int
    mean_degree: float


class DashboardOut(Schema):
    date: str
    index: float | None
    quarters: list[QuarterOut]
    segments: list[SegmentCoverageOut]
    members_at_risk: list[RiskOut]
    connectivity: list[ConnectivityOut]
    notes: list[str]


class CodeOut(Schema):
    id: int
    version: str
    code: str
    dotted: str
    level: int
    label: str
    enterprises: int
    organisations: int


class SegmentCodesOut(Schema):
    id: int
    value_chain: str
    name: str
    codes: list[CodeOut]


class PerimeterOut(Schema):
    segments: list[SegmentCodesOut]
    notes: list[str]


# --- Helpers --------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> None:
    """INSIGHTS-READ: staff, admins, observers; 403 for anyone else (anonymous never gets here: 401)."""
    if not permissions.can_read_insights(request.auth):
        raise ApiError(403, "forbidden", _("Accès réservé à l'équipe du cluster et aux observateurs."))


def _day(params: DayParams) -> dt.date:
    day = params.date or dt.date.today()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ApiError(422, "invalid", _("date : entre 1900-01-01 et 2100-12-31."))
    return day


def _segment_exists(segment: int | None) -> None:
    from grappe.ecosystem.models import Segment

    if segment is not None and not Segment.objects.filter(pk=segment).exists():
        raise ApiError(404, "not_found", _("Segment introuvable."))


# --- Endpoints ------------------------------------------------------------------------------------


@router.get(
    "/representativeness",
    response={200: RepresentativenessOut, 304: None},
    summary="Representativeness of the membership (cells, residuals, index, evolution)",
)
def representativeness(request: HttpRequest, response: HttpResponse, params: Query[SegmentParams]):
    _reader(request)
    _segment_exists(params.segment)
    report = compute(_day(params), segment_ids=[params.segment] if params.segment else None)
    return conditional(request, response, RepresentativenessOut, report)


@router.get("/prospects", response={200: ProspectsOut, 304: None}, summary="Ranked prospects with their reasons")
def prospects(request: HttpRequest, response: HttpResponse, params: Query[ProspectParams]):
    _reader(request)
    _segment_exists(params.segment)
    day = _day(params)
    result = rank_prospects(day, segment=params.segment, province=params.province, limit=params.limit)
    data = {
        "date": day.isoformat(),
        "candidates": result.candidates,
        "under_represented": [
            {"breakdown": c["breakdown"], "key": c["key"], "label": c["label"], "residual": c["residual"]}
            for c in result.under
        ],
        "results": [
            {
                "rank": rank,
                "score": round(p.score, 2),
                "similarity": round(p.similarity, 4),
                "gap": round(p.gap, 4),
                "name": p.name,
                "enterprise_number": p.display_number,
                "organisation_id": p.organisation_id,
                "postal_code": p.zipcode,
                "province": p.province,
                "nace": sorted({f"{v}:{c}" for v, c in p.codes}),
                "start_date": p.start_date,
                "legal_form": p.legal_form,
                "reasons": p.reasons,
            }
            for rank, p in enumerate(result.prospects, start=1)
        ],
        "notes": result.notes,
    }
    return conditional(request, response, ProspectsOut, data)


@router.get("/map", response={200: MapOut, 304: None}, summary="Ecosystem and coverage per province and municipality")
def ecosystem_map_data(request: HttpRequest, response: HttpResponse, params: Query[SegmentParams]):
    _reader(request)
    _segment_exists(params.segment)
    day = _day(params)
    data = ecosystem_map(day, segment=params.segment)
    payload = {
        "date": day.isoformat(),
        "provinces": data["provinces"],
        "municipalities": [
            {
                "nis": p.nis,
                "label": p.label,
                "province": p.province,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "members": p.counts["members"],
                "non_members": p.counts["non_members"],
                "research": p.counts["research"],
                "universe": p.counts["universe"],
                "coverage": p.coverage,
            }
            for p in data["places"]
        ],
        "notes": data["notes"],
    }
    return conditional(request, response, MapOut, payload)


@router.get("/network", response={200: NetworkOut, 304: None}, summary="Collaboration network metrics")
def network(request: HttpRequest, response: HttpResponse, params: Query[DayParams]):
    _reader(request)
    day = _day(params)
    report = network_report(day, include_staff_only=permissions.can_see_staff_only_projects(request.auth))
    graph = report["result"].graph
    stats = report["metrics"]

    def node(n: Any) -> dict[str, Any]:
        data = graph.nodes[n]
        return {
            "id": str(n),
            "label": str(data.get("label", n)),
            "degree": graph.degree(n),
            "betweenness": float(data.get("betweenness", 0.0)),
        }

    payload = {
        "date": day.isoformat(),
        "nodes": stats["nodes"],
        "edges": stats["edges"],
        "density": float(stats["density"]),
        "sources": {str(k): int(v) for k, v in report["result"].sources.items()},
        "brokers": [node(n) for n in stats["brokers"]],
        "top_degree": [node(n) for n in stats.get("top_degree", [])],
        "isolated_members": [node(n) for n in stats["isolated_members"]],
        "communities": [[str(graph.nodes[n].get("label", n)) for n in c] for c in stats["communities"]],
        "change": {k: list(v) if isinstance(v, tuple) else v for k, v in report["change"].items()},
        "notes": [str(n) for n in report["notes"]],
    }
    return conditional(request, response, NetworkOut, payload)


@router.get("/dashboard", response={200: DashboardOut, 304: None}, summary="Strategic dashboard figures")
def dashboard(request: HttpRequest, response: HttpResponse, params: Query[DayParams]):
    _reader(request)
    day = _day(params)
    report = compute(day, with_evolution=False)
    risk = dashboard_data.members_at_risk(day, include_staff_only=permissions.can_see_staff_only_projects(request.auth))
    payload = {
        "date": day.isoformat(),
        "index": report["index"],
        "quarters": dashboard_data.membership_quarters(day),
        "segments": report["breakdowns"].get("segment", {}).get("cells", []),
        "members_at_risk": risk["rows"],
        "connectivity": [
            {"label": r["label"], "members": r["members"], "mean_degree": r["mean_degree"]}
            for r in segment_connectivity(
                build_graph(day, include_staff_only=permissions.can_see_staff_only_projects(request.auth)).graph
            )
        ],
        "notes": report["notes"],
    }
    return conditional(request, response, DashboardOut, payload)


@router.get("/perimeter", response={200: PerimeterOut, 304: None}, summary="The perimeter's NACE codes with counts")
def perimeter(request: HttpRequest, response: HttpResponse):
    _reader(request)
    overview = perimeter_editor.perimeter_overview()
    payload = {
        "segments": [
            {
                "id": item["segment"].pk,
                "value_chain": item["segment"].value_chain.name,
                "name": item["segment"].name,
                "codes": [vars(c) for c in item["codes"]],
            }
            for item in overview
        ],
        "notes": [] if any(item["codes"] for item in overview) else ["Le périmètre est vide."],
    }
    return conditional(request, response, PerimeterOut, payload)
