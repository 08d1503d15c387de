"""REST API of the register (KBO/BCE universe), mounted at /api/v1/register/ (personal tokens or the session).

Same rule as the UI (``grappe.accounts.permissions``, register section, REG-MANAGE): staff and admins
search enterprises by number or name (accents ignored) and read an enterprise's sheet — denominations,
addresses, NACE activities, establishments. Member users and observers 403, anonymous 401. Read-only;
a token needs the ``register:read`` scope. Reads carry an ETag (304 on If-None-Match); bad parameters
answer 422 naming the parameter, never 500.
"""

import datetime as dt
import math

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Query, Router, Schema

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth, ApiError, conditional
from grappe.register import selectors
from grappe.register.numbers import ENTERPRISE_MAX

READ = ApiAuth(
    "register:read",
    allow=lambda user: permissions.can_use_register(user),
    denied=gettext_lazy("Accès réservé à l'équipe du cluster."),
)
router = Router(auth=READ, tags=["register"])

# Free text: no control characters (PostgreSQL rejects NUL in strings, which would otherwise be a 500).
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
# A search answers at most this many enterprises (the UI shows 50): narrow the words beyond that.
SEARCH_CAP = 1000


class SearchParams(Schema):
    q: str = Field(
        "", max_length=200, pattern=TEXT, description="numéro d'entreprise ou d'établissement, ou mots du nom"
    )
    postal_code: str = Field("", pattern=r"^(\d{4})?$", description="code postal belge")
    nace: str = Field("", max_length=10, pattern=r"^([A-Ua-u]|[0-9.]{1,10})?$", description="préfixe NACE-BEL")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class EnterpriseSummaryOut(Schema):
    number: str
    name: str
    status: str
    type_of_enterprise: str
    juridical_form: str
    start_date: dt.date | None
    zipcode: str
    province: str


class EnterprisePage(Schema):
    count: int
    page: int
    pages: int
    truncated: bool
    results: list[EnterpriseSummaryOut]


class DenominationOut(Schema):
    type: str
    type_label: str
    language: str
    value: str


class AddressOut(Schema):
    type: str
    zipcode: str
    municipality_fr: str
    municipality_nl: str
    street_fr: str
    street_nl: str
    house_number: str
    box: str
    extra: str
    country_fr: str
    struck_off_on: dt.date | None


class RegisterActivityOut(Schema):
    version: int
    code: str
    label: str
    classification: str
    group: str


class EstablishmentOut(Schema):
    number: str
    start_date: dt.date | None
    denominations: list[DenominationOut]
    addresses: list[AddressOut]
    activities: list[RegisterActivityOut]


class EnterpriseOut(EnterpriseSummaryOut):
    status_label: str
    juridical_situation: str
    juridical_situation_label: str
    juridical_form_label: str
    partial: bool
    denominations: list[DenominationOut]
    addresses: list[AddressOut]
    activities: list[RegisterActivityOut]
    establishments: list[EstablishmentOut]


def _summary(e) -> dict:
    return {
        "number": e.display_number,
        "name": e.name,
        "status": e.status,
        "type_of_enterprise": e.type_of_enterprise,
        "juridical_form": e.juridical_form,
        "start_date": e.start_date,
        "zipcode": e.zipcode,
        "province": e.province,
    }


def _block(data: dict) -> dict:
    """The selector's names (grouped by type label), addresses and activities, as flat lists."""
    return {
        "denominations": [
            {"type": n["type"], "type_label": label, "language": n["language"], "value": n["value"]}
            for label, names in data["names"].items()
            for n in names
        ],
        "addresses": data["addresses"],
        "activities": [
            {k: a[k] for k in ("version", "code", "label", "classification", "group")} for a in data["activities"]
        ],
    }


@router.get(
    "/enterprises",
    response={200: EnterprisePage, 304: None},
    summary="Search enterprises by number or name (staff only)",
)
def register_enterprise_list(request: HttpRequest, response: HttpResponse, params: Query[SearchParams]):
    found = selectors.search(params.q.strip(), postal_code=params.postal_code, nace=params.nace, limit=SEARCH_CAP + 1)
    truncated = len(found) > SEARCH_CAP
    found = found[:SEARCH_CAP]
    pages = max(1, math.ceil(len(found) / params.page_size))
    if params.page > pages:
        raise ApiError(404, "page_out_of_range", _("page : au plus %(pages)s.") % {"pages": pages})
    start = (params.page - 1) * params.page_size
    data = {
        "count": len(found),
        "page": params.page,
        "pages": pages,
        "truncated": truncated,
        "results": [_summary(e) for e in found[start : start + params.page_size]],
    }
    return conditional(request, response, EnterprisePage, data)


@router.get(
    "/enterprises/{int:number}",
    response={200: EnterpriseOut, 304: None},
    summary="One enterprise: denominations, addresses, NACE activities, establishments (staff only)",
)
def register_enterprise_detail(
    request: HttpRequest,
    response: HttpResponse,
    number: int = Path(..., ge=1, lt=ENTERPRISE_MAX, description="numéro d'entreprise sans points"),
):
    from grappe.register.models import Enterprise

    enterprise = Enterprise.objects.filter(number=number).first()
    detail = selectors.entity_detail(str(number).zfill(10)) if enterprise else None
    if enterprise is None or detail is None or detail.get("kind") != "enterprise":
        raise ApiError(404, "not_found", _("Entreprise introuvable."))
    data = {
        **_summary(enterprise),
        "status_label": str(detail["status_label"]),
        "juridical_situation": detail["juridical_situation"],
        "juridical_situation_label": str(detail["juridical_situation_label"]),
        "juridical_form_label": str(detail["juridical_form_label"]),
        "partial": detail["partial"],
        **_block(detail),
        "establishments": [
            {"number": b["number"], "start_date": b["start_date"], **_block(b)} for b in detail["establishments"]
        ],
    }
    return conditional(request, response, EnterpriseOut, data)
