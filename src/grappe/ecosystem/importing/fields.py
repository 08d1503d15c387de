"""The fields an import can fill, and how column headers in French, Dutch or English map onto them."""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.core.text import fold

ORGANISATIONS = "organisations"
PEOPLE = "people"
KINDS = (ORGANISATIONS, PEOPLE)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_header(text: str) -> str:
    """``"Numéro d'entreprise (BCE)"`` -> ``"numero d entreprise bce"``."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Promise
    synonyms: tuple[str, ...]
    required: bool = False
    # Words that, anywhere in a header, point at this field when no synonym matched exactly.
    keywords: tuple[str, ...] = ()


ORGANISATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "name",
        gettext_lazy("nom"),
        (
            "nom",
            "naam",
            "name",
            "raison sociale",
            "denomination",
            "benaming",
            "nom de l organisation",
            "nom de l entreprise",
            "nom entreprise",
            "organisation",
            "organization",
            "organisatie",
            "entreprise",
            "societe",
            "bedrijf",
            "bedrijfsnaam",
            "company",
            "company name",
            "organisation name",
            "firma",
        ),
        required=True,
    ),
    FieldSpec("acronym", gettext_lazy("sigle"), ("sigle", "acronyme", "acronym", "afkorting", "abbreviation")),
    FieldSpec(
        "kind",
        gettext_lazy("type"),
        ("type", "kind", "type d organisation", "type organisation", "soort", "type organisatie", "organisation type"),
    ),
    FieldSpec(
        "enterprise_number",
        gettext_lazy("numéro d'entreprise"),
        (
            "numero d entreprise",
            "numero entreprise",
            "n d entreprise",
            "no entreprise",
            "n entreprise",
            "numero d entreprise bce",
            "bce",
            "numero bce",
            "n bce",
            "kbo",
            "kbo nummer",
            "ondernemingsnummer",
            "enterprise number",
            "company number",
            "vat",
            "vat number",
            "tva",
            "numero de tva",
            "numero tva",
            "n tva",
            "btw",
            "btw nummer",
            "btw nr",
            "bce tva",
            "kbo btw",
        ),
        keywords=("bce", "kbo", "tva", "btw", "vat", "ondernemingsnummer"),
    ),
    FieldSpec(
        "legal_form",
        gettext_lazy("forme juridique"),
        ("forme juridique", "forme legale", "rechtsvorm", "legal form", "juridical form", "statut juridique"),
    ),
    FieldSpec(
        "founded_on",
        gettext_lazy("date de création"),
        (
            "date de creation",
            "creation",
            "creee le",
            "fondation",
            "date de fondation",
            "oprichtingsdatum",
            "opgericht",
            "oprichting",
            "founded",
            "founded on",
            "founding date",
            "date of incorporation",
            "date de debut",
            "startdatum",
        ),
    ),
    FieldSpec(
        "headcount_band",
        gettext_lazy("effectif"),
        (
            "effectif",
            "effectifs",
            "emploi",
            "nombre d employes",
            "employes",
            "salaries",
            "travailleurs",
            "personnel",
            "personeel",
            "werknemers",
            "aantal werknemers",
            "headcount",
            "employees",
            "staff",
            "tranche d effectif",
            "classe d effectif",
            "nombre de travailleurs",
        ),
    ),
    FieldSpec(
        "turnover_band",
        gettext_lazy("chiffre d'affaires"),
        ("chiffre d affaires", "ca", "omzet", "turnover", "revenue", "tranche de chiffre d affaires"),
    ),
    FieldSpec(
        "website",
        gettext_lazy("site web"),
        ("site web", "site internet", "site", "website", "web", "url", "internet", "webpagina", "webstek"),
    ),
    FieldSpec(
        "email",
        gettext_lazy("e-mail"),
        ("e mail", "email", "courriel", "mail", "adresse e mail", "e mailadres", "emailadres", "e mail general"),
    ),
    FieldSpec(
        "phone",
        gettext_lazy("téléphone"),
        ("telephone", "tel", "phone", "telefoon", "numero de telephone", "telefoonnummer", "telephone general"),
    ),
    FieldSpec(
        "description",
        gettext_lazy("description"),
        ("description", "beschrijving", "omschrijving", "presentation", "activites", "activities"),
    ),
    FieldSpec(
        "street",
        gettext_lazy("rue"),
        ("rue", "adresse", "straat", "street", "address", "adres", "adresse du siege", "adresse siege", "voie"),
    ),
    FieldSpec("number", gettext_lazy("numéro (rue)"), ("numero", "n", "no", "nr", "huisnummer", "number", "num")),
    FieldSpec("box", gettext_lazy("boîte"), ("boite", "bte", "bus", "box")),
    FieldSpec(
        "postal_code",
        gettext_lazy("code postal"),
        ("code postal", "cp", "postcode", "code", "zip", "zip code", "postal code", "postnummer", "npa"),
        keywords=("postal", "postcode"),
    ),
    FieldSpec(
        "municipality",
        gettext_lazy("commune"),
        ("commune", "localite", "ville", "gemeente", "plaats", "stad", "city", "town", "municipality", "locality"),
    ),
    FieldSpec(
        "nace",
        gettext_lazy("codes NACE"),
        (
            "nace",
            "code nace",
            "codes nace",
            "nace bel",
            "code nace bel",
            "nace code",
            "nace codes",
            "code d activite",
            "codes d activite",
            "nace principal",
            "code nace principal",
            "activiteitscode",
        ),
        keywords=("nace",),
    ),
    FieldSpec("segments", gettext_lazy("segments"), ("segments", "segment", "segment s")),
    FieldSpec(
        "competences",
        gettext_lazy("compétences"),
        ("competences", "competence", "competencies", "skills", "expertises", "expertise", "competenties"),
    ),
    FieldSpec(
        "internal_notes",
        gettext_lazy("notes internes"),
        ("notes", "notes internes", "remarques", "commentaire", "commentaires", "opmerkingen", "notities", "comments"),
    ),
)

PERSON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "first_name",
        gettext_lazy("prénom"),
        ("prenom", "voornaam", "first name", "firstname", "given name", "prenoms"),
        required=True,
    ),
    FieldSpec(
        "last_name",
        gettext_lazy("nom"),
        ("nom", "nom de famille", "achternaam", "familienaam", "naam", "last name", "lastname", "surname", "name"),
        required=True,
    ),
    FieldSpec(
        "email",
        gettext_lazy("e-mail"),
        ("e mail", "email", "courriel", "mail", "adresse e mail", "e mailadres", "emailadres"),
    ),
    FieldSpec(
        "phone",
        gettext_lazy("téléphone"),
        ("telephone", "tel", "phone", "telefoon", "gsm", "mobile", "portable", "gsm nummer", "telefoonnummer"),
    ),
    FieldSpec(
        "organisation",
        gettext_lazy("organisation"),
        (
            "organisation",
            "organization",
            "organisatie",
            "entreprise",
            "societe",
            "bedrijf",
            "company",
            "employeur",
            "werkgever",
            "employer",
            "organisation s actuelle s",
            "organisations actuelles",
            "nom de l organisation",
            "nom de l entreprise",
        ),
    ),
    FieldSpec(
        "organisation_number",
        gettext_lazy("numéro d'entreprise de l'organisation"),
        (
            "numero d entreprise",
            "numero entreprise",
            "bce",
            "numero bce",
            "n bce",
            "kbo",
            "ondernemingsnummer",
            "enterprise number",
            "company number",
            "vat",
            "tva",
            "btw",
            "numero de tva",
        ),
        keywords=("bce", "kbo", "tva", "btw", "vat", "ondernemingsnummer"),
    ),
    FieldSpec(
        "function",
        gettext_lazy("fonction"),
        ("fonction", "functie", "function", "job title", "titre", "poste", "role"),
    ),
    FieldSpec("languages", gettext_lazy("langues"), ("langues", "langue", "talen", "taal", "languages", "language")),
)

FIELDS = {ORGANISATIONS: ORGANISATION_FIELDS, PEOPLE: PERSON_FIELDS}


def field_specs(kind: str) -> tuple[FieldSpec, ...]:
    return FIELDS[kind]


def field_label(kind: str, key: str) -> str:
    return next((str(spec.label) for spec in FIELDS[kind] if spec.key == key), key)


def _synonym_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in FIELDS[kind]:
        for synonym in (spec.key.replace("_", " "), *spec.synonyms, normalise_header(str(spec.label))):
            index.setdefault(normalise_header(synonym), spec.key)
    return index


def auto_mapping(kind: str, headers: list[str]) -> list[str]:
    """For each column, the field it most likely holds, or ``""``; a field is given to one column only.

    Exact synonyms win over keywords; among equal candidates the leftmost column wins.
    """
    index = _synonym_index(kind)
    mapping = [""] * len(headers)
    taken: set[str] = set()
    normalised = [normalise_header(h) for h in headers]
    for position, header in enumerate(normalised):
        key = index.get(header)
        if key and key not in taken:
            mapping[position], taken = key, taken | {key}
    for position, header in enumerate(normalised):
        if mapping[position] or not header:
            continue
        words = set(header.split())
        for spec in FIELDS[kind]:
            if spec.key not in taken and words & set(spec.keywords):
                mapping[position], taken = spec.key, taken | {spec.key}
                break
    return mapping


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column: 0 -> A, 26 -> AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def mapping_problems(kind: str, headers: list[str], mapping: list[str]) -> list[str]:
    """Messages for a mapping that cannot be imported: required fields missing, a field used twice."""
    problems: list[str] = []
    used: dict[str, int] = {}
    for position, key in enumerate(mapping):
        if not key:
            continue
        if key in used:
            problems.append(
                _("Le champ « %(field)s » est associé à deux colonnes : %(first)s et %(second)s.")
                % {
                    "field": field_label(kind, key),
                    "first": column_letter(used[key]),
                    "second": column_letter(position),
                }
            )
        used.setdefault(key, position)
    missing = [str(spec.label) for spec in FIELDS[kind] if spec.required and spec.key not in used]
    if missing:
        problems.append(
            _("En-tête incorrect : colonne(s) obligatoire(s) absente(s) : %(fields)s. En-têtes lus : %(headers)s.")
            % {"fields": ", ".join(missing), "headers": ", ".join(f"« {h} »" for h in headers if h) or "—"}
        )
    return problems


def parse_mapping_option(kind: str, headers: list[str], text: str) -> list[str]:
    """The command-line ``--mapping "Col A=name,Col B=-"`` applied on top of the automatic mapping.

    A column is named by its header text or its letter; ``-`` or ``ignore`` leaves it out.
    Raises ``ValueError`` with a clear message for an unknown column or field.
    """
    mapping = auto_mapping(kind, headers)
    keys = {spec.key for spec in FIELDS[kind]}
    for part in filter(None, (p.strip() for p in text.split(","))):
        column, sep, key = part.rpartition("=")
        if not sep:
            raise ValueError(_("Correspondance « %(part)s » : écrivez colonne=champ.") % {"part": part})
        column, key = column.strip(), key.strip()
        positions = [i for i, h in enumerate(headers) if normalise_header(h) == normalise_header(column)]
        if not positions:
            positions = [i for i in range(len(headers)) if column_letter(i) == column.upper()]
        if not positions:
            raise ValueError(_("Correspondance : colonne « %(column)s » introuvable.") % {"column": column})
        if key in ("-", "ignore", ""):
            mapping[positions[0]] = ""
            continue
        if key not in keys:
            raise ValueError(
                _("Correspondance : champ « %(key)s » inconnu ; champs possibles : %(keys)s.")
                % {"key": key, "keys": ", ".join(sorted(keys))}
            )
        mapping = ["" if k == key else k for k in mapping]
        mapping[positions[0]] = key
    return mapping
