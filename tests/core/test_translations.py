"""The interface switches to English, Dutch and German, and the shipped catalogues stay complete.

The page tests switch the language the way a visitor does (the language form posts to
``/i18n/setlang/``, which sets the language cookie) and look for strings that only exist in the
chosen language, plus the absence of the French original. The catalogue tests read the ``.po``
files and the compiled ``.mo`` files shipped in the package: every message used by the foundation
apps (core, accounts, ecosystem, referential) and the site-wide templates must be translated,
not fuzzy, and compiled — machines without gettext rely on the ``.mo`` files.
"""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from grappe.ecosystem.forms import OrganisationFilterForm
from grappe.ecosystem.models import Membership

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED_LANGUAGES = ["en", "nl", "de"]
# Occurrence lines in the catalogues are relative to src/grappe/.
FOUNDATION_PREFIXES = ("core/", "accounts/", "ecosystem/", "referential/", "templates/")


def switch_language(client: Client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


LOGIN = {
    "en": ["Password", "E-mail address", '<html lang="en">'],
    "nl": ["Wachtwoord", "E-mailadres", "Aanmelden", '<html lang="nl">'],
    "de": ["Passwort", "E-Mail-Adresse", "Anmeldung", '<html lang="de">'],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_login_page_renders_in_the_chosen_language(client, language):
    switch_language(client, language)
    html = page(client, "/accounts/login/")
    for text in LOGIN[language]:
        assert text in html
    assert "Mot de passe" not in html
    assert "Adresse e-mail" not in html


ORGANISATION_LIST = {
    "en": ["Organisations of the ecosystem", "NACE code (prefix)", "value chain", "New organisation", "Reset"],
    "nl": ["Organisaties van het ecosysteem", "NACE-code (prefix)", "waardeketen", "Nieuwe organisatie", "Herstellen"],
    "de": ["Organisationen des Ökosystems", "NACE-Code (Präfix)", "Wertschöpfungskette", "Neue Organisation"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_staff_organisation_list_heading_and_filters_follow_the_language(staff_client, org_a, language):
    switch_language(staff_client, language)
    html = page(staff_client, "/staff/organisations/")
    for text in ORGANISATION_LIST[language]:
        assert text in html
    assert "chaîne de valeur" not in html
    assert "Nouvelle organisation" not in html
    assert "Alpha Matériaux" in html  # content stays as entered


ORGANISATION_DETAIL = {
    "en": ["Identity", "Enterprise number (CBE)", "Legal form", "Change history", "Internal notes"],
    "nl": ["Identiteit", "Ondernemingsnummer (KBO)", "Rechtsvorm", "Wijzigingsgeschiedenis", "Interne notities"],
    "de": ["Identität", "Unternehmensnummer (ZDU/KBO)", "Rechtsform", "Änderungsverlauf", "Interne Notizen"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_organisation_detail_headings_follow_the_language(staff_client, org_a, language):
    switch_language(staff_client, language)
    html = page(staff_client, f"/staff/organisations/{org_a.pk}/")
    for text in ORGANISATION_DETAIL[language]:
        assert text in html
    assert "Identité" not in html
    assert "Historique des modifications" not in html


MEMBER_PORTAL = {
    "en": ["My member area", "My organisations", "update the profile", "My contact details"],
    "nl": ["Mijn ledenruimte", "Mijn organisaties", "het profiel bijwerken", "Mijn contactgegevens"],
    "de": ["Mein Mitgliederbereich", "Meine Organisationen", "das Profil aktualisieren", "Meine Kontaktdaten"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_member_portal_follows_the_language(member_a_client, language):
    switch_language(member_a_client, language)
    html = page(member_a_client, "/portal/")
    for text in MEMBER_PORTAL[language]:
        assert text in html
    assert "Mon espace membre" not in html
    assert "Alpha Matériaux" in html


@pytest.mark.django_db
def test_switching_back_to_french_restores_the_source_texts(client):
    switch_language(client, "de")
    assert "Passwort" in page(client, "/accounts/login/")
    switch_language(client, "fr")
    html = page(client, "/accounts/login/")
    assert "Mot de passe" in html
    assert "Passwort" not in html


@pytest.mark.django_db
def test_choice_labels_and_form_labels_are_translated_with_translation_override():
    expected = {
        "en": ("member", "NACE code (prefix)"),
        "nl": ("lid", "NACE-code (prefix)"),
        "de": ("Mitglied", "NACE-Code (Präfix)"),
    }
    for language, (status_label, nace_label) in expected.items():
        with translation.override(language):
            assert str(Membership.Status.MEMBER.label) == status_label
            assert str(OrganisationFilterForm().fields["nace"].label) == nace_label


# --- Catalogue checks -------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    occurrences: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for catalogues written by makemessages/msgmerge."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current is not None:
                entries.append(current)
            current, target = None, None
            continue
        if line.startswith("#~"):  # obsolete entries are not part of the catalogue
            continue
        if current is None:
            current = Entry()
        if line.startswith("#:"):
            current.occurrences += line[2:].split()
        elif line.startswith("#,"):
            current.flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}: continuation line without a keyword: {line!r}"
            value = _unescape(line[1:-1])
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, kind, (getattr(current, kind) or "") + value)
        else:
            match = re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? "(.*)"', line)
            assert match, f"{path}: unreadable line {line!r}"
            kind, index, value = match.group(1), int(match.group(2) or 0), _unescape(match.group(3))
            if kind == "msgstr":
                current.msgstr[index] = value
            else:
                setattr(current, kind, value)
            target = (kind, index)
    return [entry for entry in entries if entry.msgid]  # drop the header


def is_foundation(entry: Entry) -> bool:
    return any(occurrence.startswith(FOUNDATION_PREFIXES) for occurrence in entry.occurrences)


def catalogue(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalogue_declares_its_language_and_two_plural_forms(language):
    header = catalogue(language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert f'"Language: {language}\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert "#, fuzzy" not in header


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_foundation_messages_are_all_translated_and_none_is_fuzzy(language):
    entries = [entry for entry in parse_po(catalogue(language)) if is_foundation(entry)]
    assert len(entries) > 400  # the foundation apps and templates really are in the catalogue
    problems = []
    for entry in entries:
        forms = 2 if entry.msgid_plural is not None else 1
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r} ({entry.occurrences[0]})")
        if len(entry.msgstr) != forms or not all(entry.msgstr.values()):
            problems.append(f"untranslated: {entry.msgid!r} ({entry.occurrences[0]})")
    assert problems == []


PLACEHOLDER = re.compile(r"%\(\w+\)(?:\.\d+)?[sdf]|%[sdf]|%%|\{\w*\}")


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_the_placeholders_of_the_french_message(language):
    problems = []
    for entry in parse_po(catalogue(language)):
        if not any(entry.msgstr.values()):
            continue
        source = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        if entry.msgid_plural is None:
            if set(PLACEHOLDER.findall(entry.msgstr[0])) != source:
                problems.append(f"{entry.msgid!r} -> {entry.msgstr[0]!r}")
        elif set().union(*(PLACEHOLDER.findall(text) for text in entry.msgstr.values())) != source:
            problems.append(f"{entry.msgid!r} -> {entry.msgstr!r}")
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_compiled_catalogue_matches_the_po_file_for_the_foundation(language):
    """The shipped .mo must be recompiled whenever the .po changes (no gettext needed at run time)."""
    mo_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(catalogue(language)):
        if not is_foundation(entry) or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is not None:
            got = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            want = [entry.msgstr[0], entry.msgstr[1]]
        elif entry.msgctxt is not None:
            got, want = compiled.pgettext(entry.msgctxt, entry.msgid), entry.msgstr[0]
        else:
            got, want = compiled.gettext(entry.msgid), entry.msgstr[0]
        if got != want:
            stale.append(entry.msgid)
    assert stale == []
