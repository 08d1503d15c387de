"""Writes of the partnerships app: one transaction and one audit entry per use case.

Bad input raises ``ValidationError`` with a message naming the field, and changes nothing.
"today" is always ``timezone.localdate()`` (tests travel in time by patching ``timezone.now``).
"""

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log, diff, snapshot
from grappe.core.uploads import validate_document
from grappe.ecosystem.models import Competence, Organisation, Person, Segment
from grappe.partnerships.models import (
    Collaboration,
    CollaborationDocument,
    Interaction,
    Introduction,
    IntroductionRequest,
    Mission,
    Partner,
)
from grappe.referential.models import NaceCode

# Documents: the shared upload check (type by extension and content, size, not empty), 10 MB at most.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

COLLABORATION_FIELDS = (
    "kind",
    "title",
    "description",
    "status",
    "start_date",
    "end_date",
    "cluster_role",
    "outcomes",
    "missions",
    "transition_digital",
    "transition_environmental",
    "transition_economic",
    "foreign_countries",
    "internal_notes",
    "is_internal",
)
INTRODUCTION_FIELDS = (
    "reason",
    "channel",
    "owner",
    "follow_up_on",
    "status",
    "person_a",
    "person_b",
    "notes",
    "is_internal",
    "introduced_on",
)
INTERACTION_FIELDS = (
    "kind",
    "date",
    "summary",
    "person",
    "notes",
    "is_internal",
    "next_action",
    "next_action_due",
    "next_action_done",
    "owner",
)


def today() -> dt.date:
    return timezone.localdate()


# --- helpers --------------------------------------------------------------------------------------


def _organisation(value: Any, field: str) -> Organisation:
    """An Organisation from an instance or an id; a clear message when it does not exist."""
    if isinstance(value, Organisation):
        if value.pk is None or not Organisation.objects.filter(pk=value.pk).exists():
            raise ValidationError({field: _("Cette organisation n'existe pas (ou plus).")})
        return value
    try:
        return Organisation.objects.get(pk=int(value))
    except (TypeError, ValueError, Organisation.DoesNotExist):
        raise ValidationError({field: _("L'organisation n° %(id)s n'existe pas.") % {"id": value}}) from None


def _check_choice(value: str, choices: Any, field: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: _("Valeur inconnue : « %(value)s ».") % {"value": value}})


def _check_future(day: dt.date | None, field: str) -> None:
    if day is not None and day < today():
        raise ValidationError(
            {field: _("La date %(date)s est dans le passé : choisissez aujourd'hui ou plus tard.") % {"date": day}}
        )


def _check_person(person: Person | None, organisation: Organisation, field: str) -> None:
    if person is not None and not person.affiliations.filter(organisation=organisation).exists():
        raise ValidationError(
            {field: _("%(person)s n'est pas rattaché·e à %(org)s.") % {"person": person, "org": organisation}}
        )


def _normalise_partners(partners: Iterable[Any]) -> list[tuple[Organisation, str]]:
    """``partners``: ``(organisation or id, role)`` pairs or bare organisations/ids (role "partner")."""
    result: list[tuple[Organisation, str]] = []
    seen: set[int] = set()
    for entry in partners:
        organisation, role = entry if isinstance(entry, (tuple, list)) else (entry, Partner.Role.PARTNER)
        organisation = _organisation(organisation, "partners")
        _check_choice(role, Partner.Role, "partners")
        if organisation.pk in seen:
            raise ValidationError(
                {"partners": _("« %(org)s » figure deux fois parmi les partenaires.") % {"org": organisation}}
            )
        seen.add(organisation.pk)
        result.append((organisation, role))
    if len(result) < 2:
        raise ValidationError(
            {"partners": _("Une collaboration réunit au moins deux partenaires : ajoutez-en un autre.")}
        )
    return result


def _check_collaboration(collaboration: Collaboration) -> None:
    _check_choice(collaboration.kind, Collaboration.Kind, "kind")
    _check_choice(collaboration.status, Collaboration.Status, "status")
    _check_choice(collaboration.cluster_role, Collaboration.ClusterRole, "cluster_role")
    if not (collaboration.title or "").strip():
        raise ValidationError({"title": _("Le titre est obligatoire.")})
    unknown = [m for m in collaboration.missions or [] if m not in Mission.values]
    if unknown:
        raise ValidationError(
            {"missions": _("Mission inconnue : %(codes)s.") % {"codes": ", ".join(map(str, unknown))}}
        )
    if collaboration.status in Collaboration.STARTED_STATUSES and collaboration.start_date is None:
        raise ValidationError({"start_date": _("Une collaboration en cours ou terminée a une date de début.")})
    if collaboration.start_date and collaboration.end_date and collaboration.end_date < collaboration.start_date:
        raise ValidationError({"end_date": _("La date de fin précède la date de début.")})


def _org_ids(collaboration: Collaboration) -> list[int]:
    return list(collaboration.partners.values_list("organisation_id", flat=True))


def _audit_orgs(actor: Any, action: str, obj: Any, organisation_ids: Iterable[int], **kwargs: Any) -> None:
    """One audit entry per organisation concerned, so each organisation's history shows the change."""
    ids = sorted(set(organisation_ids)) or [None]
    for organisation_id in ids:
        audit_log(actor=actor, action=action, obj=obj, organisation_id=organisation_id, **kwargs)


# --- collaborations -------------------------------------------------------------------------------


@transaction.atomic
def collaboration_create(*, actor: Any, title: str, kind: str, partners: Iterable[Any], **fields: Any) -> Collaboration:
    """A collaboration with its partners (at least two, each an existing organisation)."""
    unknown = set(fields) - set(COLLABORATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    collaboration = Collaboration(title=(title or "").strip(), kind=kind, **fields)
    collaboration.created_by = actor if getattr(actor, "is_authenticated", False) else None
    _check_collaboration(collaboration)
    pairs = _normalise_partners(partners)
    collaboration.save()
    Partner.objects.bulk_create(
        [Partner(collaboration=collaboration, organisation=org, role=role) for org, role in pairs]
    )
    _audit_orgs(
        actor,
        "partnerships.collaboration.created",
        collaboration,
        [org.pk for org, _role in pairs],
        changes={**snapshot(collaboration), "partners": [[org.pk, role] for org, role in pairs]},
    )
    return collaboration


@transaction.atomic
def collaboration_update(*, actor: Any, collaboration: Collaboration, **fields: Any) -> Collaboration:
    unknown = set(fields) - set(COLLABORATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = snapshot(collaboration)
    for name, value in fields.items():
        setattr(collaboration, name, value.strip() if name == "title" and isinstance(value, str) else value)
    _check_collaboration(collaboration)
    collaboration.save()
    changes = diff(before, snapshot(collaboration))
    if changes:
        _audit_orgs(
            actor, "partnerships.collaboration.updated", collaboration, _org_ids(collaboration), changes=changes
        )
    return collaboration


@transaction.atomic
def collaboration_add_partner(
    *, actor: Any, collaboration: Collaboration, organisation: Any, role: str = Partner.Role.PARTNER
) -> Partner:
    organisation = _organisation(organisation, "organisation")
    _check_choice(role, Partner.Role, "role")
    if collaboration.partners.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("« %(org)s » est déjà partenaire de cette collaboration.") % {"org": organisation}}
        )
    partner = Partner.objects.create(collaboration=collaboration, organisation=organisation, role=role)
    _audit_orgs(
        actor,
        "partnerships.collaboration.partner_added",
        collaboration,
        _org_ids(collaboration),
        changes={"partner": [None, [organisation.pk, role]]},
    )
    return partner


@transaction.atomic
def collaboration_remove_partner(*, actor: Any, partner: Partner) -> None:
    collaboration = Collaboration.objects.select_for_update().get(pk=partner.collaboration_id)
    if collaboration.partners.count() <= 2:
        raise ValidationError(
            {"partners": _("Une collaboration réunit au moins deux partenaires : ajoutez-en un avant d'en retirer un.")}
        )
    ids = _org_ids(collaboration)
    label = [partner.organisation_id, partner.role]
    partner.delete()
    _audit_orgs(
        actor, "partnerships.collaboration.partner_removed", collaboration, ids, changes={"partner": [label, None]}
    )


def _check_document(upload: UploadedFile) -> None:
    """``grappe.core.uploads.validate_document``, its refusal reported on the ``file`` field."""
    try:
        validate_document(upload, max_bytes=DOCUMENT_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None


@transaction.atomic
def collaboration_add_document(
    *,
    actor: Any,
    collaboration: Collaboration,
    title: str,
    file: UploadedFile | None = None,
    url: str = "",
    is_internal: bool = False,
) -> CollaborationDocument:
    if not (title or "").strip():
        raise ValidationError({"title": _("Le titre du document est obligatoire.")})
    if bool(file) == bool(url):
        raise ValidationError({"file": _("Joignez un fichier ou indiquez un lien (l'un des deux).")})
    if file:
        _check_document(file)
    document = CollaborationDocument(collaboration=collaboration, title=title.strip(), url=url, is_internal=is_internal)
    if file:
        document.file.save(PurePath(file.name).name, file, save=False)
    document.full_clean(exclude=["collaboration"])
    document.save()
    _audit_orgs(
        actor,
        "partnerships.collaboration.document_added",
        collaboration,
        _org_ids(collaboration),
        changes={"document": [None, document.title]},
    )
    return document


# --- introductions --------------------------------------------------------------------------------


def _check_introduction(introduction: Introduction) -> None:
    _check_choice(introduction.channel, Introduction.Channel, "channel")
    _check_choice(introduction.status, Introduction.Status, "status")
    if introduction.organisation_a_id == introduction.organisation_b_id:
        raise ValidationError({"organisation_b": _("Choisissez deux organisations différentes.")})
    if not (introduction.reason or "").strip():
        raise ValidationError({"reason": _("Dites pourquoi ces organisations devraient se rencontrer.")})
    _check_person(introduction.person_a, introduction.organisation_a, "person_a")
    _check_person(introduction.person_b, introduction.organisation_b, "person_b")


@transaction.atomic
def introduction_create(
    *,
    actor: Any,
    organisation_a: Any,
    organisation_b: Any,
    reason: str,
    channel: str = Introduction.Channel.EMAIL,
    owner: Any = None,
    follow_up_on: dt.date | None = None,
    request: IntroductionRequest | None = None,
    **fields: Any,
) -> Introduction:
    """Record that staff introduced A to B; the follow-up date, when set, is today or later."""
    unknown = set(fields) - set(INTRODUCTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    a = _organisation(organisation_a, "organisation_a")
    b = _organisation(organisation_b, "organisation_b")
    _check_future(follow_up_on, "follow_up_on")
    if owner is None and getattr(actor, "is_authenticated", False):
        owner = actor
    fields.setdefault("introduced_on", today())
    introduction = Introduction(
        organisation_a=a,
        organisation_b=b,
        reason=(reason or "").strip(),
        channel=channel,
        owner=owner,
        follow_up_on=follow_up_on,
        request=request,
        **fields,
    )
    _check_introduction(introduction)
    introduction.save()
    if request is not None and request.status == IntroductionRequest.Status.NEW:
        IntroductionRequest.objects.filter(pk=request.pk).update(status=IntroductionRequest.Status.IN_PROGRESS)
        request.status = IntroductionRequest.Status.IN_PROGRESS
    _audit_orgs(actor, "partnerships.introduction.created", introduction, [a.pk, b.pk], changes=snapshot(introduction))
    return introduction


@transaction.atomic
def introduction_update(*, actor: Any, introduction: Introduction, **fields: Any) -> Introduction:
    unknown = set(fields) - set(INTRODUCTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "follow_up_on" in fields and fields["follow_up_on"] != introduction.follow_up_on:
        _check_future(fields["follow_up_on"], "follow_up_on")
    before = snapshot(introduction)
    for name, value in fields.items():
        setattr(introduction, name, value)
    _check_introduction(introduction)
    introduction.save()
    if changes := diff(before, snapshot(introduction)):
        _audit_orgs(
            actor,
            "partnerships.introduction.updated",
            introduction,
            [introduction.organisation_a_id, introduction.organisation_b_id],
            changes=changes,
        )
    return introduction


@transaction.atomic
def introduction_record_outcome(
    *,
    actor: Any,
    introduction: Introduction,
    outcome: str,
    collaboration: Collaboration | None = None,
    new_collaboration: dict[str, Any] | None = None,
    note: str = "",
) -> Introduction:
    """Record what came of an introduction.

    ``collaboration_started`` links ``collaboration`` (which must count both organisations among its
    partners) or creates one from ``new_collaboration`` (title, kind, ...) with A and B as partners.
    """
    _check_choice(outcome, Introduction.Outcome, "outcome")
    before = snapshot(introduction)
    pair = {introduction.organisation_a_id, introduction.organisation_b_id}
    if outcome == Introduction.Outcome.COLLABORATION_STARTED:
        if collaboration is None and not new_collaboration:
            raise ValidationError(
                {"collaboration": _("Choisissez la collaboration démarrée, ou donnez le titre d'une nouvelle.")}
            )
        if collaboration is not None:
            if not pair <= set(_org_ids(collaboration)):
                raise ValidationError(
                    {"collaboration": _("Les deux organisations doivent être partenaires de cette collaboration.")}
                )
        else:
            data = dict(new_collaboration or {})
            data.setdefault("kind", Collaboration.Kind.COMMERCIAL)
            data.setdefault("status", Collaboration.Status.ACTIVE)
            data.setdefault("start_date", today())
            data.setdefault("cluster_role", Collaboration.ClusterRole.FACILITATED)
            data.setdefault("missions", [Mission.M2])  # brokered by the cluster: mission 2
            data.setdefault("is_internal", introduction.is_internal)
            collaboration = collaboration_create(
                actor=actor,
                title=data.pop("title", ""),
                partners=[introduction.organisation_a, introduction.organisation_b],
                **data,
            )
        introduction.collaboration = collaboration
    else:
        introduction.collaboration = None
    introduction.outcome = outcome
    introduction.outcome_on = today() if outcome != Introduction.Outcome.UNKNOWN else None
    introduction.status = (
        Introduction.Status.FOLLOWED_UP
        if outcome in (Introduction.Outcome.MEETING_HELD, Introduction.Outcome.UNKNOWN)
        else Introduction.Status.CLOSED
    )
    if note.strip():
        introduction.notes = "\n".join(filter(None, [introduction.notes, note.strip()]))
    introduction.save()
    _audit_orgs(
        actor,
        "partnerships.introduction.outcome_recorded",
        introduction,
        pair,
        changes=diff(before, snapshot(introduction)),
    )
    return introduction


# --- introduction requests (portal) --------------------------------------------------------------


def _ids(values: Iterable[Any] | None, model: Any, field: str) -> list[Any]:
    objects = list(values or [])
    ids = [o.pk if hasattr(o, "pk") else o for o in objects]
    found = model.objects.filter(pk__in=ids)
    if found.count() != len(set(ids)):
        raise ValidationError({field: _("Une valeur choisie n'existe pas.")})
    return list(found)


@transaction.atomic
def introduction_request_submit(
    *,
    actor: Any,
    organisation: Any,
    needs: str,
    person: Person | None = None,
    competences: Iterable[Competence | int] | None = None,
    nace_codes: Iterable[NaceCode | int] | None = None,
    segments: Iterable[Segment | int] | None = None,
) -> IntroductionRequest:
    """A member asks, from the portal, to be introduced to a partner who matches ``needs``."""
    organisation = _organisation(organisation, "organisation")
    needs = (needs or "").strip()
    if len(needs) < 15:
        raise ValidationError(
            {"needs": _("Décrivez en une ou deux phrases le partenaire recherché (15 caractères au moins).")}
        )
    if len(needs) > 4000:
        raise ValidationError({"needs": _("4000 caractères au plus.")})
    if person is None and getattr(actor, "person_id", None):
        person = actor.person
    request = IntroductionRequest.objects.create(
        organisation=organisation,
        person=person,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        needs=needs,
    )
    request.competences.set(_ids(competences, Competence, "competences"))
    request.nace_codes.set(_ids(nace_codes, NaceCode, "nace_codes"))
    request.segments.set(_ids(segments, Segment, "segments"))
    audit_log(
        actor=actor,
        action="partnerships.request.submitted",
        obj=request,
        organisation_id=organisation.pk,
        changes=snapshot(request),
    )
    return request


@transaction.atomic
def introduction_request_assign(*, actor: Any, request: IntroductionRequest, owner: Any) -> IntroductionRequest:
    if owner is not None and not getattr(owner, "is_cluster_staff", False):
        raise ValidationError({"owner": _("Le responsable doit faire partie de l'équipe du cluster.")})
    if request.status not in IntroductionRequest.OPEN_STATUSES:
        raise ValidationError({"status": _("Cette demande est déjà clôturée.")})
    before = snapshot(request)
    request.owner = owner
    if request.status == IntroductionRequest.Status.NEW:
        request.status = IntroductionRequest.Status.IN_PROGRESS
    request.save()
    audit_log(
        actor=actor,
        action="partnerships.request.assigned",
        obj=request,
        organisation_id=request.organisation_id,
        changes=diff(before, snapshot(request)),
    )
    return request


@transaction.atomic
def introduction_request_resolve(
    *, actor: Any, request: IntroductionRequest, status: str, response: str = "", staff_notes: str | None = None
) -> IntroductionRequest:
    """Close a request: ``done`` (introductions made) or ``declined`` (with a response to the member)."""
    if status not in (IntroductionRequest.Status.DONE, IntroductionRequest.Status.DECLINED):
        raise ValidationError({"status": _("Une demande se clôture comme « traitée » ou « déclinée ».")})
    if request.status not in IntroductionRequest.OPEN_STATUSES:
        raise ValidationError({"status": _("Cette demande est déjà clôturée.")})
    if status == IntroductionRequest.Status.DECLINED and not (response or "").strip():
        raise ValidationError({"response": _("Expliquez au membre pourquoi la demande est déclinée.")})
    if status == IntroductionRequest.Status.DONE and not request.introductions.exists():
        raise ValidationError({"status": _("Aucune mise en relation n'a encore été faite pour cette demande.")})
    before = snapshot(request)
    request.status = status
    request.response = (response or "").strip()
    if staff_notes is not None:
        request.staff_notes = staff_notes
    request.resolved_at = timezone.now()
    request.save()
    audit_log(
        actor=actor,
        action="partnerships.request.resolved",
        obj=request,
        organisation_id=request.organisation_id,
        changes=diff(before, snapshot(request)),
    )
    return request


# --- interactions ---------------------------------------------------------------------------------


def _check_interaction(interaction: Interaction) -> None:
    _check_choice(interaction.kind, Interaction.Kind, "kind")
    if interaction.date is None:
        raise ValidationError({"date": _("La date est obligatoire.")})
    if not (interaction.summary or "").strip():
        raise ValidationError({"summary": _("Résumez l'échange en une phrase au moins.")})
    if interaction.next_action_due and not interaction.next_action.strip():
        raise ValidationError({"next_action": _("Une échéance sans prochaine action : décrivez l'action.")})
    _check_person(interaction.person, interaction.organisation, "person")


@transaction.atomic
def interaction_log(
    *, actor: Any, organisation: Any, kind: str, date: dt.date, summary: str, **fields: Any
) -> Interaction:
    unknown = set(fields) - set(INTERACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    organisation = _organisation(organisation, "organisation")
    _check_future(fields.get("next_action_due"), "next_action_due")
    if fields.get("owner") is None and getattr(actor, "is_authenticated", False):
        fields["owner"] = actor
    interaction = Interaction(
        organisation=organisation, kind=kind, date=date, summary=(summary or "").strip(), **fields
    )
    _check_interaction(interaction)
    interaction.save()
    audit_log(
        actor=actor,
        action="partnerships.interaction.logged",
        obj=interaction,
        organisation_id=organisation.pk,
        changes=snapshot(interaction),
    )
    return interaction


@transaction.atomic
def interaction_update(*, actor: Any, interaction: Interaction, **fields: Any) -> Interaction:
    unknown = set(fields) - set(INTERACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "next_action_due" in fields and fields["next_action_due"] != interaction.next_action_due:
        _check_future(fields["next_action_due"], "next_action_due")
    before = snapshot(interaction)
    for name, value in fields.items():
        setattr(interaction, name, value)
    _check_interaction(interaction)
    interaction.save()
    if changes := diff(before, snapshot(interaction)):
        audit_log(
            actor=actor,
            action="partnerships.interaction.updated",
            obj=interaction,
            organisation_id=interaction.organisation_id,
            changes=changes,
        )
    return interaction
