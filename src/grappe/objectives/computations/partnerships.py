"""Mission 2 indicators of collaborations and introductions: read through ``grappe.partnerships.selectors``."""

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import Period, Result, from_selector, indicator


@indicator(
    "partnerships.introductions",
    mission=2,
    unit=_("mises en relation"),
    label=_("Mises en relation"),
    definition=_("Mises en relation faites par l'équipe pendant la période, ventilées par suite donnée."),
    expects="partnerships.selectors.introductions(start, end) -> Introduction records (attribute outcome)",
)
def introductions(period: Period) -> Result:
    return from_selector("partnerships", "introductions", period, by="outcome")


@indicator(
    "partnerships.introductions_with_outcome",
    mission=2,
    unit=_("mises en relation"),
    label=_("Mises en relation suivies d'un résultat"),
    definition=_("Mises en relation de la période ayant débouché sur un résultat (rencontre, devis, contrat, projet)."),
    expects="partnerships.selectors.introductions_with_outcome(start, end) -> Introduction records",
)
def introductions_with_outcome(period: Period) -> Result:
    return from_selector("partnerships", "introductions_with_outcome", period, by="outcome")


@indicator(
    "partnerships.collaborations_public",
    mission=2,
    unit=_("collaborations"),
    label=_("Collaborations avec des acteurs publics"),
    definition=_(
        "Collaborations démarrées dans la période associant au moins un acteur public ou de recherche "
        "(université, centre de recherche, organisme public)."
    ),
    expects="partnerships.selectors.collaborations_public(start, end) -> Collaboration records",
)
def collaborations_public(period: Period) -> Result:
    return from_selector("partnerships", "collaborations_public", period)


@indicator(
    "partnerships.collaborations_private",
    mission=2,
    unit=_("collaborations"),
    label=_("Collaborations entre acteurs privés"),
    definition=_("Collaborations démarrées dans la période entre entreprises uniquement."),
    expects="partnerships.selectors.collaborations_private(start, end) -> Collaboration records",
)
def collaborations_private(period: Period) -> Result:
    return from_selector("partnerships", "collaborations_private", period)


@indicator(
    "partnerships.intercluster_cooperations",
    mission=2,
    unit=_("coopérations"),
    label=_("Coopérations inter-clusters"),
    definition=_("Collaborations de la période associant un autre cluster ou pôle de compétitivité."),
    expects="partnerships.selectors.intercluster_cooperations(start, end) -> Collaboration records",
)
def intercluster_cooperations(period: Period) -> Result:
    return from_selector("partnerships", "intercluster_cooperations", period)


@indicator(
    "partnerships.international_cooperations",
    mission=2,
    unit=_("coopérations"),
    label=_("Coopérations internationales"),
    definition=_("Collaborations de la période associant au moins un partenaire établi hors de Belgique."),
    expects="partnerships.selectors.international_cooperations(start, end) -> Collaboration records",
)
def international_cooperations(period: Period) -> Result:
    return from_selector("partnerships", "international_cooperations", period)
