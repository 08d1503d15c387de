"""Eligibility and ranking of funding calls on a hand-built set with known answers."""

import datetime as dt
from decimal import Decimal

import pytest

from grappe.ecosystem.models import Organisation
from grappe.innovation import matching, services
from grappe.innovation.models import FundingCall

from .conftest import make_org

DAY = dt.date(2026, 3, 2)


def call(title: str, **fields) -> FundingCall:
    defaults = {
        "programme": "Programme test",
        "funder": "Financeur",
        "opens_on": dt.date(2026, 1, 1),
        "closes_on": dt.date(2026, 6, 30),
    }
    return services.call_create(actor=None, title=title, **{**defaults, **fields})


@pytest.fixture
def calls(db) -> dict[str, FundingCall]:
    return {
        "open": call(
            "Économie circulaire des matériaux",
            description="Réemploi de briques, béton recyclé, matériaux de construction circulaires.",
            domains=["circular_materials"],
            transitions=["environmental"],
            level="regional",
        ),
        "sme": call("Innovation PME", smes_required=True, level="federal", min_partners=2),
        "closed": call("Appel clos", opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2025, 12, 31), level="federal"),
        "future": call("Appel futur", opens_on=dt.date(2026, 4, 1), closes_on=dt.date(2026, 9, 30), level="federal"),
        "trl": call("Démonstrateurs", trl_min=6, trl_max=8, level="european", countries=["BE", "FR"]),
        "partners": call("Grands consortiums", min_partners=3, level="european"),
        "countries": call("Appel français", countries=["FR"], level="european"),
        "contribution": call("Part propre élevée", own_contribution_rate=Decimal("50"), level="federal"),
        "digital": call(
            "Numérique du bâtiment",
            description="Jumeau numérique, BIM, capteurs et plateformes de données.",
            domains=["digital"],
            transitions=["digital"],
            level="federal",
        ),
    }


@pytest.fixture
def consortium_project(staff_user, org_a):
    # org_a (Namur, 5000) leads; a small company partner in Liège.
    sme = make_org("Petite Entreprise Circulaire", postal="4000", headcount_band="5-9")
    assert sme.sme_status == Organisation.SmeStatus.MICRO
    project = services.project_create(
        actor=staff_user,
        title="Réemploi de briques de façade",
        summary="Nettoyage et requalification de briques anciennes : matériaux circulaires pour la construction.",
        lead_organisation=org_a,
        trl_now=4,
        budget=Decimal("100000"),
        funding_requested=Decimal("70000"),
        domains=["circular_materials"],
        transitions=["environmental"],
    )
    services.partner_add(actor=staff_user, project=project, organisation=sme, role="sme")
    return project


def by_title(matches):
    return {m.call.title: m for m in matches}


def test_open_calls_only_by_default_and_each_rule_explained(consortium_project, calls):
    matches = by_title(matching.match_calls(consortium_project, day=DAY))
    assert "Appel clos" not in matches and "Appel futur" not in matches
    expected_eligible = {"Économie circulaire des matériaux", "Innovation PME", "Numérique du bâtiment"}
    assert {t for t, m in matches.items() if m.eligible} == expected_eligible
    assert {c.code for c in matches["Démonstrateurs"].failed} == {"trl"}
    assert "TRL 4 hors de la fourchette 6–8" in matches["Démonstrateurs"].failed[0].message
    assert {c.code for c in matches["Grands consortiums"].failed} == {"partners"}
    assert {c.code for c in matches["Appel français"].failed} == {"countries"}
    assert "Alpha Matériaux" in matches["Appel français"].failed[0].message
    failed = matches["Part propre élevée"].failed
    assert [c.code for c in failed] == ["own_contribution"] and "30.0 %" in failed[0].message
    sme = matches["Innovation PME"]
    assert any(c.code == "sme" and "Petite Entreprise Circulaire" in c.message for c in sme.checks)
    assert any(c.code == "region" and c.passed for c in matches["Économie circulaire des matériaux"].checks)


def test_closed_and_future_calls_fail_the_open_rule_when_asked_for(consortium_project, calls):
    matches = by_title(matching.match_calls(consortium_project, list(FundingCall.objects.all()), day=DAY))
    assert [c.code for c in matches["Appel clos"].failed] == ["open"]
    assert [c.code for c in matches["Appel futur"].failed] == ["open"]


def test_eligible_calls_are_ranked_by_tags_and_text(consortium_project, calls):
    ranked = [m.call.title for m in matching.eligible_calls(consortium_project, day=DAY)]
    assert ranked[0] == "Économie circulaire des matériaux"
    assert set(ranked) == {"Économie circulaire des matériaux", "Innovation PME", "Numérique du bâtiment"}
    first = matching.eligible_calls(consortium_project, day=DAY)[0]
    assert first.tag_score == 1.0 and first.text_score > 0


def test_without_an_sme_or_a_walloon_lead_the_rules_fail(staff_user, calls):
    brussels = make_org("Grande Société Bruxelloise", postal="1000", headcount_band="500-999")
    project = services.project_create(
        actor=staff_user, title="Plateforme", summary="Plateforme de données", lead_organisation=brussels, trl_now=5
    )
    matches = by_title(matching.match_calls(project, day=DAY))
    assert {c.code for c in matches["Innovation PME"].failed} == {"sme", "partners"}
    assert {c.code for c in matches["Économie circulaire des matériaux"].failed} == {"region"}


def test_unknown_data_fails_a_rule_and_says_so(staff_user, calls):
    nowhere = make_org("Sans Adresse")
    project = services.project_create(actor=staff_user, title="Idée", lead_organisation=nowhere)
    matches = by_title(matching.match_calls(project, day=DAY))
    assert "inconnu" in matches["Démonstrateurs"].failed[0].message
    assert any(c.code == "countries" and "aucun site" in c.message for c in matches["Démonstrateurs"].failed)
    assert "inconnu" in matches["Part propre élevée"].failed[0].message
