"""Reads that only the workspace pages need (the shared ones live in ``selectors``)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grappe.core.models import AuditEntry
from grappe.ecosystem import selectors
from grappe.ecosystem.models import Affiliation, Membership, Organisation


@dataclass(frozen=True)
class MembershipBadge:
    status: str
    label: Any
    css: str


_CURRENT = MembershipBadge("member", _("membre"), "badge-ok")
# Keyed by the status of the latest membership when the organisation is not a member on the day.
_BADGES = {
    Membership.Status.PROSPECT: MembershipBadge("prospect", _("prospect"), "badge-warn"),
    Membership.Status.LAPSED: MembershipBadge("lapsed", _("échue"), "badge-danger"),
    Membership.Status.RESIGNED: MembershipBadge("resigned", _("démission"), "badge-danger"),
    # A membership that was "member" but ended in the past.
    Membership.Status.MEMBER: MembershipBadge("former", _("ancien membre"), "badge-danger"),
}


def membership_badges(organisation_ids: list[int], day: dt.date | None = None) -> dict[int, MembershipBadge]:
    """For each organisation: member on ``day``, else the status of its latest membership (one query)."""
    day = day or dt.date.today()
    badges: dict[int, MembershipBadge] = {}
    rows = Membership.objects.filter(organisation_id__in=organisation_ids).order_by("organisation_id", "-start_date")
    for membership in rows.only("organisation_id", "status", "start_date", "end_date"):
        if membership.covers(day):
            badges[membership.organisation_id] = _CURRENT
        else:
            badges.setdefault(membership.organisation_id, _BADGES[membership.status])
    return badges


def relation_counts(organisation: Organisation) -> list[tuple[str, int]]:
    """What a merge would move: rows of every app pointing at ``organisation``, and its taxonomy links."""
    counts: list[tuple[str, int]] = []
    for relation in Organisation._meta.related_objects:
        model = relation.related_model
        # Filtered from the other side (also for many-to-many): a hidden relation (related_name="+") has no accessor.
        count = model._base_manager.filter(**{relation.field.name: organisation}).count()
        counts.append((str(model._meta.verbose_name_plural), count))
    for field in Organisation._meta.many_to_many:
        counts.append((str(field.verbose_name), getattr(organisation, field.name).count()))
    merged: Counter[str] = Counter()
    for label, count in counts:
        merged[label] += count
    return sorted(merged.items())


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


_EMPTY = (None, "", [], {}, False)
_HIDDEN_FIELDS = {"id", "search_text"}


def _field_label(model: Any, name: str) -> str:
    """The verbose name of a model field for a diff line, or the raw key (``activities``, ``merged_from``)."""
    if model is None:
        return name
    try:
        field = model._meta.get_field(name.removesuffix("_id"))
    except Exception:  # FieldDoesNotExist, or an audit key that is not a field
        return name
    return str(getattr(field, "verbose_name", name))


def organisation_history(organisation_id: int, *, limit: int = 200) -> list[tuple[AuditEntry, list[Change]]]:
    """Audit entries about an organisation, newest first, with their field diffs.

    Empty-to-empty lines (a new row's blank fields) and technical keys are left out: they say nothing.
    """
    entries = (
        AuditEntry.objects.filter(organisation_id=organisation_id)
        .select_related("content_type")
        .order_by("-at", "-id")[:limit]
    )
    history = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type else None
        changes = []
        for field, values in sorted((entry.changes or {}).items()):
            old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
            if field in _HIDDEN_FIELDS or (old in _EMPTY and new in _EMPTY):
                continue
            changes.append(Change(_field_label(model, field), old, new))
        history.append((entry, changes))
    return history


def members_on_by_tier(day: dt.date) -> list[tuple[Any, int]]:
    """Members on ``day`` counted per tier of the membership covering that day."""
    rows = (
        Membership.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day),
            status__in=Membership.COUNTING_STATUSES,
            start_date__lte=day,
        )
        .values("tier")
        .annotate(n=Count("organisation_id", distinct=True))
    )
    by_tier = {row["tier"]: row["n"] for row in rows}
    return [(label, by_tier.get(value, 0)) for value, label in Membership.Tier.choices]


def memberships_on(day: dt.date, *, tier: str = "") -> QuerySet[Membership]:
    """The memberships covering ``day`` (one per member), with their organisation."""
    queryset = Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        status__in=Membership.COUNTING_STATUSES,
        start_date__lte=day,
    ).select_related("organisation")
    if tier:
        queryset = queryset.filter(tier=tier)
    return queryset.order_by("organisation__name")


def overdue_and_due(day: dt.date, *, days: int = 60) -> tuple[list[Membership], list[Membership]]:
    due = list(selectors.renewals_due(day, days=days))
    return [m for m in due if m.renewal_date < day], [m for m in due if m.renewal_date >= day]


def affiliations_split(affiliations: list[Affiliation]) -> tuple[list[Affiliation], list[Affiliation]]:
    """Current and past positions (the history stays visible)."""
    return [a for a in affiliations if a.is_current], [a for a in affiliations if not a.is_current]
