"""Mission 1 and 3 indicators computed from the ecosystem (organisations and memberships)."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import (
    Period,
    Result,
    breakdown_by,
    counted,
    display,
    indicator,
    selector,
    share,
)


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight (Brussels) at the start of ``day``, for comparisons with aware timestamps."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _members(day: dt.date):
    members_on = selector("ecosystem", "members_on")
    return members_on(day).order_by("name", "pk")


@indicator(
    "ecosystem.members_at_year_end",
    mission=1,
    unit=_("organisations"),
    label=_("Membres au 31/12"),
    definition=_("Organisations dont une adhésion couvre le dernier jour de la période (ou la date d'arrêt)."),
    expects="ecosystem.members_on(day)",
    cumulative=False,
)
def members_at_year_end(period: Period) -> Result:
    return counted(_members(period.effective_end))


def _membership_moves(period: Period) -> tuple[list[int], list[int]]:
    """Organisations that joined, and that left, within the period (ids, in name order).

    A join is a membership starting in the period for an organisation that was not a member the day
    before; an exit is a membership ending in the period for an organisation that is not a member
    the day after. Back-to-back membership periods are therefore neither a join nor an exit.
    """
    from grappe.ecosystem.models import Membership

    end = period.effective_end
    counting = Membership.COUNTING_STATUSES
    touched = Membership.objects.filter(status__in=counting).filter(
        models_q_between("start_date", period.start, end) | models_q_between("end_date", period.start, end)
    )
    org_ids = set(touched.values_list("organisation_id", flat=True))
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for org_id, start, stop in Membership.objects.filter(organisation_id__in=org_ids, status__in=counting).values_list(
        "organisation_id", "start_date", "end_date"
    ):
        spans.setdefault(org_id, []).append((start, stop))

    def covered(org_id: int, day: dt.date) -> bool:
        return any(start <= day and (stop is None or stop >= day) for start, stop in spans[org_id])

    joins, exits = set(), set()
    for org_id, periods in spans.items():
        for start, stop in periods:
            if period.start <= start <= end and not covered(org_id, start - dt.timedelta(days=1)):
                joins.add(org_id)
            if stop is not None and period.start <= stop <= end and not covered(org_id, stop + dt.timedelta(days=1)):
                exits.add(org_id)
    return sorted(joins), sorted(exits)


def models_q_between(field: str, start: dt.date, end: dt.date):
    from django.db.models import Q

    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _organisations(ids: list[int]):
    from grappe.ecosystem.models import Organisation

    return Organisation.objects.filter(pk__in=ids).order_by("name", "pk")


@indicator(
    "ecosystem.member_joins",
    mission=1,
    unit=_("organisations"),
    label=_("Nouveaux membres"),
    definition=_(
        "Organisations dont une adhésion commence dans la période alors qu'elles n'étaient pas membres la veille."
    ),
    expects="ecosystem.models.Membership",
)
def member_joins(period: Period) -> Result:
    joins, _exits = _membership_moves(period)
    return counted(_organisations(joins))


@indicator(
    "ecosystem.member_exits",
    mission=1,
    unit=_("organisations"),
    label=_("Départs de membres"),
    definition=_(
        "Organisations dont l'adhésion se termine dans la période sans qu'une autre adhésion ne prenne le "
        "relais le lendemain."
    ),
    expects="ecosystem.models.Membership",
)
def member_exits(period: Period) -> Result:
    _joins, exits = _membership_moves(period)
    return counted(_organisations(exits))


_SME = ("micro", "small", "medium")


@indicator(
    "ecosystem.sme_share",
    mission=1,
    unit="%",
    label=_("Part des PME parmi les membres"),
    definition=_(
        "Membres micro, petites ou moyennes entreprises (définition UE) divisés par l'ensemble des membres "
        "en fin de période, en pour cent."
    ),
    expects="ecosystem.members_on(day)",
    cumulative=False,
)
def sme_share(period: Period) -> Result:
    members = _members(period.effective_end)
    total = members.count()
    smes = members.filter(sme_status__in=_SME)
    n = smes.count()
    value = share(n, total)
    note = "" if value is not None else _("Aucun membre en fin de période : la part n'est pas définie.")
    return Result(value, smes, note, numerator=Decimal(n), denominator=Decimal(total))


@indicator(
    "ecosystem.members_by_kind",
    mission=1,
    unit=_("organisations"),
    label=_("Membres par type d'organisation"),
    definition=_("Membres en fin de période, ventilés par type (entreprise, centre de recherche, université...)."),
    expects="ecosystem.members_on(day)",
    cumulative=False,
)
def members_by_kind(period: Period) -> Result:
    members = list(_members(period.effective_end))
    return counted(members, breakdown=breakdown_by(members, lambda org: display(org, "kind")))


def _province_of(organisation) -> tuple[str, str] | None:
    site = organisation.head_office
    if site is None or site.municipality.province is None:
        return None
    province = site.municipality.province
    return province.nis, province.label


@indicator(
    "ecosystem.members_by_province",
    mission=1,
    unit=_("organisations"),
    label=_("Membres par province"),
    definition=_(
        "Membres en fin de période dont le siège (ou le premier site) est situé dans une province, "
        "ventilés par province ; les membres sans site connu ne sont pas comptés."
    ),
    expects="ecosystem.members_on(day)",
    cumulative=False,
)
def members_by_province(period: Period) -> Result:
    members = _members(period.effective_end).prefetch_related("sites__municipality__province")
    located = [(org, where) for org in members if (where := _province_of(org)) is not None]
    records = [org for org, _where in located]
    return counted(records, breakdown=breakdown_by(located, lambda pair: pair[1], record=lambda pair: pair[0]))


@indicator(
    "ecosystem.organisations_mapped",
    mission=1,
    unit=_("organisations"),
    label=_("Organisations cartographiées dans l'écosystème"),
    definition=_("Organisations (membres ou non) enregistrées dans l'écosystème à la fin de la période."),
    expects="ecosystem.models.Organisation",
    cumulative=False,
)
def organisations_mapped(period: Period) -> Result:
    from grappe.ecosystem.models import Organisation

    cutoff = _day_start(period.effective_end + dt.timedelta(days=1))
    records = Organisation.objects.filter(created_at__lt=cutoff).order_by("name", "pk")
    return counted(records, breakdown=breakdown_by(records, lambda org: display(org, "kind")))


@indicator(
    "ecosystem.public_profiles",
    mission=3,
    unit=_("organisations"),
    label=_("Profils publics"),
    definition=_("Organisations ayant consenti à un profil public sur le site du cluster à la fin de la période."),
    expects="ecosystem.models.Organisation.public_profile_consent",
    cumulative=False,
)
def public_profiles(period: Period) -> Result:
    from django.db.models import Q

    from grappe.ecosystem.models import Organisation

    cutoff = _day_start(period.effective_end + dt.timedelta(days=1))
    records = Organisation.objects.filter(public_profile_consent=True).filter(
        Q(public_profile_consent_at__isnull=True) | Q(public_profile_consent_at__lt=cutoff)
    )
    return counted(records.order_by("name", "pk"))
