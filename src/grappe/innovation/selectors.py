"""Reads of the innovation app: lists, the board and its funnel, and the figures other apps read.

Figures for the objectives app (``start``/``end`` dates, both included; records as QuerySets so each number
can be drilled into): ``ideas_submitted``, ``projects_coached``, ``projects_submitted``, ``projects_funded``
(records carry ``funding_amount``), ``projects_decided``, ``success_rate``, ``funding_raised``,
``support_actions`` (records carry ``hours``), ``support_hours``, ``products_valorised``.
For the collaboration network: ``shared_project_edges``; for the strategic dashboard's engagement:
``project_counts``.
"""

import datetime as dt
import statistics
from decimal import Decimal
from itertools import combinations
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from grappe.accounts import permissions
from grappe.innovation.models import (
    FundingCall,
    InnovationProject,
    Outcome,
    ProjectPartner,
    StageChange,
    SupportAction,
)

Stage = InnovationProject.Stage

DEFAULT_STALLED_DAYS = 60


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes covering the days ``start`` to ``end`` included (Europe/Brussels)."""
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return begin, finish


# --- lists ------------------------------------------------------------------------------------------


def project_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[InnovationProject]:
    """Projects the user may see (INNO-VIEW), filtered: transition, domain, owner, organisation, stage, q."""
    filters = filters or {}
    queryset = permissions.restrict_innovation_projects(InnovationProject.objects.all(), user)
    if transition := filters.get("transition"):
        # JSON lists are stored as text on both databases: the quoted code is a whole element.
        queryset = queryset.filter(transitions__icontains=f'"{transition}"')
    if domain := filters.get("domain"):
        queryset = queryset.filter(domains__icontains=f'"{domain}"')
    if owner := filters.get("owner"):
        queryset = queryset.filter(owner_id=owner)
    if organisation := filters.get("organisation"):
        queryset = queryset.filter(
            Q(lead_organisation_id=organisation)
            | Exists(ProjectPartner.objects.filter(project=OuterRef("pk"), organisation_id=organisation))
        )
    if stage := filters.get("stage"):
        queryset = queryset.filter(stage=stage)
    if text := (filters.get("q") or "").strip():
        queryset = queryset.filter(Q(title__icontains=text) | Q(lead_organisation__name__icontains=text))
    return queryset.select_related("lead_organisation", "owner", "funding_call").order_by("-created_at", "-pk")


def project_detail(user: Any, pk: int) -> InnovationProject | None:
    """The project if the user may see it, else None (the view answers 404)."""
    project = (
        InnovationProject.objects.select_related("lead_organisation", "owner", "funding_call").filter(pk=pk).first()
    )
    if project is None or not permissions.can_view_innovation_project(user, project):
        return None
    return project


def organisation_projects(user: Any, organisation_id: int) -> QuerySet[InnovationProject]:
    """Projects where the organisation is lead or partner, that the viewer may see."""
    return project_list(user, {"organisation": organisation_id})


def call_list(filters: dict[str, Any] | None = None, *, day: dt.date | None = None) -> QuerySet[FundingCall]:
    filters = filters or {}
    day = day or timezone.localdate()
    queryset = FundingCall.objects.all()
    status = filters.get("status", "open")
    if status == "open":
        queryset = queryset.filter(opens_on__lte=day, closes_on__gte=day)
    elif status == "upcoming":
        queryset = queryset.filter(opens_on__gt=day)
    elif status == "closed":
        queryset = queryset.filter(closes_on__lt=day)
    if level := filters.get("level"):
        queryset = queryset.filter(level=level)
    if text := (filters.get("q") or "").strip():
        queryset = queryset.filter(Q(title__icontains=text) | Q(programme__icontains=text) | Q(funder__icontains=text))
    return queryset.order_by("closes_on", "pk")


def support_action_list(filters: dict[str, Any] | None = None) -> QuerySet[SupportAction]:
    filters = filters or {}
    queryset = SupportAction.objects.select_related("project", "organisation", "staff")
    if kind := filters.get("kind"):
        queryset = queryset.filter(kind=kind)
    if staff := filters.get("staff"):
        queryset = queryset.filter(staff_id=staff)
    if start := filters.get("start"):
        queryset = queryset.filter(date__gte=start)
    if end := filters.get("end"):
        queryset = queryset.filter(date__lte=end)
    return queryset.order_by("-date", "-pk")


# --- board, funnel, stalled -------------------------------------------------------------------------


def board_columns(projects: QuerySet[InnovationProject]) -> list[dict[str, Any]]:
    """The board: one column per stage (pipeline order, then abandoned) with its projects."""
    by_stage: dict[str, list[InnovationProject]] = {s: [] for s in Stage.values}
    for project in projects.order_by("stage_entered_at", "pk"):
        by_stage[project.stage].append(project)
    order = [*InnovationProject.PIPELINE, Stage.ABANDONED]
    return [{"stage": s, "label": Stage(s).label, "projects": by_stage[s]} for s in order]


def funnel(projects: QuerySet[InnovationProject]) -> list[dict[str, Any]]:
    """For each pipeline stage: projects that ever reached it, conversion from the previous stage, median days.

    "Reached" reads the stage history (a project created at a later stage counts for that stage and the
    later ones it reached, not for earlier ones). Median days in a stage: completed stays only (entered,
    then left), from ``StageChange`` timestamps.
    """
    ids = list(projects.values_list("pk", flat=True))
    changes = StageChange.objects.filter(project_id__in=ids).order_by("project_id", "at", "pk")
    reached: dict[str, set[int]] = {s: set() for s in InnovationProject.PIPELINE}
    durations: dict[str, list[float]] = {s: [] for s in InnovationProject.PIPELINE}
    previous: dict[int, tuple[str, dt.datetime]] = {}
    for change in changes.values("project_id", "to_stage", "at"):
        pid, stage, at = change["project_id"], change["to_stage"], change["at"]
        if pid in previous:
            last_stage, since = previous[pid]
            if last_stage in durations:
                durations[last_stage].append((at - since).total_seconds() / 86400)
        if stage in reached:
            reached[stage].add(pid)
        previous[pid] = (stage, at)
    rows = []
    prior: int | None = None
    for stage in InnovationProject.PIPELINE:
        n = len(reached[stage])
        rate = None if not prior else round(100 * n / prior, 1)
        days = durations[stage]
        rows.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "reached": n,
                "conversion": rate,
                "median_days": round(statistics.median(days), 1) if days else None,
                "stays": len(days),
            }
        )
        prior = n
    return rows


def stalled_projects(
    projects: QuerySet[InnovationProject], *, days: int = DEFAULT_STALLED_DAYS, now: dt.datetime | None = None
) -> QuerySet[InnovationProject]:
    """Active projects (not closed nor abandoned) sitting in their stage for more than ``days`` days."""
    now = now or timezone.now()
    return projects.filter(
        stage__in=InnovationProject.ACTIVE_STAGES, stage_entered_at__lt=now - dt.timedelta(days=days)
    ).order_by("stage_entered_at", "pk")


# --- figures for the objectives app (mission 4) -----------------------------------------------------


def _entered(stage: str, start: dt.date, end: dt.date) -> QuerySet[InnovationProject]:
    """Projects that entered ``stage`` within the period (first entry counts, later re-entries too)."""
    begin, finish = _bounds(start, end)
    moves = StageChange.objects.filter(project=OuterRef("pk"), to_stage=stage, at__gte=begin, at__lt=finish)
    return InnovationProject.objects.filter(Exists(moves)).select_related("lead_organisation").order_by("pk")


def ideas_submitted(start: dt.date, end: dt.date) -> QuerySet[InnovationProject]:
    """Ideas detected: projects created in the period (members' ideas and those staff spotted)."""
    begin, finish = _bounds(start, end)
    return (
        InnovationProject.objects.filter(created_at__gte=begin, created_at__lt=finish)
        .select_related("lead_organisation")
        .order_by("pk")
    )


def projects_coached(start: dt.date, end: dt.date) -> QuerySet[InnovationProject]:
    """Projects with at least one support action dated in the period (breakdown by ``stage``)."""
    actions = SupportAction.objects.filter(project=OuterRef("pk"), date__gte=start, date__lte=end)
    return InnovationProject.objects.filter(Exists(actions)).select_related("lead_organisation").order_by("pk")


def projects_submitted(start: dt.date, end: dt.date) -> QuerySet[InnovationProject]:
    """Projects submitted to a call or a funder in the period (entered the "submitted" stage)."""
    return _entered(Stage.SUBMITTED, start, end)


def projects_funded(start: dt.date, end: dt.date) -> QuerySet[InnovationProject]:
    """Projects whose funding was granted in the period (entered "funded"); ``funding_amount`` is the grant."""
    return _entered(Stage.FUNDED, start, end)


def projects_decided(start: dt.date, end: dt.date) -> QuerySet[InnovationProject]:
    """Projects whose application was decided in the period: left "submitted" for funded or abandoned."""
    begin, finish = _bounds(start, end)
    moves = StageChange.objects.filter(
        project=OuterRef("pk"),
        from_stage=Stage.SUBMITTED,
        to_stage__in=(Stage.FUNDED, Stage.ABANDONED),
        at__gte=begin,
        at__lt=finish,
    )
    return InnovationProject.objects.filter(Exists(moves)).select_related("lead_organisation").order_by("pk")


def success_rate(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Funded / decided in the period, in per cent (None when nothing was decided)."""
    funded = projects_funded(start, end)
    decided = projects_decided(start, end)
    n, d = funded.count(), decided.count()
    value = (Decimal(100) * n / d).quantize(Decimal("0.1")) if d else None
    return {"value": value, "records": funded, "numerator": n, "denominator": d}


def funding_raised(start: dt.date, end: dt.date) -> dict[str, Any]:
    funded = projects_funded(start, end)
    total = sum((p.funding_amount for p in funded), Decimal(0))
    return {"value": total, "records": funded, "numerator": funded.count()}


def support_actions(start: dt.date, end: dt.date) -> QuerySet[SupportAction]:
    """Support actions dated in the period (on a project or an organisation); records carry ``hours``."""
    return (
        SupportAction.objects.filter(date__gte=start, date__lte=end)
        .select_related("project", "organisation")
        .order_by("date", "pk")
    )


def support_hours(start: dt.date, end: dt.date) -> dict[str, Any]:
    actions = support_actions(start, end)
    total = actions.aggregate(total=Sum("hours"))["total"] or Decimal(0)
    return {"value": total, "records": actions, "numerator": actions.count()}


def products_valorised(start: dt.date, end: dt.date) -> QuerySet[InnovationProject]:
    """Projects that reached the valorisation stage in the period (a product or service brought to market)."""
    return _entered(Stage.VALORISATION, start, end)


def outcomes(start: dt.date, end: dt.date) -> QuerySet[Outcome]:
    return Outcome.objects.filter(date__gte=start, date__lte=end).select_related("project").order_by("date", "pk")


# --- collaboration network --------------------------------------------------------------------------


def shared_project_edges(
    start: dt.date | None = None, end: dt.date | None = None, *, include_staff_only: bool = True
) -> list[dict[str, Any]]:
    """Pairs of organisations in the same project: ``{"a", "b", "project", "stage"}`` with ``a < b``.

    Abandoned projects are left out. With dates: projects that existed during the period (created
    before its end). ``include_staff_only=False`` leaves staff-only projects out (views for members).
    """
    projects = InnovationProject.objects.exclude(stage=Stage.ABANDONED)
    if end is not None:
        projects = projects.filter(created_at__lt=_bounds(start or end, end)[1])
    if not include_staff_only:
        projects = projects.exclude(confidentiality=InnovationProject.Confidentiality.STAFF)
    rows = ProjectPartner.objects.filter(project__in=projects).values_list(
        "project_id", "organisation_id", "project__stage"
    )
    members: dict[int, set[int]] = {}
    stages: dict[int, str] = {}
    for project_id, organisation_id, stage in rows:
        members.setdefault(project_id, set()).add(organisation_id)
        stages[project_id] = stage
    edges = []
    for project_id, orgs in sorted(members.items()):
        for a, b in combinations(sorted(orgs), 2):
            edges.append({"a": a, "b": b, "project": project_id, "stage": stages[project_id]})
    return edges


def project_counts(start: dt.date, end: dt.date, *, include_staff_only: bool = False) -> dict[int, int]:
    """Per organisation id: the projects it leads or partners in that were open during ``start``-``end``.

    Open: created before the end of the period and not closed or abandoned before its start. For the
    strategic dashboard's engagement, which observers read too: staff-only projects count only with
    ``include_staff_only`` (INNO-STAFF-ONLY).
    """
    begin, finish = _bounds(start, end)
    projects = InnovationProject.objects.filter(created_at__lt=finish).exclude(
        stage__in=[Stage.CLOSED, Stage.ABANDONED], stage_entered_at__lt=begin
    )
    if not include_staff_only:
        projects = projects.exclude(confidentiality=InnovationProject.Confidentiality.STAFF)
    projects = projects.values("pk")
    counts: dict[int, int] = {}
    pairs = ProjectPartner.objects.filter(project__in=projects).values_list("organisation_id", "project_id")
    for organisation_id, _project_id in pairs.order_by().distinct():
        counts[organisation_id] = counts.get(organisation_id, 0) + 1
    return counts


# --- organisation timeline (partnerships) -----------------------------------------------------------


def organisation_project_history(
    organisation_id: int, *, include_staff_only: bool = True, limit: int = 200
) -> list[dict[str, Any]]:
    """The projects an organisation leads or partners in, each with its stage history (for timelines).

    Returns ``[{"project", "role", "changes"}]``, newest project first: ``role`` is the organisation's
    ``ProjectPartner`` role, ``changes`` the ``StageChange`` rows in order (the creation first).
    ``include_staff_only=False`` leaves staff-only projects out (what a member of the organisation may see).
    Three queries whatever the number of projects.
    """
    roles = dict(ProjectPartner.objects.filter(organisation_id=organisation_id).values_list("project_id", "role"))
    projects = InnovationProject.objects.filter(Q(pk__in=roles) | Q(lead_organisation_id=organisation_id))
    if not include_staff_only:
        projects = projects.exclude(confidentiality=InnovationProject.Confidentiality.STAFF)
    projects = list(projects.order_by("-created_at", "-pk")[:limit])
    changes: dict[int, list[StageChange]] = {p.pk: [] for p in projects}
    for change in StageChange.objects.filter(project_id__in=changes).order_by("at", "pk"):
        changes[change.project_id].append(change)
    return [
        {"project": p, "role": roles.get(p.pk, ProjectPartner.Role.LEAD), "changes": changes[p.pk]} for p in projects
    ]
