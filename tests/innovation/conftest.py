"""Fixtures of the innovation tests: a hand-built ecosystem around org_a and org_b, and projects."""

import datetime as dt
from decimal import Decimal

import pytest

from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Competence, Organisation
from grappe.innovation import services
from grappe.innovation.models import GateChecklistItem, InnovationProject


def make_org(name: str, *, kind: str = Organisation.Kind.COMPANY, postal: str | None = None, **fields) -> Organisation:
    org = eco.organisation_create(actor=None, name=name, kind=kind, **fields)
    if postal:
        eco.site_add(actor=None, organisation=org, postal_code=postal, street="Rue Haute", number="2")
    return org


@pytest.fixture
def research_centre(db) -> Organisation:
    return make_org("Centre de recherche du béton", kind=Organisation.Kind.RESEARCH_CENTRE, postal="1348")


@pytest.fixture
def project(staff_user, org_a) -> InnovationProject:
    return services.project_create(
        actor=staff_user,
        title="Réemploi de briques de façade",
        summary="Nettoyage et requalification de briques anciennes pour la construction neuve.",
        lead_organisation=org_a,
        owner=staff_user,
        trl_now=4,
        trl_target=7,
    )


def tick_gates(project: InnovationProject, *stages: str) -> None:
    GateChecklistItem.objects.filter(project=project, stage__in=stages).update(done=True)


@pytest.fixture
def competences(db) -> dict[str, Competence]:
    root = Competence.objects.create(name="Matériaux", slug="materiaux")
    return {
        "materiaux": root,
        "beton": Competence.objects.create(name="Béton bas carbone", slug="beton-bas-carbone", parent=root),
        "bim": Competence.objects.create(name="BIM", slug="bim"),
        "isolation": Competence.objects.create(name="Isolation biosourcée", slug="isolation-biosourcee"),
    }


MONEY = Decimal
DAY = dt.date(2026, 3, 2)
