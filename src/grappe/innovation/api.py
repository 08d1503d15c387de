"""REST API of the innovation app, mounted at /api/v1/innovation/ (personal tokens with the ``innovation:read``
scope, or the browser session: ``grappe.core.api_auth.ApiAuth``).

Projects follow INNO-VIEW: staff see every project (with internal notes); member users see the projects
of their organisations at "consortium" confidentiality, through a schema without PRIVATE fields, and
get 404 for any other project. Calls are readable by staff and member users. Observers get 403,
anonymous visitors 401. Bad parameters answer 422 with the parameter named, never 500.
Reads carry a strong ETag (304 on If-None-Match), per role since staff and members see different payloads.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import RootModel

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth, conditional
from grappe.innovation import matching, selectors
from grappe.innovation.models import Domain, FundingCall, InnovationProject, Transition

READ = ApiAuth("innovation:read")
router = Router(auth=READ, tags=["innovation"])

MAX_LIMIT = 500
# Ids are BIGINT: larger values would overflow in PostgreSQL instead of simply matching nothing (422, not 500).
MAX_ID = 2**63 - 1


class PartnerOut(Schema):
    organisation_id: int
    organisation: str
    role: str


class ProjectOut(Schema):
    id: int
    title: str
    summary: str
    stage: str
    stage_since: dt.datetime
    lead_organisation_id: int
    lead_organisation: str
    transitions: list[str]
    domains: list[str]
    sdgs: list[int]
    trl_now: int | None
    trl_target: int | None
    budget: Decimal | None
    funding_requested: Decimal | None
    funding_obtained: Decimal | None
    funding_call_id: int | None
    partners: list[PartnerOut]


class ProjectStaffOut(ProjectOut):
    confidentiality: str
    owner: str | None
    internal_notes: str


class CheckOut(Schema):
    code: str
    passed: bool
    message: str


class CallOut(Schema):
    id: int
    title: str
    programme: str
    funder: str
    level: str
    opens_on: dt.date
    closes_on: dt.date
    budget: Decimal | None
    smes_required: bool
    min_partners: int
    countries: list[str]
    trl_min: int | None
    trl_max: int | None
    own_contribution_rate: Decimal | None
    transitions: list[str]
    domains: list[str]
    link: str


class CallMatchOut(Schema):
    call: CallOut
    eligible: bool
    score: float
    checks: list[CheckOut]


def _reader(request: HttpRequest) -> bool:
    """True for staff; False for member users; 403 for anyone else."""
    if permissions.can_manage_innovation(request.auth):
        return True
    if permissions.is_member_user(request.auth):
        return False
    raise HttpError(403, _("Accès réservé à l'équipe du cluster et aux membres."))


def _limit(limit: int) -> int:
    if limit < 1 or limit > MAX_LIMIT:
        raise HttpError(422, _("limit : entre 1 et %(max)s.") % {"max": MAX_LIMIT})
    return limit


def _window(page: int, limit: int) -> slice:
    """Page ``page`` of ``limit`` rows (page pagination: a short or empty page is the last)."""
    size = _limit(limit)
    return slice((page - 1) * size, page * size)


class _Payload(RootModel[Any]):
    """Any JSON payload already shaped by the role's schema (for the ETag of ``conditional``)."""


def _send(request: HttpRequest, response: HttpResponse, data: Any) -> Any:
    """``core.api_auth.conditional``: a strong ETag on every read, 304 (no body) when the client has it."""
    result = conditional(request, response, _Payload, data)
    if isinstance(result, Status):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"], not_modified["Vary"] = response["ETag"], response["Vary"]
        return not_modified
    return result


def _project(p: InnovationProject, staff: bool) -> dict:
    data = {
        "id": p.pk,
        "title": p.title,
        "summary": p.summary,
        "stage": p.stage,
        "stage_since": p.stage_entered_at,
        "lead_organisation_id": p.lead_organisation_id,
        "lead_organisation": p.lead_organisation.name,
        "transitions": list(p.transitions or []),
        "domains": list(p.domains or []),
        "sdgs": list(p.sdgs or []),
        "trl_now": p.trl_now,
        "trl_target": p.trl_target,
        "budget": p.budget,
        "funding_requested": p.funding_requested,
        "funding_obtained": p.funding_obtained,
        "funding_call_id": p.funding_call_id,
        "partners": [
            {"organisation_id": x.organisation_id, "organisation": x.organisation.name, "role": x.role}
            for x in p.partners.all()
        ],
    }
    if staff:
        data.update(
            confidentiality=p.confidentiality,
            owner=str(p.owner) if p.owner_id else None,
            internal_notes=p.internal_notes,
        )
    return data


def _call(c: FundingCall) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "programme": c.programme,
        "funder": c.funder,
        "level": c.level,
        "opens_on": c.opens_on,
        "closes_on": c.closes_on,
        "budget": c.budget,
        "smes_required": c.smes_required,
        "min_partners": c.min_partners,
        "countries": [str(x) for x in c.countries],
        "trl_min": c.trl_min,
        "trl_max": c.trl_max,
        "own_contribution_rate": c.own_contribution_rate,
        "transitions": list(c.transitions or []),
        "domains": list(c.domains or []),
        "link": c.link,
    }


# The schema is chosen per role (a member's has no PRIVATE field) and the payload shaped before ``_send``; the
# ``response=`` unions document both shapes in OpenAPI: a member's payload, lacking the staff fields, can only
# validate as the member schema, and a staff payload validates as the staff one (more fields set).
@router.get(
    "/projects",
    response={200: list[ProjectStaffOut] | list[ProjectOut], 304: None},
    summary="Innovation projects visible to the user",
)
def list_projects(
    request: HttpRequest,
    response: HttpResponse,
    stage: str = "",
    transition: str = "",
    domain: str = "",
    organisation: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = 100,
    page: int = Query(1, ge=1, le=100_000),
):
    staff = _reader(request)
    if stage and stage not in InnovationProject.Stage.values:
        raise HttpError(422, _("stage: étape inconnue."))
    if transition and transition not in Transition.values:
        raise HttpError(422, _("transition: valeur inconnue."))
    if domain and domain not in Domain.values:
        raise HttpError(422, _("domain: valeur inconnue."))
    filters = {"stage": stage, "transition": transition, "domain": domain, "organisation": organisation}
    rows = selectors.project_list(request.auth, {k: v for k, v in filters.items() if v}).prefetch_related(
        "partners__organisation"
    )[_window(page, limit)]
    schema = ProjectStaffOut if staff else ProjectOut
    return _send(request, response, [schema(**_project(p, staff)).model_dump(mode="json") for p in rows])


@router.get(
    "/projects/{project_id}",
    response={200: ProjectStaffOut | ProjectOut, 304: None},
    summary="One innovation project",
)
def get_project(request: HttpRequest, response: HttpResponse, project_id: int = Path(..., ge=1, le=MAX_ID)):
    staff = _reader(request)
    project = selectors.project_detail(request.auth, project_id)
    if project is None:
        raise HttpError(404, _("Projet introuvable."))
    schema = ProjectStaffOut if staff else ProjectOut
    return _send(request, response, schema(**_project(project, staff)).model_dump(mode="json"))


@router.get(
    "/projects/{project_id}/calls", response={200: list[CallMatchOut], 304: None}, summary="Open calls for a project"
)
def project_calls(
    request: HttpRequest,
    response: HttpResponse,
    project_id: int = Path(..., ge=1, le=MAX_ID),
    eligible_only: bool = False,
):
    _reader(request)
    project = selectors.project_detail(request.auth, project_id)
    if project is None:
        raise HttpError(404, _("Projet introuvable."))
    matches = matching.match_calls(project)
    data = [
        {
            "call": _call(m.call),
            "eligible": m.eligible,
            "score": m.score,
            "checks": [{"code": c.code, "passed": c.passed, "message": c.message} for c in m.checks],
        }
        for m in matches
        if m.eligible or not eligible_only
    ]
    return _send(request, response, data)


@router.get("/calls", response={200: list[CallOut], 304: None}, summary="Funding calls")
def list_calls(
    request: HttpRequest,
    response: HttpResponse,
    status: str = "open",
    level: str = "",
    limit: int = 100,
    page: int = Query(1, ge=1, le=100_000),
):
    _reader(request)
    if status not in ("open", "upcoming", "closed", "all"):
        raise HttpError(422, _("status: open, upcoming, closed ou all."))
    if level and level not in FundingCall.Level.values:
        raise HttpError(422, _("level: regional, federal ou european."))
    calls = selectors.call_list({"status": status, "level": level})[_window(page, limit)]
    return _send(request, response, [_call(c) for c in calls])


@router.get("/calls/{call_id}", response={200: CallOut, 304: None}, summary="One funding call")
def get_call(request: HttpRequest, response: HttpResponse, call_id: int = Path(..., ge=1, le=MAX_ID)):
    _reader(request)
    call = FundingCall.objects.filter(pk=call_id).first()
    if call is None:
        raise HttpError(404, _("Appel introuvable."))
    return _send(request, response, _call(call))
