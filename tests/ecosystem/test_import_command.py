"""``grappe ecosystem_import``: the same dry run and all-or-nothing import from the command line."""

import pytest
from django.core.management import CommandError, call_command

from grappe.core.models import AuditEntry
from grappe.ecosystem.models import Organisation, Person
from tests.ecosystem.import_support import FIXTURES, db_state

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("ecosystem_import", *args, stdout=out)
    return out.getvalue()


def test_dry_run_reports_each_line_and_saves_nothing(db):
    before = db_state()
    output = run(str(FIXTURES / "organisations_good.csv"), "--kind", "organisations", "--dry-run")
    assert "organisations_good.csv : CSV, encodage UTF-8, séparateur : virgule, 3 ligne(s) de données" in output
    assert "B « Numéro d'entreprise » -> numéro d'entreprise" in output
    assert "Ligne 2 : créer" in output
    assert "Total : 3 à créer" in output
    assert "Essai à blanc" in output
    assert db_state() == before


def test_import_creates_and_attributes_changes_to_the_actor(staff_user):
    output = run(str(FIXTURES / "organisations_good.xlsx"), "--kind", "organisations", "--actor", staff_user.email)
    assert "Importé : 2 créée(s), 0 mise(s) à jour, 0 ignorée(s)." in output
    assert Organisation.objects.count() == 2
    assert AuditEntry.objects.get(action="ecosystem.import.applied").actor == staff_user


def test_errors_are_printed_and_the_command_fails_without_saving(db):
    before = db_state()
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        run(str(FIXTURES / "organisations_invalid_number.csv"), "--kind", "organisations")
    assert db_state() == before


def test_unreadable_file_fails_with_the_reason(db):
    with pytest.raises(CommandError, match="Ligne 3 : guillemet ouvert"):
        run(str(FIXTURES / "organisations_broken_row.csv"), "--kind", "organisations")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(str(FIXTURES / "absent.csv"), "--kind", "organisations")


def test_mapping_option_fixes_a_wrong_header(db):
    with pytest.raises(CommandError, match="En-tête incorrect"):
        run(str(FIXTURES / "organisations_wrong_header.csv"), "--kind", "organisations")
    run(
        str(FIXTURES / "organisations_wrong_header.csv"),
        "--kind",
        "organisations",
        "--mapping",
        "Société X=name,Numéro=enterprise_number",
    )
    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["Alpha", "Beta"]


def test_probable_duplicates_block_unless_a_decision_is_given(org_a):
    with pytest.raises(CommandError, match="doublon"):
        run(str(FIXTURES / "organisations_fuzzy.csv"), "--kind", "organisations")
    output = run(str(FIXTURES / "organisations_fuzzy.csv"), "--kind", "organisations", "--duplicates", "skip")
    assert "Ligne 2 : ignorer la ligne — Alpha Matériaux" in output
    assert Organisation.objects.count() == 3  # org_a, Gamma Isolation, Delta Bois


def test_people_import_from_the_command_line(org_a, org_b):
    run(str(FIXTURES / "people_good.csv"), "--kind", "people")
    assert Person.objects.filter(last_name__in=["Dubois", "Peeters", "Lambert"]).count() == 3
