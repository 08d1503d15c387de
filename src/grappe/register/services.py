"""Writes that connect the register to the ecosystem: links, enrichment, candidates, the changes feed.

Every change to an organisation goes through ``grappe.ecosystem.services`` (validated and audited
there); the register's own review decisions are audited here (``register.*`` action codes).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.core.audit import audit_log
from grappe.core.text import fold
from grappe.ecosystem import services as ecosystem
from grappe.ecosystem.models import Membership, Organisation
from grappe.referential.models import NaceCode, PostalCode
from grappe.register.linking import find_candidates
from grappe.register.models import Activity, Address, Enterprise, Establishment, RegisterChange, RegisterLink
from grappe.register.numbers import format_entity_number

FIELD_LABELS = {
    "legal_form": gettext_lazy("forme juridique"),
    "founded_on": gettext_lazy("date de création"),
}


# --- Reading the register for one organisation ----------------------------------------------------


def enterprise_of(organisation: Organisation) -> Enterprise | None:
    """The register enterprise an organisation is linked to by its number (``None`` if absent from the universe)."""
    if not organisation.enterprise_number:
        return None
    return Enterprise.objects.filter(number=int(organisation.enterprise_number)).first()


def main_nace_codes(number: int) -> tuple[str, list[str]]:
    """The enterprise's own MAIN activities: NACE-BEL 2025 codes, else 2008 (version, codes)."""
    rows = Activity.objects.filter(
        entity_number=number, classification=Activity.Classification.MAIN, nace_version__in=[2025, 2008]
    ).values_list("nace_version", "nace_code")
    by_version: dict[int, list[str]] = {}
    for version, code in rows.order_by("nace_code"):
        by_version.setdefault(version, [])
        if code not in by_version[version]:
            by_version[version].append(code)
    for version in (2025, 2008):
        if by_version.get(version):
            known = set(
                NaceCode.objects.filter(version=str(version), code__in=by_version[version]).values_list(
                    "code", flat=True
                )
            )
            return str(version), [c for c in by_version[version] if c in known]
    return NaceCode.Version.V2025, []


@dataclass
class SiteProposal:
    postal_code: str
    street: str
    number: str
    box: str
    label: str
    is_head_office: bool

    def key(self) -> tuple[str, str, str]:
        return (self.postal_code, fold(self.street), fold(self.number))

    def __str__(self) -> str:
        return " ".join(p for p in (self.street, self.number, self.postal_code) if p)


def register_sites(number: int) -> list[SiteProposal]:
    """The seat and establishment addresses (not struck off, Belgian, known postal code), seat first."""
    establishments = set(Establishment.objects.filter(enterprise_id=number).values_list("number", flat=True))
    addresses = Address.objects.filter(
        enterprise_id=number, struck_off_on__isnull=True, country_fr="", country_nl="", type__in=["REGO", "BAET"]
    ).order_by("type", "entity_number", "id")
    known = set(PostalCode.objects.filter(code__in={a.zipcode for a in addresses}).values_list("code", flat=True))
    proposals: list[SiteProposal] = []
    seen: set[tuple[str, str, str]] = set()
    for address in sorted(addresses, key=lambda a: (a.type != "REGO", a.entity_number)):
        if address.zipcode not in known:
            continue
        if address.type == "BAET" and address.entity_number not in establishments:
            continue
        seat = address.type == "REGO" and address.entity_number == number
        proposal = SiteProposal(
            postal_code=address.zipcode,
            street=(address.street_fr or address.street_nl)[:200],
            number=address.house_number[:20],
            box=address.box[:20],
            label=(
                _("Siège (BCE)")
                if seat
                else _("Unité d'établissement %(n)s") % {"n": format_entity_number(address.entity_number)}
            )[:120],
            is_head_office=seat,
        )
        if proposal.key() not in seen:
            seen.add(proposal.key())
            proposals.append(proposal)
    return proposals


@dataclass
class Enrichment:
    """What the register would change on an organisation: the preview staff confirm."""

    fields: list[dict[str, Any]] = field(default_factory=list)  # {name, label, current, proposed, empty}
    nace_version: str = "2025"
    activities_current: list[str] = field(default_factory=list)
    activities_proposed: list[str] = field(default_factory=list)
    sites: list[SiteProposal] = field(default_factory=list)
    has_sites: bool = False

    @property
    def activities_change(self) -> bool:
        return bool(self.activities_proposed) and sorted(self.activities_current) != sorted(self.activities_proposed)

    @property
    def empty(self) -> bool:
        return not self.fields and not self.activities_change and not self.sites


def enrichment_preview(organisation: Organisation) -> Enrichment | None:
    """Field-by-field differences between the organisation and its register entry (``None`` if not linked)."""
    enterprise = enterprise_of(organisation)
    if enterprise is None:
        return None
    plan = Enrichment()
    proposed = {"legal_form": enterprise.juridical_form[:10], "founded_on": enterprise.start_date}
    for name, value in proposed.items():
        current = getattr(organisation, name)
        if value and value != current:
            plan.fields.append(
                {"name": name, "label": FIELD_LABELS[name], "current": current, "proposed": value, "empty": not current}
            )
    plan.nace_version, plan.activities_proposed = main_nace_codes(enterprise.number)
    plan.activities_current = sorted(
        organisation.activities.filter(nace__version=plan.nace_version, is_main=True).values_list(
            "nace__code", flat=True
        )
    )
    existing = {
        (code, fold(street), fold(number))
        for code, street, number in organisation.sites.values_list("postal_code__code", "street", "number")
    }
    plan.has_sites = bool(existing)
    plan.sites = [s for s in register_sites(enterprise.number) if s.key() not in existing]
    return plan


@transaction.atomic
def organisation_enrich(
    *, actor: Any, organisation: Organisation, only_empty: bool = True, parts: set[str] | None = None
) -> dict[str, int]:
    """Copy register data onto the organisation through the ecosystem services (each write audited).

    ``only_empty``: fill empty fields only, set activities only when it has none, add sites only when it
    has none. ``parts`` limits to some of ``fields``, ``activities``, ``sites`` (default: all).
    """
    plan = enrichment_preview(organisation)
    if plan is None:
        raise ValidationError(
            {"enterprise_number": _("Cette organisation n'est liée à aucune entreprise du registre.")}
        )
    parts = parts if parts is not None else {"fields", "activities", "sites"}
    done = {"fields": 0, "activities": 0, "sites": 0}
    if "fields" in parts:
        updates = {f["name"]: f["proposed"] for f in plan.fields if f["empty"] or not only_empty}
        if updates:
            ecosystem.organisation_update(actor=actor, organisation=organisation, **updates)
            done["fields"] = len(updates)
    if "activities" in parts and plan.activities_change and not (only_empty and organisation.activities.exists()):
        current_other = []
        if not only_empty:
            # Secondary activities staff entered stay; the register decides the main ones.
            current_other = list(
                organisation.activities.filter(nace__version=plan.nace_version, is_main=False).values_list(
                    "nace__code", flat=True
                )
            )
        codes = plan.activities_proposed + [c for c in current_other if c not in plan.activities_proposed]
        ecosystem.activity_set(
            actor=actor,
            organisation=organisation,
            codes=codes,
            main=plan.activities_proposed[0],
            version=plan.nace_version,
        )
        done["activities"] = len(plan.activities_proposed)
    if "sites" in parts and not (only_empty and plan.has_sites):
        for site in plan.sites:
            ecosystem.site_add(
                actor=actor,
                organisation=organisation,
                postal_code=site.postal_code,
                street=site.street,
                number=site.number,
                box=site.box,
                label=site.label,
                is_head_office=site.is_head_office and not organisation.sites.filter(is_head_office=True).exists(),
            )
            done["sites"] += 1
    return done


# --- Links and candidates -------------------------------------------------------------------------


def _review(link: RegisterLink, actor: Any, status: str) -> None:
    link.status = status
    link.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    link.reviewed_at = timezone.now()
    link.save(update_fields=["status", "reviewed_by", "reviewed_at"])


@transaction.atomic
def organisation_link(*, actor: Any, organisation: Organisation, enrich_empty: bool = True) -> RegisterLink:
    """Record the link of an organisation to its register entry by number; fill its empty fields from it."""
    if enterprise_of(organisation) is None:
        raise ValidationError(
            {"enterprise_number": _("Aucune entreprise du registre ne porte ce numéro d'entreprise.")}
        )
    number = int(organisation.enterprise_number)
    link, _created = RegisterLink.objects.get_or_create(
        organisation=organisation, enterprise_number=number, defaults={"score": 100.0}
    )
    if link.status != RegisterLink.Status.LINKED:
        _review(link, actor, RegisterLink.Status.LINKED)
        audit_log(
            actor=actor,
            action="register.link.linked",
            obj=organisation,
            changes={"enterprise_number": [None, format_entity_number(number)]},
            organisation_id=organisation.pk,
        )
    RegisterLink.objects.filter(organisation=organisation, status=RegisterLink.Status.CANDIDATE).delete()
    if enrich_empty:
        organisation_enrich(actor=actor, organisation=organisation, only_empty=True)
    return link


@transaction.atomic
def candidates_refresh(*, organisation: Organisation) -> list[RegisterLink]:
    """Propose register enterprises for an organisation without a number (rejected ones never come back)."""
    if organisation.enterprise_number:
        RegisterLink.objects.filter(organisation=organisation, status=RegisterLink.Status.CANDIDATE).delete()
        return []
    found = find_candidates(organisation)
    numbers = {c.enterprise_number for c in found}
    RegisterLink.objects.filter(organisation=organisation, status=RegisterLink.Status.CANDIDATE).exclude(
        enterprise_number__in=numbers
    ).delete()
    links = []
    for candidate in found:
        link, _created = RegisterLink.objects.update_or_create(
            organisation=organisation,
            enterprise_number=candidate.enterprise_number,
            defaults={"score": candidate.score, "matched_name": candidate.matched_name},
        )
        links.append(link)
    return links


def candidates_refresh_all(*, limit: int | None = None) -> int:
    """Candidates for every organisation without a number that has a site (the review queue)."""
    queryset = Organisation.objects.filter(enterprise_number__isnull=True, sites__isnull=False).distinct()
    count = 0
    for organisation in queryset.order_by("pk")[:limit]:
        count += len(candidates_refresh(organisation=organisation))
    return count


@transaction.atomic
def candidate_accept(*, actor: Any, link: RegisterLink) -> Organisation:
    """Staff confirm a candidate: the organisation gets the enterprise number, is linked and enriched (empty fields)."""
    if link.status != RegisterLink.Status.CANDIDATE:
        raise ValidationError(_("Cette proposition a déjà été traitée."))
    organisation = link.organisation
    if organisation.enterprise_number:
        raise ValidationError({"enterprise_number": _("Cette organisation a déjà un numéro d'entreprise.")})
    number = format_entity_number(link.enterprise_number)
    if Organisation.objects.filter(enterprise_number=f"{link.enterprise_number:010d}").exists():
        raise ValidationError(
            {
                "enterprise_number": _("Le numéro %(number)s est déjà celui d'une autre organisation.")
                % {"number": number}
            }
        )
    ecosystem.organisation_update(actor=actor, organisation=organisation, enterprise_number=number)
    _review(link, actor, RegisterLink.Status.LINKED)
    audit_log(
        actor=actor,
        action="register.candidate.accepted",
        obj=organisation,
        changes={"enterprise_number": [None, number], "score": [None, link.score]},
        organisation_id=organisation.pk,
    )
    organisation_link(actor=actor, organisation=organisation)
    return organisation


@transaction.atomic
def candidate_reject(*, actor: Any, link: RegisterLink) -> RegisterLink:
    """Staff say "not this one": the pair is remembered and never proposed again."""
    if link.status != RegisterLink.Status.CANDIDATE:
        raise ValidationError(_("Cette proposition a déjà été traitée."))
    _review(link, actor, RegisterLink.Status.REJECTED)
    audit_log(
        actor=actor,
        action="register.candidate.rejected",
        obj=link.organisation,
        changes={"enterprise_number": [format_entity_number(link.enterprise_number), None]},
        organisation_id=link.organisation_id,
    )
    return link


# --- From the register into the ecosystem ---------------------------------------------------------


def organisation_for_number(number: int) -> Organisation | None:
    return Organisation.objects.filter(enterprise_number=f"{number:010d}").first()


@transaction.atomic
def organisation_add_from_register(*, actor: Any, number: int) -> Organisation:
    """ "Add to ecosystem": an organisation (source register) with the register's name, form, date, seat, activities."""
    enterprise = Enterprise.objects.filter(number=number).first()
    if enterprise is None:
        raise ValidationError(_("Cette entreprise n'est pas dans le registre."))
    existing = organisation_for_number(number)
    if existing is not None:
        raise ValidationError(
            _("« %(name)s » porte déjà ce numéro d'entreprise dans l'écosystème.") % {"name": existing.name}
        )
    kind = Organisation.Kind.COMPANY
    organisation = ecosystem.organisation_create(
        actor=actor,
        name=(enterprise.name or enterprise.display_number)[:255],
        kind=kind,
        enterprise_number=enterprise.display_number,
        legal_form=enterprise.juridical_form[:10],
        founded_on=enterprise.start_date,
        source=Organisation.Source.REGISTER,
    )
    organisation_link(actor=actor, organisation=organisation, enrich_empty=False)
    organisation_enrich(actor=actor, organisation=organisation, only_empty=True, parts={"activities"})
    # The head office: the seat, else the first establishment in a known postal code.
    sites = register_sites(number)
    if sites:
        site = sites[0]
        ecosystem.site_add(
            actor=actor,
            organisation=organisation,
            postal_code=site.postal_code,
            street=site.street,
            number=site.number,
            box=site.box,
            label=site.label,
            is_head_office=True,
        )
    RegisterChange.objects.filter(enterprise_number=number, organisation__isnull=True).update(organisation=organisation)
    return organisation


@transaction.atomic
def organisation_mark_prospect(*, actor: Any, organisation: Organisation, day: dt.date | None = None) -> Membership:
    """A prospect membership (no fee) from today, unless the organisation is already a member or prospect."""
    day = day or timezone.localdate()
    open_rows = organisation.memberships.filter(end_date__isnull=True).filter(
        status__in=[Membership.Status.MEMBER, Membership.Status.PROSPECT]
    )
    if open_rows.exists():
        raise ValidationError(_("Cette organisation est déjà membre ou prospect."))
    return ecosystem.membership_create(
        actor=actor, organisation=organisation, start_date=day, status=Membership.Status.PROSPECT
    )


@transaction.atomic
def change_add_to_ecosystem(*, actor: Any, change: RegisterChange) -> Organisation:
    """The one-click action of the changes feed: add the enterprise, then the change points at it."""
    organisation = organisation_add_from_register(actor=actor, number=change.enterprise_number)
    change.organisation = organisation
    change.save(update_fields=["organisation"])
    return organisation
