"""The PDF activity report, drawn with fpdf2's core fonts and primitives (no external font or chart library).

Core fonts cover Latin-1, which holds French, Dutch, German and English text; the few characters
outside it (€, typographic quotes, œ) are transliterated rather than dropped.
"""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from grappe.objectives.reports.content import ReportData, number
from grappe.objectives.selectors import IndicatorRow, Status

_REPLACEMENTS = {
    "€": "EUR",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "œ": "oe",
    "Œ": "OE",
    "\u202f": " ",
    "\u00a0": " ",
    "≥": ">=",
    "≤": "<=",
}

STATUS_COLOURS = {
    Status.ACHIEVED: (46, 125, 50),
    Status.ON_TRACK: (2, 119, 189),
    Status.AT_RISK: (198, 40, 40),
    Status.NO_TARGET: (120, 120, 120),
    Status.NO_DATA: (160, 160, 160),
    Status.ERROR: (106, 27, 154),
}


def latin1(text: object) -> str:
    value = str(text)
    for char, replacement in _REPLACEMENTS.items():
        value = value.replace(char, replacement)
    return value.encode("latin-1", "replace").decode("latin-1")


class ReportPDF(FPDF):
    def __init__(self, data: ReportData) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.data = data
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(latin1(data.title))
        self.set_author(latin1(data.cluster_name))
        self.set_creator("Grappe")

    def header(self) -> None:
        self.set_font("helvetica", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, latin1(f"{self.data.cluster_name} - {self.data.title}"), align="L")
        self.ln(7)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", "", 8)
        self.set_text_color(110, 110, 110)
        text = _("Données arrêtées au %(date)s - page %(page)s") % {
            "date": self.data.snapshot.strftime("%d/%m/%Y"),
            "page": self.page_no(),
        }
        self.cell(0, 5, latin1(text), align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font("helvetica", "B", size)
        self.multi_cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font("helvetica", "", 9)

    def paragraph(self, text: str) -> None:
        self.set_font("helvetica", "", 9)
        self.multi_cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)


def _fmt(value: Decimal | None, language: str) -> str:
    return latin1(number(value, language))


def _status_summary(pdf: ReportPDF, data: ReportData) -> None:
    pdf.heading(_("Synthèse par mission"))
    statuses = [Status.ACHIEVED, Status.ON_TRACK, Status.AT_RISK, Status.NO_TARGET, Status.NO_DATA, Status.ERROR]
    headings = [_("Mission"), *[str(Status.LABELS[s]) for s in statuses]]
    with pdf.table(
        col_widths=(70, 20, 20, 20, 20, 20, 20), text_align="LEFT", headings_style=FontFace(emphasis="B")
    ) as table:
        table.row([latin1(h) for h in headings])
        for block in data.blocks:
            counts = block.counts
            table.row([latin1(block.label), *[str(counts[s]) for s in statuses]])
    pdf.ln(3)


def _bar_chart(pdf: ReportPDF, rows: list[IndicatorRow]) -> None:
    """Horizontal bars: each indicator's value as a share of its target (capped at 150 %), the target at 100 %."""
    charted = [r for r in rows if r.value is not None and r.target]
    if not charted:
        return
    label_width, bar_width, bar_height = 60.0, 100.0, 4.0
    needed = len(charted) * (bar_height + 2) + 10
    if pdf.get_y() + needed > pdf.h - 20:
        pdf.add_page()
    pdf.set_font("helvetica", "", 7)
    top = pdf.get_y()
    x0 = pdf.l_margin + label_width
    scale = bar_width / 150
    for index, row in enumerate(charted):
        y = top + index * (bar_height + 2)
        ratio = min(Decimal(150), Decimal(100) * row.value / row.target)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_width - 2, bar_height, latin1(f"{row.indicator.code} {row.indicator.label}")[:48])
        pdf.set_fill_color(*STATUS_COLOURS[row.status])
        pdf.rect(x0, y, max(0.3, float(ratio) * scale), bar_height, style="F")
        pdf.set_xy(x0 + float(ratio) * scale + 1, y)
        pdf.cell(15, bar_height, f"{ratio:.0f} %")
    bottom = top + len(charted) * (bar_height + 2)
    pdf.set_draw_color(60, 60, 60)
    pdf.line(x0 + 100 * scale, top - 1, x0 + 100 * scale, bottom)  # the target line
    pdf.set_xy(x0 + 100 * scale - 8, bottom)
    pdf.cell(16, 4, latin1(_("cible")), align="C")
    pdf.set_y(bottom + 6)
    pdf.set_font("helvetica", "", 9)


def _indicator_table(pdf: ReportPDF, rows: list[IndicatorRow], language: str) -> None:
    headings = [_("Code"), _("Indicateur"), _("Unité"), _("Cible"), _("Réalisé"), _("Statut")]
    with pdf.table(
        col_widths=(16, 78, 24, 20, 20, 26),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT"),
        headings_style=FontFace(emphasis="B"),
        line_height=4.5,
    ) as table:
        table.row([latin1(h) for h in headings])
        for row in rows:
            table.row(
                [
                    latin1(row.indicator.code),
                    latin1(row.indicator.label),
                    latin1(row.indicator.unit),
                    _fmt(row.target, language),
                    _fmt(row.value, language),
                    latin1(row.status_label),
                ]
            )
    pdf.ln(2)
    for row in rows:
        if row.breakdown:
            parts = ", ".join(f"{line.label} : {number(line.value, language)}" for line in row.breakdown[:12])
            pdf.paragraph(f"{row.indicator.code} - {row.indicator.label} : {parts}")
        if row.status == Status.ERROR:
            pdf.paragraph(
                _("%(code)s : calcul en erreur (%(error)s)") % {"code": row.indicator.code, "error": row.note}
            )


def _midterm_table(pdf: ReportPDF, data: ReportData) -> None:
    years = sorted(data.history)
    pdf.heading(_("Réalisé et cibles par année du contrat"))
    widths = (16, 64, *([max(16.0, 100 / len(years))] * len(years)))
    with pdf.table(col_widths=widths, headings_style=FontFace(emphasis="B"), line_height=4.5) as table:
        table.row([_("Code"), _("Indicateur"), *[str(y) for y in years]])
        by_year = {y: {r.indicator.pk: r for r in data.history[y]} for y in years}
        for row in data.rows:
            cells = []
            for y in years:
                cell = by_year[y].get(row.indicator.pk)
                cells.append(f"{_fmt(cell.value, data.language)} / {_fmt(cell.target, data.language)}" if cell else "-")
            table.row([latin1(row.indicator.code), latin1(row.indicator.label), *cells])
    pdf.paragraph(_("Chaque case donne « réalisé / cible » ; « — » : pas de données ou pas de cible."))


def render_pdf(data: ReportData) -> bytes:
    with translation.override(data.language):
        pdf = ReportPDF(data)
        pdf.add_page()
        pdf.heading(data.cluster_name, size=16)
        pdf.heading(data.title, size=14)
        pdf.paragraph(
            _("Contrat d'objectifs « %(contract)s » (%(start)s-%(end)s). Données arrêtées au %(date)s.")
            % {
                "contract": data.contract.title,
                "start": data.contract.start_year,
                "end": data.contract.end_year,
                "date": data.snapshot.strftime("%d/%m/%Y"),
            }
        )
        _status_summary(pdf, data)
        if data.history:
            _midterm_table(pdf, data)
        for block in data.blocks:
            pdf.heading(str(block.label))
            _bar_chart(pdf, block.rows)
            _indicator_table(pdf, block.rows, data.language)
        if data.highlights:
            pdf.heading(_("Faits marquants"))
            for highlight in data.highlights:
                pdf.set_font("helvetica", "B", 10)
                pdf.multi_cell(0, 6, latin1(highlight.title), new_x="LMARGIN", new_y="NEXT")
                for line in highlight.lines:
                    pdf.paragraph(f"- {line}")
        pdf.heading(_("Règles de statut"))
        for row in data.rows:
            pdf.paragraph(f"{row.indicator.code} : {row.rule}")
        return bytes(pdf.output())
