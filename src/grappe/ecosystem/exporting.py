"""Exports of the organisation and people lists to CSV and XLSX (staff only; never internal notes or fees).

CSV: UTF-8 with a byte-order mark and semicolons. Staff open these files in Excel with Belgian or
French regional settings, whose list separator is the semicolon: a comma-separated file would open
as a single column there. Grappe's own import reads either separator. Cells that a spreadsheet
would run as a formula are neutralised (a leading apostrophe), as OWASP recommends for CSV.

Column headers are the import's French synonyms, so an exported file imports back as it is.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from grappe.ecosystem import selectors
from grappe.ecosystem.models import Activity, Membership, Organisation, Person

CSV_DELIMITER = ";"
CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"^[+-]?[\d\s./()-]+$")

Row = list[Any]


def organisation_headers() -> list[str]:
    return [
        _("Nom"),
        _("Sigle"),
        _("Type"),
        _("Numéro d'entreprise"),
        _("Forme juridique"),
        _("Date de création"),
        _("Effectif"),
        _("Statut PME"),
        _("Site web"),
        _("E-mail"),
        _("Téléphone"),
        _("Adresse du siège"),
        _("Code postal"),
        _("Commune"),
        _("Province"),
        _("Codes NACE"),
        _("Libellé NACE principal"),
        _("Segments"),
        _("Compétences"),
        _("Membre aujourd'hui"),
        _("Catégorie d'adhésion"),
        _("Statut d'adhésion"),
    ]


def organisation_queryset(filters: dict[str, Any]) -> QuerySet[Organisation]:
    """The workspace list for ``filters`` with everything the export reads, in a fixed number of queries."""
    return selectors.organisation_list(filters).prefetch_related(
        "sites__postal_code",
        Prefetch("activities", queryset=Activity.objects.select_related("nace").order_by("-is_main", "nace__code")),
        "segments",
        "competences",
        Prefetch("memberships", queryset=Membership.objects.order_by("-start_date")),
    )


def organisation_rows(filters: dict[str, Any], *, today: dt.date | None = None) -> Iterator[Row]:
    today = today or dt.date.today()
    members = selectors.member_ids_on(today)
    yes, no = _("oui"), _("non")
    # Labels translated once, not once per row (get_FOO_display hashes lazy strings on every call).
    kinds, headcounts, sme = (
        {code: str(label) for code, label in choices.choices}
        for choices in (Organisation.Kind, Organisation.HeadcountBand, Organisation.SmeStatus)
    )
    tiers = {code: str(label) for code, label in Membership.Tier.choices}
    statuses = {code: str(label) for code, label in Membership.Status.choices}
    for organisation in organisation_queryset(filters).iterator(chunk_size=CHUNK):
        site = organisation.head_office
        activities = list(organisation.activities.all())
        memberships = list(organisation.memberships.all())
        membership = next((m for m in memberships if m.covers(today)), memberships[0] if memberships else None)
        address = " ".join(p for p in (site.street, site.number, site.box and f"bte {site.box}") if p) if site else ""
        province = site.municipality.province if site else None
        yield [
            organisation.name,
            organisation.acronym,
            kinds.get(organisation.kind, organisation.kind),
            organisation.enterprise_number_display,
            organisation.legal_form,
            organisation.founded_on,
            headcounts.get(organisation.headcount_band, ""),
            sme.get(organisation.sme_status, ""),
            organisation.website,
            organisation.email,
            organisation.phone,
            address,
            site.postal_code.code if site else "",
            site.municipality.label if site else "",
            province.label if province else "",
            "; ".join(a.nace.dotted for a in activities),
            activities[0].nace.label if activities else "",
            "; ".join(s.name for s in organisation.segments.all()),
            "; ".join(c.name for c in organisation.competences.all()),
            yes if organisation.pk in members else no,
            tiers.get(membership.tier, "") if membership else "",
            statuses.get(membership.status, "") if membership else "",
        ]


def person_headers() -> list[str]:
    return [
        _("Nom"),
        _("Prénom"),
        _("E-mail"),
        _("Téléphone"),
        _("Organisation"),
        _("Fonction"),
        _("Langues"),
    ]


def person_queryset(text: str = "") -> QuerySet[Person]:
    return selectors.person_list(text)


def person_rows(text: str = "", *, today: dt.date | None = None) -> Iterator[Row]:
    today = today or dt.date.today()
    for person in person_queryset(text).iterator(chunk_size=CHUNK):
        current = [a for a in person.affiliations.all() if a.end_date is None or a.end_date >= today]
        yield [
            person.last_name,
            person.first_name,
            person.email,
            person.phone,
            "; ".join(a.organisation.name for a in current),
            "; ".join(a.function for a in current if a.function),
            ", ".join(person.languages or []),
        ]


def safe_text(value: Any) -> str:
    """A cell as text that no spreadsheet runs as a formula (phone numbers such as ``+32 81 ...`` stay)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PHONE_LIKE.match(text):
        return "'" + text
    return text


def csv_stream(headers: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """Lines of a semicolon CSV, the first one starting with the UTF-8 byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_text(v) for v in row])
        yield buffer.getvalue()


def xlsx_bytes(headers: list[str], rows: Iterable[Row], *, title: str) -> bytes:
    """A workbook with a bold, frozen header row and column widths fitted to the content (capped)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    data = list(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    widths = [len(h) for h in headers]
    for row in data:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(safe_text(value)))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in data:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    if value is None or value == "":
        return None
    cell = WriteOnlyCell(sheet, value=str(value))
    # openpyxl stores a string starting with "=" as a formula: force it to stay text.
    cell.data_type = "s"
    return cell
