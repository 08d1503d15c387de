"""Read an uploaded CSV or XLSX file into a header and numbered rows of text cells.

The file is checked before any row is looked at: size, format, encoding, delimiter, row count.
Line numbers are those a spreadsheet shows: the header is line 1, the first data row is line 2
(a quoted CSV cell spanning several physical lines still counts as one line).
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000
MAX_COLUMNS = 100
# A cell larger than this is not a value of a contact list; the csv module refuses it with a clear error.
MAX_CELL_CHARS = 20_000

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE documents)
# Multi-byte UTF-8 sequences: if a file has some of these *and* bytes that are not UTF-8, it is a
# mix of encodings (often a cp1252 line pasted into a UTF-8 file) and guessing would corrupt text.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why (and where, when it can)."""


@dataclass
class Table:
    """What was read: the header cells and the data rows as ``(line, cells)``."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        if self.file_format == "xlsx":
            return _("Classeur XLSX (première feuille)")
        names = {",": _("virgule"), ";": _("point-virgule"), "\t": _("tabulation"), "|": _("barre verticale")}
        return _("CSV, encodage %(encoding)s, séparateur : %(delimiter)s") % {
            "encoding": self.encoding,
            "delimiter": names.get(self.delimiter, self.delimiter),
        }


def max_bytes() -> int:
    return int(getattr(settings, "GRAPPE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "GRAPPE_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def read_table(data: bytes, filename: str = "") -> Table:
    """Read ``data`` (the uploaded bytes) as XLSX or CSV; raise ``ImportFileError`` with a clear message."""
    if not data:
        raise ImportFileError(_("Le fichier est vide."))
    if len(data) > max_bytes():
        raise ImportFileError(
            _("Le fichier pèse %(size)s Mo ; la limite est de %(limit)s Mo. Découpez-le en plusieurs fichiers.")
            % {"size": f"{len(data) / 1048576:.1f}", "limit": f"{max_bytes() / 1048576:.0f}"}
        )
    name = filename.lower()
    if data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise ImportFileError(
            _("Les classeurs Excel 97-2003 (.xls) ne sont pas lus : enregistrez le fichier en .xlsx ou en .csv.")
        )
    is_xlsx = data.startswith(_XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm"))
    table = _read_xlsx(data) if is_xlsx else _read_csv(data)
    _check_shape(table)
    return table


def _check_shape(table: Table) -> None:
    if not any(h.strip() for h in table.headers):
        raise ImportFileError(_("Ligne 1 : la ligne d'en-tête est vide ; la première ligne doit nommer les colonnes."))
    if len(table.headers) > MAX_COLUMNS:
        raise ImportFileError(
            _("Le fichier a %(count)s colonnes ; la limite est de %(limit)s.")
            % {"count": len(table.headers), "limit": MAX_COLUMNS}
        )
    if not table.rows:
        raise ImportFileError(_("Le fichier ne contient aucune ligne de données sous l'en-tête."))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("Le fichier dépasse la limite de %(limit)s lignes de données. Découpez-le en plusieurs fichiers.")
        % {"limit": max_rows()}
    )


# --- CSV ---------------------------------------------------------------------------------------------------------


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else Windows-1252 (a superset of Latin-1 for text)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as exc:
            raise _undecodable(data, exc.start + 3, "UTF-8") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("Le fichier annonce l'encodage UTF-16 mais ne le respecte pas.")) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    if _UTF8_MULTIBYTE.search(data):
        raise _undecodable(data, utf8_error, "UTF-8")
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc.start, "Windows-1252") from exc


def _undecodable(data: bytes, position: int, encoding: str) -> ImportFileError:
    return ImportFileError(
        _(
            "Ligne %(line)s : octets illisibles (encodage %(encoding)s attendu, octet 0x%(byte)s). "
            "Enregistrez le fichier en « CSV UTF-8 »."
        )
        % {"line": _line_of(data, position), "encoding": encoding, "byte": f"{data[position]:02X}"}
    )


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon, tab or pipe: the sniffer on the first lines, else the most frequent in the header."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(_("Le fichier n'est ni un CSV ni un classeur XLSX (contenu binaire)."))
    text, encoding = decode(data)
    if "\x00" in text:
        raise ImportFileError(_("Le fichier n'est ni un CSV ni un classeur XLSX (contenu binaire)."))
    delimiter = sniff_delimiter(text)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows: list[tuple[int, list[str]]] = []
        headers: list[str] | None = None
        line = 0
        limit = max_rows()
        while True:
            line += 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise ImportFileError(_csv_message(line, exc)) from exc
            if headers is None:
                headers = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue  # blank lines are not data
            rows.append((line, cells))
            if len(rows) > limit:
                raise _too_many_rows()
    finally:
        csv.field_size_limit(old_limit)
    return Table(headers=headers or [], rows=rows, file_format="csv", encoding=encoding, delimiter=delimiter)


def _csv_message(line: int, exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        reason = _("une cellule dépasse %(limit)s caractères (guillemet non fermé ?)") % {"limit": MAX_CELL_CHARS}
    elif "unexpected end of data" in text or "EOF" in text:
        reason = _("guillemet ouvert qui n'est jamais fermé")
    elif "expected" in text and "after" in text:
        reason = _("guillemet mal placé dans une cellule (doublez les guillemets à l'intérieur d'une cellule)")
    else:
        reason = _("ligne mal formée (%(detail)s)") % {"detail": text}
    return _("Ligne %(line)s : %(reason)s. Rien n'a été importé.") % {"line": line, "reason": reason}


# --- XLSX --------------------------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person would type (whole numbers without ``.0``, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    return str(value).strip()


def _read_xlsx(data: bytes) -> Table:
    # Imported here: openpyxl is only needed for spreadsheets.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError(
            _("Le classeur XLSX est illisible (fichier abîmé, protégé par mot de passe ou d'un autre format).")
        ) from exc
    except Exception as exc:  # openpyxl raises many parser errors on malformed XML
        detail = type(exc).__name__
        raise ImportFileError(_("Le classeur XLSX est illisible (%(detail)s).") % {"detail": detail}) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("Le classeur ne contient aucune feuille."))
        sheet = workbook.worksheets[0]
        # Declared dimensions are often wrong (a whole column formatted): read the rows as they are.
        sheet.reset_dimensions()
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        limit = max_rows()
        try:
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in values[: MAX_COLUMNS + 1]]
                if headers is None:
                    headers = cells
                    continue
                if not any(cells):
                    continue
                rows.append((line, cells))
                if len(rows) > limit:
                    raise _too_many_rows()
        except ImportFileError:
            raise
        except Exception as exc:
            raise ImportFileError(
                _("Le classeur XLSX est illisible (%(detail)s).") % {"detail": type(exc).__name__}
            ) from exc
    finally:
        workbook.close()
    return Table(headers=headers or [], rows=rows, file_format="xlsx")
