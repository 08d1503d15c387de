"""Mission 2 indicators of events and B2B matchmaking: read through ``grappe.events.selectors``.

Selectors are called as ``f(start=date, end=date)`` and return the records counted.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import (
    Period,
    Result,
    adapt,
    count,
    from_selector,
    indicator,
    selector,
    share,
    values_of,
)


@indicator(
    "events.events_held",
    mission=2,
    unit=_("événements"),
    label=_("Moments d'échange organisés (par type)"),
    definition=_("Événements tenus pendant la période (ateliers, réseautage, B2B, visites, webinaires...), par type."),
    expects="events.selectors.events_held(start, end) -> Event records (attribute kind)",
)
def events_held(period: Period) -> Result:
    return from_selector("events", "events_held", period, by="kind")


@indicator(
    "events.participants",
    mission=2,
    unit=_("participations"),
    label=_("Participants aux événements"),
    definition=_("Participations présentes (inscriptions pointées ou non marquées absentes) aux événements tenus."),
    expects="events.selectors.participants(start, end) -> Registration records",
)
def participants(period: Period) -> Result:
    return from_selector("events", "participants", period)


@indicator(
    "events.member_organisations_reached",
    mission=2,
    unit=_("organisations"),
    label=_("Organisations membres touchées"),
    definition=_("Organisations membres distinctes dont au moins une personne a participé à un événement."),
    expects="events.selectors.member_organisations_reached(start, end) -> Organisation records (distinct)",
)
def member_organisations_reached(period: Period) -> Result:
    return from_selector("events", "member_organisations_reached", period)


@indicator(
    "events.member_engagement_rate",
    mission=2,
    unit="%",
    label=_("Taux d'engagement des membres"),
    definition=_(
        "Membres en fin de période ayant participé à au moins un événement, divisés par tous les membres en fin de "
        "période, en pour cent."
    ),
    expects="events.selectors.member_organisations_reached(start, end) + ecosystem.members_on(day)",
)
def member_engagement_rate(period: Period) -> Result:
    reached = adapt(selector("events", "member_organisations_reached")(start=period.start, end=period.effective_end))
    members = selector("ecosystem", "members_on")(period.effective_end)
    reached_ids = {getattr(record, "pk", record) for record in (reached.records or [])}
    engaged = members.filter(pk__in=reached_ids).order_by("name", "pk")
    n, total = engaged.count(), members.count()
    return Result(share(n, total), engaged, numerator=Decimal(n), denominator=Decimal(total))


@indicator(
    "events.satisfaction",
    mission=2,
    unit=_("note sur 5"),
    label=_("Satisfaction des participants"),
    definition=_("Moyenne des notes (1 à 5) des questionnaires de satisfaction reçus pour les événements tenus."),
    expects="events.selectors.satisfaction_responses(start, end) -> SurveyResponse records (attribute score)",
)
def satisfaction(period: Period) -> Result:
    responses = adapt(selector("events", "satisfaction_responses")(start=period.start, end=period.effective_end))
    scores = values_of(responses.records or [], "score")
    if not scores:
        return Result(None, responses.records, _("Aucun questionnaire reçu pour la période."))
    average = (sum(scores) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    n = Decimal(count(responses.records))
    return Result(average, responses.records, numerator=n, denominator=n)


def _b2b(name: str, period: Period) -> Result:
    return from_selector("events", name, period)


@indicator(
    "events.b2b_meetings_requested",
    mission=2,
    unit=_("rendez-vous"),
    label=_("Rendez-vous B2B demandés"),
    definition=_("Demandes de rendez-vous B2B faites par les participants des sessions de la période."),
    expects="events.selectors.b2b_meetings_requested(start, end) -> MeetingRequest records",
)
def b2b_meetings_requested(period: Period) -> Result:
    return _b2b("b2b_meetings_requested", period)


@indicator(
    "events.b2b_meetings_scheduled",
    mission=2,
    unit=_("rendez-vous"),
    label=_("Rendez-vous B2B planifiés"),
    definition=_("Rendez-vous B2B placés dans un créneau et à une table pendant la période."),
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
    definition=_("Rendez-vous B2B tenus pour lesquels une suite a été enregistrée (offre, visite, projet...)."),
    expects="events.selectors.b2b_followups(start, end) -> Meeting records with a follow-up",
)
def b2b_followups(period: Period) -> Result:
    return _b2b("b2b_followups", period)
