"""Reading a KBO Open Data extract (a zip or a directory) one CSV row at a time.

Nothing is loaded whole: each file is streamed (``zipfile.open`` + ``io.TextIOWrapper`` +
``csv.reader``), headers are checked exactly, and every problem becomes an ``ExtractError`` that
names the file, the line and the reason. Windows line endings and a UTF-8 byte order mark are
accepted; field lengths are never trusted.
"""

import csv
import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

# Exact headers of the files (full extract names; an update adds ``_insert`` / ``_delete``).
HEADERS: dict[str, list[str]] = {
    "meta": ["Variable", "Value"],
    "code": ["Category", "Code", "Language", "Description"],
    "enterprise": [
        "EnterpriseNumber",
        "Status",
        "JuridicalSituation",
        "TypeOfEnterprise",
        "JuridicalForm",
        "JuridicalFormCAC",
        "StartDate",
    ],
    "establishment": ["EstablishmentNumber", "StartDate", "EnterpriseNumber"],
    "denomination": ["EntityNumber", "Language", "TypeOfDenomination", "Denomination"],
    "address": [
        "EntityNumber",
        "TypeOfAddress",
        "CountryNL",
        "CountryFR",
        "Zipcode",
        "MunicipalityNL",
        "MunicipalityFR",
        "StreetNL",
        "StreetFR",
        "HouseNumber",
        "Box",
        "ExtraAddressInfo",
        "DateStrikingOff",
    ],
    "contact": ["EntityNumber", "EntityContact", "ContactType", "Value"],
    "activity": ["EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"],
    "branch": ["Id", "StartDate", "EnterpriseNumber"],
}
DELETE_HEADERS = {
    "enterprise": ["EnterpriseNumber"],
    "establishment": ["EstablishmentNumber"],
    "branch": ["Id"],
}
TABLES = ["enterprise", "establishment", "branch", "denomination", "address", "contact", "activity"]

# Errors a damaged archive or file raises while it is being read.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError, csv.Error)


class ExtractError(Exception):
    """An extract that cannot be imported: where (file, line) and why."""

    def __init__(self, reason: str, *, file: str = "", line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.file = file
        self.line = line

    def __str__(self) -> str:
        if self.file and self.line:
            return _("%(file)s, ligne %(line)s : %(reason)s") % {
                "file": self.file,
                "line": self.line,
                "reason": self.reason,
            }
        if self.file:
            return _("%(file)s : %(reason)s") % {"file": self.file, "reason": self.reason}
        return self.reason


@dataclass(frozen=True)
class Meta:
    kind: str  # "full" or "update"
    number: int
    snapshot_date: dt.date
    timestamp: str
    version: str


class BadValue(ValueError):
    """A malformed value in a row; the importer adds file and line."""


_date_cache: dict[str, str] = {}


def parse_date(value: str) -> str:
    """``31-12-2024`` -> ``2024-12-31`` (the ISO text both databases accept); raises ``BadValue``."""
    iso = _date_cache.get(value)
    if iso is not None:
        return iso
    if len(value) != 10 or value[2] != "-" or value[5] != "-" or not value.replace("-", "").isdigit():
        raise BadValue(_("date mal formée « %(value)s » (attendu jj-mm-aaaa)") % {"value": value[:40]})
    try:
        day = dt.date(int(value[6:]), int(value[3:5]), int(value[:2]))
    except ValueError as exc:
        raise BadValue(_("date impossible « %(value)s »") % {"value": value}) from exc
    iso = day.isoformat()
    if len(_date_cache) < 200_000:
        _date_cache[value] = iso
    return iso


@dataclass
class Extract:
    """A KBO extract on disk: a zip as the register publishes it, or a directory of its CSV files."""

    path: Path
    _zip: zipfile.ZipFile | None = None
    _members: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | Path) -> "Extract":
        path = Path(path)
        extract = cls(path)
        if path.is_dir():
            extract._members = {p.name: str(p) for p in path.iterdir() if p.suffix.lower() == ".csv"}
        elif path.is_file():
            try:
                archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ExtractError(
                    _("archive zip illisible, tronquée ou corrompue (%(error)s)") % {"error": exc}, file=path.name
                ) from exc
            extract._zip = archive
            # Members may sit at the root or in one folder: match them by base name.
            extract._members = {
                name.rsplit("/", 1)[-1]: name for name in archive.namelist() if name.lower().endswith(".csv")
            }
        else:
            raise ExtractError(_("chemin introuvable"), file=str(path))
        return extract

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def has(self, name: str) -> bool:
        return name in self._members

    def location(self, name: str) -> tuple[str, str | None, int]:
        """Where a file is: (zip or file path, zip member or None, uncompressed size in bytes)."""
        member = self._members[name]
        if self._zip is not None:
            return str(self.path), member, self._zip.getinfo(member).file_size
        return member, None, Path(member).stat().st_size

    def require(self, names: list[str]) -> None:
        for name in names:
            if name not in self._members:
                raise ExtractError(_("fichier manquant dans l'extrait"), file=name)

    @contextmanager
    def reader(self, name: str, header: list[str]) -> Iterator["csv._reader"]:
        """A ``csv.reader`` positioned after the header, which must be exactly ``header``."""
        if name not in self._members:
            raise ExtractError(_("fichier manquant dans l'extrait"), file=name)
        try:
            member = self._members[name]
            raw = self._zip.open(member) if self._zip is not None else open(member, "rb")  # noqa: SIM115
        except READ_ERRORS as exc:
            raise ExtractError(_("lecture impossible (%(error)s)") % {"error": exc}, file=name) from exc
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            reader = csv.reader(text)
            try:
                found = next(reader, None)
            except READ_ERRORS as exc:
                raise ExtractError(_("lecture impossible (%(error)s)") % {"error": exc}, file=name, line=1) from exc
            if found != header:
                raise ExtractError(
                    _("en-tête inattendu %(found)s, attendu %(expected)s")
                    % {"found": ",".join(found or [])[:300], "expected": ",".join(header)},
                    file=name,
                    line=1,
                )
            yield reader
        finally:
            text.close()

    def read_meta(self) -> Meta:
        values: dict[str, str] = {}
        with self.reader("meta.csv", HEADERS["meta"]) as reader:
            for row in reader:
                if len(row) == 2:
                    values[row[0]] = row[1]
                elif row:
                    raise ExtractError(_("2 champs attendus"), file="meta.csv", line=reader.line_num)
        kind = values.get("ExtractType", "").strip().lower()
        if kind not in ("full", "update"):
            raise ExtractError(
                _("ExtractType « %(value)s » inconnu (full ou update attendu)") % {"value": kind}, file="meta.csv"
            )
        number_text = values.get("ExtractNumber", "").strip()
        if not number_text.isdigit():
            raise ExtractError(
                _("ExtractNumber « %(value)s » n'est pas un nombre") % {"value": number_text}, file="meta.csv"
            )
        try:
            snapshot = dt.date.fromisoformat(parse_date(values.get("SnapshotDate", "").strip()))
        except BadValue as exc:
            raise ExtractError(_("SnapshotDate : %(reason)s") % {"reason": exc}, file="meta.csv") from exc
        return Meta(
            kind=kind,
            number=int(number_text),
            snapshot_date=snapshot,
            timestamp=values.get("ExtractTimestamp", ""),
            version=values.get("Version", ""),
        )

    def read_codes(self) -> dict[str, set[str]]:
        """Codes by category, as ``code.csv`` lists them."""
        codes: dict[str, set[str]] = {}
        with self.reader("code.csv", HEADERS["code"]) as reader:
            try:
                for row in reader:
                    if len(row) != 4:
                        if not row:
                            continue
                        raise ExtractError(_("4 champs attendus"), file="code.csv", line=reader.line_num)
                    codes.setdefault(row[0], set()).add(row[1])
            except READ_ERRORS as exc:
                raise ExtractError(
                    _("lecture impossible (%(error)s)") % {"error": exc}, file="code.csv", line=reader.line_num
                ) from exc
        return codes
