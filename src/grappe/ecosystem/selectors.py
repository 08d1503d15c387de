"""Reads of the ecosystem shared by views, API, exports and the other apps."""

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from grappe.core.text import fold
from grappe.ecosystem.models import Affiliation, Membership, Organisation, Person


def organisation_count() -> int:
    return Organisation.objects.count()


def person_count() -> int:
    return Person.objects.filter(erased_at__isnull=True).count()


def _membership_on(day: dt.date) -> QuerySet[Membership]:
    return Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        status__in=Membership.COUNTING_STATUSES,
        start_date__lte=day,
    )


def members_on(day: dt.date) -> QuerySet[Organisation]:
    """Organisations that were members on ``day`` (a membership period covering that day)."""
    return Organisation.objects.filter(Exists(_membership_on(day).filter(organisation=OuterRef("pk"))))


def member_ids_on(day: dt.date) -> set[int]:
    return set(_membership_on(day).values_list("organisation_id", flat=True))


def is_member_on(organisation: Organisation, day: dt.date) -> bool:
    return _membership_on(day).filter(organisation=organisation).exists()


def current_membership(organisation: Organisation, day: dt.date | None = None) -> Membership | None:
    return _membership_on(day or dt.date.today()).filter(organisation=organisation).order_by("-start_date").first()


def renewals_due(day: dt.date, *, days: int = 60) -> QuerySet[Membership]:
    """Open memberships whose renewal date falls within ``days`` of ``day`` (or is overdue)."""
    return (
        Membership.objects.filter(status=Membership.Status.MEMBER, end_date__isnull=True)
        .filter(renewal_date__isnull=False, renewal_date__lte=day + dt.timedelta(days=days))
        .select_related("organisation")
        .order_by("renewal_date")
    )


def joins_and_exits(start: dt.date, end: dt.date) -> dict[str, int]:
    """Organisations that became members, and that stopped being members, within [start, end]."""
    before = member_ids_on(start - dt.timedelta(days=1))
    after = member_ids_on(end)
    return {"joins": len(after - before), "exits": len(before - after)}


def organisation_search(queryset: QuerySet[Organisation], text: str) -> QuerySet[Organisation]:
    """Accent- and case-insensitive search over names, acronym, enterprise number, municipality, postcode."""
    terms = fold(text).split()
    for term in terms[:12]:
        digits = term.replace(".", "")
        if digits.isdigit() and len(digits) >= 4:
            queryset = queryset.filter(Q(search_text__contains=fold(term)) | Q(enterprise_number__contains=digits))
        else:
            queryset = queryset.filter(search_text__contains=term)
    return queryset


def organisation_filter(queryset: QuerySet[Organisation], filters: dict[str, Any]) -> QuerySet[Organisation]:
    """Apply the workspace filters: q, kind, province, nace, status, value_chain, segment, competence."""
    if text := (filters.get("q") or "").strip():
        queryset = organisation_search(queryset, text)
    if kind := filters.get("kind"):
        queryset = queryset.filter(kind=kind)
    if province := filters.get("province"):
        queryset = queryset.filter(sites__municipality__province__nis=province)
    if nace := (filters.get("nace") or "").replace(".", "").strip():
        queryset = queryset.filter(activities__nace__code__startswith=nace)
    if value_chain := filters.get("value_chain"):
        queryset = queryset.filter(segments__value_chain__slug=value_chain)
    if segment := filters.get("segment"):
        queryset = queryset.filter(segments__pk=segment)
    if competence := filters.get("competence"):
        queryset = queryset.filter(competences__slug=competence)
    if status := filters.get("status"):
        today = dt.date.today()
        current = members_on(today).values("pk")
        if status == "member":
            queryset = queryset.filter(pk__in=current)
        elif status == "non_member":
            queryset = queryset.exclude(pk__in=current)
        else:
            latest = Membership.objects.filter(organisation=OuterRef("pk")).order_by("-start_date").values("status")
            queryset = queryset.annotate(latest_membership_status=Subquery(latest[:1]))
            queryset = queryset.filter(latest_membership_status=status).exclude(pk__in=current)
    return queryset.distinct()


def organisation_list(filters: dict[str, Any] | None = None) -> QuerySet[Organisation]:
    queryset = Organisation.objects.all().prefetch_related("sites__municipality__province")
    return organisation_filter(queryset, filters or {}).order_by("name")


def organisation_detail(pk: int) -> Organisation:
    return Organisation.objects.prefetch_related(
        "activities__nace",
        "sites__municipality__province",
        "sites__postal_code",
        "segments__value_chain",
        "competences",
        Prefetch("affiliations", queryset=Affiliation.objects.select_related("person")),
        "memberships",
    ).get(pk=pk)


def current(affiliations: QuerySet[Affiliation], day: dt.date | None = None) -> QuerySet[Affiliation]:
    """The affiliations not ended on ``day`` (today by default): an open end, or an end on or after it."""
    return affiliations.filter(Q(end_date__isnull=True) | Q(end_date__gte=day or dt.date.today()))


def current_affiliations(organisation: Organisation, day: dt.date | None = None) -> QuerySet[Affiliation]:
    return (
        current(organisation.affiliations.all(), day)
        .select_related("person")
        .order_by("-is_primary_contact", "person__last_name")
    )


def person_list(text: str = "") -> QuerySet[Person]:
    queryset = Person.objects.filter(erased_at__isnull=True).prefetch_related("affiliations__organisation")
    for term in fold(text).split()[:8]:
        queryset = queryset.filter(
            Q(search_text__contains=term) | Q(affiliations__organisation__search_text__contains=term)
        )
    return queryset.distinct().order_by("last_name", "first_name")
