"""One entry point for every report file: content type and file name per kind and format."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from grappe.objectives.models import ReportArchive
from grappe.objectives.reports.content import ReportData, ReportInputError

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMATS = {
    ReportArchive.Kind.ANNUAL: ("pdf", "xlsx"),
    ReportArchive.Kind.MID_TERM: ("pdf", "xlsx"),
    ReportArchive.Kind.ECCP: ("xlsx",),
    ReportArchive.Kind.ESCA: ("xlsx",),
}


@dataclass
class ReportFile:
    content: bytes
    content_type: str
    filename: str


def check_format(kind: str, fmt: str) -> None:
    if fmt not in FORMATS.get(kind, ()):
        raise ReportInputError(
            _("Le format « %(format)s » n'existe pas pour ce rapport (formats possibles : %(formats)s).")
            % {"format": fmt, "formats": ", ".join(FORMATS.get(kind, ()))}
        )


def render(data: ReportData, fmt: str) -> ReportFile:
    check_format(data.kind, fmt)
    stem = f"grappe-{data.kind.replace('_', '-')}-{data.year}-{data.language}"
    if fmt == "pdf":
        from grappe.objectives.reports.pdf import render_pdf

        return ReportFile(render_pdf(data), PDF, f"{stem}.pdf")
    from grappe.objectives.reports import xlsx

    renderer = {
        ReportArchive.Kind.ECCP: xlsx.render_eccp,
        ReportArchive.Kind.ESCA: xlsx.render_esca,
    }.get(data.kind, xlsx.render_xlsx)
    return ReportFile(renderer(data), XLSX, f"{stem}.xlsx")
