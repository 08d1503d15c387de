"""Reads of the partnerships app, shared by views, the API, and the insights and objectives apps.

Figures for a period come with the querysets behind them (``"items"``) for drill-down. The objectives
contract's selectors (``introductions``, ``introductions_with_outcome``, ``collaborations_public``,
``collaborations_private``, ``intercluster_cooperations``, ``international_cooperations``) take
``start``/``end`` dates and return the records counted (see docs/partnerships.md for the rules).
"""

import datetime as dt
from collections import Counter
from itertools import combinations
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from grappe.accounts import permissions
from grappe.ecosystem.models import Organisation
from grappe.partnerships.engagement import (
    NO_ACTIVITY,
    Risk,
    Score,
    engagement_for,
    engagement_scores,
    members_at_risk,
)
from grappe.partnerships.models import Collaboration, Interaction, Introduction, IntroductionRequest, Partner

__all__ = ["NO_ACTIVITY", "Risk", "Score", "engagement_for", "engagement_scores", "members_at_risk"]

# Public and research actors (the rest of the ecosystem are private actors).
PUBLIC_KINDS = (
    Organisation.Kind.PUBLIC_BODY,
    Organisation.Kind.AGENCY,
    Organisation.Kind.UNIVERSITY,
    Organisation.Kind.RESEARCH_CENTRE,
    Organisation.Kind.POLE,
    Organisation.Kind.CLUSTER,
)
COMPANY_KINDS = (Organisation.Kind.COMPANY, Organisation.Kind.STARTUP)
CLUSTER_KINDS = (Organisation.Kind.CLUSTER, Organisation.Kind.POLE)


# --- lists for the staff workspace, the portal and the API ----------------------------------------


def collaboration_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Collaboration]:
    """Collaborations ``user`` may see (PART-MEMBER), filtered by kind, status, organisation, text."""
    filters = filters or {}
    queryset = permissions.restrict_partnership_rows(Collaboration.objects.all(), user, "partners__organisation")
    if kind := filters.get("kind"):
        queryset = queryset.filter(kind=kind)
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if organisation := filters.get("organisation"):
        queryset = queryset.filter(partners__organisation_id=organisation)
    if text := (filters.get("q") or "").strip():
        queryset = queryset.filter(Q(title__icontains=text) | Q(partners__organisation__name__icontains=text))
    return (
        queryset.distinct()
        .prefetch_related(Prefetch("partners", queryset=Partner.objects.select_related("organisation")))
        .order_by("-start_date", "-id")
    )


def introduction_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Introduction]:
    filters = filters or {}
    queryset = permissions.restrict_partnership_rows(
        Introduction.objects.all(), user, "organisation_a", "organisation_b"
    )
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if outcome := filters.get("outcome"):
        queryset = queryset.filter(outcome=outcome)
    if owner := filters.get("owner"):
        queryset = queryset.filter(owner_id=owner)
    if organisation := filters.get("organisation"):
        queryset = queryset.filter(Q(organisation_a_id=organisation) | Q(organisation_b_id=organisation))
    if filters.get("due"):
        queryset = queryset.exclude(status=Introduction.Status.CLOSED).filter(follow_up_on__lte=filters["due"])
    return queryset.select_related("organisation_a", "organisation_b", "owner", "collaboration").order_by(
        "-introduced_on", "-id"
    )


def request_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[IntroductionRequest]:
    """Staff: the queue; member users: the requests of their organisations."""
    filters = filters or {}
    queryset = IntroductionRequest.objects.all()
    if not permissions.is_staff(user):
        queryset = queryset.filter(organisation_id__in=permissions.member_organisation_ids(user))
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    elif filters.get("open"):
        queryset = queryset.filter(status__in=IntroductionRequest.OPEN_STATUSES)
    # The id breaks ties (requests created in one instant): API pages must neither overlap nor skip a request.
    return queryset.select_related("organisation", "person", "owner").order_by("-created_at", "-id")


def interaction_list(user: Any, organisation_id: int | None = None) -> QuerySet[Interaction]:
    queryset = permissions.restrict_partnership_rows(Interaction.objects.all(), user, "organisation")
    if organisation_id is not None:
        queryset = queryset.filter(organisation_id=organisation_id)
    return queryset.select_related("organisation", "person", "owner").order_by("-date", "-id")


def next_actions_due(day: dt.date) -> QuerySet[Interaction]:
    return (
        Interaction.objects.filter(next_action_done=False, next_action_due__lte=day)
        .exclude(next_action="")
        .select_related("organisation", "owner")
        .order_by("next_action_due")
    )


# --- the objectives contract and the strategic dashboard ------------------------------------------


def _started(start: dt.date, end: dt.date) -> QuerySet[Collaboration]:
    """Collaborations that really started (active or completed) with a start date within [start, end]."""
    return Collaboration.objects.filter(
        status__in=Collaboration.STARTED_STATUSES, start_date__gte=start, start_date__lte=end
    )


def _running(start: dt.date, end: dt.date) -> QuerySet[Collaboration]:
    """Collaborations that started and ran for at least one day within [start, end]."""
    return Collaboration.objects.filter(status__in=Collaboration.STARTED_STATUSES, start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )


def _with_partner_kind(kinds: tuple[str, ...]) -> Exists:
    return Exists(Partner.objects.filter(collaboration=OuterRef("pk"), organisation__kind__in=kinds))


def collaborations_public(start: dt.date, end: dt.date) -> QuerySet[Collaboration]:
    """Started in the period, with at least one public or research actor among the partners."""
    return _started(start, end).filter(_with_partner_kind(PUBLIC_KINDS)).order_by("start_date", "pk")


def collaborations_private(start: dt.date, end: dt.date) -> QuerySet[Collaboration]:
    """Started in the period, between companies only (every partner a company or a start-up)."""
    others = Partner.objects.filter(collaboration=OuterRef("pk")).exclude(organisation__kind__in=COMPANY_KINDS)
    return _started(start, end).exclude(Exists(others)).order_by("start_date", "pk")


def intercluster_cooperations(start: dt.date, end: dt.date) -> QuerySet[Collaboration]:
    """Running in the period: inter-cluster cooperations, and collaborations with another cluster or pole."""
    return (
        _running(start, end)
        .filter(Q(kind=Collaboration.Kind.INTER_CLUSTER) | _with_partner_kind(CLUSTER_KINDS))
        .order_by("start_date", "pk")
    )


def international_cooperations(start: dt.date, end: dt.date) -> QuerySet[Collaboration]:
    """Running in the period: international cooperations, and collaborations with a partner abroad."""
    return (
        _running(start, end)
        .filter(Q(kind=Collaboration.Kind.INTERNATIONAL) | ~Q(foreign_countries=""))
        .order_by("start_date", "pk")
    )


def introductions(start: dt.date, end: dt.date) -> QuerySet[Introduction]:
    """Introductions made within [start, end] (records carry ``outcome``)."""
    return (
        Introduction.objects.filter(introduced_on__gte=start, introduced_on__lte=end)
        .select_related("organisation_a", "organisation_b")
        .order_by("introduced_on", "pk")
    )


def introductions_with_outcome(start: dt.date, end: dt.date) -> QuerySet[Introduction]:
    """Introductions of the period that led to a meeting or a collaboration."""
    return introductions(start, end).filter(outcome__in=Introduction.RESULT_OUTCOMES)


def introductions_in_period(start: dt.date, end: dt.date) -> dict[str, Any]:
    items = introductions(start, end)
    by_outcome = Counter(items.values_list("outcome", flat=True))
    return {
        "count": items.count(),
        "by_outcome": {code: by_outcome.get(code, 0) for code in Introduction.Outcome.values},
        "with_outcome": introductions_with_outcome(start, end).count(),
        "items": items,
    }


def collaborations_in_period(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Collaborations started in the period: by kind, and by type of actors (public, private, other)."""
    items = _started(start, end).order_by("start_date", "pk")
    public = collaborations_public(start, end)
    private = collaborations_private(start, end)
    kinds = Counter(items.values_list("kind", flat=True))
    return {
        "count": items.count(),
        "by_kind": {code: kinds.get(code, 0) for code in Collaboration.Kind.values},
        "by_actor_type": {
            "public": public.count(),
            "private": private.count(),
            "other": items.exclude(pk__in=public.values("pk")).exclude(pk__in=private.values("pk")).count(),
        },
        "items": items,
        "public": public,
        "private": private,
    }


def cooperations_in_period(start: dt.date, end: dt.date) -> dict[str, Any]:
    inter = intercluster_cooperations(start, end)
    international = international_cooperations(start, end)
    return {
        "inter_cluster": {"count": inter.count(), "items": inter},
        "international": {"count": international.count(), "items": international},
    }


def collaboration_edges(
    start: dt.date | None = None, end: dt.date | None = None, *, include_explored: bool = False
) -> list[dict[str, Any]]:
    """Pairs of organisations working together, for the collaboration network.

    One edge per pair and collaboration: ``{"a", "b", "collaboration", "kind", "status", "start", "end"}``
    with ``a < b``. Without dates: every collaboration (explored ones only when asked); with dates:
    collaborations running in the period.
    """
    if start is not None and end is not None:
        queryset = _running(start, end)
    elif include_explored:
        queryset = Collaboration.objects.exclude(status=Collaboration.Status.DROPPED)
    else:
        queryset = Collaboration.objects.filter(status__in=Collaboration.STARTED_STATUSES)
    rows = Partner.objects.filter(collaboration__in=queryset).values_list(
        "collaboration_id",
        "organisation_id",
        "collaboration__kind",
        "collaboration__status",
        "collaboration__start_date",
        "collaboration__end_date",
    )
    members: dict[int, list[int]] = {}
    meta: dict[int, tuple] = {}
    for collaboration_id, organisation_id, kind, status, begin, finish in rows:
        members.setdefault(collaboration_id, []).append(organisation_id)
        meta[collaboration_id] = (kind, status, begin, finish)
    edges = []
    for collaboration_id, orgs in sorted(members.items()):
        kind, status, begin, finish = meta[collaboration_id]
        for a, b in combinations(sorted(set(orgs)), 2):
            edges.append(
                {
                    "a": a,
                    "b": b,
                    "collaboration": collaboration_id,
                    "kind": kind,
                    "status": status,
                    "start": begin,
                    "end": finish,
                }
            )
    return edges


def introduction_edges(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Pairs introduced in the period (``a < b``), with the outcome, for the network's "brokered" layer."""
    return [
        {"a": min(a, b), "b": max(a, b), "introduction": pk, "outcome": outcome, "date": day}
        for pk, a, b, outcome, day in introductions(start, end).values_list(
            "pk", "organisation_a_id", "organisation_b_id", "outcome", "introduced_on"
        )
    ]
