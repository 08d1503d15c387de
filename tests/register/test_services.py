"""Linking organisations to the register, enrichment, candidates, the changes feed, add to ecosystem."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from grappe.core.models import AuditEntry
from grappe.ecosystem import services as ecosystem
from grappe.ecosystem.models import Membership, Organisation, Segment, ValueChain
from grappe.referential.models import NaceCode
from grappe.register import services
from grappe.register.importer import import_extract
from grappe.register.linking import find_candidates, name_score
from grappe.register.models import RegisterChange, RegisterLink

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FULL = FIXTURES / "full_0146"
UPDATE = FIXTURES / "update_0147"

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    import_extract(FULL)


def org(name: str, *, number: str | None = None, postal_code: str | None = None, **fields) -> Organisation:
    organisation = ecosystem.organisation_create(actor=None, name=name, enterprise_number=number, **fields)
    if postal_code:
        ecosystem.site_add(actor=None, organisation=organisation, postal_code=postal_code, street="Rue X", number="1")
    return organisation


# Linking and enrichment -----------------------------------------------------------------------


def test_an_organisation_with_a_number_is_linked_to_its_register_enterprise(register, staff_user):
    organisation = org("Namur Construction", number="0200.065.765")
    assert services.enterprise_of(organisation).name == "Namur Construction"
    link = services.organisation_link(actor=staff_user, organisation=organisation)
    assert link.status == RegisterLink.Status.LINKED and link.enterprise_number == 200065765
    assert link.reviewed_by == staff_user
    assert AuditEntry.objects.filter(action="register.link.linked", organisation_id=organisation.pk).exists()


def test_linking_a_number_absent_from_the_register_is_refused(register):
    organisation = org("Ailleurs", number="0202.239.951")
    with pytest.raises(ValidationError):
        services.organisation_link(actor=None, organisation=organisation)
    assert not RegisterLink.objects.exists()


def test_enrichment_fills_only_empty_fields_and_is_audited(register, staff_user):
    organisation = org("Liège Matériaux", number="0403.019.261", legal_form="014x")
    preview = services.enrichment_preview(organisation)
    assert {f["name"]: (f["current"], str(f["proposed"]), f["empty"]) for f in preview.fields} == {
        "legal_form": ("014x", "014", False),
        "founded_on": (None, "1998-09-12", True),
    }
    assert preview.activities_proposed == ["43110"] and preview.nace_version == "2025"
    assert [(s.postal_code, s.is_head_office) for s in preview.sites] == [("4000", True), ("1310", False)]
    before = AuditEntry.objects.count()
    done = services.organisation_enrich(actor=staff_user, organisation=organisation, only_empty=True)
    organisation.refresh_from_db()
    assert done == {"fields": 1, "activities": 1, "sites": 2}
    assert organisation.legal_form == "014x"  # not empty: kept
    assert organisation.founded_on == dt.date(1998, 9, 12)
    assert list(organisation.activities.values_list("nace__code", "is_main")) == [("43110", True)]
    assert sorted(organisation.sites.values_list("postal_code__code", "is_head_office")) == [
        ("1310", False),
        ("4000", True),
    ]
    actions = list(AuditEntry.objects.order_by("id")[before:].values_list("action", flat=True))
    assert actions.count("ecosystem.organisation.updated") == 1
    assert "ecosystem.organisation.activities_changed" in actions and actions.count("ecosystem.site.created") == 2
    # A second automatic run has nothing left to fill.
    assert services.organisation_enrich(actor=staff_user, organisation=organisation) == {
        "fields": 0,
        "activities": 0,
        "sites": 0,
    }


def test_enrichment_on_request_overwrites_fields_and_falls_back_to_nace_2008(register, staff_user):
    organisation = org("Namur Construction", number="0200.065.765", legal_form="014")
    services.organisation_enrich(actor=staff_user, organisation=organisation, only_empty=False, parts={"fields"})
    organisation.refresh_from_db()
    assert organisation.legal_form == "610"
    version, codes = services.main_nace_codes(403019261)
    assert (version, codes) == ("2025", ["43110"])
    # 0504.707.232 only has a 2008 main activity.
    assert services.main_nace_codes(504707232) == ("2008", ["08111"])


def test_linked_organisation_has_no_enrichment_when_not_in_the_register(register):
    assert services.enrichment_preview(org("Sans numéro")) is None


# Candidates -----------------------------------------------------------------------------------


def test_names_are_compared_without_accents_case_or_legal_form():
    assert name_score("LIEGE MATERIAUX CIRCULAIRES SA", "Liège Matériaux Circulaires") == 100
    assert name_score("Namur Construction", "Vlaamse Isolatie") < 50


def test_candidates_are_scored_by_name_within_the_postal_code(register):
    organisation = org("Liege Materiaux Circulaire", postal_code="4000")
    found = find_candidates(organisation)
    assert [(c.enterprise_number, c.matched_name) for c in found] == [(403019261, "Liège Matériaux Circulaires")]
    assert 90 <= found[0].score < 100
    # Same name, other postal code: not proposed (the search starts from the postal code).
    assert find_candidates(org("Liège Matériaux Circulaires", postal_code="5000")) == []


def test_accepting_a_candidate_sets_the_number_links_and_fills_empty_fields(register, staff_user):
    organisation = org("Liège Matériaux Circulaires", postal_code="4000")
    [link] = services.candidates_refresh(organisation=organisation)
    assert link.status == RegisterLink.Status.CANDIDATE
    services.candidate_accept(actor=staff_user, link=link)
    organisation.refresh_from_db()
    link.refresh_from_db()
    assert organisation.enterprise_number == "0403019261" and organisation.founded_on == dt.date(1998, 9, 12)
    assert link.status == RegisterLink.Status.LINKED and link.reviewed_by == staff_user
    assert AuditEntry.objects.filter(action="register.candidate.accepted", organisation_id=organisation.pk).exists()
    assert AuditEntry.objects.filter(action="ecosystem.organisation.updated", organisation_id=organisation.pk).exists()
    with pytest.raises(ValidationError):
        services.candidate_accept(actor=staff_user, link=link)


def test_a_rejected_candidate_is_not_proposed_again(register, staff_user):
    organisation = org("Liège Matériaux Circulaires", postal_code="4000")
    [link] = services.candidates_refresh(organisation=organisation)
    services.candidate_reject(actor=staff_user, link=link)
    assert services.candidates_refresh(organisation=organisation) == []
    assert RegisterLink.objects.get(pk=link.pk).status == RegisterLink.Status.REJECTED


def test_an_enterprise_already_linked_is_not_proposed_to_another_organisation(register):
    org("Liège Matériaux", number="0403.019.261")
    assert find_candidates(org("Liège Matériaux Circulaires", postal_code="4000")) == []


# Add to ecosystem, prospects ------------------------------------------------------------------


def test_add_to_ecosystem_creates_the_organisation_from_the_register(register, staff_user):
    organisation = services.organisation_add_from_register(actor=staff_user, number=403019261)
    assert organisation.source == Organisation.Source.REGISTER
    assert (organisation.name, organisation.enterprise_number, organisation.legal_form, organisation.founded_on) == (
        "Liège Matériaux Circulaires",
        "0403019261",
        "014",
        dt.date(1998, 9, 12),
    )
    assert list(organisation.sites.values_list("postal_code__code", "street", "number", "is_head_office")) == [
        ("4000", "Boulevard d'Avroy", "12", True)
    ]
    assert list(organisation.activities.values_list("nace__version", "nace__code", "is_main")) == [
        ("2025", "43110", True)
    ]
    assert RegisterLink.objects.get(organisation=organisation).status == RegisterLink.Status.LINKED
    assert AuditEntry.objects.filter(action="ecosystem.organisation.created", organisation_id=organisation.pk).exists()
    with pytest.raises(ValidationError):
        services.organisation_add_from_register(actor=staff_user, number=403019261)


def test_mark_as_prospect_creates_a_prospect_membership_once(register, staff_user):
    organisation = services.organisation_add_from_register(actor=staff_user, number=200065765)
    membership = services.organisation_mark_prospect(actor=staff_user, organisation=organisation)
    assert membership.status == Membership.Status.PROSPECT and membership.yearly_fee == 0
    with pytest.raises(ValidationError):
        services.organisation_mark_prospect(actor=staff_user, organisation=organisation)


# Changes feed on the real update 147 ----------------------------------------------------------


def edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(directory: Path, name: str, line: str) -> None:
    with open(directory / name, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@pytest.fixture
def perimeter():
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    segment = Segment.objects.create(value_chain=chain, name="Restauration de chantier", slug="resto")
    segment.nace_codes.set([NaceCode.objects.get(version="2025", code="5611")])
    return segment


def test_changes_feed_of_update_147(register, perimeter, tmp_path, org_a):
    """org_a (member) is 0403.019.261; Namur Construction's seat moves to Mechelen; Gentse Recyclage is renamed."""
    namur = org("Namur Construction", number="0200.065.765")
    gent = org("Gentse Recyclage", number="0410.050.078")
    stopped = org("Ancienne Fonderie de Meuse", number="0502.503.253")
    ecosystem.membership_create(actor=None, organisation=stopped, start_date=dt.date(2015, 1, 1))
    ecosystem.membership_end(
        actor=None, membership=stopped.memberships.get(), end_date=dt.date(2020, 1, 1), status="resigned"
    )
    update = tmp_path / "update"
    shutil.copytree(UPDATE, update)
    append(update, "address_delete.csv", '"0200.065.765"')
    append(
        update,
        "address_insert.csv",
        '"0200.065.765","REGO",,,"2800","Mechelen","Malines","Bruul","Bruul","5","","",',
    )
    append(update, "denomination_delete.csv", '"0410.050.078"')
    append(update, "denomination_insert.csv", '"0410.050.078","2","001","Gent Circulair"')
    run = import_extract(update)

    rows = {
        (c.kind, c.enterprise_number): c
        for c in RegisterChange.objects.filter(extract_number=147).select_related("organisation")
    }
    assert set(rows) == {
        ("stopped", 502503253),
        ("establishment_moved", 403019261),
        ("seat_moved", 200065765),
        ("name_changed", 410050078),
        ("new_in_perimeter", 859001118),
    }
    assert run.counts["changes"] == 5

    moved = rows[("seat_moved", 200065765)]
    assert moved.organisation == namur and moved.leaves_region and not moved.was_member
    assert (moved.details["from"]["zipcode"], moved.details["to"]["zipcode"]) == ("5000", "2800")

    lasne = rows[("establishment_moved", 403019261)]
    assert lasne.organisation == org_a and lasne.was_member and not lasne.leaves_region
    assert lasne.details["establishment"] == "2.094.609.585"
    assert (lasne.details["from"]["zipcode"], lasne.details["to"]["zipcode"]) == ("1310", "1380")

    renamed = rows[("name_changed", 410050078)]
    assert renamed.organisation == gent and renamed.details == {"from": "Gentse Recyclage", "to": "Gent Circulair"}

    gone = rows[("stopped", 502503253)]
    assert gone.organisation == stopped and not gone.was_member  # resigned in 2020

    new = rows[("new_in_perimeter", 859001118)]
    assert new.organisation is None and new.details["nace"] == ["2025:56112"]
    assert (
        new.details["place"]["zipcode"] == "7080" and new.details["start_date"] == ""
    )  # a stub: the update has no enterprise row
    assert new.snapshot_date == dt.date(2025, 10, 11)


def test_no_perimeter_no_prospects_and_unlinked_enterprises_are_not_reported(register):
    import_extract(UPDATE)
    assert not RegisterChange.objects.exists()


def test_add_to_ecosystem_from_a_change_links_it(register, perimeter, staff_user):
    import_extract(UPDATE)
    change = RegisterChange.objects.get(kind="new_in_perimeter")
    organisation = services.change_add_to_ecosystem(actor=staff_user, change=change)
    change.refresh_from_db()
    assert change.organisation == organisation and organisation.enterprise_number == "0859001118"
    assert list(organisation.sites.values_list("postal_code__code", flat=True)) == ["7080"]


def test_perimeter_uses_nace_prefixes_within_one_version():
    from grappe.register.changes import in_perimeter

    prefixes = {2025: {"439", "4321"}}
    activities = [(2025, "43910"), (2025, "4399001"), (2008, "43910"), (2025, "43220")]
    assert in_perimeter(activities, prefixes) == ["2025:43910", "2025:4399001"]
