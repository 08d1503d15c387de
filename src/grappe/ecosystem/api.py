"""REST API of the ecosystem, mounted at /api/v1/ecosystem/ (personal tokens or the browser session).

Same rules as the UI (``grappe.accounts.permissions``): ORG-VIEW — staff see every organisation,
a member user only the organisations of their current affiliations (404 for any other), through a
schema without PRIVATE fields (no internal notes, no fees); observers 403, anonymous 401. People and
memberships are staff-only (ORG-PRIVATE). Every authenticated read needs the ``ecosystem:read`` scope
when a token is used. ``/public/organisations`` needs no login: current members that consented to a
public profile, public fields only, rate-limited per IP. Reads carry an ETag (304 on If-None-Match).
Query parameters are validated by schemas: bad values answer 422 naming the parameter, never 500.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.throttling import AnonRateThrottle

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth, ApiError, conditional
from grappe.core.api_pages import PageParams, page_schema, paginate
from grappe.ecosystem import selectors
from grappe.ecosystem.models import Membership, Organisation, Person

READ = ApiAuth("ecosystem:read")
router = Router(auth=READ, tags=["ecosystem"])

# Public directory clients: requests per IP (Django cache); override with GRAPPE_API_PUBLIC_RATE.
PUBLIC_RATE = getattr(settings, "GRAPPE_API_PUBLIC_RATE", "120/m")

SLUG = r"^[-a-zA-Z0-9_]+$"
# Free text: no control characters (PostgreSQL rejects NUL in strings, which would otherwise be a 500).
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
# Ids are BIGINT: larger values would overflow in the database instead of simply matching nothing.
MAX_ID = 2**63 - 1


# --- Query parameters -----------------------------------------------------------------------------


class OrganisationFilters(PageParams):
    q: str = Field("", max_length=200, pattern=TEXT)
    kind: Organisation.Kind | None = None
    province: str | None = Field(None, pattern=r"^\d{5}$", description="code INS de la province")
    nace: str | None = Field(None, pattern=r"^[0-9.]{1,10}$", description="préfixe de code NACE")
    status: Literal["member", "non_member", "prospect", "lapsed", "resigned"] | None = None
    value_chain: str | None = Field(None, max_length=120, pattern=SLUG)
    segment: int | None = Field(None, ge=1, le=MAX_ID)
    competence: str | None = Field(None, max_length=120, pattern=SLUG)
    ordering: Literal["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"] = "name"


class PublicFilters(PageParams):
    q: str = Field("", max_length=200, pattern=TEXT)
    kind: Organisation.Kind | None = None
    province: str | None = Field(None, pattern=r"^\d{5}$")
    nace: str | None = Field(None, pattern=r"^[0-9.]{1,10}$")
    value_chain: str | None = Field(None, max_length=120, pattern=SLUG)
    competence: str | None = Field(None, max_length=120, pattern=SLUG)


class PersonFilters(PageParams):
    q: str = Field("", max_length=200, pattern=TEXT)


class MembershipFilters(PageParams):
    organisation: int | None = Field(None, ge=1, le=MAX_ID)
    status: Membership.Status | None = None
    current: bool | None = None


# --- Output schemas -------------------------------------------------------------------------------


class SiteOut(Schema):
    postal_code: str
    municipality: str
    province: str | None
    is_head_office: bool


class ActivityOut(Schema):
    nace: str
    is_main: bool


class OrganisationOut(Schema):
    """What a member user sees of their own organisation: no internal notes, no fees."""

    id: int
    slug: str
    name: str
    acronym: str
    kind: str
    enterprise_number: str | None
    legal_form: str
    founded_on: dt.date | None
    headcount_band: str
    turnover_band: str
    sme_status: str
    website: str
    email: str
    phone: str
    description: str
    export_markets: list[str]
    transitions: list[str]
    segments: list[str]
    competences: list[str]
    public_profile_consent: bool
    is_member: bool
    sites: list[SiteOut]
    activities: list[ActivityOut]
    updated_at: dt.datetime


class OrganisationStaffOut(OrganisationOut):
    source: str
    internal_notes: str


class PublicOrganisationOut(Schema):
    """The public directory card: consented, public fields only."""

    slug: str
    name: str
    acronym: str
    kind: str
    website: str
    description: str
    municipalities: list[str]
    nace: list[str]
    segments: list[str]
    competences: list[str]
    transitions: list[str]


class AffiliationOut(Schema):
    organisation_id: int
    organisation: str
    function: str
    email: str
    phone: str
    start_date: dt.date | None
    end_date: dt.date | None


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    languages: list[str]
    notes: str
    affiliations: list[AffiliationOut]


class MembershipOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    tier: str
    yearly_fee: Decimal
    status: str
    start_date: dt.date
    end_date: dt.date | None
    renewal_date: dt.date | None
    fee_paid_until: dt.date | None
    notes: str


OrganisationPage = page_schema(OrganisationOut, "OrganisationPage")
OrganisationStaffPage = page_schema(OrganisationStaffOut, "OrganisationStaffPage")
PublicOrganisationPage = page_schema(PublicOrganisationOut, "PublicOrganisationPage")
PersonPage = page_schema(PersonOut, "PersonPage")
MembershipPage = page_schema(MembershipOut, "MembershipPage")


# --- Helpers --------------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> bool:
    """ORG-VIEW: True for staff, False for member users, 403 for anyone else."""
    if permissions.is_staff(request.auth):
        return True
    if permissions.is_member_user(request.auth):
        return False
    raise ApiError(403, "forbidden", _("Accès réservé à l'équipe du cluster et aux membres."))


def _staff_only(request: HttpRequest) -> None:
    if not permissions.can_see_organisation_private(request.auth):
        raise ApiError(403, "forbidden", _("Accès réservé à l'équipe du cluster."))


def _prefetched(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return queryset.prefetch_related(
        "sites__municipality__province", "sites__postal_code", "activities__nace", "segments", "competences"
    )


def _organisation(o: Organisation, *, staff: bool, member_ids: set[int]) -> dict:
    data = {
        "id": o.pk,
        "slug": o.slug,
        "name": o.name,
        "acronym": o.acronym,
        "kind": o.kind,
        "enterprise_number": o.enterprise_number,
        "legal_form": o.legal_form,
        "founded_on": o.founded_on,
        "headcount_band": o.headcount_band,
        "turnover_band": o.turnover_band,
        "sme_status": o.sme_status,
        "website": o.website,
        "email": o.email,
        "phone": o.phone,
        "description": o.description or "",
        "export_markets": [c.code for c in o.export_markets],
        "transitions": o.transition_tags,
        "segments": [s.slug for s in o.segments.all()],
        "competences": [c.slug for c in o.competences.all()],
        "public_profile_consent": o.public_profile_consent,
        "is_member": o.pk in member_ids,
        "sites": [
            {
                "postal_code": s.postal_code.code,
                "municipality": str(s.municipality),
                "province": s.municipality.province.nis if s.municipality.province_id else None,
                "is_head_office": s.is_head_office,
            }
            for s in o.sites.all()
        ],
        "activities": [{"nace": a.nace.code, "is_main": a.is_main} for a in o.activities.all()],
        "updated_at": o.updated_at,
    }
    if staff:
        data.update(source=o.source, internal_notes=o.internal_notes)
    return data


def _public(o: Organisation) -> dict:
    return {
        "slug": o.slug,
        "name": o.name,
        "acronym": o.acronym,
        "kind": o.kind,
        "website": o.website,
        "description": o.description or "",
        "municipalities": sorted({str(s.municipality) for s in o.sites.all()}),
        "nace": [a.nace.code for a in o.activities.all()],
        "segments": [s.slug for s in o.segments.all()],
        "competences": [c.slug for c in o.competences.all()],
        "transitions": o.transition_tags,
    }


# --- Organisations --------------------------------------------------------------------------------


@router.get(
    "/organisations",
    response={200: OrganisationStaffPage | OrganisationPage, 304: None},
    summary="Organisations (staff: all; member users: their own)",
)
def organisation_list(request: HttpRequest, response: HttpResponse, filters: Query[OrganisationFilters]):
    staff = _reader(request)
    queryset = permissions.restrict_organisations(Organisation.objects.all(), request.auth)
    queryset = selectors.organisation_filter(queryset, filters.model_dump(exclude={"page", "page_size", "ordering"}))
    queryset = _prefetched(queryset).order_by(filters.ordering, "pk")
    rows, meta = paginate(queryset, filters)
    member_ids = selectors.member_ids_on(timezone.localdate())
    meta["results"] = [_organisation(o, staff=staff, member_ids=member_ids) for o in rows]
    return conditional(request, response, OrganisationStaffPage if staff else OrganisationPage, meta)


@router.get(
    "/organisations/{int:organisation_id}",
    response={200: OrganisationStaffOut | OrganisationOut, 304: None},
    summary="One organisation",
)
def organisation_detail(
    request: HttpRequest, response: HttpResponse, organisation_id: int = Path(..., ge=1, le=MAX_ID)
):
    staff = _reader(request)
    queryset = permissions.restrict_organisations(Organisation.objects.all(), request.auth)
    organisation = _prefetched(queryset).filter(pk=organisation_id).first()
    if organisation is None:
        raise ApiError(404, "not_found", _("Organisation introuvable."))
    data = _organisation(organisation, staff=staff, member_ids=selectors.member_ids_on(timezone.localdate()))
    return conditional(request, response, OrganisationStaffOut if staff else OrganisationOut, data)


@router.get(
    "/public/organisations",
    auth=None,
    throttle=[AnonRateThrottle(PUBLIC_RATE)],
    response={200: PublicOrganisationPage, 304: None},
    summary="Public directory: current members with a public profile (no login, rate-limited)",
)
def public_organisation_list(request: HttpRequest, response: HttpResponse, filters: Query[PublicFilters]):
    queryset = selectors.members_on(timezone.localdate()).filter(public_profile_consent=True)
    queryset = selectors.organisation_filter(queryset, filters.model_dump(exclude={"page", "page_size"}))
    rows, meta = paginate(_prefetched(queryset).order_by("name", "pk"), filters)
    meta["results"] = [_public(o) for o in rows]
    return conditional(request, response, PublicOrganisationPage, meta)


# --- People (staff only) --------------------------------------------------------------------------


def _person(p: Person) -> dict:
    return {
        "id": p.pk,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "email": p.email,
        "phone": p.phone,
        "languages": [str(x) for x in (p.languages or [])],
        "notes": p.notes,
        "affiliations": [
            {
                "organisation_id": a.organisation_id,
                "organisation": a.organisation.name,
                "function": a.function,
                "email": a.email,
                "phone": a.phone,
                "start_date": a.start_date,
                "end_date": a.end_date,
            }
            for a in p.affiliations.all()
        ],
    }


@router.get("/people", response={200: PersonPage, 304: None}, summary="People (staff only)")
def person_list(request: HttpRequest, response: HttpResponse, filters: Query[PersonFilters]):
    _staff_only(request)
    rows, meta = paginate(selectors.person_list(filters.q), filters)
    meta["results"] = [_person(p) for p in rows]
    return conditional(request, response, PersonPage, meta)


@router.get("/people/{int:person_id}", response={200: PersonOut, 304: None}, summary="One person (staff only)")
def person_detail(request: HttpRequest, response: HttpResponse, person_id: int = Path(..., ge=1, le=MAX_ID)):
    _staff_only(request)
    person = selectors.person_list().filter(pk=person_id).first()
    if person is None:
        raise ApiError(404, "not_found", _("Personne introuvable."))
    return conditional(request, response, PersonOut, _person(person))


# --- Memberships (staff only) ---------------------------------------------------------------------


@router.get("/memberships", response={200: MembershipPage, 304: None}, summary="Memberships (staff only)")
def membership_list(request: HttpRequest, response: HttpResponse, filters: Query[MembershipFilters]):
    _staff_only(request)
    queryset = Membership.objects.select_related("organisation").order_by("-start_date", "pk")
    if filters.organisation:
        queryset = queryset.filter(organisation_id=filters.organisation)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.current is not None:
        # "current": the period covers today (same rule as members_on).
        today = timezone.localdate()
        covering = Q(status__in=Membership.COUNTING_STATUSES, start_date__lte=today) & (
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        queryset = queryset.filter(covering) if filters.current else queryset.exclude(covering)
    rows, meta = paginate(queryset, filters)
    meta["results"] = [
        {
            "id": m.pk,
            "organisation_id": m.organisation_id,
            "organisation": m.organisation.name,
            "tier": m.tier,
            "yearly_fee": m.yearly_fee,
            "status": m.status,
            "start_date": m.start_date,
            "end_date": m.end_date,
            "renewal_date": m.renewal_date,
            "fee_paid_until": m.fee_paid_until,
            "notes": m.notes,
        }
        for m in rows
    ]
    return conditional(request, response, MembershipPage, meta)
