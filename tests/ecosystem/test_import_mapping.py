"""Column mapping: headers in French, Dutch and English find their field; problems are named."""

import pytest

from grappe.ecosystem.importing.fields import (
    ORGANISATIONS,
    PEOPLE,
    auto_mapping,
    column_letter,
    mapping_problems,
    normalise_header,
    parse_mapping_option,
)


def test_headers_are_normalised_without_accents_case_or_punctuation():
    assert normalise_header("  Numéro d'entreprise (BCE) ") == "numero d entreprise bce"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nom", "name"),
        ("Naam", "name"),
        ("Name", "name"),
        ("Raison sociale", "name"),
        ("Numéro d'entreprise", "enterprise_number"),
        ("BCE", "enterprise_number"),
        ("KBO", "enterprise_number"),
        ("Ondernemingsnummer", "enterprise_number"),
        ("VAT", "enterprise_number"),
        ("N° BCE", "enterprise_number"),
        ("N° TVA / BCE", "enterprise_number"),
        ("Code postal", "postal_code"),
        ("Postcode", "postal_code"),
        ("CP", "postal_code"),
        ("NACE", "nace"),
        ("Code NACE-BEL", "nace"),
        ("Date de création", "founded_on"),
        ("Oprichtingsdatum", "founded_on"),
        ("Site web", "website"),
        ("E-mail", "email"),
        ("Téléphone", "phone"),
        ("Effectif", "headcount_band"),
        ("Rue", "street"),
        ("Straat", "street"),
        ("Numéro", "number"),
        ("Gemeente", "municipality"),
        ("Forme juridique", "legal_form"),
        ("Compétences", "competences"),
        ("Couleur préférée", ""),
    ],
)
def test_organisation_headers_in_three_languages_map_to_their_field(header, field):
    assert auto_mapping(ORGANISATIONS, [header]) == [field]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Prénom", "Nom", "Courriel", "Société", "Fonction", "Langues"],
         ["first_name", "last_name", "email", "organisation", "function", "languages"]),
        (["Voornaam", "Achternaam", "E-mailadres", "Bedrijf", "Functie", "Talen"],
         ["first_name", "last_name", "email", "organisation", "function", "languages"]),
        (["First name", "Last name", "Email", "Company", "Job title", "Languages"],
         ["first_name", "last_name", "email", "organisation", "function", "languages"]),
        (["Prénom", "Nom", "Organisation", "Numéro d'entreprise"],
         ["first_name", "last_name", "organisation", "organisation_number"]),
    ],
)  # fmt: skip
def test_people_headers_in_three_languages_map_to_their_field(headers, expected):
    assert auto_mapping(PEOPLE, headers) == expected


def test_a_field_goes_to_the_first_matching_column_only():
    assert auto_mapping(ORGANISATIONS, ["Nom", "Name", "BCE", "KBO"]) == ["name", "", "enterprise_number", ""]


def test_missing_required_field_is_a_wrong_header_naming_the_field_and_the_headers_read():
    problems = mapping_problems(ORGANISATIONS, ["Société X", "Ville"], ["", "municipality"])
    assert problems == [
        "En-tête incorrect : colonne(s) obligatoire(s) absente(s) : nom. En-têtes lus : « Société X », « Ville »."
    ]


def test_people_need_first_and_last_name():
    (problem,) = mapping_problems(PEOPLE, ["E-mail"], ["email"])
    assert "prénom, nom" in problem


def test_a_field_mapped_to_two_columns_is_named_with_both_letters():
    problems = mapping_problems(ORGANISATIONS, ["A", "B", "C"], ["name", "email", "name"])
    assert problems == ["Le champ « nom » est associé à deux colonnes : A et C."]


def test_column_letters_follow_spreadsheets():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_command_line_mapping_overrides_the_automatic_one_by_header_or_letter():
    headers = ["Société", "Numéro", "Ville"]
    assert auto_mapping(ORGANISATIONS, headers) == ["name", "number", "municipality"]
    mapping = parse_mapping_option(ORGANISATIONS, headers, "Numéro=enterprise_number, C=-")
    assert mapping == ["name", "enterprise_number", ""]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("Inconnue=name", "colonne « Inconnue » introuvable"),
        ("Ville=color", "champ « color » inconnu"),
        ("Ville", "colonne=champ"),
    ],
)
def test_command_line_mapping_errors_are_clear(option, message):
    with pytest.raises(ValueError, match=message):
        parse_mapping_option(ORGANISATIONS, ["Société", "Ville"], option)
