"""Mission 3 indicators of promotion and communication: read through ``grappe.showcase.selectors``."""

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import Period, Result, from_selector, indicator


@indicator(
    "showcase.communication_actions",
    mission=3,
    unit=_("actions"),
    label=_("Actions de communication (par type)"),
    definition=_("Actions de promotion menées pendant la période (presse, salons, missions, publications), par type."),
    expects="showcase.selectors.communication_actions(start, end) -> CommunicationAction records (attribute kind)",
)
def communication_actions(period: Period) -> Result:
    return from_selector("showcase", "communication_actions", period, by="kind")


@indicator(
    "showcase.media_coverage",
    mission=3,
    unit=_("retombées"),
    label=_("Retombées presse (par langue)"),
    definition=_("Articles et reportages parus sur le cluster ou ses membres pendant la période, par langue."),
    expects="showcase.selectors.media_coverage(start, end) -> records (attribute language)",
)
def media_coverage(period: Period) -> Result:
    return from_selector("showcase", "media_coverage", period, by="language")


@indicator(
    "showcase.trade_fairs_and_missions",
    mission=3,
    unit=_("actions"),
    label=_("Salons et missions à l'étranger (par pays)"),
    definition=_("Participations à des salons et missions à l'étranger pendant la période, par pays."),
    expects="showcase.selectors.trade_fairs_and_missions(start, end) -> records (attribute country)",
)
def trade_fairs_and_missions(period: Period) -> Result:
    return from_selector("showcase", "trade_fairs_and_missions", period, by="country")


@indicator(
    "showcase.stories",
    mission=3,
    unit=_("récits"),
    label=_("Récits de réussite publiés"),
    definition=_("Récits (success stories) publiés sur le site public pendant la période."),
    expects="showcase.selectors.stories_published(start, end) -> Story records",
)
def stories(period: Period) -> Result:
    return from_selector("showcase", "stories_published", period)
