"""Writes to the ecosystem: one transaction and one audit entry per use case.

Every function validates (``full_clean``) before saving and raises ``ValidationError`` with
messages naming the field; nothing is saved when validation fails.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grappe.core import deferred
from grappe.core.audit import audit_log, diff, snapshot
from grappe.core.models import AuditEntry
from grappe.core.text import fold
from grappe.ecosystem.models import (
    Activity,
    Affiliation,
    Consent,
    Membership,
    Organisation,
    Person,
    Relationship,
    Site,
)
from grappe.ecosystem.numbers import normalise_enterprise_number
from grappe.referential.models import NaceCode, PostalCode

# Headcount bands at or above this index are large by the EU definition (250 persons or more).
_HEADCOUNT_ORDER = [c.value for c in Organisation.HeadcountBand]
_LARGE_FROM = _HEADCOUNT_ORDER.index(Organisation.HeadcountBand.B250_499)
_MEDIUM_FROM = _HEADCOUNT_ORDER.index(Organisation.HeadcountBand.B50_99)
_SMALL_FROM = _HEADCOUNT_ORDER.index(Organisation.HeadcountBand.B10_19)
_SME_KINDS = {Organisation.Kind.COMPANY, Organisation.Kind.STARTUP}


def sme_status_for(*, kind: str, headcount_band: str, turnover_band: str) -> str:
    """Size class by the EU SME definition from headcount and turnover bands.

    Headcount decides the class; a turnover above 50 M€ makes a company large. Only companies and
    start-ups get a class: other kinds of organisation stay ``unknown``. Autonomy (linked or partner
    enterprises) is not known to Grappe and is not taken into account.
    """
    if kind not in _SME_KINDS or not headcount_band:
        return Organisation.SmeStatus.UNKNOWN
    index = _HEADCOUNT_ORDER.index(headcount_band)
    if index >= _LARGE_FROM or turnover_band == Organisation.TurnoverBand.GE_50M:
        return Organisation.SmeStatus.LARGE
    if index >= _MEDIUM_FROM or turnover_band == Organisation.TurnoverBand.LT_50M:
        return Organisation.SmeStatus.MEDIUM
    if index >= _SMALL_FROM or turnover_band == Organisation.TurnoverBand.LT_10M:
        return Organisation.SmeStatus.SMALL
    return Organisation.SmeStatus.MICRO


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(fold(name))[:100] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def organisation_search_text(organisation: Organisation) -> str:
    parts = [organisation.name, organisation.acronym, *(organisation.other_names or [])]
    if organisation.enterprise_number:
        parts.append(organisation.enterprise_number)
    if organisation.pk:
        for site in organisation.sites.select_related("municipality", "postal_code"):
            parts += [
                site.postal_code.code,
                site.municipality.label_fr,
                site.municipality.label_nl,
                site.postal_code.locality,
            ]
    return fold(" ".join(p for p in parts if p))


def _refresh_organisation_search(organisation: Organisation) -> None:
    if not deferred.defer(_refresh_search_texts, {organisation.pk}):  # in an import: once, at its end
        Organisation.objects.filter(pk=organisation.pk).update(search_text=organisation_search_text(organisation))


def _refresh_search_texts(ids: set[int]) -> None:
    """The search text of many organisations, from what the database holds (deferred refreshes)."""
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        for organisation in Organisation.objects.filter(pk__in=wanted[start : start + 500]):
            text = organisation_search_text(organisation)
            if text != organisation.search_text:
                Organisation.objects.filter(pk=organisation.pk).update(search_text=text)


def _prepare_organisation(organisation: Organisation) -> None:
    if organisation.enterprise_number:
        try:
            organisation.enterprise_number = normalise_enterprise_number(organisation.enterprise_number)
        except ValidationError as exc:
            raise ValidationError({"enterprise_number": exc.messages}) from exc
    else:
        organisation.enterprise_number = None
    organisation.sme_status = sme_status_for(
        kind=organisation.kind, headcount_band=organisation.headcount_band, turnover_band=organisation.turnover_band
    )
    if organisation.public_profile_consent and not organisation.public_profile_consent_at:
        organisation.public_profile_consent_at = timezone.now()
    if not organisation.public_profile_consent:
        organisation.public_profile_consent_at = None
    if not organisation.slug:
        organisation.slug = _unique_slug(organisation.name, exclude_pk=organisation.pk)


_M2M = ("segments", "competences")


@transaction.atomic
def organisation_create(*, actor: Any, name: str, **fields: Any) -> Organisation:
    """Create an organisation. ``segments``/``competences`` may be given as iterables of objects or ids."""
    related = {key: fields.pop(key) for key in _M2M if key in fields}
    organisation = Organisation(name=name, **fields)
    _prepare_organisation(organisation)
    organisation.full_clean()
    organisation.save()
    for key, values in related.items():
        getattr(organisation, key).set(values)
    _refresh_organisation_search(organisation)
    audit_log(
        actor=actor,
        action="ecosystem.organisation.created",
        obj=organisation,
        changes=diff({}, snapshot(organisation)),
        organisation_id=organisation.pk,
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, **fields: Any) -> Organisation:
    """Change fields of an organisation and record the field diffs."""
    before = snapshot(organisation)
    related = {key: fields.pop(key) for key in _M2M if key in fields}
    for key, value in fields.items():
        setattr(organisation, key, value)
    _prepare_organisation(organisation)
    organisation.full_clean()
    organisation.save()
    for key, values in related.items():
        getattr(organisation, key).set(values)
    _refresh_organisation_search(organisation)
    changes = diff(before, snapshot(organisation))
    if changes:
        audit_log(
            actor=actor,
            action="ecosystem.organisation.updated",
            obj=organisation,
            changes=changes,
            organisation_id=organisation.pk,
        )
    return organisation


@transaction.atomic
def organisation_delete(*, actor: Any, organisation: Organisation) -> None:
    """Delete the organisation, or refuse with the records that protect it (e.g. a project it leads):
    those must be reassigned first, or the organisation merged into another one."""
    collector = models.deletion.Collector(using="default")
    try:
        collector.collect([organisation])
    except (models.ProtectedError, models.RestrictedError) as error:
        blockers = sorted({obj._meta.verbose_name for obj in error.protected_objects if hasattr(obj, "_meta")})
        raise ValidationError(
            ngettext(
                "« %(name)s » ne peut pas être supprimée : un enregistrement protégé y est encore lié "
                "(%(kinds)s). Réattribuez-le ou fusionnez l'organisation avec une autre.",
                "« %(name)s » ne peut pas être supprimée : %(count)s enregistrements protégés y sont encore "
                "liés (%(kinds)s). Réattribuez-les ou fusionnez l'organisation avec une autre.",
                len(error.protected_objects),
            )
            % {
                "name": organisation.name,
                "count": len(error.protected_objects),
                "kinds": ", ".join(map(str, blockers)),
            },
            code="protected",
        ) from error
    audit_log(
        actor=actor,
        action="ecosystem.organisation.deleted",
        obj=organisation,
        changes=diff(snapshot(organisation), {}),
        organisation_id=organisation.pk,
    )
    organisation.delete()


@transaction.atomic
def site_add(
    *,
    actor: Any,
    organisation: Organisation,
    postal_code: str,
    street: str = "",
    number: str = "",
    box: str = "",
    label: str = "",
    is_head_office: bool = False,
) -> Site:
    """Add a site; the postal code must exist and resolves the municipality, province and region."""
    code = PostalCode.objects.select_related("municipality").filter(code=(postal_code or "").strip()).first()
    if code is None:
        raise ValidationError({"postal_code": _("Code postal inconnu : « %(code)s ».") % {"code": postal_code}})
    if is_head_office:
        organisation.sites.update(is_head_office=False)
    site = Site(
        organisation=organisation,
        postal_code=code,
        municipality=code.municipality,
        street=street,
        number=number,
        box=box,
        label=label,
        is_head_office=is_head_office or not organisation.sites.exists(),
        latitude=code.latitude,
        longitude=code.longitude,
    )
    site.full_clean()
    site.save()
    _refresh_organisation_search(organisation)
    audit_log(
        actor=actor,
        action="ecosystem.site.created",
        obj=site,
        changes=diff({}, snapshot(site)),
        organisation_id=organisation.pk,
    )
    return site


@transaction.atomic
def site_remove(*, actor: Any, site: Site) -> None:
    organisation = site.organisation
    audit_log(
        actor=actor,
        action="ecosystem.site.deleted",
        obj=site,
        changes=diff(snapshot(site), {}),
        organisation_id=organisation.pk,
    )
    site.delete()
    _refresh_organisation_search(organisation)


def nace_lookup(code: str, version: str = NaceCode.Version.V2025) -> NaceCode:
    """A NACE code by its dotted or undotted form, or ``ValidationError``."""
    compact = (code or "").replace(".", "").strip().upper()
    nace = NaceCode.objects.filter(version=version, code=compact).first()
    if nace is None:
        raise ValidationError(
            {"nace": _("Code NACE-BEL %(version)s inconnu : « %(code)s ».") % {"version": version, "code": code}}
        )
    return nace


@transaction.atomic
def activity_set(
    *,
    actor: Any,
    organisation: Organisation,
    codes: list[str],
    main: str | None = None,
    version: str = NaceCode.Version.V2025,
) -> list[Activity]:
    """Replace the organisation's activities by ``codes`` (``main`` among them is the main activity)."""
    naces = [nace_lookup(code, version) for code in codes]
    main_code = (main or (codes[0] if codes else "")).replace(".", "")
    before = sorted(organisation.activities.values_list("nace__code", "is_main"))
    organisation.activities.all().delete()
    activities = [
        Activity.objects.create(organisation=organisation, nace=nace, is_main=nace.code == main_code)
        for nace in {n.pk: n for n in naces}.values()
    ]
    after = sorted((a.nace.code, a.is_main) for a in activities)
    if before != after:
        audit_log(
            actor=actor,
            action="ecosystem.organisation.activities_changed",
            obj=organisation,
            changes={"activities": [before, after]},
            organisation_id=organisation.pk,
        )
    return activities


def _prepare_person(person: Person) -> None:
    person.email = (person.email or "").strip().lower()
    person.search_text = fold(f"{person.first_name} {person.last_name} {person.email}")


@transaction.atomic
def person_create(*, actor: Any, first_name: str, last_name: str, **fields: Any) -> Person:
    interests = fields.pop("interests", None)
    person = Person(first_name=first_name, last_name=last_name, **fields)
    _prepare_person(person)
    person.full_clean()
    person.save()
    if interests is not None:
        person.interests.set(interests)
    audit_log(actor=actor, action="ecosystem.person.created", obj=person, changes=diff({}, snapshot(person)))
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    before = snapshot(person)
    interests = fields.pop("interests", None)
    for key, value in fields.items():
        setattr(person, key, value)
    _prepare_person(person)
    person.full_clean()
    person.save()
    if interests is not None:
        person.interests.set(interests)
    changes = diff(before, snapshot(person))
    if changes:
        audit_log(actor=actor, action="ecosystem.person.updated", obj=person, changes=changes)
    return person


@transaction.atomic
def consent_record(
    *, actor: Any, person: Person, purpose: str, source: str = Consent.Source.FORM, given_at: dt.datetime | None = None
) -> Consent:
    consent = Consent(person=person, purpose=purpose, source=source, given_at=given_at or timezone.now())
    consent.full_clean()
    consent.save()
    audit_log(actor=actor, action="ecosystem.consent.given", obj=consent, changes=diff({}, snapshot(consent)))
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, at: dt.datetime | None = None) -> Consent:
    consent.withdrawn_at = at or timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit_log(
        actor=actor,
        action="ecosystem.consent.withdrawn",
        obj=consent,
        changes={"withdrawn_at": [None, str(consent.withdrawn_at)]},
    )
    return consent


@transaction.atomic
def affiliation_create(*, actor: Any, person: Person, organisation: Organisation, **fields: Any) -> Affiliation:
    affiliation = Affiliation(person=person, organisation=organisation, **fields)
    affiliation.email = (affiliation.email or "").strip().lower()
    affiliation.full_clean()
    affiliation.save()
    audit_log(
        actor=actor,
        action="ecosystem.affiliation.created",
        obj=affiliation,
        changes=diff({}, snapshot(affiliation)),
        organisation_id=organisation.pk,
    )
    return affiliation


@transaction.atomic
def affiliation_end(*, actor: Any, affiliation: Affiliation, end_date: dt.date) -> Affiliation:
    """Close a position (the person left the organisation); the history stays."""
    before = snapshot(affiliation)
    affiliation.end_date = end_date
    affiliation.full_clean()
    affiliation.save()
    audit_log(
        actor=actor,
        action="ecosystem.affiliation.ended",
        obj=affiliation,
        changes=diff(before, snapshot(affiliation)),
        organisation_id=affiliation.organisation_id,
    )
    return affiliation


def _check_membership_overlap(membership: Membership) -> None:
    if membership.status not in Membership.COUNTING_STATUSES:
        return
    others = Membership.objects.filter(
        organisation=membership.organisation, status__in=Membership.COUNTING_STATUSES
    ).exclude(pk=membership.pk)
    end = membership.end_date or dt.date.max
    for other in others:
        other_end = other.end_date or dt.date.max
        if other.start_date <= end and membership.start_date <= other_end:
            raise ValidationError(
                {
                    "start_date": _("Cette période chevauche une autre adhésion (%(start)s).")
                    % {"start": other.start_date}
                }
            )


@transaction.atomic
def membership_create(
    *,
    actor: Any,
    organisation: Organisation,
    start_date: dt.date,
    yearly_fee: Decimal | int | str = Decimal("0"),
    **fields: Any,
) -> Membership:
    membership = Membership(
        organisation=organisation, start_date=start_date, yearly_fee=Decimal(str(yearly_fee)), **fields
    )
    if membership.renewal_date is None and membership.status == Membership.Status.MEMBER and not membership.end_date:
        membership.renewal_date = _next_anniversary(start_date)
    membership.full_clean()
    _check_membership_overlap(membership)
    membership.save()
    audit_log(
        actor=actor,
        action="ecosystem.membership.created",
        obj=membership,
        changes=diff({}, snapshot(membership)),
        organisation_id=organisation.pk,
    )
    return membership


@transaction.atomic
def membership_update(*, actor: Any, membership: Membership, **fields: Any) -> Membership:
    before = snapshot(membership)
    for key, value in fields.items():
        setattr(membership, key, value)
    membership.full_clean()
    _check_membership_overlap(membership)
    membership.save()
    changes = diff(before, snapshot(membership))
    if changes:
        audit_log(
            actor=actor,
            action="ecosystem.membership.updated",
            obj=membership,
            changes=changes,
            organisation_id=membership.organisation_id,
        )
    return membership


def _next_anniversary(start: dt.date, after: dt.date | None = None) -> dt.date:
    after = after or dt.date.today()
    year = max(after.year, start.year + 1)
    candidate = start.replace(year=year) if not (start.month == 2 and start.day == 29) else dt.date(year, 2, 28)
    return candidate if candidate > after else candidate.replace(year=year + 1)


@transaction.atomic
def membership_renew(*, actor: Any, membership: Membership, paid_until: dt.date | None = None) -> Membership:
    """Record a renewal: the next renewal date moves one year on; the fee is marked paid if given."""
    base = membership.renewal_date or _next_anniversary(membership.start_date)
    return membership_update(
        actor=actor,
        membership=membership,
        renewal_date=base.replace(year=base.year + 1)
        if not (base.month == 2 and base.day == 29)
        else dt.date(base.year + 1, 2, 28),
        fee_paid_until=paid_until or membership.fee_paid_until,
    )


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership, end_date: dt.date, status: str) -> Membership:
    """Close a membership as lapsed (not renewed) or resigned."""
    if status not in (Membership.Status.LAPSED, Membership.Status.RESIGNED):
        raise ValidationError({"status": _("Une adhésion se termine par une échéance ou une démission.")})
    return membership_update(actor=actor, membership=membership, end_date=end_date, status=status, renewal_date=None)


@transaction.atomic
def relationship_create(
    *, actor: Any, source: Organisation, target: Organisation, kind: str, **fields: Any
) -> Relationship:
    relationship = Relationship(source=source, target=target, kind=kind, **fields)
    relationship.full_clean()
    relationship.save()
    audit_log(
        actor=actor,
        action="ecosystem.relationship.created",
        obj=relationship,
        changes=diff({}, snapshot(relationship)),
        organisation_id=source.pk,
    )
    return relationship


# --- merge ---------------------------------------------------------------------------------------

_MERGE_FILL_FIELDS = (
    "acronym",
    "enterprise_number",
    "legal_form",
    "founded_on",
    "headcount_band",
    "turnover_band",
    "website",
    "email",
    "phone",
    "description",
    "logo",
)


def _move_rows(relation: models.ForeignObjectRel, duplicate: Organisation, keep: Organisation) -> int:
    """Point every row of ``relation`` from ``duplicate`` to ``keep``; rows that would break a
    uniqueness rule are duplicates of rows ``keep`` already has, and are dropped."""
    model = relation.related_model
    field = relation.field.name
    moved = 0
    for row in model._base_manager.filter(**{field: duplicate}):
        try:
            with transaction.atomic():
                setattr(row, field, keep)
                row.save(update_fields=[field])
                moved += 1
        except IntegrityError:
            row.delete()
    return moved


@transaction.atomic
def organisation_merge(*, actor: Any, keep: Organisation, duplicate: Organisation) -> Organisation:
    """Merge ``duplicate`` into ``keep``: every relation of every app moves to ``keep``, empty fields are
    filled from the duplicate, its name is kept as an alternative name; the duplicate is deleted.

    Relations are found through the model's metadata, so mission apps' foreign keys move too.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("Impossible de fusionner une organisation avec elle-même."))
    before = snapshot(keep)
    moved: dict[str, int] = {}
    number = duplicate.enterprise_number
    for relation in Organisation._meta.related_objects:
        if relation.many_to_many:
            # Filter from the other side: a hidden relation (related_name="+") has no accessor.
            for obj in relation.related_model._base_manager.filter(**{relation.field.name: duplicate}):
                getattr(obj, relation.field.name).add(keep)
                moved[relation.related_model._meta.label] = moved.get(relation.related_model._meta.label, 0) + 1
            continue
        if relation.one_to_many or relation.one_to_one:
            count = _move_rows(relation, duplicate, keep)
            if count:
                moved[relation.related_model._meta.label] = count
    for field in Organisation._meta.many_to_many:
        getattr(keep, field.name).add(*getattr(duplicate, field.name).all())
    # Free the enterprise number before giving it to ``keep`` (it is unique).
    Organisation.objects.filter(pk=duplicate.pk).update(enterprise_number=None)
    for field in _MERGE_FILL_FIELDS:
        if not getattr(keep, field) and (
            value := number if field == "enterprise_number" else getattr(duplicate, field)
        ):
            setattr(keep, field, value)
    names = [*keep.other_names, duplicate.name, *duplicate.other_names]
    keep.other_names = [n for i, n in enumerate(names) if n and n != keep.name and n not in names[:i]]
    keep.export_markets = sorted({*keep.export_markets, *duplicate.export_markets}, key=str)
    if duplicate.internal_notes:
        keep.internal_notes = "\n\n".join(filter(None, [keep.internal_notes, duplicate.internal_notes]))
    keep.public_profile_consent = keep.public_profile_consent or duplicate.public_profile_consent
    _prepare_organisation(keep)
    keep.save()
    _refresh_organisation_search(keep)
    if not keep.sites.filter(is_head_office=True).exists() and (first := keep.sites.first()):
        Site.objects.filter(pk=first.pk).update(is_head_office=True)
    elif keep.sites.filter(is_head_office=True).count() > 1:
        extra = keep.sites.filter(is_head_office=True).order_by("id")[1:]
        Site.objects.filter(pk__in=[s.pk for s in extra]).update(is_head_office=False)
    duplicate_label, duplicate_pk = str(duplicate), duplicate.pk
    # The duplicate's history becomes part of the kept organisation's history.
    AuditEntry.objects.filter(organisation_id=duplicate_pk).update(organisation_id=keep.pk)
    audit_log(
        actor=actor,
        action="ecosystem.organisation.merged",
        obj=keep,
        changes={**diff(before, snapshot(keep)), "merged_from": [duplicate_pk, None]},
        organisation_id=keep.pk,
        message=_("Fusion de « %(name)s » (n° %(pk)s) ; lignes déplacées : %(moved)s")
        % {"name": duplicate_label, "pk": duplicate_pk, "moved": moved},
    )
    audit_log(
        actor=actor,
        action="ecosystem.organisation.merged_away",
        obj=duplicate,
        organisation_id=keep.pk,
        message=_("Fusionnée dans « %(name)s »") % {"name": keep.name},
    )
    duplicate.delete()
    return keep
