"""XLSX workbooks with openpyxl: the annual/mid-term report, the ECCP member profile, the ESCA benchmarking sheet.

Workbooks are written in openpyxl's write-only mode (rows streamed, no cell objects kept): evidence
sheets list thousands of records. So column widths are set before the first row, and bold rows
are written with ``WriteOnlyCell``.
"""

import io
import logging
import re
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet as Worksheet

from grappe.objectives.reports.content import MAX_EVIDENCE_ROWS, ReportData
from grappe.objectives.selectors import IndicatorRow, drilldown, record_count

BOLD = Font(bold=True)
logger = logging.getLogger(__name__)


def sheet_title(text: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def cell_number(value: Decimal | None) -> Any:
    """Numbers stay numbers in the workbook (int when whole), so the Region can compute with them."""
    if value is None:
        return None
    return int(value) if value == value.to_integral() else float(value)


def _bold(ws: Worksheet, values: list[Any]) -> None:
    """A row in bold (headers, section titles)."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=str(value))
        cell.font = BOLD
        cells.append(cell)
    ws.append(cells)


_header = _bold


def _widths(ws: Worksheet, widths: list[int]) -> None:
    """Column widths: in write-only mode they must be set before the first row is written."""
    for index, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + index)].width = width


def _new_workbook() -> Workbook:
    return Workbook(write_only=True)


def _indicator_sheet(ws: Worksheet, data: ReportData, rows: list[IndicatorRow]) -> None:
    _widths(ws, [10, 55, 16, 10, 10, 10, 14, 60, 40, 14, 36])
    ws.append([data.cluster_name])
    ws.append([data.title])
    ws.append([_("Données arrêtées au"), data.snapshot])
    ws.append([])
    _header(
        ws,
        [
            _("Code"),
            _("Indicateur"),
            _("Unité"),
            _("Cible"),
            _("Réalisé"),
            _("Taux (%)"),
            _("Statut"),
            _("Règle"),
            _("Remarque"),
            _("Enregistrements"),
            _("Calcul"),
        ],
    )
    for row in rows:
        ws.append(
            [
                row.indicator.code,
                str(row.indicator.label),
                row.indicator.unit,
                cell_number(row.target),
                cell_number(row.value),
                cell_number(row.ratio_to_target),
                str(row.status_label),
                row.rule,
                str(row.note),
                _records_count(row),
                row.indicator.computation_key or str(_("saisie manuelle")),
            ]
        )
    breakdowns = [r for r in rows if r.breakdown]
    if breakdowns:
        ws.append([])
        _header(ws, [_("Code"), _("Ventilation"), _("Valeur")])
        for row in breakdowns:
            for line in row.breakdown:
                ws.append([row.indicator.code, str(line.label), cell_number(line.value)])


def _records_count(row: IndicatorRow) -> int | None:
    from grappe.objectives.selectors import record_count

    return record_count(row.evaluation)


def _evidence_sheet(ws: Worksheet, rows: list[IndicatorRow], cache: dict) -> None:
    """The records behind each number. People are listed by number only: reports leave the cluster."""
    _widths(ws, [10, 45, 18, 50, 40])
    _header(ws, [_("Code"), _("Indicateur"), _("Type"), _("Enregistrement"), _("Détail")])
    for row in rows:
        total = record_count(row.evaluation)
        if not total:
            continue
        code, label = row.indicator.code, str(row.indicator.label)
        # drilldown() describes each record once per report (cache) and prefetches what the lines need.
        try:
            lines = drilldown(row.evaluation, staff=False, limit=MAX_EVIDENCE_ROWS, cache=cache)
        except Exception:  # records that cannot be listed mark this indicator, never the whole workbook
            # The workbook leaves the cluster: the error's text (which may quote records) stays in the log.
            logger.exception("evidence of indicator %s could not be listed", code)
            ws.append([code, label, str(_("erreur")), str(_("liste indisponible (voir le journal du serveur)")), ""])
            continue
        for line in lines:
            ws.append([code, label, str(line["type"]), str(line["label"]), str(line["detail"])])
        if total > MAX_EVIDENCE_ROWS:
            ws.append([code, label, "", _("… liste tronquée"), ""])


def _midterm_sheet(ws: Worksheet, data: ReportData) -> None:
    years = sorted(data.history)
    _widths(ws, [10, 55])
    _header(
        ws, [_("Code"), _("Indicateur"), *[f"{y} {_('réalisé')}" for y in years], *[f"{y} {_('cible')}" for y in years]]
    )
    by_year = {y: {r.indicator.pk: r for r in data.history[y]} for y in years}
    for row in data.rows:
        cells = [by_year[y].get(row.indicator.pk) for y in years]
        ws.append(
            [
                row.indicator.code,
                str(row.indicator.label),
                *[cell_number(c.value) if c else None for c in cells],
                *[cell_number(c.target) if c else None for c in cells],
            ]
        )


def render_xlsx(data: ReportData) -> bytes:
    """One summary sheet, one sheet per mission, the mid-term table when relevant, and evidence sheets."""
    with translation.override(data.language):
        workbook = _new_workbook()
        taken: set[str] = set()
        summary = workbook.create_sheet(sheet_title(_("Synthèse"), taken))
        _indicator_sheet(summary, data, data.rows)
        if data.history:
            _midterm_sheet(workbook.create_sheet(sheet_title(_("Années du contrat"), taken)), data)
        for block in data.blocks:
            short = _("Gouvernance") if block.mission == "G" else _("Mission %(n)s") % {"n": block.mission}
            _indicator_sheet(workbook.create_sheet(sheet_title(short, taken)), data, block.rows)
        cache: dict = {}
        for block in data.blocks:
            short = _("Preuves gouvernance") if block.mission == "G" else _("Preuves M%(n)s") % {"n": block.mission}
            _evidence_sheet(workbook.create_sheet(sheet_title(short, taken)), block.rows, cache)
        if data.highlights:
            ws = workbook.create_sheet(sheet_title(_("Faits marquants"), taken))
            for highlight in data.highlights:
                _bold(ws, [highlight.title])
                for line in highlight.lines:
                    ws.append(["", line])
        return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- ECCP ---------------------------------------------------------------------------------------

ECCP_RESEARCH_KINDS = {"research_centre", "university", "training_centre"}
ECCP_COMPANY_KINDS = {"company", "startup"}


def eccp_category(organisation: Any) -> str:
    """The ECCP member type: sme, large, research or other (companies of unknown size count as other)."""
    if organisation.kind in ECCP_COMPANY_KINDS:
        if organisation.sme_status in ("micro", "small", "medium"):
            return "sme"
        if organisation.sme_status == "large":
            return "large"
        return "other"
    if organisation.kind in ECCP_RESEARCH_KINDS:
        return "research"
    return "other"


def eccp_counts(data: ReportData) -> tuple[dict[str, int], list[tuple[Any, str]]]:
    from grappe.objectives.computations import selector

    members = list(selector("ecosystem", "members_on")(data.snapshot).order_by("name", "pk"))
    counts = dict.fromkeys(("sme", "large", "research", "other"), 0)
    listed = []
    for organisation in members:
        category = eccp_category(organisation)
        counts[category] += 1
        listed.append((organisation, category))
    return counts, listed


def render_eccp(data: ReportData) -> bytes:
    """Member counts by type as the European Cluster Collaboration Platform profile asks for them."""
    with translation.override(data.language):
        labels = {
            "sme": _("PME (micro, petites et moyennes entreprises)"),
            "large": _("Grandes entreprises"),
            "research": _("Organismes de recherche et d'enseignement"),
            "other": _("Autres (organismes publics, associations, entreprises de taille inconnue...)"),
        }
        counts, listed = eccp_counts(data)
        workbook = _new_workbook()
        ws = workbook.create_sheet("ECCP")
        _widths(ws, [70, 12])
        ws.append([data.cluster_name])
        ws.append([data.title])
        ws.append([_("Membres au"), data.snapshot])
        ws.append([])
        _header(ws, [_("Type de membre (ECCP)"), _("Nombre")])
        for key in ("sme", "large", "research", "other"):
            ws.append([str(labels[key]), counts[key]])
        total = WriteOnlyCell(ws, value=str(_("Total des membres")))
        total.font = BOLD
        ws.append([total, sum(counts.values())])
        detail = workbook.create_sheet(_("Membres"))
        _widths(detail, [45, 30, 25, 60])
        _header(detail, [_("Organisation"), _("Type"), _("Taille"), _("Type ECCP")])
        for organisation, category in listed:
            detail.append(
                [
                    organisation.name,
                    str(organisation.get_kind_display()),
                    str(organisation.get_sme_status_display()),
                    str(labels[category]),
                ]
            )
        return _save(workbook)


# --- ESCA ---------------------------------------------------------------------------------------

ESCA_SECTIONS: list[tuple[str, list[str]]] = [
    (
        gettext_noop("Structure des participants du cluster"),
        [
            "ecosystem.members_at_year_end",
            "ecosystem.sme_share",
            "ecosystem.members_by_kind",
            "ecosystem.members_by_province",
            "ecosystem.member_joins",
            "ecosystem.member_exits",
            "ecosystem.organisations_mapped",
            "insights.representativeness_index",
            "insights.perimeter_coverage",
        ],
    ),
    (
        gettext_noop("Services et activités du cluster"),
        [
            "events.events_held",
            "events.participants",
            "events.member_organisations_reached",
            "events.member_engagement_rate",
            "events.satisfaction",
            "events.b2b_meetings_held",
            "watch.bulletins_sent",
            "watch.digest_recipients",
            "partnerships.introductions",
        ],
    ),
    (
        gettext_noop("Coopération et internationalisation"),
        [
            "partnerships.collaborations_public",
            "partnerships.collaborations_private",
            "partnerships.intercluster_cooperations",
            "partnerships.international_cooperations",
            "showcase.trade_fairs_and_missions",
        ],
    ),
    (
        gettext_noop("Innovation"),
        [
            "innovation.ideas",
            "innovation.projects_coached",
            "innovation.projects_submitted",
            "innovation.projects_funded",
            "innovation.success_rate",
            "innovation.funding_raised",
            "innovation.products_valorised",
        ],
    ),
    (
        gettext_noop("Communication et visibilité"),
        [
            "showcase.communication_actions",
            "showcase.media_coverage",
            "showcase.stories",
            "showcase.promotion_reach",
            "showcase.organisations_featured",
            "ecosystem.public_profiles",
        ],
    ),
]


def render_esca(data: ReportData) -> bytes:
    """An ESCA-style benchmarking sheet: the contract's computed indicators grouped by benchmarking area."""
    from grappe.objectives.computations import Period, evaluate, registry

    with translation.override(data.language):
        workbook = _new_workbook()
        ws = workbook.create_sheet("ESCA")
        _widths(ws, [38, 55, 14, 16, 38])
        ws.append([data.cluster_name])
        ws.append([data.title])
        ws.append([_("Données arrêtées au"), data.snapshot])
        counts, _listed = eccp_counts(data)
        ws.append([])
        _header(ws, [_("Domaine"), _("Indicateur"), _("Valeur"), _("Unité"), _("Source (calcul)")])
        catalogue = registry()
        period = Period.of_year(data.year, data.snapshot)
        for section, keys in ESCA_SECTIONS:
            _bold(ws, [_(section)])
            for key in keys:
                row = data.row(key)
                evaluation = (
                    row.evaluation if row else evaluate(key, period)
                )  # the sheet is complete without a contract indicator
                computation = catalogue[key]
                value = (
                    cell_number(evaluation.value)
                    if evaluation.state == "ok"
                    else (str(_("erreur")) if evaluation.state == "error" else str(_("pas de données")))
                )
                ws.append(["", str(computation.label), value, str(computation.unit), key])
        _bold(ws, [_("Membres par type (ECCP)")])
        for key, label in (
            ("sme", _("PME")),
            ("large", _("Grandes entreprises")),
            ("research", _("Recherche et enseignement")),
            ("other", _("Autres")),
        ):
            ws.append(["", str(label), counts[key], str(_("organisations")), "ecosystem.members_on"])
        return _save(workbook)
