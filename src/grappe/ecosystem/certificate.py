"""The membership certificate ("attestation d'adhésion") as a one-page PDF, drawn with fpdf2.

fpdf2's built-in Helvetica covers Latin-1, which holds every French, Dutch and German accent;
the few typographic characters outside it (œ, €, dashes, curly quotes) are replaced by ASCII
equivalents so that no font file has to be shipped or downloaded.
"""

import datetime as dt

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

from grappe.ecosystem.models import Membership

_LATIN1_FALLBACKS = str.maketrans(
    {
        "œ": "oe",
        "Œ": "Oe",
        "€": "EUR",
        "—": "-",
        "–": "-",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "\u202f": " ",  # narrow no-break space used by French number formats
    }
)


def latin1(text: str) -> str:
    """``text`` made printable by the core PDF fonts (Latin-1); unknown characters become ``?``."""
    return str(text).translate(_LATIN1_FALLBACKS).encode("latin-1", "replace").decode("latin-1")


def _date(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


def certificate_lines(membership: Membership, *, issued_on: dt.date | None = None) -> dict[str, str]:
    """The texts of the certificate (kept apart from the drawing so they can be checked and translated)."""
    issued_on = issued_on or dt.date.today()
    organisation = membership.organisation
    cluster = settings.GRAPPE_CLUSTER_NAME
    if membership.end_date:
        period = _("du %(start)s au %(end)s") % {
            "start": _date(membership.start_date),
            "end": _date(membership.end_date),
        }
    else:
        period = _("depuis le %(start)s") % {"start": _date(membership.start_date)}
    if membership.covers(issued_on):
        statement = _("%(cluster)s certifie que l'organisation ci-dessous est membre du cluster.") % {
            "cluster": cluster
        }
    elif membership.status in Membership.COUNTING_STATUSES:
        statement = _("%(cluster)s certifie que l'organisation ci-dessous a été membre du cluster.") % {
            "cluster": cluster
        }
    else:
        statement = _("%(cluster)s certifie que l'organisation ci-dessous est candidate à l'adhésion.") % {
            "cluster": cluster
        }
    return {
        "title": _("Attestation d'adhésion"),
        "cluster": cluster,
        "statement": statement,
        "organisation": organisation.name,
        "enterprise_number": organisation.enterprise_number_display or _("non communiqué"),
        "period": period,
        "tier": str(membership.get_tier_display()),
        "status": str(membership.get_status_display()),
        "issued": _("Délivrée le %(date)s.") % {"date": _date(issued_on)},
        "reference": _("Référence : adhésion n° %(pk)s") % {"pk": membership.pk},
    }


def membership_certificate_pdf(membership: Membership, *, issued_on: dt.date | None = None) -> bytes:
    """A one-page A4 PDF certificate of ``membership``."""
    lines = certificate_lines(membership, issued_on=issued_on)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(latin1(lines["title"]))
    pdf.set_author(latin1(lines["cluster"]))
    pdf.set_creator("Grappe")
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_draw_color(11, 93, 59)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)

    pdf.set_font("helvetica", "B", 14)
    pdf.set_text_color(11, 93, 59)
    pdf.multi_cell(width, 8, latin1(lines["cluster"]), align="C")
    pdf.ln(14)
    pdf.set_text_color(27, 31, 36)
    pdf.set_font("helvetica", "B", 24)
    pdf.multi_cell(width, 12, latin1(lines["title"]), align="C")
    pdf.ln(12)
    pdf.set_font("helvetica", "", 12)
    pdf.multi_cell(width, 7, latin1(lines["statement"]), align="L")
    pdf.ln(8)

    facts = [
        (_("Organisation"), lines["organisation"]),
        (_("Numéro d'entreprise (BCE)"), lines["enterprise_number"]),
        (_("Période d'adhésion"), lines["period"]),
        (_("Catégorie"), lines["tier"]),
        (_("Statut"), lines["status"]),
    ]
    label_width = 62
    for label, value in facts:
        pdf.set_font("helvetica", "B", 12)
        pdf.cell(label_width, 9, latin1(label))
        pdf.set_font("helvetica", "", 12)
        pdf.multi_cell(width - label_width, 9, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    pdf.set_font("helvetica", "", 12)
    pdf.multi_cell(width, 7, latin1(lines["issued"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(24)
    pdf.set_font("helvetica", "I", 9)
    pdf.set_text_color(74, 83, 96)
    pdf.multi_cell(width, 5, latin1(lines["reference"]), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
