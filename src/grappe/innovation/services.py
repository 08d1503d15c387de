"""Writes of the innovation app: one transaction and one audit entry per use case.

Every function validates before saving and raises ``ValidationError`` with messages naming the field;
nothing is saved when validation fails. Action codes: ``innovation.<entity>.<verb>``.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grappe.core.audit import audit_log, diff, snapshot
from grappe.core.uploads import validate_document
from grappe.ecosystem.models import Organisation
from grappe.innovation.gates import DEFAULT_GATES
from grappe.innovation.models import (
    FundingCall,
    GateChecklistItem,
    InnovationProject,
    Outcome,
    ProjectDocument,
    ProjectPartner,
    StageChange,
    StoryDraft,
    SupportAction,
)

Stage = InnovationProject.Stage
Role = ProjectPartner.Role

PROJECT_FIELDS = (
    "title",
    "title_en",
    "title_nl",
    "title_de",
    "summary",
    "summary_en",
    "summary_nl",
    "summary_de",
    "owner",
    "submitted_by",
    "origin",
    "transitions",
    "domains",
    "sdgs",
    "trl_now",
    "trl_target",
    "budget",
    "funding_requested",
    "funding_obtained",
    "funding_call",
    "confidentiality",
    "needed_roles",
    "internal_notes",
)
PROJECT_M2M = ("needed_competences", "needed_nace")
CALL_FIELDS = (
    "title",
    "title_en",
    "title_nl",
    "title_de",
    "programme",
    "funder",
    "level",
    "description",
    "description_en",
    "description_nl",
    "description_de",
    "keywords",
    "opens_on",
    "closes_on",
    "budget",
    "smes_required",
    "min_partners",
    "countries",
    "trl_min",
    "trl_max",
    "own_contribution_rate",
    "transitions",
    "domains",
    "link",
    "watch_item",
)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = (
    ".pdf",
    ".docx",
    ".xlsx",
    ".pptx",
    ".odt",
    ".ods",
    ".odp",
    ".txt",
    ".csv",
    ".png",
    ".jpg",
    ".jpeg",
)


def _check_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _full_clean(instance: Any, exclude: Iterable[str] = ()) -> None:
    # Constraints are validated too (closes after opens, obtained within budget) with their messages.
    instance.full_clean(exclude=list(exclude))


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


# --- projects ---------------------------------------------------------------------------------------


def _copy_default_gates(project: InnovationProject) -> None:
    # Checklist labels are content, stored in the source language (French) whatever the request's language.
    with translation.override(settings.LANGUAGE_CODE):
        items = []
        order = 0
        for stage in InnovationProject.PIPELINE:
            for label, mandatory in DEFAULT_GATES.get(stage, []):
                order += 1
                items.append(
                    GateChecklistItem(project=project, stage=stage, label=str(label), mandatory=mandatory, order=order)
                )
    GateChecklistItem.objects.bulk_create(items)


@transaction.atomic
def project_create(
    *,
    actor: Any,
    title: str,
    lead_organisation: Organisation | None,
    at: dt.datetime | None = None,
    stage: str = Stage.IDEA,
    **fields: Any,
) -> InnovationProject:
    """Create a project at ``stage`` (idea by default) with its lead as first partner and the default gates."""
    _check_fields(fields, PROJECT_FIELDS + PROJECT_M2M)
    if lead_organisation is None:
        raise ValidationError({"lead_organisation": _("Choisissez l'organisation porteuse du projet.")})
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Étape inconnue.")})
    related = {key: fields.pop(key) for key in PROJECT_M2M if key in fields}
    at = at or timezone.now()
    project = InnovationProject(
        title=(title or "").strip(), lead_organisation=lead_organisation, stage=stage, stage_entered_at=at, **fields
    )
    _full_clean(project)
    project.save()
    if at != project.created_at:  # demo histories and imports date the project back
        InnovationProject.objects.filter(pk=project.pk).update(created_at=at)
        project.created_at = at
    for key, values in related.items():
        getattr(project, key).set(values)
    ProjectPartner.objects.create(project=project, organisation=lead_organisation, role=Role.LEAD)
    _copy_default_gates(project)
    StageChange.objects.create(project=project, from_stage="", to_stage=stage, at=at, by=_user(actor))
    audit_log(
        actor=actor,
        action="innovation.project.created",
        obj=project,
        changes=diff({}, snapshot(project)),
        organisation_id=lead_organisation.pk,
    )
    return project


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def project_update(*, actor: Any, project: InnovationProject, **fields: Any) -> InnovationProject:
    """Change a project's description, tags, money or needs (never its stage: see ``project_move_stage``)."""
    _check_fields(fields, PROJECT_FIELDS + PROJECT_M2M)
    related = {key: fields.pop(key) for key in PROJECT_M2M if key in fields}
    before = snapshot(project)
    for name, value in fields.items():
        setattr(project, name, value)
    _full_clean(project)
    # Only the fields given: a stale instance must never put back an old stage.
    project.save(update_fields=[*fields, "updated_at"])
    for key, values in related.items():
        getattr(project, key).set(values)
    changes = diff(before, snapshot(project))
    if project.is_confidential_to_staff:
        # A staff-only project has no public story: drafts the showcase has not taken over are withdrawn.
        drafts = project.story_drafts.filter(taken_over_at__isnull=True)
        if withdrawn := sorted(drafts.values_list("pk", flat=True)):
            drafts.delete()
            changes["story_drafts_withdrawn"] = withdrawn
    if changes:
        audit_log(
            actor=actor,
            action="innovation.project.updated",
            obj=project,
            changes=changes,
            organisation_id=project.lead_organisation_id,
        )
    return project


def missing_gate_items(project: InnovationProject, to_stage: str) -> list[GateChecklistItem]:
    """Mandatory items not done in the gates a forward move from the current stage to ``to_stage`` passes."""
    pipeline = list(InnovationProject.PIPELINE)
    if project.stage not in pipeline or to_stage not in pipeline:
        return []
    start, end = pipeline.index(project.stage), pipeline.index(to_stage)
    if end <= start:
        return []
    crossed = pipeline[start:end]
    items = project.checklist.filter(stage__in=crossed, mandatory=True, done=False)
    return sorted(items, key=lambda item: (pipeline.index(item.stage), item.order, item.pk))


def allowed_moves(project: InnovationProject) -> dict[str, str | None]:
    """The board's neighbours of a project: the previous and next pipeline stage (None at either end)."""
    pipeline = list(InnovationProject.PIPELINE)
    if project.stage not in pipeline:
        return {"previous": None, "next": None}
    i = pipeline.index(project.stage)
    return {
        "previous": pipeline[i - 1] if i > 0 else None,
        "next": pipeline[i + 1] if i + 1 < len(pipeline) else None,
    }


@transaction.atomic
def project_move_stage(
    *, actor: Any, project: InnovationProject, to_stage: str, reason: str = "", at: dt.datetime | None = None
) -> StageChange:
    """Move a project to ``to_stage`` and record it in the history.

    Rules: a forward move passes every gate between the two stages (mandatory items done); moving back,
    abandoning and reopening need a reason; an abandoned project reopens only at the stage it left;
    "funded" needs the amount obtained.
    """
    given = project
    project = InnovationProject.objects.select_for_update().get(pk=project.pk)
    reason = (reason or "").strip()
    current = project.stage
    pipeline = list(InnovationProject.PIPELINE)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Étape inconnue.")})
    if to_stage == current:
        raise ValidationError(
            {"to_stage": _("Le projet est déjà à l'étape « %(stage)s ».") % {"stage": _stage_label(current)}}
        )
    if to_stage == Stage.ABANDONED:
        if not reason:
            raise ValidationError({"reason": _("Indiquez pourquoi le projet est abandonné.")})
    elif current == Stage.ABANDONED:
        last = project.stage_changes.filter(to_stage=Stage.ABANDONED).order_by("-at", "-pk").first()
        previous = last.from_stage if last and last.from_stage else Stage.IDEA
        if to_stage != previous:
            raise ValidationError(
                {
                    "to_stage": _("Un projet abandonné ne peut reprendre qu'à l'étape qu'il a quittée (« %(stage)s »).")
                    % {"stage": _stage_label(previous)}
                }
            )
        if not reason:
            raise ValidationError({"reason": _("Indiquez pourquoi le projet reprend.")})
    elif pipeline.index(to_stage) < pipeline.index(current):
        if not reason:
            raise ValidationError({"reason": _("Indiquez pourquoi le projet revient à une étape antérieure.")})
    else:
        missing = missing_gate_items(project, to_stage)
        if missing:
            gates: dict[str, list[str]] = {}
            for item in missing:
                gates.setdefault(_stage_label(item.stage), []).append(item.label)
            detail = " ; ".join(f"« {stage} » : {', '.join(labels)}" for stage, labels in gates.items())
            raise ValidationError(
                {
                    "to_stage": _(
                        "Impossible de passer de « %(from)s » à « %(to)s » : des éléments obligatoires de la grille "
                        "de passage ne sont pas faits (%(detail)s)."
                    )
                    % {"from": _stage_label(current), "to": _stage_label(to_stage), "detail": detail}
                }
            )
        if to_stage == Stage.FUNDED and project.funding_obtained is None:
            raise ValidationError(
                {"to_stage": _("Indiquez le financement obtenu avant de passer le projet à l'étape « financé ».")}
            )
    at = at or timezone.now()
    change = StageChange.objects.create(
        project=project, from_stage=current, to_stage=to_stage, at=at, by=_user(actor), reason=reason
    )
    InnovationProject.objects.filter(pk=project.pk).update(stage=to_stage, stage_entered_at=at)
    project.stage, project.stage_entered_at = to_stage, at
    given.stage, given.stage_entered_at = to_stage, at
    audit_log(
        actor=actor,
        action="innovation.project.stage_moved",
        obj=project,
        changes={"stage": [current, to_stage], "reason": reason},
        organisation_id=project.lead_organisation_id,
    )
    return change


@transaction.atomic
def checklist_item_set(*, actor: Any, item: GateChecklistItem, done: bool) -> GateChecklistItem:
    if item.done == done:
        return item
    item.done = done
    item.done_at = timezone.now() if done else None
    item.done_by = _user(actor) if done else None
    item.save(update_fields=["done", "done_at", "done_by"])
    audit_log(
        actor=actor,
        action="innovation.checklist.checked" if done else "innovation.checklist.unchecked",
        obj=item.project,
        changes={"item": item.label, "done": done},
        organisation_id=item.project.lead_organisation_id,
    )
    return item


@transaction.atomic
def checklist_item_add(
    *, actor: Any, project: InnovationProject, stage: str, label: str, mandatory: bool = True
) -> GateChecklistItem:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Décrivez l'élément à vérifier.")})
    if stage not in InnovationProject.ACTIVE_STAGES:
        raise ValidationError({"stage": _("Choisissez une étape du parcours (hors clôture et abandon).")})
    last = project.checklist.order_by("-order").values_list("order", flat=True).first() or 0
    item = GateChecklistItem.objects.create(
        project=project, stage=stage, label=label[:255], mandatory=mandatory, order=last + 1
    )
    audit_log(
        actor=actor,
        action="innovation.checklist.added",
        obj=project,
        changes={"stage": stage, "item": item.label, "mandatory": mandatory},
        organisation_id=project.lead_organisation_id,
    )
    return item


# --- consortium -------------------------------------------------------------------------------------


@transaction.atomic
def partner_add(
    *, actor: Any, project: InnovationProject, organisation: Organisation | None, role: str
) -> ProjectPartner:
    if organisation is None or not isinstance(organisation, Organisation):
        raise ValidationError({"organisation": _("Choisissez l'organisation partenaire.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Choisissez le rôle du partenaire.")})
    if role == Role.LEAD:
        raise ValidationError({"role": _("Le projet a déjà un porteur : choisissez un autre rôle.")})
    if project.partners.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("Cette organisation fait déjà partie du consortium.")})
    partner = ProjectPartner.objects.create(project=project, organisation=organisation, role=role)
    audit_log(
        actor=actor,
        action="innovation.partner.added",
        obj=project,
        changes={"organisation": organisation.name, "role": role},
        organisation_id=organisation.pk,
    )
    return partner


@transaction.atomic
def partner_remove(*, actor: Any, partner: ProjectPartner) -> None:
    if partner.role == Role.LEAD or partner.organisation_id == partner.project.lead_organisation_id:
        raise ValidationError({"organisation": _("Le porteur du projet ne peut pas être retiré du consortium.")})
    project, organisation = partner.project, partner.organisation
    partner.delete()
    audit_log(
        actor=actor,
        action="innovation.partner.removed",
        obj=project,
        changes={"organisation": organisation.name, "role": partner.role},
        organisation_id=organisation.pk,
    )


# --- documents --------------------------------------------------------------------------------------


@transaction.atomic
def document_add(*, actor: Any, project: InnovationProject, title: str, upload: Any) -> ProjectDocument:
    """Attach a file to a project after ``grappe.core.uploads.validate_document`` (type by content, size)."""
    if upload is None:
        raise ValidationError({"file": _("Choisissez un fichier.")})
    try:
        validate_document(upload, allowed=DOCUMENT_EXTENSIONS, max_bytes=MAX_DOCUMENT_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    name = PurePath(upload.name).name
    document = ProjectDocument(
        project=project, title=(title or "").strip()[:255] or name[:255], uploaded_by=_user(actor)
    )
    document.file.save(name, upload, save=False)
    document.save()
    audit_log(
        actor=actor,
        action="innovation.document.added",
        obj=project,
        changes={"document": document.title},
        organisation_id=project.lead_organisation_id,
    )
    return document


# --- funding calls ----------------------------------------------------------------------------------


@transaction.atomic
def call_create(*, actor: Any, title: str, opens_on: dt.date, closes_on: dt.date, **fields: Any) -> FundingCall:
    """Create a funding call; ``watch_item`` links it to the watch item it was spotted in."""
    _check_fields(fields, CALL_FIELDS)
    call = FundingCall(title=(title or "").strip(), opens_on=opens_on, closes_on=closes_on, **fields)
    _full_clean(call)
    call.save()
    audit_log(actor=actor, action="innovation.call.created", obj=call, changes=diff({}, snapshot(call)))
    return call


def call_initial_from_watch_item(item: Any) -> dict[str, Any]:
    """What a watch item tells about a call: its title, link, text and dates (event or effective date)."""
    initial: dict[str, Any] = {
        "title": item.title[:255],
        "link": item.link or item.canonical_url or "",
        "description": strip_tags(item.summary or item.content or "").strip()[:5000],
        "watch_item": item,
    }
    if item.event_start:
        initial["opens_on"] = timezone.localdate(item.event_start)
    if item.event_end:
        initial["closes_on"] = timezone.localdate(item.event_end)
    elif item.effective_date:
        initial["closes_on"] = item.effective_date
    initial.setdefault("opens_on", timezone.localdate(item.published_at))
    return initial


@transaction.atomic
def call_create_from_watch_item(*, actor: Any, item: Any, **fields: Any) -> FundingCall:
    """A call pre-filled from a watch item; ``fields`` complete or override what the item says."""
    values = {**call_initial_from_watch_item(item), **fields}
    if "closes_on" not in values:
        raise ValidationError({"closes_on": _("L'article de veille ne donne pas de date de clôture : indiquez-la.")})
    return call_create(actor=actor, **values)


@transaction.atomic
def call_update(*, actor: Any, call: FundingCall, **fields: Any) -> FundingCall:
    _check_fields(fields, CALL_FIELDS)
    before = snapshot(call)
    for name, value in fields.items():
        setattr(call, name, value)
    _full_clean(call)
    call.save()
    if changes := diff(before, snapshot(call)):
        audit_log(actor=actor, action="innovation.call.updated", obj=call, changes=changes)
    return call


# --- support and valorisation -----------------------------------------------------------------------


@transaction.atomic
def support_action_log(
    *,
    actor: Any,
    kind: str,
    date: dt.date,
    hours: Decimal | str | int,
    project: InnovationProject | None = None,
    organisation: Organisation | None = None,
    staff: Any = None,
    summary: str = "",
) -> SupportAction:
    """Record time spent supporting a project (its lead is then the organisation) or an organisation."""
    if kind not in SupportAction.Kind.values:
        raise ValidationError({"kind": _("Choisissez le type d'accompagnement.")})
    try:
        hours = Decimal(str(hours))
    except Exception as exc:  # InvalidOperation and friends: not a number
        raise ValidationError({"hours": _("Indiquez un nombre d'heures, par exemple 1,5.")}) from exc
    if project is not None and organisation is None:
        organisation = project.lead_organisation
    if staff is None and getattr(actor, "is_authenticated", False):
        staff = actor
    action = SupportAction(
        kind=kind,
        date=date,
        hours=hours,
        project=project,
        organisation=organisation,
        staff=staff,
        summary=(summary or "").strip()[:300],
    )
    _full_clean(action)
    action.save()
    audit_log(
        actor=actor,
        action="innovation.support_action.logged",
        obj=action,
        changes=snapshot(action),
        organisation_id=organisation.pk if organisation else None,
    )
    return action


@transaction.atomic
def valorisation_record(
    *, actor: Any, project: InnovationProject, kind: str, title: str, date: dt.date, **fields: Any
) -> Outcome:
    """Record a valorised result of a project (product, service, pilot, patent...)."""
    _check_fields(fields, ("description", "jobs_created", "turnover_expected", "title_en", "description_en"))
    outcome = Outcome(project=project, kind=kind, title=(title or "").strip(), date=date, **fields)
    _full_clean(outcome)
    outcome.save()
    audit_log(
        actor=actor,
        action="innovation.outcome.recorded",
        obj=project,
        changes=snapshot(outcome),
        organisation_id=project.lead_organisation_id,
    )
    return outcome


STORY_STAGES = (Stage.FUNDED, Stage.RUNNING, Stage.VALORISATION, Stage.CLOSED)


@transaction.atomic
def story_from_project(*, actor: Any, project: InnovationProject) -> StoryDraft:
    """One click: a success-story draft in French from the project, its consortium, funding and outcomes.

    The draft stays in this app (``StoryDraft``) until the showcase takes it over; see docs/innovation.md.
    """
    if project.confidentiality == InnovationProject.Confidentiality.STAFF:
        raise ValidationError(
            {"confidentiality": _("Ce projet est confidentiel (équipe uniquement) : pas de récit public.")}
        )
    if project.stage not in STORY_STAGES:
        raise ValidationError(
            {"stage": _("Un récit de réussite se rédige à partir d'un projet financé, en cours ou valorisé.")}
        )
    with translation.override(settings.LANGUAGE_CODE):
        partners = list(project.partners.select_related("organisation").order_by("role", "organisation__name"))
        others = [p.organisation.name for p in partners if p.role != Role.LEAD]
        outcomes = list(project.outcomes.all())
        paragraphs = [project.summary.strip()] if project.summary.strip() else []
        if others:
            paragraphs.append(
                _("Porté par %(lead)s avec %(partners)s, le projet a été accompagné par le cluster.")
                % {"lead": project.lead_organisation.name, "partners": ", ".join(others)}
            )
        else:
            paragraphs.append(
                _("Porté par %(lead)s, le projet a été accompagné par le cluster.")
                % {"lead": project.lead_organisation.name}
            )
        if project.funding_obtained and project.funding_call_id:
            paragraphs.append(
                _("Il a obtenu %(amount)s € dans le cadre de « %(call)s ».")
                % {"amount": f"{project.funding_obtained:,.0f}".replace(",", " "), "call": project.funding_call}
            )
        for outcome in outcomes:
            line = f"{outcome.get_kind_display().capitalize()} : {outcome.title}."
            if outcome.jobs_created:
                line += " " + ngettext("%(n)s emploi créé.", "%(n)s emplois créés.", outcome.jobs_created) % {
                    "n": outcome.jobs_created
                }
            paragraphs.append(line)
        lead = _("%(lead)s et ses partenaires ont transformé une idée en résultat concret.") % {
            "lead": project.lead_organisation.name
        }
        draft = StoryDraft.objects.create(
            project=project,
            title=project.title,
            lead=lead,
            body="\n\n".join(paragraphs),
            organisation_ids=[p.organisation_id for p in partners],
            created_by=_user(actor),
        )
    audit_log(
        actor=actor,
        action="innovation.story.drafted",
        obj=project,
        changes={"story_draft": draft.pk},
        organisation_id=project.lead_organisation_id,
    )
    return draft


# --- member portal ----------------------------------------------------------------------------------


@transaction.atomic
def portal_idea_submit(
    *, actor: Any, organisation: Organisation, title: str, summary: str, kind: str = "idea", **fields: Any
) -> InnovationProject:
    """A member's idea or help request: a project at stage idea, led by their organisation, consortium-only."""
    _check_fields(fields, ("transitions", "domains"))
    if not (title or "").strip():
        raise ValidationError({"title": _("Donnez un titre à votre idée.")})
    if len((summary or "").strip()) < 20:
        raise ValidationError(
            {"summary": _("Décrivez votre idée ou votre besoin en quelques phrases (20 caractères au moins).")}
        )
    origin = InnovationProject.Origin.PORTAL_HELP if kind == "help" else InnovationProject.Origin.PORTAL_IDEA
    return project_create(
        actor=actor,
        title=title,
        summary=summary.strip(),
        lead_organisation=organisation,
        origin=origin,
        submitted_by=_user(actor),
        confidentiality=InnovationProject.Confidentiality.CONSORTIUM,
        **fields,
    )
