"""Mission 1 indicators of the watch (veille): read through ``grappe.watch.selectors``.

Each selector is called as ``f(start=date, end=date)`` and returns the records counted (see
docs/objectives.md); until it exists the indicator shows "no data".
"""

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import Period, Result, from_selector, indicator


@indicator(
    "watch.bulletins_sent",
    mission=1,
    unit=_("bulletins"),
    label=_("Bulletins de veille envoyés"),
    definition=_("Bulletins (digests) de veille envoyés aux abonnés pendant la période."),
    expects="watch.selectors.bulletins_sent(start, end) -> Digest records",
)
def bulletins_sent(period: Period) -> Result:
    return from_selector("watch", "bulletins_sent", period)


@indicator(
    "watch.digest_recipients",
    mission=1,
    unit=_("personnes"),
    label=_("Destinataires des bulletins de veille"),
    definition=_("Personnes distinctes ayant reçu au moins un bulletin de veille pendant la période."),
    expects="watch.selectors.digest_recipients(start, end) -> Person records (distinct)",
)
def digest_recipients(period: Period) -> Result:
    return from_selector("watch", "digest_recipients", period)


@indicator(
    "watch.items_curated",
    mission=1,
    unit=_("informations"),
    label=_("Informations de veille sélectionnées"),
    definition=_("Articles et textes retenus et annotés par l'équipe (veille réglementaire et technologique)."),
    expects="watch.selectors.items_curated(start, end) -> Item records",
)
def items_curated(period: Period) -> Result:
    return from_selector("watch", "items_curated", period, by="kind")
