"""The strategic dashboard: membership over time, coverage, engagement, risk, connectivity.

Engagement and members at risk come from ``partnerships.selectors.engagement_scores`` and
``members_at_risk`` when the partnerships app provides them (read lazily); otherwise engagement is
not shown and "at risk" falls back to what the ecosystem knows: a fee paid only until a past date.
Innovation projects (``innovation.selectors.project_counts``, projects open in the 12 months) are
added as a column of their own (the partnerships score does not count them) and a member with an
open project is not "without activity".
"""

import datetime as dt
import importlib
from collections import Counter
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from grappe.ecosystem import selectors as eco_selectors
from grappe.ecosystem.models import Membership, Organisation


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarters(day: dt.date, count: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The last ``count`` quarters up to the one holding ``day`` (the current one ends on ``day``)."""
    start = quarter_start(day)
    result = []
    for _i in range(count):
        end = day if not result else (result[-1][0] - dt.timedelta(days=1))
        result.append((start, end))
        start = quarter_start(start - dt.timedelta(days=1))
    return list(reversed(result))


def membership_quarters(day: dt.date, count: int = 12) -> list[dict[str, Any]]:
    rows = []
    for start, end in quarters(day, count):
        flows = eco_selectors.joins_and_exits(start, end)
        rows.append(
            {
                "quarter": f"{start.year}-T{(start.month - 1) // 3 + 1}",
                "start": start,
                "end": end,
                "joins": flows["joins"],
                "exits": flows["exits"],
                "members": len(eco_selectors.member_ids_on(end)),
            }
        )
    return rows


def _partnerships(name: str) -> Any | None:
    try:
        return getattr(importlib.import_module("grappe.partnerships.selectors"), name)
    except (ImportError, AttributeError):
        return None


PROJECTS = "projects"


def _innovation_projects(day: dt.date, include_staff_only: bool) -> dict[int, int] | None:
    """Innovation projects open in the 12 months up to ``day``, per organisation; None without the app."""
    try:
        selector = importlib.import_module("grappe.innovation.selectors").project_counts
    except (ImportError, AttributeError):
        return None
    return selector(day - dt.timedelta(days=364), day, include_staff_only=include_staff_only)


def engagement(day: dt.date, *, include_staff_only: bool = False) -> dict[str, Any]:
    """Per member: counts of each kind of activity in 12 months and the score; totals per kind.

    The score is the partnerships app's (events, B2B meetings, collaborations, interactions, introductions,
    bulletins); innovation projects are one more count, outside the score (staff-only ones for staff only).
    """
    scores_of = _partnerships("engagement_scores")
    if scores_of is None:
        return {"available": False, "rows": [], "totals": [], "mean": None}
    scores = scores_of(day)
    projects = _innovation_projects(day, include_staff_only)
    names = dict(Organisation.objects.filter(pk__in=list(scores)).values_list("pk", "name"))
    rows, totals, labels = [], Counter(), {}
    for org_id, score in scores.items():
        parts = {p.code: p.count for p in score.parts}
        for p in score.parts:
            labels[p.code] = p.label
            totals[p.code] += p.count
        if projects is not None:
            parts[PROJECTS] = projects.get(org_id, 0)
            labels[PROJECTS] = _("projets d'innovation")
            totals[PROJECTS] += parts[PROJECTS]
        rows.append({"organisation": org_id, "name": names.get(org_id, ""), "score": score.total, "parts": parts})
    rows.sort(key=lambda r: (-r["score"], r["name"]))
    mean = sum(r["score"] for r in rows) / len(rows) if rows else None
    return {
        "available": True,
        "rows": rows,
        "codes": list(labels),
        "totals": [(code, labels[code], totals[code]) for code in labels],
        "mean": mean,
    }


def members_at_risk(day: dt.date, *, include_staff_only: bool = False) -> dict[str, Any]:
    selector = _partnerships("members_at_risk")
    if selector is not None:
        projects = _innovation_projects(day, include_staff_only) or {}
        no_activity = _partnerships("NO_ACTIVITY")
        rows = []
        for r in selector(day):
            reasons = list(r.reasons)
            if projects.get(r.organisation.pk):  # an open innovation project is activity too
                reasons = [x for x in reasons if x is not no_activity]
            reasons = [str(x) for x in reasons]
            if reasons:
                rows.append(
                    {
                        "organisation": r.organisation.pk,
                        "name": r.organisation.name,
                        "reasons": reasons,
                        "score": r.score.total,
                        "fee_paid_until": r.fee_paid_until,
                    }
                )
        return {"source": "partnerships", "rows": rows}
    memberships = (
        Membership.objects.filter(status__in=Membership.COUNTING_STATUSES, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .filter(fee_paid_until__lt=day)
        .select_related("organisation")
        .order_by("fee_paid_until")
    )
    return {
        "source": "ecosystem",
        "rows": [
            {
                "organisation": m.organisation_id,
                "name": m.organisation.name,
                "reasons": [_("cotisation impayée")],
                "score": None,
                "fee_paid_until": m.fee_paid_until,
            }
            for m in memberships
        ],
    }
