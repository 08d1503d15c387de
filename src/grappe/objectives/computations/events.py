"""Mission 2 indicators of events and B2B matchmaking, read through ``grappe.events.selectors``.

The events app exposes period figures as dicts (``events_in_period``, ``participation_in_period``,
``satisfaction_in_period``, ``b2b_in_period``), each with the records behind the numbers.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import (
    Period,
    Result,
    breakdown_by,
    count,
    counted,
    display,
    indicator,
    selector,
    share,
    values_of,
)


def _figures(name: str, period: Period) -> dict[str, Any]:
    return selector("events", name)(start=period.start, end=period.effective_end)


@indicator(
    "events.events_held",
    mission=2,
    unit=_("événements"),
    label=_("Moments d'échange organisés (par type)"),
    definition=_("Événements publiés ayant commencé pendant la période (les annulés exclus), par type."),
    expects="events.selectors.events_in_period(start, end)['items'] -> Event records (attribute kind)",
)
def events_held(period: Period) -> Result:
    events = _figures("events_in_period", period)["items"]
    return counted(events, breakdown=breakdown_by(events, lambda event: display(event, "kind")))


@indicator(
    "events.participants",
    mission=2,
    unit=_("inscriptions"),
    label=_("Participants aux événements"),
    definition=_("Inscriptions confirmées aux événements de la période (une personne compte à chaque événement)."),
    expects="events.selectors.participation_in_period(start, end)['items'] -> Registration records",
)
def participants(period: Period) -> Result:
    return counted(_figures("participation_in_period", period)["items"].order_by("pk"))


def _member_organisations_reached(period: Period):
    from grappe.ecosystem.models import Organisation

    ids = _figures("participation_in_period", period)["member_organisation_ids"]
    return Organisation.objects.filter(pk__in=ids).order_by("name", "pk")


@indicator(
    "events.member_organisations_reached",
    mission=2,
    unit=_("organisations"),
    label=_("Organisations membres touchées"),
    definition=_(
        "Organisations distinctes inscrites à au moins un événement de la période et membres le jour de l'événement."
    ),
    expects="events.selectors.participation_in_period(start, end)['member_organisation_ids']",
)
def member_organisations_reached(period: Period) -> Result:
    return counted(_member_organisations_reached(period))


@indicator(
    "events.member_engagement_rate",
    mission=2,
    unit="%",
    label=_("Taux d'engagement des membres"),
    definition=_(
        "Membres en fin de période ayant participé à au moins un événement de la période, divisés par tous les "
        "membres en fin de période, en pour cent."
    ),
    expects="events.selectors.participation_in_period + ecosystem.members_on(day)",
)
def member_engagement_rate(period: Period) -> Result:
    reached = _member_organisations_reached(period)
    members = selector("ecosystem", "members_on")(period.effective_end)
    engaged = members.filter(pk__in=reached.values("pk")).order_by("name", "pk")
    n, total = engaged.count(), members.count()
    note = "" if total else _("Aucun membre en fin de période : le taux n'est pas défini.")
    return Result(share(n, total), engaged, note, numerator=Decimal(n), denominator=Decimal(total))


@indicator(
    "events.satisfaction",
    mission=2,
    unit=_("note sur 5"),
    label=_("Satisfaction des participants"),
    definition=_("Moyenne des notes (1 à 5) des questionnaires de satisfaction des événements de la période."),
    expects="events.selectors.satisfaction_in_period(start, end)['items'] -> SurveyResponse records (score)",
)
def satisfaction(period: Period) -> Result:
    responses = _figures("satisfaction_in_period", period)["items"].order_by("pk")
    scores = values_of(responses, "score")
    if not scores:
        return Result(None, responses, _("Aucun questionnaire reçu pour la période."))
    average = (sum(scores) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    n = Decimal(count(responses))
    return Result(average, responses, numerator=n, denominator=n)


def _b2b(part: str, period: Period) -> Result:
    return counted(_figures("b2b_in_period", period)["items"][part].order_by("pk"))


@indicator(
    "events.b2b_meetings_requested",
    mission=2,
    unit=_("demandes"),
    label=_("Rendez-vous B2B demandés"),
    definition=_("Demandes de rendez-vous B2B des sessions dont l'événement a eu lieu pendant la période."),
    expects="events.selectors.b2b_in_period(start, end)['items']['requests'] -> MeetingRequest records",
)
def b2b_meetings_requested(period: Period) -> Result:
    return _b2b("requests", period)


@indicator(
    "events.b2b_meetings_scheduled",
    mission=2,
    unit=_("rendez-vous"),
    label=_("Rendez-vous B2B planifiés"),
    definition=_("Rendez-vous B2B placés dans un créneau (tenus, planifiés ou absences) pendant la période."),
    expects="events.selectors.b2b_in_period(start, end)['items']['scheduled'] -> Meeting records",
)
def b2b_meetings_scheduled(period: Period) -> Result:
    return _b2b("scheduled", period)


@indicator(
    "events.b2b_meetings_held",
    mission=2,
    unit=_("rendez-vous"),
    label=_("Rendez-vous B2B tenus"),
    definition=_("Rendez-vous B2B effectivement tenus (les absences enregistrées sont exclues)."),
    expects="events.selectors.b2b_in_period(start, end)['items']['held'] -> Meeting records",
)
def b2b_meetings_held(period: Period) -> Result:
    return _b2b("held", period)


@indicator(
    "events.b2b_followups",
    mission=2,
    unit=_("rendez-vous"),
    label=_("Rendez-vous B2B suivis d'effet"),
    definition=_("Rendez-vous B2B tenus pour lesquels les participants souhaitent une suite."),
    expects="events.selectors.b2b_in_period(start, end)['items']['follow_ups'] -> Meeting records",
)
def b2b_followups(period: Period) -> Result:
    return _b2b("follow_ups", period)
