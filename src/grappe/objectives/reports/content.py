"""The content of every report, computed once, as of a snapshot date, in the report's language.

Renderers (PDF, XLSX) only lay out a ``ReportData``; the numbers archived with a report are
``ReportData.numbers``, so an archive and its files always agree.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from grappe.objectives import selectors
from grappe.objectives.computations import SelectorMissing, selector
from grappe.objectives.models import ObjectivesContract, ReportArchive
from grappe.objectives.selectors import IndicatorRow, MissionBlock

logger = logging.getLogger(__name__)

MAX_EVIDENCE_ROWS = 5000  # per indicator in the workbook: beyond, the drill-down page is the place


@dataclass
class Highlight:
    title: str
    lines: list[str]


@dataclass
class ReportData:
    contract: ObjectivesContract
    year: int
    kind: str
    language: str
    snapshot: dt.date
    rows: list[IndicatorRow]
    blocks: list[MissionBlock]
    numbers: dict[str, Any]
    history: dict[int, list[IndicatorRow]] = field(default_factory=dict)
    highlights: list[Highlight] = field(default_factory=list)
    generated_at: dt.datetime | None = None

    @property
    def title(self) -> str:
        titles = {
            ReportArchive.Kind.ANNUAL: _("Rapport d'activité %(year)s") % {"year": self.year},
            ReportArchive.Kind.MID_TERM: _("Évaluation à mi-parcours %(start)s-%(year)s")
            % {"start": self.contract.start_year, "year": self.year},
            ReportArchive.Kind.ECCP: _("Profil ECCP — membres au 31/12/%(year)s") % {"year": self.year},
            ReportArchive.Kind.ESCA: _("Fiche de benchmarking ESCA %(year)s") % {"year": self.year},
        }
        return str(titles[self.kind])

    @property
    def cluster_name(self) -> str:
        return settings.GRAPPE_CLUSTER_NAME

    def row(self, computation_key: str) -> IndicatorRow | None:
        return next((r for r in self.rows if r.indicator.computation_key == computation_key), None)


class ReportInputError(ValueError):
    """Bad input for a report (a year outside the contract, an unknown kind...): the message says which."""


def _top_events(year_start: dt.date, year_end: dt.date) -> Highlight:
    from django.db.models import Count, Q

    events = selector("events", "events_in_period")(start=year_start, end=year_end)["items"]
    top = events.annotate(n=Count("registrations", filter=Q(registrations__status="confirmed"))).order_by(
        "-n", "start", "pk"
    )[:5]
    return Highlight(
        _("Événements les plus fréquentés"),
        [
            _("%(title)s (%(date)s) : %(n)s inscrits") % {"title": e.title, "date": f"{e.start:%d/%m/%Y}", "n": e.n}
            for e in top
        ],
    )


def _is_internal(record: Any) -> bool:
    """Internal collaborations, staff-only projects: ``is_internal`` on their model."""
    return bool(getattr(record, "is_internal", False))


def _listed(app: str, name: str, title: str) -> Callable[[dt.date, dt.date], Highlight]:
    """A highlight listing the first records of another app's selector (when that app exposes it)."""

    def build(start: dt.date, end: dt.date) -> Highlight:
        from grappe.objectives.computations.base import adapt

        result = adapt(selector(app, name)(start=start, end=end))
        # Reports leave the cluster: internal collaborations and confidential projects are not highlights,
        # and the lines are those of the observers' drill-down (no people named, no internal notes).
        records = result.records if result.records is not None else []
        public = list(islice((record for record in records if not _is_internal(record)), 5))
        lines = []
        for record in public:
            line = selectors.describe_record(record, staff=False)
            lines.append(" — ".join(str(x) for x in (line["label"], line["detail"]) if x))
        return Highlight(title, lines)

    return build


HIGHLIGHTS: list[Callable[[dt.date, dt.date], Highlight]] = [
    _top_events,
    _listed("innovation", "projects_funded", gettext_noop("Projets financés")),
    _listed("partnerships", "collaborations_public", gettext_noop("Collaborations avec des acteurs publics")),
    _listed("partnerships", "collaborations_private", gettext_noop("Collaborations entre entreprises")),
]


def highlights(year: int, snapshot: dt.date) -> list[Highlight]:
    """Highlights of the year from the apps that exist; a missing or failing app is left out."""
    found = []
    for build in HIGHLIGHTS:
        try:
            highlight = build(dt.date(year, 1, 1), min(dt.date(year, 12, 31), snapshot))
        except SelectorMissing:
            continue
        except Exception:  # a highlight is decoration: it never stops a report
            logger.exception("report highlight failed")
            continue
        if highlight.lines:
            highlight.title = _(highlight.title)
            found.append(highlight)
    return found


def build(
    contract: ObjectivesContract,
    year: int,
    *,
    kind: str = ReportArchive.Kind.ANNUAL,
    language: str = "fr",
    snapshot: dt.date | None = None,
    today: dt.date | None = None,
) -> ReportData:
    """Compute a report's content. Raises ``ReportInputError`` with a translated message for bad input."""
    if kind not in ReportArchive.Kind.values:
        raise ReportInputError(_("Type de rapport inconnu : « %(kind)s ».") % {"kind": kind})
    if language not in dict(settings.LANGUAGES):
        raise ReportInputError(_("Langue inconnue : « %(language)s » (fr, en, nl ou de).") % {"language": language})
    if not contract.covers(year):
        raise ReportInputError(
            _("L'année %(year)s est hors du contrat « %(contract)s » (%(start)s-%(end)s).")
            % {"year": year, "contract": contract.title, "start": contract.start_year, "end": contract.end_year}
        )
    snapshot = snapshot or selectors.default_snapshot(year, today)
    with translation.override(language):
        rows = selectors.year_rows(contract, year, snapshot)
        period = selectors.year_period(contract, year, snapshot)
        data = ReportData(
            contract=contract,
            year=year,
            kind=kind,
            language=language,
            snapshot=snapshot,
            rows=rows,
            blocks=selectors.by_mission(rows),
            numbers=selectors.numbers_of(contract, year, period, rows),
        )
        if kind == ReportArchive.Kind.MID_TERM:
            data.history = {
                y: selectors.year_rows(contract, y, selectors.default_snapshot(y, snapshot))
                for y in range(contract.start_year, year)
            }
            data.history[year] = rows
        if kind == ReportArchive.Kind.ANNUAL:
            data.highlights = highlights(year, snapshot)
    return data


def number(value: Decimal | None, language: str = "fr") -> str:
    """A number as people read it in the report's language (1 234,5 in French, 1,234.5 in English)."""
    if value is None:
        return "—"
    text = f"{value.normalize():,f}" if value == value.to_integral() else f"{value.quantize(Decimal('0.01')):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if language == "en":
        return text
    return text.replace(",", " ").replace(".", ",")
