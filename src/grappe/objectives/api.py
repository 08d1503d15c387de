"""REST API of the objectives contract, mounted at /api/v1/objectives/ (personal tokens or the session).

Same rules as the objectives UI (``grappe.accounts.permissions``, objectives section): staff, admins and
observers read the indicators of a contract for a year — target, computed value, status and its rule —
and one indicator with its drill-down (record count and lines). Observers never see personal data:
drill-down lines go through ``selectors.drilldown(staff=False)`` (people anonymised, no links, no notes
nor evidence). Member users 403, anonymous 401. Read-only; a token needs ``objectives:read``. Reads
carry an ETag (304 on If-None-Match); bad parameters answer 422, never 500.
"""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Query, Router, Schema

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth, ApiError, conditional
from grappe.objectives import selectors
from grappe.objectives.models import Indicator, ObjectivesContract

READ = ApiAuth(
    "objectives:read",
    allow=lambda user: permissions.can_read_objectives(user),
    denied=gettext_lazy("Accès réservé à l'équipe du cluster et aux observateurs."),
)
router = Router(auth=READ, tags=["objectives"])

MAX_ID = 2**63 - 1
# Drill-down lines per answer (the UI shows 1000); ``drilldown_count`` is always the full count.
DRILLDOWN_LIMIT = 200


class YearParams(Schema):
    contract: int | None = Field(None, ge=1, le=MAX_ID, description="contrat (par défaut : le contrat en cours)")
    year: int | None = Field(None, ge=2000, le=2100, description="année du contrat (par défaut : l'année en cours)")


class IndicatorYearParams(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="année du contrat (par défaut : l'année en cours)")


class IndicatorOut(Schema):
    id: int
    code: str
    label: str
    mission: str
    objective: str
    unit: str
    kind: str
    direction: str
    year: int
    target: Decimal | None
    value: Decimal | None
    status: str
    status_label: str
    rule: str
    note: str


class IndicatorListOut(Schema):
    contract_id: int
    contract: str
    start_year: int
    end_year: int
    year: int
    snapshot: dt.date
    results: list[IndicatorOut]


class DrilldownLineOut(Schema):
    type: str
    label: str
    detail: str
    url: str


class IndicatorDetailOut(IndicatorOut):
    contract_id: int
    definition: str
    snapshot: dt.date
    drilldown_count: int | None
    drilldown_truncated: bool
    drilldown: list[DrilldownLineOut]


def _year(contract: ObjectivesContract, year: int | None) -> int:
    if year is None:
        return selectors.default_year(contract)
    if not contract.covers(year):
        raise ApiError(
            422,
            "year_out_of_contract",
            _("year : hors du contrat (%(start)s-%(end)s).") % {"start": contract.start_year, "end": contract.end_year},
        )
    return year


def _row(row: selectors.IndicatorRow) -> dict:
    indicator = row.indicator
    return {
        "id": indicator.pk,
        "code": indicator.code,
        "label": indicator.label,
        "mission": indicator.mission,
        "objective": indicator.objective.code,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "direction": indicator.direction,
        "year": row.period.year,
        "target": row.target,
        "value": row.value,
        "status": row.status,
        "status_label": str(row.status_label),
        "rule": row.rule,
        "note": str(row.note or ""),
    }


@router.get(
    "/indicators",
    response={200: IndicatorListOut, 304: None},
    summary="Indicators of a contract for a year: target, computed value, status (staff and observers)",
)
def objectives_indicator_list(request: HttpRequest, response: HttpResponse, params: Query[YearParams]):
    if params.contract is not None:
        contract = ObjectivesContract.objects.filter(pk=params.contract).first()
        if contract is None:
            raise ApiError(404, "not_found", _("Contrat introuvable."))
    else:
        contract = selectors.current_contract()
        if contract is None:
            raise ApiError(404, "no_contract", _("Aucun contrat d'objectifs."))
    year = _year(contract, params.year)
    snapshot = selectors.default_snapshot(year)
    data = {
        "contract_id": contract.pk,
        "contract": contract.title,
        "start_year": contract.start_year,
        "end_year": contract.end_year,
        "year": year,
        "snapshot": snapshot,
        "results": [_row(row) for row in selectors.year_rows(contract, year, snapshot)],
    }
    return conditional(request, response, IndicatorListOut, data)


@router.get(
    "/indicators/{int:indicator_id}",
    response={200: IndicatorDetailOut, 304: None},
    summary="One indicator for a year, with its drill-down (people anonymised for observers)",
)
def objectives_indicator_detail(
    request: HttpRequest,
    response: HttpResponse,
    params: Query[IndicatorYearParams],
    indicator_id: int = Path(..., ge=1, le=MAX_ID),
):
    found = Indicator.objects.select_related("contract").filter(pk=indicator_id).first()
    if found is None:
        raise ApiError(404, "not_found", _("Indicateur introuvable."))
    contract = found.contract
    year = _year(contract, params.year)
    snapshot = selectors.default_snapshot(year)
    indicator = selectors.contract_indicators(contract).get(pk=indicator_id)
    row = selectors.indicator_row(indicator, selectors.year_period(contract, year, snapshot))
    staff = permissions.can_see_objectives_evidence_details(request.auth)
    total = selectors.record_count(row.evaluation)
    lines = selectors.drilldown(row.evaluation, staff=staff, limit=DRILLDOWN_LIMIT)
    data = {
        **_row(row),
        "contract_id": contract.pk,
        "definition": indicator.definition,
        "snapshot": snapshot,
        "drilldown_count": total,
        "drilldown_truncated": total is not None and total > DRILLDOWN_LIMIT,
        "drilldown": [{k: str(line.get(k, "") or "") for k in ("type", "label", "detail", "url")} for line in lines],
    }
    return conditional(request, response, IndicatorDetailOut, data)
