"""Mission 2 indicators of events and B2B matchmaking, read through ``grappe.events.selectors``.

The events app exposes one selector per indicator, ``f(start=date, end=date)`` returning the exact
records counted (``events_held``, ``participants``, ``member_organisations_reached``,
``satisfaction_responses``, ``b2b_meetings_requested|scheduled|held``, ``b2b_followups``).
"""

from decimal import ROUND_HALF_UP, Decimal

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


def _records(name: str, period: Period):
    return selector("events", name)(start=period.start, end=period.effective_end)


@indicator(
    "events.events_held",
    mission=2,
    unit=_("événements"),
    label=_("Moments d'échange organisés (par type)"),
    definition=_("Événements publiés ayant commencé pendant la période (les annulés exclus), par type."),
    expects="events.selectors.events_held(start, end) -> Event records (attribute kind)",
)
def events_held(period: Period) -> Result:
    events = _records("events_held", period)
    return counted(events, breakdown=breakdown_by(events, lambda event: display(event, "kind")))


@indicator(
    "events.participants",
    mission=2,
    unit=_("inscriptions"),
    label=_("Participants aux événements"),
    definition=_(
        "Participations aux événements de la période : inscriptions confirmées, sauf les absents pointés "
        "(une personne compte à chaque événement)."
    ),
    expects="events.selectors.participants(start, end) -> Registration records",
)
def participants(period: Period) -> Result:
    return counted(_records("participants", period))


def _member_organisations_reached(period: Period):
    return _records("member_organisations_reached", period)


@indicator(
    "events.member_organisations_reached",
    mission=2,
    unit=_("organisations"),
    label=_("Organisations membres touchées"),
    definition=_(
        "Organisations distinctes présentes à au moins un événement de la période et membres le jour de l'événement."
    ),
    expects="events.selectors.member_organisations_reached(start, end) -> Organisation records",
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
    expects="events.selectors.member_organisations_reached + ecosystem.members_on(day)",
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
    expects="events.selectors.satisfaction_responses(start, end) -> SurveyResponse records (score)",
    cumulative=False,
)
def satisfaction(period: Period) -> Result:
    responses = _records("satisfaction_responses", period)
    scores = values_of(responses, "score")
    if not scores:
        return Result(None, responses, _("Aucun questionnaire reçu pour la période."))
    average = (sum(scores) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    n = Decimal(count(responses))
    return Result(average, responses, numerator=n, denominator=n)


def _b2b(name: str, period: Period) -> Result:
    return counted(_records(name, period))


@indicator(
    "events.b2b_meetings_requested",
    mission=2,
    unit=_("demandes"),
    label=_("Rendez-vous B2B demandés"),
    definition=_("Demandes de rendez-vous B2B des sessions dont l'événement a eu lieu pendant la période."),
    expects="events.selectors.b2b_meetings_requested(start, end) -> MeetingRequest records",
)
def b2b_meetings_requested(period: Period) -> Result:
    return _b2b("b2b_meetings_requested", period)


@indicator(
    "events.b2b_meetings_scheduled",
    mission=2,
    unit=_("rendez-vous"),
    label=_("Rendez-vous B2B planifiés"),
    definition=_("Rendez-vous B2B placés dans un créneau (tenus, planifiés ou absences) pendant la période."),
    expects="events.selectors.b2b_meetings_scheduled(start, end) -> Meeting records",
)
def b2b_meetings_scheduled(period: Period) -> Result:
    return _b2b("b2b_meetings_scheduled", period)


@indicator(
    "events.b2b_meetings_held",
    mission=2,
    unit=_("rendez-vous"),
    label=_("Rendez-vous B2B tenus"),
    definition=_("Rendez-vous B2B effectivement tenus (les absences enregistrées sont exclues)."),
    expects="events.selectors.b2b_meetings_held(start, end) -> Meeting records",
)
def b2b_meetings_held(period: Period) -> Result:
    return _b2b("b2b_meetings_held", period)


@indicator(
    "events.b2b_followups",
    mission=2,
    unit=_("rendez-vous"),
    label=_("Rendez-vous B2B suivis d'effet"),
    definition=_("Rendez-vous B2B tenus pour lesquels les participants souhaitent une suite."),
    expects="events.selectors.b2b_followups(start, end) -> Meeting records",
)
def b2b_followups(period: Period) -> Result:
    return _b2b("b2b_followups", period)
