"""Printable documents of an event, drawn with fpdf2: attendee list, name badges, a participant's B2B agenda.

Core PDF fonts cover Latin-1 (every French, Dutch and German accent); ``latin1`` from the
ecosystem's certificate module replaces the few characters outside it, so no font is shipped.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from grappe.ecosystem.certificate import latin1
from grappe.events.models import Event, Meeting, Participant, Registration


def _when(event: Event) -> str:
    start, end = timezone.localtime(event.start), timezone.localtime(event.end)
    return f"{formats.date_format(start, 'l j F Y')}, {start:%H:%M}-{end:%H:%M}"


def _document(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(settings.GRAPPE_CLUSTER_NAME))
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf


def attendee_list(event: Event, registrations: Iterable[Registration]) -> bytes:
    """One line per confirmed person, with a box to tick and a signature column."""
    pdf = _document(_("Liste des participants"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, latin1(event.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, latin1(f"{_when(event)} - {event.location_text}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(col_widths=(8, 50, 60, 20, 40), line_height=7, first_row_as_headings=True) as table:
        header = table.row()
        for text in ("", _("Nom"), _("Organisation"), _("Présent"), _("Signature")):
            header.cell(latin1(text))
        for number, registration in enumerate(registrations, start=1):
            row = table.row()
            row.cell(str(number))
            row.cell(latin1(f"{registration.person.last_name.upper()} {registration.person.first_name}"))
            row.cell(latin1(registration.organisation.name if registration.organisation else ""))
            row.cell("X" if registration.attendance == Registration.Attendance.ATTENDED else "")
            row.cell("")
    return bytes(pdf.output())


def badges(event: Event, registrations: Iterable[Registration]) -> bytes:
    """Name badges, eight per A4 page (2 × 4, 90 × 60 mm), to cut out."""
    pdf = _document(_("Badges"))
    pdf.set_auto_page_break(auto=False)
    width, height, left, top = 90, 60, 15, 18
    for index, registration in enumerate(registrations):
        if index % 8 == 0:
            pdf.add_page()
        column, row = index % 2, (index % 8) // 2
        x, y = left + column * width, top + row * height
        pdf.set_draw_color(180, 180, 180)
        pdf.rect(x, y, width, height)
        pdf.set_xy(x + 4, y + 6)
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(width - 8, 5, latin1(event.title)[:70], align="C")
        pdf.set_xy(x + 4, y + 20)
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(width - 8, 9, latin1(registration.person.first_name), align="C")
        pdf.set_xy(x + 4, y + 29)
        pdf.cell(width - 8, 9, latin1(registration.person.last_name.upper()), align="C")
        pdf.set_xy(x + 4, y + 42)
        pdf.set_font("Helvetica", "", 11)
        name = registration.organisation.name if registration.organisation else ""
        pdf.cell(width - 8, 6, latin1(name)[:45], align="C")
    if pdf.page == 0:
        pdf.add_page()
    return bytes(pdf.output())


def agenda(participant: Participant, meetings: Iterable[Meeting]) -> bytes:
    """A participant's B2B agenda: time, table, who, and their organisation."""
    event = participant.session.event
    pdf = _document(_("Agenda B2B"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(
        0, 7, latin1(_("Agenda B2B de %(name)s") % {"name": participant.person}), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, latin1(f"{event.title} - {_when(event)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    with pdf.table(col_widths=(25, 15, 60, 70), line_height=7) as table:
        header = table.row()
        for text in (_("Heure"), _("Table"), _("Avec"), _("Organisation")):
            header.cell(latin1(text))
        for meeting in meetings:
            other = meeting.other(participant)
            start, end = timezone.localtime(meeting.slot.start), timezone.localtime(meeting.slot.end)
            row = table.row()
            row.cell(f"{start:%H:%M}-{end:%H:%M}")
            row.cell(str(meeting.table))
            row.cell(latin1(str(other.person)))
            row.cell(latin1(other.organisation.name if other.organisation else ""))
    return bytes(pdf.output())
