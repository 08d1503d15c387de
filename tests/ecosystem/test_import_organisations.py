"""Importing organisations: good files create exact rows; bad files are refused whole, naming lines and fields."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grappe.core.models import AuditEntry
from grappe.ecosystem import importing, services
from grappe.ecosystem.importing import organisations as organisation_import
from grappe.ecosystem.importing.plan import CREATE, ERROR, REVIEW, SKIP, UPDATE
from grappe.ecosystem.models import Competence, Organisation, Segment, ValueChain
from tests.ecosystem.import_support import db_state, plan_for, plan_from_text

pytestmark = pytest.mark.django_db


def _activities(org: Organisation) -> list[tuple[str, bool]]:
    return sorted(org.activities.values_list("nace__code", "is_main"))


def test_good_csv_creates_organisations_with_sites_and_activities(staff_user):
    plan = plan_for("organisations_good.csv")
    assert plan.errors == []
    assert [line.effective_action for line in plan.lines] == [CREATE, CREATE, CREATE]
    summary = importing.apply_plan(plan, actor=staff_user)
    assert (summary.created, summary.updated, summary.skipped) == (3, 0, 0)

    eco = Organisation.objects.get(enterprise_number="0471111182")
    assert eco.name == "Écoconstruct Namur"
    assert eco.kind == Organisation.Kind.COMPANY
    assert eco.headcount_band == "10-19"
    assert eco.sme_status == Organisation.SmeStatus.SMALL
    assert eco.founded_on == dt.date(2012, 3, 15)
    assert eco.website == "https://ecoconstruct.be"
    assert eco.email == "info@ecoconstruct.be"
    assert eco.source == Organisation.Source.IMPORT
    (site,) = eco.sites.all()
    assert (site.street, site.number, site.postal_code.code, site.is_head_office) == ("Rue de Fer", "12", "5000", True)
    assert site.municipality.label_fr == "Namur"
    assert _activities(eco) == [("43110", True), ("71121", False)]

    beton = Organisation.objects.get(enterprise_number="0512345684")
    assert beton.name == "Béton Recyclé Liégeois"
    assert beton.headcount_band == "50-99"
    assert beton.founded_on == dt.date(2001, 9, 1)
    assert beton.email == ""
    assert _activities(beton) == [("23610", True)]

    labo = Organisation.objects.get(name='Laboratoire "Matériaux" de Mons')
    assert labo.enterprise_number is None
    assert labo.kind == Organisation.Kind.RESEARCH_CENTRE
    assert labo.sites.get().postal_code.code == "7000"


def test_every_change_is_audited_and_the_import_writes_one_summary_entry(staff_user):
    importing.apply_plan(plan_for("organisations_good.csv"), actor=staff_user)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("ecosystem.organisation.created") == 3
    assert actions.count("ecosystem.site.created") == 3
    assert actions.count("ecosystem.organisation.activities_changed") == 2
    summary = AuditEntry.objects.get(action="ecosystem.import.applied")
    assert summary.actor == staff_user
    assert summary.changes == {
        "kind": "organisations",
        "file": "organisations_good.csv",
        "mode": "create",
        "created": 3,
        "updated": 0,
        "skipped": 0,
    }


def test_good_xlsx_creates_the_same_organisations_from_typed_cells(staff_user):
    plan = plan_for("organisations_good.xlsx")
    assert plan.errors == []
    importing.apply_plan(plan, actor=staff_user)
    eco = Organisation.objects.get(enterprise_number="0471111182")  # read from the number 471111182
    assert (eco.name, eco.founded_on, eco.headcount_band) == ("Écoconstruct Namur", dt.date(2012, 3, 15), "10-19")
    assert eco.sites.get().postal_code.code == "5000"
    beton = Organisation.objects.get(enterprise_number="0512345684")
    assert beton.founded_on == dt.date(2001, 9, 1)
    assert _activities(beton) == [("2361", True)]  # the number 23.61 is the NACE class 23.61


def test_dutch_semicolon_file_is_mapped_and_imported(staff_user):
    plan = plan_for("organisations_semicolon_nl.csv")
    assert plan.mapping == [
        "name", "enterprise_number", "street", "number", "postal_code", "municipality", "nace", "headcount_band",
        "founded_on",
    ]  # fmt: skip
    importing.apply_plan(plan, actor=staff_user)
    isolatie = Organisation.objects.get(enterprise_number="0734567835")
    assert isolatie.founded_on == dt.date(1999, 12, 31)
    assert isolatie.headcount_band == "250-499"  # "250" persons
    assert isolatie.sme_status == Organisation.SmeStatus.LARGE
    assert Organisation.objects.get(enterprise_number="0623456711").founded_on == dt.date(2015, 2, 1)


def test_windows_1252_file_keeps_its_accents(staff_user):
    importing.apply_plan(plan_for("organisations_cp1252.csv"), actor=staff_user)
    assert Organisation.objects.get(enterprise_number="0845678959").name == "Société Générale d'Enduits"
    oeuvres = Organisation.objects.get(name="Œuvres Façades Wallonie")
    assert oeuvres.legal_form == "ASBL"


def test_bom_english_tab_file_adds_https_and_reads_be_prefixed_numbers(staff_user):
    importing.apply_plan(plan_for("organisations_bom_tab.csv"), actor=staff_user)
    ardenne = Organisation.objects.get(enterprise_number="0456789034")
    assert ardenne.website == "https://www.ardenne-timber.be"
    assert ardenne.headcount_band == "1-4"


# --- bad input: nothing saved, the message names the line and the field ------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "organisations_invalid_number.csv",
            "Ligne 3, numéro d'entreprise : « 0123.456.788 » n'est pas un numéro d'entreprise valide",
        ),
        ("organisations_unknown_postal_code.csv", "Ligne 2, code postal : « 5999 » inconnu"),
        (
            "organisations_duplicate_numbers.csv",
            "Ligne 4, numéro d'entreprise : 0471.111.182 figure déjà à la ligne 2 du fichier.",
        ),
        ("organisations_wrong_header.csv", "En-tête incorrect : colonne(s) obligatoire(s) absente(s) : nom."),
    ],
)
def test_a_file_with_one_bad_line_is_refused_whole_and_names_the_line(fixture, message, staff_user, org_a):
    before = db_state()
    plan = plan_for(fixture)
    assert any(error.startswith(message) for error in plan.errors), plan.errors
    assert not plan.can_apply
    with pytest.raises(importing.ApplyError):
        importing.apply_plan(plan, actor=staff_user)
    assert db_state() == before


def test_number_already_in_the_database_is_an_error_when_only_creating(staff_user, org_a):
    before = db_state()
    plan = plan_for("organisations_existing_number.csv")
    assert plan.errors == [
        "Ligne 2, numéro d'entreprise : 0403.019.261 appartient déjà à « Alpha Matériaux » "
        "(choisissez « créer ou mettre à jour »)."
    ]
    with pytest.raises(importing.ApplyError):
        importing.apply_plan(plan, actor=staff_user)
    assert db_state() == before


def test_number_already_in_the_database_updates_the_organisation_in_update_mode(staff_user, org_a):
    org_a.internal_notes = "Ne pas écraser"
    org_a.save()
    plan = plan_for("organisations_existing_number.csv", mode=importing.MODE_CREATE_OR_UPDATE)
    assert [line.effective_action for line in plan.lines] == [UPDATE, CREATE]
    assert plan.lines[0].match.pk == org_a.pk
    summary = importing.apply_plan(plan, actor=staff_user)
    assert (summary.created, summary.updated) == (1, 1)
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Matériaux SA"  # non-empty cells overwrite
    assert org_a.website == "https://alpha.example"
    assert org_a.headcount_band == "20-49"
    assert org_a.internal_notes == "Ne pas écraser"  # columns absent from the file are left alone
    assert org_a.sites.count() == 1  # same postal code as the existing head office: no new site
    assert AuditEntry.objects.filter(action="ecosystem.organisation.updated", object_id=str(org_a.pk)).exists()


def test_update_mode_leaves_fields_alone_when_the_cell_is_empty(staff_user, org_a):
    services.organisation_update(actor=None, organisation=org_a, website="https://alpha.be", phone="081 00 00 00")
    plan = plan_from_text("Nom,BCE,Site web,Téléphone\nAlpha Matériaux,0403.019.261,,\n", mode="update")
    importing.apply_plan(plan, actor=staff_user)
    org_a.refresh_from_db()
    assert (org_a.website, org_a.phone) == ("https://alpha.be", "081 00 00 00")


def test_every_error_of_every_line_is_reported_at_once(db):
    plan = plan_from_text(
        "Nom;BCE;Code postal;NACE;Effectif;Date de création;Type;Site web;E-mail\n"
        "Alpha;0403.019.261;5000;43.110;12;01/02/2010;entreprise;alpha.be;info@alpha.be\n"
        ";0123.456.788;5999;99.999;beaucoup;32/13/2020;fusée;http://;pas un e-mail\n"
    )
    assert plan.lines[0].errors == []
    assert plan.lines[1].errors == [
        "Ligne 3, numéro d'entreprise : « 0123.456.788 » n'est pas un numéro d'entreprise valide "
        "(format 0123.456.789, contrôle modulo 97).",
        "Ligne 3, effectif : « beaucoup » non reconnu : un nombre de personnes ou une tranche "
        "(0, 1-4, 5-9, 10-19, 20-49, 50-99, 100-199, 200-249, 250-499, 500-999, 1000+).",
        "Ligne 3, date de création : « 32/13/2020 » n'est pas une date "
        "(formats acceptés : 31/12/2020, 31-12-2020, 2020-12-31).",
        "Ligne 3, type : « fusée » inconnu ; types possibles : entreprise, start-up, centre de recherche, "
        "université / haute école, centre de formation, organisme public, agence de développement économique, "
        "investisseur, pôle de compétitivité, cluster, association, autre.",
        "Ligne 3, site web : « http:// » n'est pas une adresse web valide.",
        "Ligne 3, e-mail : « pas un e-mail » n'est pas une adresse e-mail valide.",
        "Ligne 3, nom : obligatoire.",
        "Ligne 3, code postal : « 5999 » inconnu (aucune localité belge ne porte ce code).",
        "Ligne 3, codes NACE : code(s) NACE-BEL inconnu(s) : 99999 (ni en 2025, ni tous en 2008).",
    ]


def test_a_row_with_too_many_or_too_few_cells_is_an_error_on_its_line(db):
    plan = plan_from_text("Nom,Code postal\nAlpha,5000,extra\nBeta\nGamma,4000\n")
    assert plan.lines[0].errors == [
        "Ligne 2 : 3 cellules pour 2 colonnes d'en-tête (séparateur ou guillemet en trop ?)."
    ]
    assert plan.lines[1].errors == ["Ligne 3 : 1 cellules au lieu de 2 (ligne coupée ou séparateur manquant ?)."]
    assert plan.lines[2].errors == []


def test_a_future_founding_date_is_refused(db):
    next_year = dt.date.today().year + 1
    plan = plan_from_text(f"Nom,Date de création\nAlpha,01/01/{next_year}\n")
    assert plan.errors == [f"Ligne 2, date de création : la date 01/01/{next_year} est dans le futur."]


def test_nace_2008_codes_are_accepted_with_a_warning(staff_user):
    plan = plan_from_text("Nom,NACE\nAlpha,41.201\n")  # 41.201 exists in NACE-BEL 2008 only
    assert plan.errors == []
    assert plan.lines[0].warnings == ["codes NACE : codes lus dans la nomenclature NACE-BEL 2008."]
    importing.apply_plan(plan, actor=staff_user)
    activity = Organisation.objects.get(name="Alpha").activities.get()
    assert (activity.nace.version, activity.nace.code) == ("2008", "41201")


def test_address_without_postal_code_is_a_warning_and_a_wrong_municipality_too(db):
    plan = plan_from_text("Nom,Rue,Code postal,Commune\nAlpha,Rue A,,\nBeta,,5000,Liège\n")
    assert plan.errors == []
    assert plan.lines[0].warnings == ["code postal : absent : l'adresse ne sera pas enregistrée."]
    assert plan.lines[1].warnings == [
        "commune : « Liège » ne correspond pas au code postal 5000 ; la commune du code postal est retenue."
    ]


def test_segments_and_competences_are_found_by_name_and_unknown_ones_are_named(staff_user):
    chain = ValueChain.objects.create(name="Construction", slug="construction")
    segment = Segment.objects.create(value_chain=chain, name="Démolition, tri", slug="demolition")
    competence = Competence.objects.create(name="Béton bas carbone", slug="beton-bas-carbone")
    plan = plan_from_text(
        "Nom;Segments;Compétences\nAlpha;demolition, TRI;beton bas carbone\nBeta;Inconnu;beton-bas-carbone | Rien\n"
    )
    assert plan.lines[0].errors == []
    assert plan.lines[1].errors == [
        "Ligne 3, segments : inconnu(s) : « Inconnu ».",
        "Ligne 3, compétences : inconnu(s) : « Rien ».",
    ]
    plan = plan_from_text("Nom;Segments;Compétences\nAlpha;Démolition, tri;Béton bas carbone\n")
    importing.apply_plan(plan, actor=staff_user)
    alpha = Organisation.objects.get(name="Alpha")
    assert list(alpha.segments.all()) == [segment]
    assert list(alpha.competences.all()) == [competence]


# --- duplicates ----------------------------------------------------------------------------------------------------


def test_close_name_with_the_same_postal_code_is_a_probable_duplicate_to_decide(staff_user, org_a):
    plan = plan_for("organisations_fuzzy.csv")
    alpha, gamma, gamma_srl, delta = plan.lines
    assert alpha.action == REVIEW
    assert (alpha.match.pk, alpha.match.label) == (org_a.pk, "Alpha Matériaux")
    assert alpha.match.score >= 90
    assert gamma.action == CREATE
    assert gamma_srl.action == REVIEW
    assert (gamma_srl.match.pk, gamma_srl.match.line) == (None, 3)  # resembles an earlier line of the file
    assert delta.action == CREATE
    assert plan.errors == []
    assert not plan.can_apply
    assert [line.line for line in plan.undecided] == [2, 4]
    before = db_state()
    with pytest.raises(importing.ApplyError, match="doublon"):
        importing.apply_plan(plan, actor=staff_user)
    assert db_state() == before


def test_decisions_on_probable_duplicates_are_applied(staff_user, org_a):
    plan = plan_for("organisations_fuzzy.csv", decisions={2: UPDATE, 4: SKIP})
    assert [line.effective_action for line in plan.lines] == [UPDATE, CREATE, SKIP, CREATE]
    summary = importing.apply_plan(plan, actor=staff_user)
    assert (summary.created, summary.updated, summary.skipped) == (2, 1, 1)
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Materiaux SA"
    assert Organisation.objects.filter(name__startswith="Gamma").count() == 1


def test_update_is_not_a_choice_for_a_line_resembling_another_line(db):
    plan = plan_for("organisations_fuzzy.csv", decisions={4: UPDATE})
    assert plan.lines[2].effective_action == REVIEW


def test_creating_anyway_keeps_both_organisations(staff_user, org_a):
    importing.apply_plan(plan_for("organisations_fuzzy.csv", decisions={2: CREATE, 4: CREATE}), actor=staff_user)
    assert Organisation.objects.filter(name__in=["Alpha Matériaux", "Alpha Materiaux SA"]).count() == 2


def test_different_postal_code_or_a_different_number_is_not_a_probable_duplicate(db, org_a):
    plan = plan_from_text("Nom,Code postal,BCE\nAlpha Matériaux,4000,\nAlpha Matériaux,5000,0471.111.182\n")
    assert [line.action for line in plan.lines] == [CREATE, CREATE]


def test_without_postal_code_only_the_very_same_name_is_a_probable_duplicate(db, org_a):
    plan = plan_from_text("Nom\nalpha materiaux s.a.\nAlpha Matériaux Wallonie\n")
    assert [line.action for line in plan.lines] == [REVIEW, CREATE]
    assert plan.lines[0].match.reason == "même nom"


# --- all or nothing at apply time --------------------------------------------------------------------------------


def test_a_failure_on_the_last_line_while_applying_leaves_the_database_unchanged(staff_user, org_a, monkeypatch):
    plan = plan_for("organisations_good.csv")
    assert plan.can_apply
    real_site_add = services.site_add

    def site_add_failing_in_mons(**kwargs):
        if kwargs["postal_code"] == "7000":
            raise ValidationError({"postal_code": "Code postal refusé pour le test."})
        return real_site_add(**kwargs)

    monkeypatch.setattr(services, "site_add", site_add_failing_in_mons)
    before = db_state()
    with pytest.raises(importing.ApplyError) as failure:
        importing.apply_plan(plan, actor=staff_user)
    assert str(failure.value) == "Ligne 4 : code postal : Code postal refusé pour le test. Rien n'a été importé."
    assert db_state() == before
    assert not Organisation.objects.filter(enterprise_number="0471111182").exists()


def test_a_number_taken_between_preview_and_apply_rolls_everything_back(staff_user):
    plan = plan_for("organisations_good.csv")
    services.organisation_create(actor=None, name="Arrivée entre-temps", enterprise_number="0512.345.684")
    before = db_state()
    with pytest.raises(
        importing.ApplyError,
        match=r"^Ligne 3 : Une organisation porte déjà ce numéro d'entreprise\. Rien n'a été importé\.$",
    ):
        importing.apply_plan(plan, actor=staff_user)
    assert db_state() == before


def test_the_plan_module_reports_errors_only_for_lines_shown_as_errors(db):
    plan = plan_for("organisations_invalid_number.csv")
    assert [line.effective_action for line in plan.lines] == [CREATE, ERROR]
    assert plan.counts() == {"create": 1, "update": 0, "skip": 0, "error": 1, "review": 0}


def test_import_of_organisations_uses_the_organisation_module():
    assert importing._MODULES[importing.ORGANISATIONS] is organisation_import


def test_derived_search_data_is_refreshed_once_at_the_end_of_the_import(staff_user, monkeypatch):
    """The directory index and the organisations' search text are refreshed once for the whole file
    (they were refreshed after every save: half the import's time), and end up as a save makes them."""
    from grappe.showcase import search

    calls: list[set[int]] = []
    index = search.index_organisations
    monkeypatch.setattr(search, "index_organisations", lambda ids: calls.append(set(ids)) or index(ids))
    summary = importing.apply_plan(plan_for("organisations_good.csv"), actor=staff_user)
    assert calls == [set(summary.object_ids)] and len(summary.object_ids) == 3
    for organisation in Organisation.objects.filter(pk__in=summary.object_ids):
        assert organisation.search_text == services.organisation_search_text(organisation)
        assert organisation.sites.get().postal_code.code in organisation.search_text
    # Outside an import, each save refreshes at once, as before.
    eco = Organisation.objects.get(enterprise_number="0471111182")
    services.organisation_update(actor=staff_user, organisation=eco, name="Écoconstruct Namur-Sud")
    assert calls[-1] == {eco.pk}
    assert "sud" in Organisation.objects.get(pk=eco.pk).search_text
