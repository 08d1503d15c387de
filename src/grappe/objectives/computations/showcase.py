"""Mission 3 indicators of promotion and communication: read through ``grappe.showcase.selectors``.

The showcase app keeps the promotion log (``CommunicationAction``: kind, date, country, language,
reach, organisations featured) and the public success stories (``Post`` of kind story), per period.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import Period, Result, count, from_selector, indicator, values_of


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


@indicator(
    "showcase.promotion_reach",
    mission=3,
    unit=_("personnes"),
    label=_("Portée des actions de communication"),
    definition=_(
        "Somme des personnes touchées déclarées pour les actions de communication de la période "
        "(les actions sans portée connue ne comptent pas)."
    ),
    expects="showcase.selectors.communication_actions(start, end) -> CommunicationAction records (attribute reach)",
)
def promotion_reach(period: Period) -> Result:
    actions = from_selector("showcase", "communication_actions", period).records
    with_reach = actions.exclude(reach=None) if hasattr(actions, "exclude") else [a for a in actions if a.reach]
    reach = values_of(with_reach, "reach")
    return Result(sum(reach, Decimal(0)), with_reach, numerator=Decimal(count(with_reach)))


@indicator(
    "showcase.organisations_featured",
    mission=3,
    unit=_("organisations"),
    label=_("Organisations mises en avant"),
    definition=_(
        "Organisations distinctes mises en avant ou participantes dans au moins une action de communication "
        "de la période (salons, missions, presse, publications)."
    ),
    expects="showcase.selectors.communication_actions(start, end) -> CommunicationAction records (m2m organisations)",
)
def organisations_featured(period: Period) -> Result:
    from grappe.ecosystem.models import Organisation

    actions = from_selector("showcase", "communication_actions", period).records
    ids = actions.exclude(organisations=None).values("organisations")
    return Result(
        Decimal(Organisation.objects.filter(pk__in=ids).count()),
        Organisation.objects.filter(pk__in=ids).order_by("name", "pk"),
    )
