"""Certifications and labels on public profiles (ISO 9001, ISO 14001, VCA, B Corp...).

Staff enter them (approved at once) or approve what a member proposed from the portal; a member's
proposal is pending until then (``GRAPPE_SHOWCASE_PROFILE_APPROVAL = False`` approves it at once, like
profile proposals). The public site, its JSON-LD and the open data show a certification only while it
is approved, public and valid: :func:`public_certifications`. Every write is audited.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.accounts import permissions
from grappe.core.audit import audit_log, diff, snapshot
from grappe.showcase import profiles
from grappe.showcase.models import Certification

# Suggestions for the form (a datalist): any other name may be typed.
COMMON_NAMES = (
    "ISO 9001",
    "ISO 14001",
    "ISO 45001",
    "ISO 50001",
    "ISO 27001",
    "EMAS",
    "VCA",
    "VCA**",
    "B Corp",
    "CE (marquage)",
    "FSC",
    "PEFC",
    "Cradle to Cradle",
    "Ecolabel européen",
    "Label Entreprise Écodynamique",
)


def public_certifications_q(day: dt.date | None = None) -> Q:
    day = day or timezone.localdate()
    return Q(status=Certification.Status.APPROVED, is_public=True) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def public_certifications(organisation: Any, day: dt.date | None = None) -> QuerySet[Certification]:
    """The organisation's certifications a visitor may see today (approved, public, not expired)."""
    return Certification.objects.filter(public_certifications_q(day), organisation=organisation).order_by("name", "pk")


def public_names_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    """Names of the public certifications of each organisation (open data), in one query."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        Certification.objects.filter(public_certifications_q(), organisation_id__in=list(organisation_ids))
        .order_by("name", "pk")
        .values_list("organisation_id", "name")
    )
    for organisation_id, name in rows:
        if name not in names[organisation_id]:
            names[organisation_id].append(name)
    return names


def json_ld(certifications: Iterable[Certification]) -> list[dict[str, Any]]:
    """schema.org ``hasCredential`` values (``EducationalOccupationalCredential``, category certification)."""
    out = []
    for certification in certifications:
        item: dict[str, Any] = {
            "@type": "EducationalOccupationalCredential",
            "name": certification.name,
            "credentialCategory": "certification",
        }
        if certification.issuer:
            item["recognizedBy"] = {"@type": "Organization", "name": certification.issuer}
        if certification.valid_until:
            item["expires"] = certification.valid_until.isoformat()
        if certification.link:
            item["url"] = certification.link
        out.append(item)
    return out


def _clean(certification: Certification) -> None:
    certification.name = certification.name.strip()
    if not certification.name:
        raise ValidationError({"name": _("Indiquez le nom de la certification.")})
    certification.full_clean()


@transaction.atomic
def save(*, actor: Any, certification: Certification) -> Certification:
    """Create or change a certification. Staff's are approved unless they chose a status; a member's
    new or changed certification waits for staff (unless profile approval is switched off)."""
    organisation = certification.organisation
    if not permissions.can_propose_public_profile(actor, organisation):
        raise PermissionDenied
    created = certification.pk is None
    before = {} if created else snapshot(Certification.objects.get(pk=certification.pk))
    if created and getattr(actor, "is_authenticated", False):
        certification.submitted_by = actor
    if not permissions.can_review_public_profiles(actor):
        certification.status = (
            Certification.Status.PENDING if profiles.approval_required() else Certification.Status.APPROVED
        )
        certification.review_comment = ""
    _clean(certification)
    certification.save()
    audit_log(
        actor=actor,
        action="showcase.certification." + ("created" if created else "updated"),
        obj=certification,
        organisation_id=organisation.pk,
        changes=diff(before, snapshot(certification)),
    )
    return certification


@transaction.atomic
def review(*, actor: Any, certification: Certification, approve: bool, comment: str = "") -> Certification:
    if not permissions.can_review_public_profiles(actor):
        raise PermissionDenied
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    if not approve and not comment.strip():
        raise ValidationError(_("Expliquez au membre pourquoi la certification est refusée."))
    certification.status = Certification.Status.APPROVED if approve else Certification.Status.REJECTED
    certification.review_comment = comment.strip()
    certification.save(update_fields=["status", "review_comment", "updated_at"])
    audit_log(
        actor=actor,
        action="showcase.certification." + ("approved" if approve else "rejected"),
        obj=certification,
        organisation_id=certification.organisation_id,
        message=certification.review_comment,
    )
    return certification


@transaction.atomic
def delete(*, actor: Any, certification: Certification) -> None:
    """Staff delete any certification; a member withdraws one of their organisation's (never another's)."""
    if not permissions.can_propose_public_profile(actor, certification.organisation):
        raise PermissionDenied
    audit_log(
        actor=actor,
        action="showcase.certification.deleted",
        obj=certification,
        organisation_id=certification.organisation_id,
        changes=diff(snapshot(certification), {}),
    )
    certification.delete()
