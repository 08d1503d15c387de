"""Consortium builder: who in the ecosystem could join a project, and why.

From a project's needs — competences (a needed competence also matches its sub-competences), NACE codes
(an organisation's activity matches when its code starts with a needed code) and roles (research partner,
SME, large company, end user, subcontractor) — candidates are scored:

- 3 points per needed competence matched, 2 per needed NACE code matched;
- 1 point when the organisation's kind or size fits a needed role;
- 0.5 point when it has a site in the lead's province (short distances help small consortia).

A candidate needs at least one competence or NACE match — or, for a research role, to be a research
organisation when the project lists no competence nor NACE. Current members come first, then
non-members and research organisations; within each group by score, then name. Consortium members are
left out. "Invite" records an introduction (partnerships) when that app offers it, else an audited note.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log
from grappe.ecosystem.models import Competence, Organisation
from grappe.ecosystem.selectors import member_ids_on
from grappe.innovation.models import InnovationProject, ProjectPartner

Role = ProjectPartner.Role
Kind = Organisation.Kind
RESEARCH_KINDS = (Kind.RESEARCH_CENTRE, Kind.UNIVERSITY)
SME_STATUSES = (Organisation.SmeStatus.MICRO, Organisation.SmeStatus.SMALL, Organisation.SmeStatus.MEDIUM)
COMPANY_KINDS = (Kind.COMPANY, Kind.STARTUP)

COMPETENCE_POINTS = 3.0
NACE_POINTS = 2.0
ROLE_POINTS = 1.0
PROVINCE_POINTS = 0.5


@dataclass
class Suggestion:
    organisation: Organisation
    is_member: bool
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    @property
    def group(self) -> int:
        return 0 if self.is_member else 1


def _role_fits(organisation: Organisation, role: str) -> bool:
    if role == Role.RESEARCH:
        return organisation.kind in RESEARCH_KINDS
    if role == Role.SME:
        return organisation.kind in COMPANY_KINDS and organisation.sme_status in SME_STATUSES
    if role == Role.LARGE_COMPANY:
        return organisation.kind in COMPANY_KINDS and organisation.sme_status == Organisation.SmeStatus.LARGE
    if role in (Role.END_USER, Role.SUBCONTRACTOR):
        return organisation.kind in COMPANY_KINDS or (role == Role.END_USER and organisation.kind == Kind.PUBLIC_BODY)
    return False


def _competence_closure(competences: list[Competence]) -> dict[int, Competence]:
    """Each needed competence id, and its descendants', mapped to the needed competence it stands for."""
    mapping: dict[int, Competence] = {}
    children: dict[int | None, list[int]] = {}
    for pk, parent in Competence.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    for needed in competences:
        stack = [needed.pk]
        while stack:
            pk = stack.pop()
            if pk in mapping:
                continue
            mapping[pk] = needed
            stack.extend(children.get(pk, []))
    return mapping


def _lead_provinces(project: InnovationProject) -> set[int]:
    return {
        pid
        for pid in project.lead_organisation.sites.values_list("municipality__province_id", flat=True)
        if pid is not None
    }


def suggest_partners(project: InnovationProject, *, limit: int = 20, day: dt.date | None = None) -> list[Suggestion]:
    """Ranked partner suggestions for ``project`` (see the module docstring for the rules)."""
    day = day or timezone.localdate()
    needed_competences = list(project.needed_competences.all())
    needed_nace = list(project.needed_nace.all())
    roles = [r for r in project.needed_roles or [] if r in Role.values and r != Role.LEAD]
    closure = _competence_closure(needed_competences)
    condition = Q()
    if closure:
        condition |= Q(competences__in=list(closure))
    for nace in needed_nace:
        condition |= Q(activities__nace__code__startswith=nace.code)
    if not closure and not needed_nace and Role.RESEARCH in roles:
        condition |= Q(kind__in=RESEARCH_KINDS)
    if not condition:
        return []
    consortium = set(project.partners.values_list("organisation_id", flat=True))
    candidates = (
        Organisation.objects.filter(condition)
        .exclude(pk__in=consortium)
        .distinct()
        .prefetch_related("competences", "activities__nace", "sites__municipality__province")
    )
    members = member_ids_on(day)
    provinces = _lead_provinces(project)
    suggestions = []
    for org in candidates:
        suggestion = Suggestion(org, org.pk in members)
        matched = sorted({closure[c.pk].name for c in org.competences.all() if c.pk in closure})
        if matched:
            suggestion.score += COMPETENCE_POINTS * len(matched)
            suggestion.reasons.append(_("compétences : %(list)s") % {"list": ", ".join(matched)})
        codes = [a.nace.code for a in org.activities.all()]
        nace_hits = [n for n in needed_nace if any(code.startswith(n.code) for code in codes)]
        if nace_hits:
            suggestion.score += NACE_POINTS * len(nace_hits)
            suggestion.reasons.append(
                _("activités NACE : %(list)s") % {"list": ", ".join(f"{n.dotted} {n.label}" for n in nace_hits)}
            )
        fitting = [r for r in roles if _role_fits(org, r)]
        if fitting:
            suggestion.score += ROLE_POINTS
            suggestion.roles = fitting
            labels = ", ".join(str(Role(r).label) for r in fitting)
            suggestion.reasons.append(
                _("peut tenir le rôle : %(roles)s (%(kind)s)") % {"roles": labels, "kind": org.get_kind_display()}
            )
        site_provinces = {s.municipality.province_id for s in org.sites.all() if s.municipality.province_id}
        if provinces & site_provinces:
            suggestion.score += PROVINCE_POINTS
            province = next(s.municipality.province for s in org.sites.all() if s.municipality.province_id in provinces)
            suggestion.reasons.append(_("même province que le porteur (%(p)s)") % {"p": province})
        suggestion.reasons.append(_("membre du cluster") if suggestion.is_member else _("non membre"))
        suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (s.group, -s.score, s.organisation.name.casefold(), s.organisation.pk))
    return suggestions[:limit]


def invite(*, actor: Any, project: InnovationProject, organisation: Organisation, reason: str = "") -> tuple[str, Any]:
    """Put the project's lead in touch with ``organisation``.

    Returns ``("introduction", Introduction)`` when the partnerships app records introductions, else
    ``("note", AuditEntry)`` — an audited note on the project that staff can follow up by hand.
    """
    reason = (reason or "").strip() or _("Partenaire possible pour le projet d'innovation « %(title)s ».") % {
        "title": project.title
    }
    try:
        from grappe.partnerships.services import introduction_create
    except ImportError:
        introduction_create = None
    if introduction_create is not None:
        introduction = introduction_create(
            actor=actor, organisation_a=project.lead_organisation, organisation_b=organisation, reason=reason
        )
        audit_log(
            actor=actor,
            action="innovation.partner.invited",
            obj=project,
            changes={"organisation": organisation.name, "introduction": introduction.pk},
            organisation_id=organisation.pk,
        )
        return "introduction", introduction
    entry = audit_log(
        actor=actor,
        action="innovation.partner.invited",
        obj=project,
        changes={"organisation": organisation.name},
        organisation_id=organisation.pk,
        message=reason,
    )
    return "note", entry
