"""Mission 4 indicators of the innovation pipeline: read through ``grappe.innovation.selectors``."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import (
    Period,
    Result,
    adapt,
    count,
    from_selector,
    indicator,
    selector,
    values_of,
)


@indicator(
    "innovation.ideas",
    mission=4,
    unit=_("idées"),
    label=_("Idées d'innovation reçues"),
    definition=_("Idées soumises par les membres ou repérées par l'équipe pendant la période."),
    expects="innovation.selectors.ideas_submitted(start, end) -> InnovationProject records",
)
def ideas(period: Period) -> Result:
    return from_selector("innovation", "ideas_submitted", period)


@indicator(
    "innovation.projects_coached",
    mission=4,
    unit=_("projets"),
    label=_("Projets accompagnés"),
    definition=_("Projets ayant reçu au moins une action d'accompagnement pendant la période."),
    expects="innovation.selectors.projects_coached(start, end) -> InnovationProject records",
)
def projects_coached(period: Period) -> Result:
    return from_selector("innovation", "projects_coached", period, by="stage")


@indicator(
    "innovation.projects_submitted",
    mission=4,
    unit=_("projets"),
    label=_("Projets déposés à un appel"),
    definition=_("Projets déposés à un appel à projets ou à un financeur pendant la période."),
    expects="innovation.selectors.projects_submitted(start, end) -> InnovationProject records",
)
def projects_submitted(period: Period) -> Result:
    return from_selector("innovation", "projects_submitted", period)


@indicator(
    "innovation.projects_funded",
    mission=4,
    unit=_("projets"),
    label=_("Projets financés"),
    definition=_("Projets dont le financement a été accordé pendant la période."),
    expects="innovation.selectors.projects_funded(start, end) -> InnovationProject records (attribute funding_amount)",
)
def projects_funded(period: Period) -> Result:
    return from_selector("innovation", "projects_funded", period)


@indicator(
    "innovation.success_rate",
    mission=4,
    unit="%",
    label=_("Taux de succès des projets déposés"),
    definition=_(
        "Projets financés dans la période divisés par les projets dont la demande a été tranchée (financés ou "
        "abandonnés) dans la période, en pour cent."
    ),
    expects="innovation.selectors.success_rate(start, end) -> {value, records (funded), numerator, denominator}",
    cumulative=False,
)
def success_rate(period: Period) -> Result:
    result = adapt(selector("innovation", "success_rate")(start=period.start, end=period.effective_end))
    if result.value is None and not result.note:
        result.note = _("Aucune demande tranchée pendant la période : le taux n'est pas défini.")
    return result


@indicator(
    "innovation.funding_raised",
    mission=4,
    unit="€",
    label=_("Financements obtenus"),
    definition=_("Somme des montants accordés aux projets financés pendant la période (part des partenaires)."),
    expects="innovation.selectors.projects_funded(start, end) -> records with funding_amount (Decimal €)",
)
def funding_raised(period: Period) -> Result:
    funded = adapt(selector("innovation", "projects_funded")(start=period.start, end=period.effective_end))
    amounts = values_of(funded.records or [], "funding_amount")
    n = Decimal(count(funded.records))
    return Result(sum(amounts, Decimal(0)), funded.records, numerator=n)


@indicator(
    "innovation.support_hours",
    mission=4,
    unit=_("heures"),
    label=_("Heures d'accompagnement"),
    definition=_("Somme des heures des actions d'accompagnement de projets réalisées pendant la période."),
    expects="innovation.selectors.support_actions(start, end) -> SupportAction records (attribute hours)",
)
def support_hours(period: Period) -> Result:
    actions = adapt(selector("innovation", "support_actions")(start=period.start, end=period.effective_end))
    hours = values_of(actions.records or [], "hours")
    return Result(sum(hours, Decimal(0)), actions.records, numerator=Decimal(count(actions.records)))


@indicator(
    "innovation.products_valorised",
    mission=4,
    unit=_("produits"),
    label=_("Produits et services valorisés"),
    definition=_("Projets arrivés au stade de la valorisation (produit ou service mis sur le marché) dans la période."),
    expects="innovation.selectors.products_valorised(start, end) -> InnovationProject records",
)
def products_valorised(period: Period) -> Result:
    return from_selector("innovation", "products_valorised", period)
