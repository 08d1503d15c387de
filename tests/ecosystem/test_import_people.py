"""Importing people: a person per line and an affiliation to the organisation named by number or name."""

import pytest

from grappe.core.models import AuditEntry
from grappe.ecosystem import importing, services
from grappe.ecosystem.importing.plan import CREATE, REVIEW, SKIP, UPDATE
from grappe.ecosystem.models import Affiliation, Person
from tests.ecosystem.import_support import db_state, plan_for, plan_from_text

pytestmark = pytest.mark.django_db
PEOPLE = importing.PEOPLE


def test_good_csv_creates_people_and_their_affiliations(staff_user, org_a, org_b):
    plan = plan_for("people_good.csv", PEOPLE)
    assert plan.errors == []
    summary = importing.apply_plan(plan, actor=staff_user)
    assert summary.created == 3

    claire = Person.objects.get(last_name="Dubois")
    assert (claire.first_name, claire.email, claire.phone) == (
        "Claire",
        "claire.dubois@alpha.example",
        "+32 81 12 34 56",
    )
    assert claire.languages == ["fr", "nl"]
    affiliation = claire.affiliations.get()
    assert (affiliation.organisation, affiliation.function, affiliation.email) == (
        org_a,
        "Directrice technique",
        "claire.dubois@alpha.example",
    )
    jan = Person.objects.get(last_name="Peeters")
    assert jan.languages == ["nl", "en"]
    assert jan.affiliations.get().organisation == org_b  # found by the exact name "Béton Bêta"
    marc = Person.objects.get(last_name="Lambert")
    assert not marc.affiliations.exists()
    assert AuditEntry.objects.filter(action="ecosystem.person.created").count() == 3
    assert AuditEntry.objects.filter(action="ecosystem.affiliation.created").count() == 2
    assert AuditEntry.objects.get(action="ecosystem.import.applied").changes["kind"] == "people"


def test_xlsx_people_with_english_headers_find_the_organisation_by_name(staff_user, org_a):
    plan = plan_for("people_good.xlsx", PEOPLE)
    assert plan.errors == []
    importing.apply_plan(plan, actor=staff_user)
    claire = Person.objects.get(email="claire.dubois@alpha.example")
    assert claire.languages == ["fr", "en"]
    assert claire.affiliations.get().function == "CTO"


def test_bad_people_file_names_every_problem_and_saves_nothing(staff_user, org_a):
    before = db_state()
    plan = plan_for("people_bad.csv", PEOPLE)
    assert plan.errors == [
        "Ligne 2, organisation : « Organisation Inconnue » inconnue "
        "(importez d'abord l'organisation, ou corrigez le nom).",
        "Ligne 3, e-mail : « pas-un-email » n'est pas une adresse e-mail valide.",
        "Ligne 3, langues : « klingon » non reconnue (fr, nl, en, de ou leur nom).",
        "Ligne 3, prénom : obligatoire.",
        "Ligne 4, e-mail : claire@alpha.example figure déjà à la ligne 2.",
    ]
    with pytest.raises(importing.ApplyError):
        importing.apply_plan(plan, actor=staff_user)
    assert db_state() == before


def test_unknown_organisation_number_is_named(db, org_a):
    plan = plan_from_text("Prénom,Nom,BCE\nAnna,X,0471.111.182\n", PEOPLE)
    assert plan.errors == [
        "Ligne 2, numéro d'entreprise de l'organisation : aucune organisation ne porte le numéro 0471.111.182."
    ]


def test_a_close_organisation_name_is_accepted_with_a_warning(db, org_a):
    plan = plan_from_text(
        "Prénom,Nom,Organisation\nAnna,X,Alpha Materiaux sa\nBob,Y,Alpha Matériaux Wallonie\n", PEOPLE
    )
    assert plan.errors == []
    assert plan.lines[0].values["organisation_id"] == org_a.pk  # same name once the legal form is dropped
    assert plan.lines[0].warnings == []
    assert plan.lines[1].values["organisation_id"] == org_a.pk
    assert (
        plan.lines[1]
        .warnings[0]
        .startswith("organisation : « Alpha Matériaux Wallonie » rattachée à « Alpha Matériaux » (ressemblance")
    )


def test_known_email_is_an_error_when_only_creating_and_an_update_otherwise(staff_user, member_a):
    anna = member_a.person
    text = "Prénom,Nom,E-mail,Téléphone,Organisation,Fonction\nAnna,Alpha,ANNA@alpha.test,0470 11 22 33,,\n"
    plan = plan_from_text(text, PEOPLE)
    assert plan.errors == [
        "Ligne 2, e-mail : anna@alpha.test est déjà l'adresse de « Anna Alpha » "
        "(choisissez « créer ou mettre à jour »)."
    ]
    plan = plan_from_text(text, PEOPLE, mode=importing.MODE_CREATE_OR_UPDATE)
    assert plan.lines[0].effective_action == UPDATE
    importing.apply_plan(plan, actor=staff_user)
    anna.refresh_from_db()
    assert anna.phone == "0470 11 22 33"
    assert Person.objects.count() == 1


def test_updating_a_person_adds_an_affiliation_only_if_not_already_current(staff_user, member_a, org_a, org_b):
    text = "Prénom,Nom,E-mail,Organisation\nAnna,Alpha,anna@alpha.test,{}\n"
    importing.apply_plan(plan_from_text(text.format("Alpha Matériaux"), PEOPLE, mode="update"), actor=staff_user)
    assert Affiliation.objects.filter(person=member_a.person).count() == 1
    importing.apply_plan(plan_from_text(text.format("Béton Bêta"), PEOPLE, mode="update"), actor=staff_user)
    assert set(Affiliation.objects.filter(person=member_a.person).values_list("organisation", flat=True)) == {
        org_a.pk,
        org_b.pk,
    }


def test_same_name_in_the_same_organisation_is_a_probable_duplicate(staff_user, member_a, org_a, org_b):
    plan = plan_from_text("Prénom,Nom,Organisation\nAna,Alpha,Alpha Matériaux\nAnna,Alpha,Béton Bêta\n", PEOPLE)
    assert plan.errors == []
    assert plan.lines[0].action == REVIEW
    assert plan.lines[0].match.pk == member_a.person_id
    assert plan.lines[1].action == CREATE  # other organisation: not flagged
    plan = plan_from_text(
        "Prénom,Nom,Organisation\nAna,Alpha,Alpha Matériaux\nAnna,Alpha,Béton Bêta\n", PEOPLE, decisions={2: SKIP}
    )
    importing.apply_plan(plan, actor=staff_user)
    assert Person.objects.filter(last_name="Alpha").count() == 2


def test_two_lines_for_the_same_person_are_flagged(db):
    plan = plan_from_text("Prénom,Nom\nMarc,Lambert\nmarc,LAMBERT\n", PEOPLE)
    assert [line.action for line in plan.lines] == [CREATE, REVIEW]
    assert plan.lines[1].match.line == 2


def test_erased_people_are_not_matched(staff_user):
    person = services.person_create(actor=None, first_name="Eva", last_name="Gone", email="eva@gone.test")
    Person.objects.filter(pk=person.pk).update(erased_at="2024-01-01T00:00:00Z")
    plan = plan_from_text("Prénom,Nom,E-mail\nEva,Gone,eva@gone.test\n", PEOPLE)
    assert [line.action for line in plan.lines] == [CREATE]
