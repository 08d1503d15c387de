"""Turn one cell of text into a field value, or raise ``CellError`` with a message for the person importing."""

import datetime as dt
import re
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from django.utils.translation import gettext as _

from grappe.core.text import fold
from grappe.ecosystem.models import Organisation
from grappe.ecosystem.numbers import normalise_enterprise_number


class CellError(Exception):
    """A cell that cannot become a field value; ``str()`` is the message, without line or field."""


_LIST_SEPARATORS = re.compile(r"\s*[;|\n,]\s*")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%y")
LANGUAGES = ("fr", "nl", "en", "de")
_LANGUAGE_NAMES = {
    "fr": ("fr", "francais", "french", "frans", "franzosisch"),
    "nl": ("nl", "neerlandais", "dutch", "nederlands", "flamand", "niederlandisch", "vlaams"),
    "en": ("en", "anglais", "english", "engels", "englisch"),
    "de": ("de", "allemand", "german", "duits", "deutsch"),
}


def split_list(value: str) -> list[str]:
    """``"a; b | c"`` -> ``["a", "b", "c"]`` (separators: ; | , and line breaks)."""
    return [part for part in _LIST_SEPARATORS.split(value.strip()) if part]


def split_names(value: str) -> list[str]:
    """Names of taxonomy entries, which may hold commas: separated by ; | or line breaks only."""
    return [part.strip() for part in re.split(r"[;|\n]", value) if part.strip()]


def clean_text(value: str, max_length: int) -> str:
    value = " ".join(value.split()) if "\n" not in value else value.strip()
    if len(value) > max_length:
        raise CellError(
            _("%(count)s caractères, la limite est de %(limit)s.") % {"count": len(value), "limit": max_length}
        )
    return value


def clean_enterprise_number(value: str) -> str:
    try:
        return normalise_enterprise_number(value)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from exc


def clean_date(value: str, *, today: dt.date | None = None) -> dt.date:
    text = value.strip().split(" ")[0]
    for pattern in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    else:
        if re.fullmatch(r"(1[5-9]|20)\d\d", text):  # a year alone: the 1st of January
            day = dt.date(int(text), 1, 1)
        else:
            raise CellError(
                _("« %(value)s » n'est pas une date (formats acceptés : 31/12/2020, 31-12-2020, 2020-12-31).")
                % {"value": value}
            )
    if day > (today or dt.date.today()):
        raise CellError(_("la date %(date)s est dans le futur.") % {"date": day.strftime("%d/%m/%Y")})
    return day


@cache
def _choice_index(choices: type) -> dict[str, str]:
    """Folded code and labels (in every language) of a TextChoices -> code; built once per process."""
    index: dict[str, str] = {}
    for language in ("fr", "en", "nl", "de"):
        with translation.override(language):
            for code, label in choices.choices:
                index.setdefault(fold(str(label)), code)
    for code in choices.values:
        index.setdefault(fold(code), code)
    return index


_KIND_SYNONYMS = {
    "societe": "company", "bedrijf": "company", "onderneming": "company", "pme": "company", "sme": "company",
    "spin off": "startup", "spin-off": "startup", "startup": "startup", "start up": "startup",
    "centre de recherche agree": "research_centre", "onderzoekscentrum": "research_centre",
    "universite": "university", "haute ecole": "university", "hogeschool": "university", "universiteit": "university",
    "centre de formation": "training_centre", "opleidingscentrum": "training_centre",
    "administration": "public_body", "overheid": "public_body", "pouvoir public": "public_body",
    "invest": "investor", "investisseur": "investor", "fonds": "investor",
    "asbl": "association", "vzw": "association", "federation": "association",
}  # fmt: skip


def clean_kind(value: str) -> str:
    code = _KIND_SYNONYMS.get(fold(value)) or _choice_index(Organisation.Kind).get(fold(value))
    if code is None:
        raise CellError(
            _("« %(value)s » inconnu ; types possibles : %(choices)s.")
            % {"value": value, "choices": ", ".join(str(label) for _code, label in Organisation.Kind.choices)}
        )
    return code


_HEADCOUNT_LIMITS = [
    (0, "0"), (4, "1-4"), (9, "5-9"), (19, "10-19"), (49, "20-49"), (99, "50-99"),
    (199, "100-199"), (249, "200-249"), (499, "250-499"), (999, "500-999"),
]  # fmt: skip


@cache
def _headcount_index() -> dict[str, str]:
    return {key.replace(" ", ""): code for key, code in _choice_index(Organisation.HeadcountBand).items()}


def clean_headcount(value: str) -> str:
    """A band code (``10-19``), its label (``10 à 19``) or a number of persons (``12``)."""
    text = fold(value).replace(" ", "")
    index = _headcount_index()
    if text in index:
        return index[text]
    if re.fullmatch(r"\d+", text):
        count = int(text)
        return next((band for limit, band in _HEADCOUNT_LIMITS if count <= limit), "1000+")
    raise CellError(
        _("« %(value)s » non reconnu : un nombre de personnes ou une tranche (%(choices)s).")
        % {"value": value, "choices": ", ".join(Organisation.HeadcountBand.values)}
    )


def clean_turnover(value: str) -> str:
    code = _choice_index(Organisation.TurnoverBand).get(fold(value))
    if code is None:
        raise CellError(
            _("« %(value)s » non reconnu ; tranches possibles : %(choices)s.")
            % {"value": value, "choices": ", ".join(str(label) for _c, label in Organisation.TurnoverBand.choices)}
        )
    return code


def clean_url(value: str) -> str:
    url = value.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = f"https://{url}"
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise CellError(_("« %(value)s » n'est pas une adresse web valide.") % {"value": value}) from exc
    if len(url) > 200:
        raise CellError(_("adresse web trop longue (200 caractères au plus)."))
    return url


def clean_email(value: str) -> str:
    email = value.strip().lower().removeprefix("mailto:")
    try:
        EmailValidator()(email)
    except ValidationError as exc:
        raise CellError(_("« %(value)s » n'est pas une adresse e-mail valide.") % {"value": value}) from exc
    return email


def clean_languages(value: str) -> list[str]:
    names = {fold(name): code for code, aliases in _LANGUAGE_NAMES.items() for name in aliases}
    codes: list[str] = []
    for part in re.split(r"[\s;,/|+]+", value.strip()):
        if not part:
            continue
        code = names.get(fold(part))
        if code is None:
            raise CellError(_("« %(value)s » non reconnue (fr, nl, en, de ou leur nom).") % {"value": part})
        if code not in codes:
            codes.append(code)
    return codes


def clean_nace_codes(value: str) -> list[str]:
    """Undotted codes in the order given; the first is the main activity."""
    codes = []
    for part in split_list(value.replace(" ", ";")):
        compact = part.replace(".", "").strip().upper()
        if not re.fullmatch(r"\d{2,7}", compact):
            raise CellError(_("« %(value)s » n'est pas un code NACE (par exemple 43.110).") % {"value": part})
        if compact not in codes:
            codes.append(compact)
    return codes
