"""Consortium suggestions on a hand-built ecosystem: who, in which order, and why."""

import datetime as dt
from decimal import Decimal

import pytest

from grappe.core.models import AuditEntry
from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Organisation
from grappe.innovation import consortium, services
from grappe.referential.models import NaceCode

from .conftest import make_org


def member(org: Organisation) -> Organisation:
    eco.membership_create(actor=None, organisation=org, start_date=dt.date(2022, 1, 1), yearly_fee=Decimal("300"))
    return org


@pytest.fixture
def ecosystem(db, competences):
    nace = NaceCode.objects.filter(version="2025", code__startswith="2361").order_by("code").first()
    assert nace is not None
    orgs = {
        "member_sme": member(make_org("Zeta Préfa", postal="5100", headcount_band="10-19")),
        "member_big": member(make_org("Atlas Béton", postal="4000", headcount_band="250-499")),
        "lab": make_org("Laboratoire des Matériaux", kind=Organisation.Kind.RESEARCH_CENTRE, postal="1348"),
        "uni": make_org("Université du Bâtiment", kind=Organisation.Kind.UNIVERSITY, postal="5000"),
        "outsider": make_org("Béta Isolation", postal="6000", headcount_band="5-9"),
        "unrelated": make_org("Boulangerie du Coin", postal="5000", headcount_band="1-4"),
    }
    orgs["member_sme"].competences.set([competences["beton"]])
    orgs["member_big"].competences.set([competences["beton"], competences["bim"]])
    orgs["lab"].competences.set([competences["materiaux"], competences["beton"]])
    orgs["uni"].competences.set([competences["bim"]])
    orgs["outsider"].competences.set([competences["isolation"]])
    return orgs, nace


@pytest.mark.usefixtures("ecosystem")
def test_members_come_first_then_others_each_with_why(staff_user, org_a, competences):
    project = services.project_create(actor=staff_user, title="Béton bas carbone", lead_organisation=org_a)
    services.project_update(
        actor=staff_user,
        project=project,
        needed_competences=[competences["materiaux"], competences["bim"]],
        needed_roles=["research", "sme"],
    )
    suggestions = consortium.suggest_partners(project)
    names = [s.organisation.name for s in suggestions]
    # Members first (Atlas: 2 competences; Zeta: 1 competence + SME role + Namur province), then the others
    # (the university: BIM + research role + Namur; the lab: materials and its sub-competence count once, plus
    # the research role, in Walloon Brabant).
    assert names == ["Atlas Béton", "Zeta Préfa", "Université du Bâtiment", "Laboratoire des Matériaux"]
    atlas, zeta, uni, lab = suggestions
    assert atlas.is_member and atlas.score == 6.0
    assert zeta.score == 3.0 + 1.0 + 0.5 and zeta.roles == ["sme"]
    assert any("Matériaux" in r for r in zeta.reasons) and any("Namur" in r for r in zeta.reasons)
    assert lab.score == 4.0 and not lab.is_member and any("partenaire de recherche" in r for r in lab.reasons)
    assert uni.score == 3.0 + 1.0 + 0.5


def test_consortium_members_are_not_suggested_again(staff_user, org_a, ecosystem, competences):
    orgs, _ = ecosystem
    project = services.project_create(actor=staff_user, title="BIM déconstruction", lead_organisation=org_a)
    services.project_update(actor=staff_user, project=project, needed_competences=[competences["bim"]])
    services.partner_add(actor=staff_user, project=project, organisation=orgs["uni"], role="research")
    assert [s.organisation.name for s in consortium.suggest_partners(project)] == ["Atlas Béton"]


def test_nace_needs_match_activity_codes_by_prefix(staff_user, org_a, ecosystem):
    orgs, nace = ecosystem
    eco.activity_set(actor=None, organisation=orgs["outsider"], codes=[nace.code])
    division = NaceCode.objects.get(version="2025", code=nace.code[:2])
    project = services.project_create(actor=staff_user, title="Préfabrication", lead_organisation=org_a)
    services.project_update(actor=staff_user, project=project, needed_nace=[division])
    suggestions = consortium.suggest_partners(project)
    assert [s.organisation.name for s in suggestions] == ["Béta Isolation"]
    assert "activités NACE" in suggestions[0].reasons[0]


def test_invite_records_an_introduction_or_an_audited_note(staff_user, org_a, ecosystem):
    orgs, _ = ecosystem
    project = services.project_create(actor=staff_user, title="Béton bas carbone", lead_organisation=org_a)
    kind, record = consortium.invite(actor=staff_user, project=project, organisation=orgs["lab"])
    assert kind in ("introduction", "note")
    if kind == "introduction":
        assert (record.organisation_a, record.organisation_b) == (org_a, orgs["lab"])
    assert AuditEntry.objects.filter(action="innovation.partner.invited", organisation_id=orgs["lab"].pk).exists()
