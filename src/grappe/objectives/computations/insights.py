"""Mission 1 strategic indicators of the insights app (representativeness of the members)."""

from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations.base import Period, Result, adapt, indicator, selector


@indicator(
    "insights.representativeness_index",
    mission=1,
    unit=_("indice (0-100)"),
    label=_("Indice de représentativité des membres"),
    definition=_(
        "Dans quelle mesure les membres reflètent l'écosystème du périmètre (codes NACE, taille, province), "
        "de 0 à 100, à la fin de la période."
    ),
    expects="insights.selectors.representativeness_index(on=date) -> {value, records, note}",
    cumulative=False,
)
def representativeness_index(period: Period) -> Result:
    return adapt(selector("insights", "representativeness_index")(on=period.effective_end))


@indicator(
    "insights.perimeter_coverage",
    mission=1,
    unit="%",
    label=_("Couverture du périmètre"),
    definition=_(
        "Part des entreprises du périmètre (codes NACE des segments, Wallonie) qui sont membres, en pour cent."
    ),
    expects="insights.selectors.perimeter_coverage(on=date) -> {value, records (member organisations), note}",
    cumulative=False,
)
def perimeter_coverage(period: Period) -> Result:
    return adapt(selector("insights", "perimeter_coverage")(on=period.effective_end))
