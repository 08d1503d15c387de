"""Validation of the rows of each KBO file, shared by full and update imports.

Each parser takes the raw ``csv`` row and returns a tuple (entity number first, as an integer) or
raises ``BadValue`` / ``BadNumber`` with a reason in French. Codes are checked against the code
table of the extract (``code.csv``) together with the referential (``KboCode``, ``NaceCode``).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from grappe.referential.models import KboCode, NaceCode
from grappe.register.extract import BadValue, parse_date
from grappe.register.numbers import (
    BadNumber,
    parse_branch_id,
    parse_enterprise_number,
    parse_entity_number,
    parse_establishment_number,
)

NACE_VERSIONS = {"2003": 2003, "2008": 2008, "2025": 2025}
# Values seen in real extracts although ``code.csv`` does not list them (a June 2025 full dump has FAX).
EXTRA_CODES = {"ContactType": {"FAX"}}


@dataclass
class Codes:
    """Known codes by KBO category (``Nace2003``, ``Nace2008``, ``Nace2025`` included)."""

    by_category: dict[str, set[str]] = field(default_factory=dict)

    def get(self, category: str) -> set[str]:
        return self.by_category.setdefault(category, set())

    @classmethod
    def build(cls, extract_codes: dict[str, set[str]]) -> "Codes":
        by_category = {category: set(values) for category, values in extract_codes.items()}
        for category, code in KboCode.objects.values_list("category", "code"):
            by_category.setdefault(category, set()).add(code)
        for version, code in NaceCode.objects.values_list("version", "code"):
            by_category.setdefault(f"Nace{version}", set()).add(code)
        for category, values in EXTRA_CODES.items():
            by_category.setdefault(category, set()).update(values)
        return cls(by_category)


def _unknown(field_name: str, value: str) -> BadValue:
    return BadValue(_("code inconnu « %(value)s » pour %(field)s") % {"value": value[:40], "field": field_name})


def _number_error(field_name: str, value: str, exc: BadNumber) -> BadValue:
    if str(exc) == "modulo 97":
        return BadValue(
            _("numéro « %(value)s » invalide pour %(field)s (contrôle modulo 97)")
            % {"value": value[:40], "field": field_name}
        )
    return BadValue(_("numéro mal formé « %(value)s » pour %(field)s") % {"value": value[:40], "field": field_name})


def _fields(row: list[str], expected: int) -> None:
    if len(row) != expected:
        raise BadValue(_("%(found)s champs au lieu de %(expected)s") % {"found": len(row), "expected": expected})


def _date(value: str, field_name: str) -> str | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except BadValue as exc:
        raise BadValue(f"{field_name} : {exc}") from exc


class RowParser:
    """One parser per file; bound to the known codes of an import."""

    def __init__(self, codes: Codes) -> None:
        self.status = codes.get("Status")
        self.situations = codes.get("JuridicalSituation")
        self.types = codes.get("TypeOfEnterprise")
        self.forms = codes.get("JuridicalForm")
        self.languages = codes.get("Language")
        self.denomination_types = codes.get("TypeOfDenomination")
        self.address_types = codes.get("TypeOfAddress")
        self.entity_contacts = codes.get("EntityContact")
        self.contact_types = codes.get("ContactType")
        self.groups = codes.get("ActivityGroup")
        self.classifications = codes.get("Classification")
        self.nace = {version: codes.get(f"Nace{version}") for version in NACE_VERSIONS}

    # Numbers ---------------------------------------------------------------------------------
    @staticmethod
    def enterprise_number(value: str, field_name: str = "EnterpriseNumber") -> int:
        try:
            return parse_enterprise_number(value)
        except BadNumber as exc:
            raise _number_error(field_name, value, exc) from exc

    @staticmethod
    def establishment_number(value: str) -> int:
        try:
            return parse_establishment_number(value)
        except BadNumber as exc:
            raise _number_error("EstablishmentNumber", value, exc) from exc

    @staticmethod
    def entity_number(value: str) -> int:
        try:
            return parse_entity_number(value)
        except BadNumber as exc:
            raise _number_error("EntityNumber", value, exc) from exc

    # Rows ------------------------------------------------------------------------------------
    def enterprise(self, row: list[str]) -> tuple:
        _fields(row, 7)
        number, status, situation, kind, form, form_cac, start = row
        parsed = self.enterprise_number(number)
        if status not in self.status:
            raise _unknown("Status", status)
        if situation not in self.situations:
            raise _unknown("JuridicalSituation", situation)
        if kind not in self.types:
            raise _unknown("TypeOfEnterprise", kind)
        if form and form not in self.forms:
            raise _unknown("JuridicalForm", form)
        if form_cac and form_cac not in self.forms:
            raise _unknown("JuridicalFormCAC", form_cac)
        return parsed, status, situation, kind, form, form_cac, _date(start, "StartDate")

    def establishment(self, row: list[str]) -> tuple:
        _fields(row, 3)
        number, start, enterprise = row
        return (
            self.establishment_number(number),
            self.enterprise_number(enterprise),
            _date(start, "StartDate"),
        )

    def branch(self, row: list[str]) -> tuple:
        _fields(row, 3)
        branch_id, start, enterprise = row
        try:
            parsed = parse_branch_id(branch_id)
        except BadNumber as exc:
            raise _number_error("Id", branch_id, exc) from exc
        return parsed, self.enterprise_number(enterprise), _date(start, "StartDate")

    def denomination(self, row: list[str]) -> tuple:
        _fields(row, 4)
        entity, language, kind, value = row
        if language not in self.languages:
            raise _unknown("Language", language)
        if kind not in self.denomination_types:
            raise _unknown("TypeOfDenomination", kind)
        return self.entity_number(entity), language, kind, value

    def address(self, row: list[str]) -> tuple:
        _fields(row, 13)
        if row[1] not in self.address_types:
            raise _unknown("TypeOfAddress", row[1])
        return (self.entity_number(row[0]), *row[1:12], _date(row[12], "DateStrikingOff"))

    def contact(self, row: list[str]) -> tuple:
        _fields(row, 4)
        entity, entity_contact, contact_type, value = row
        if entity_contact not in self.entity_contacts:
            raise _unknown("EntityContact", entity_contact)
        if contact_type not in self.contact_types:
            raise _unknown("ContactType", contact_type)
        return self.entity_number(entity), entity_contact, contact_type, value

    def activity(self, row: list[str]) -> tuple:
        _fields(row, 5)
        entity, group, version, code, classification = row
        return (self.entity_number(entity), *self.activity_codes(group, version, code, classification))

    def activity_codes(self, group: str, version: str, code: str, classification: str) -> tuple:
        if group not in self.groups:
            raise _unknown("ActivityGroup", group)
        if version not in NACE_VERSIONS:
            raise _unknown("NaceVersion", version)
        if code not in self.nace[version]:
            raise BadValue(_("code NACE %(version)s inconnu « %(code)s »") % {"version": version, "code": code[:40]})
        if classification not in self.classifications:
            raise _unknown("Classification", classification)
        return group, NACE_VERSIONS[version], code, classification

    def deleted(self, table: str, row: list[str]) -> int:
        """The number in a ``<table>_delete.csv`` row."""
        _fields(row, 1)
        if table == "enterprise":
            return self.enterprise_number(row[0])
        if table == "establishment":
            return self.establishment_number(row[0])
        if table == "branch":
            try:
                return parse_branch_id(row[0])
            except BadNumber as exc:
                raise _number_error("Id", row[0], exc) from exc
        return self.entity_number(row[0])
