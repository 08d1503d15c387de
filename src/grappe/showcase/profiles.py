"""Member-edited public profiles: a member proposes, staff review a diff and approve or reject.

Only approved values reach the organisation (and so the public site): ``approve`` applies them with
``ecosystem.services.organisation_update`` (audited there too). ``GRAPPE_SHOWCASE_PROFILE_APPROVAL``
(default ``True``) set to ``False`` publishes a member's proposal at once (still recorded and audited).
"""

import difflib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.accounts import permissions
from grappe.core.audit import audit_log
from grappe.ecosystem import services as ecosystem_services
from grappe.ecosystem.models import Competence, Organisation
from grappe.showcase.models import ProfileProposal

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# What a member may propose for the public profile (a subset of permissions.MEMBER_ORGANISATION_FIELDS).
PUBLIC_PROFILE_FIELDS = (
    *(f"description_{code}" for code in LANGUAGE_CODES),
    "acronym",
    "website",
    "email",
    "phone",
    "competences",
    "export_markets",
)
FIELD_LABELS = {
    "description_fr": gettext_lazy("Description (français)"),
    "description_en": gettext_lazy("Description (anglais)"),
    "description_nl": gettext_lazy("Description (néerlandais)"),
    "description_de": gettext_lazy("Description (allemand)"),
    "acronym": gettext_lazy("Sigle"),
    "website": gettext_lazy("Site web"),
    "email": gettext_lazy("E-mail général"),
    "phone": gettext_lazy("Téléphone général"),
    "competences": gettext_lazy("Compétences"),
    "export_markets": gettext_lazy("Marchés d'exportation"),
}


def approval_required() -> bool:
    return bool(getattr(settings, "GRAPPE_SHOWCASE_PROFILE_APPROVAL", True))


def published_values(organisation: Organisation) -> dict[str, Any]:
    """The public-profile values as they are now (competences as sorted slugs, markets as sorted codes)."""
    values: dict[str, Any] = {}
    for name in PUBLIC_PROFILE_FIELDS:
        if name == "competences":
            values[name] = sorted(organisation.competences.values_list("slug", flat=True))
        elif name == "export_markets":
            values[name] = sorted(str(c.code) for c in organisation.export_markets)
        else:
            values[name] = getattr(organisation, name) or ""
    return values


def pending_proposal(organisation: Organisation) -> ProfileProposal | None:
    return (
        ProfileProposal.objects.filter(organisation=organisation, status=ProfileProposal.Status.PENDING)
        .order_by("-submitted_at", "-pk")
        .first()
    )


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name in PUBLIC_PROFILE_FIELDS:
        value = values.get(name)
        if name in ("competences", "export_markets"):
            clean[name] = sorted({str(v) for v in (value or [])})
        else:
            clean[name] = str(value or "").strip()
    return clean


@transaction.atomic
def submit(*, actor: Any, organisation: Organisation, values: dict[str, Any]) -> ProfileProposal | None:
    """Record a member's proposal (replacing its pending one). ``None`` when nothing differs from the public profile."""
    if not permissions.can_propose_public_profile(actor, organisation):
        raise PermissionDenied
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    proposed = _normalise(values)
    published = published_values(organisation)
    if proposed == published:
        return None
    superseded = ProfileProposal.objects.filter(organisation=organisation, status=ProfileProposal.Status.PENDING)
    superseded.update(status=ProfileProposal.Status.SUPERSEDED)
    proposal = ProfileProposal.objects.create(
        organisation=organisation, proposed=proposed, published=published, submitted_by=actor
    )
    audit_log(
        actor=actor,
        action="showcase.profile.proposed",
        obj=proposal,
        organisation_id=organisation.pk,
        changes={k: [published[k], proposed[k]] for k in PUBLIC_PROFILE_FIELDS if published[k] != proposed[k]},
    )
    if not approval_required():
        _apply(actor=actor, proposal=proposal, comment="")
    return proposal


def _apply(*, actor: Any, proposal: ProfileProposal, comment: str) -> None:
    values = dict(proposal.proposed)
    slugs = values.pop("competences", [])
    competences = list(Competence.objects.filter(slug__in=slugs))
    try:
        ecosystem_services.organisation_update(
            actor=actor, organisation=proposal.organisation, competences=competences, **values
        )
    except ValidationError as exc:
        raise ValidationError(_("La proposition ne peut pas être publiée : %(errors)s") % {"errors": exc}) from exc
    proposal.status = ProfileProposal.Status.APPROVED
    proposal.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    proposal.reviewed_at = timezone.now()
    proposal.review_comment = comment
    proposal.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    audit_log(
        actor=actor,
        action="showcase.profile.approved",
        obj=proposal,
        organisation_id=proposal.organisation_id,
        message=comment,
    )


@transaction.atomic
def approve(*, actor: Any, proposal: ProfileProposal, comment: str = "") -> ProfileProposal:
    if not permissions.can_review_public_profiles(actor):
        raise PermissionDenied
    proposal = ProfileProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProfileProposal.Status.PENDING:
        raise ValidationError(_("Cette proposition a déjà été traitée."))
    _apply(actor=actor, proposal=proposal, comment=comment)
    return proposal


@transaction.atomic
def reject(*, actor: Any, proposal: ProfileProposal, comment: str) -> ProfileProposal:
    if not permissions.can_review_public_profiles(actor):
        raise PermissionDenied
    proposal = ProfileProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProfileProposal.Status.PENDING:
        raise ValidationError(_("Cette proposition a déjà été traitée."))
    if not comment.strip():
        raise ValidationError(_("Expliquez au membre pourquoi la proposition est refusée."))
    proposal.status = ProfileProposal.Status.REJECTED
    proposal.reviewed_by = actor
    proposal.reviewed_at = timezone.now()
    proposal.review_comment = comment.strip()
    proposal.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    audit_log(
        actor=actor,
        action="showcase.profile.rejected",
        obj=proposal,
        organisation_id=proposal.organisation_id,
        message=proposal.review_comment,
    )
    return proposal


@dataclass
class DiffRow:
    field: str
    label: Any
    before: str
    after: str
    inline: SafeString
    changed_since: bool  # the public value moved after the proposal was made


def _text(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value or "")


def _inline_diff(before: str, after: str) -> SafeString:
    """Word-level diff with <del>/<ins>, every piece escaped."""
    a, b = before.split(), after.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out))  # every piece escaped above


def diff_rows(proposal: ProfileProposal) -> list[DiffRow]:
    """Changed fields of a proposal against the values public when it was submitted (and now)."""
    current = published_values(proposal.organisation)
    rows = []
    for name in PUBLIC_PROFILE_FIELDS:
        before = proposal.published.get(name, "")
        after = proposal.proposed.get(name, "")
        if before == after:
            continue
        rows.append(
            DiffRow(
                name,
                FIELD_LABELS[name],
                _text(before),
                _text(after),
                _inline_diff(_text(before), _text(after)),
                current.get(name) != before and proposal.status == ProfileProposal.Status.PENDING,
            )
        )
    return rows
