"""Fixtures of the objectives tests: a hand-counted ecosystem history and a contract over it.

The ecosystem for 2024 (counted by hand, see each indicator's test):

| org | kind | size | membership(s) | province | created | public profile |
| --- | --- | --- | --- | --- | --- | --- |
| Alpha | company | micro | 2022-01-01 → open | Namur (5000) | 2023 | yes, 2024-03-01 |
| Bêta | company | large | 2024-03-01 → open | Liège (4000) | 2023 | yes, 2025-02-01 |
| Centre R | research centre | — | 2021-01-01 → 2024-06-30 resigned | Namur (5000) | 2023 | no |
| Delta | company | small | 2023 lapsed, then 2024-01-01 → open | Hainaut (7000) | 2023 | yes, date unknown |
| Epsilon | start-up | micro | 2024-02-01 → 2024-09-30 resigned | Brabant wallon (1300) | 2023 | no |
| Foxtrot | university | — | 2025-01-01 → open | Liège (4000) | 2023 | no |
| Gamma | company | medium | prospect only | — | 2024-06 | no |
| Hôtel | association | — | 2024-05-01 → open | — | 2025-01 | no |
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Membership, Organisation
from grappe.objectives import services
from grappe.objectives.computations import registry


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence files and archived reports are written under a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _org(name: str, kind: str, *, postal_code: str | None, created: dt.date, headcount: str = "", **fields):
    org = eco.organisation_create(actor=None, name=name, kind=kind, headcount_band=headcount, **fields)
    if postal_code:
        eco.site_add(
            actor=None, organisation=org, postal_code=postal_code, street="Rue", number="1", is_head_office=True
        )
    Organisation.objects.filter(pk=org.pk).update(created_at=_aware(created))
    return org


def _member(org, start: dt.date, end: dt.date | None = None, status: str = Membership.Status.MEMBER):
    return eco.membership_create(
        actor=None, organisation=org, start_date=start, end_date=end, status=status, yearly_fee=Decimal("750")
    )


@pytest.fixture
def ecosystem_2024(db) -> dict[str, Organisation]:
    y23 = dt.date(2023, 3, 1)
    orgs = {
        "alpha": _org("Alpha", "company", postal_code="5000", created=y23, headcount="1-4"),
        "beta": _org("Bêta", "company", postal_code="4000", created=y23, headcount="250-499"),
        "centre": _org("Centre R", "research_centre", postal_code="5000", created=y23),
        "delta": _org("Delta", "company", postal_code="7000", created=y23, headcount="10-19"),
        "epsilon": _org("Epsilon", "startup", postal_code="1300", created=y23, headcount="1-4"),
        "foxtrot": _org("Foxtrot", "university", postal_code="4000", created=y23),
        "gamma": _org("Gamma", "company", postal_code=None, created=dt.date(2024, 6, 1), headcount="50-99"),
        "hotel": _org("Hôtel", "association", postal_code=None, created=dt.date(2025, 1, 5)),
    }
    _member(orgs["alpha"], dt.date(2022, 1, 1))
    _member(orgs["beta"], dt.date(2024, 3, 1))
    _member(orgs["centre"], dt.date(2021, 1, 1), dt.date(2024, 6, 30), Membership.Status.RESIGNED)
    _member(orgs["delta"], dt.date(2023, 1, 1), dt.date(2023, 12, 31), Membership.Status.LAPSED)
    _member(orgs["delta"], dt.date(2024, 1, 1))
    _member(orgs["epsilon"], dt.date(2024, 2, 1), dt.date(2024, 9, 30), Membership.Status.RESIGNED)
    _member(orgs["foxtrot"], dt.date(2025, 1, 1))
    _member(orgs["gamma"], dt.date(2024, 1, 1), status=Membership.Status.PROSPECT)
    _member(orgs["hotel"], dt.date(2024, 5, 1))
    Organisation.objects.filter(pk=orgs["alpha"].pk).update(
        public_profile_consent=True, public_profile_consent_at=_aware(dt.date(2024, 3, 1))
    )
    Organisation.objects.filter(pk=orgs["beta"].pk).update(
        public_profile_consent=True, public_profile_consent_at=_aware(dt.date(2025, 2, 1))
    )
    Organisation.objects.filter(pk=orgs["delta"].pk).update(public_profile_consent=True)
    return orgs


ECOSYSTEM_TARGETS_2024 = {
    "ecosystem.members_at_year_end": "4",  # achieved (4)
    "ecosystem.member_joins": "5",  # at risk (3 < 4.5)
    "ecosystem.member_exits": "2",  # lower is better: achieved (2)
    "ecosystem.sme_share": "54",  # on track (50 >= 48.6)
}


@pytest.fixture
def contract(db, staff_user):
    """Contract 2023-2026 with one indicator per catalogue computation plus a manual one."""
    contract = services.contract_create(actor=staff_user, title="Contrat CCW", start_year=2023, status="active")
    objectives = {
        mission: services.objective_create(
            actor=staff_user, contract=contract, code=f"O{mission}", mission=mission, title=f"Objectif {mission}"
        )
        for mission in ("1", "2", "3", "4", "G")
    }
    for number, computation in enumerate(sorted(registry().values(), key=lambda c: c.key)):
        indicator = services.indicator_create(
            actor=staff_user,
            objective=objectives[computation.mission],
            code=f"I{number:02d}",
            label=str(computation.label),
            definition=str(computation.definition),
            unit=str(computation.unit),
            kind="computed",
            computation_key=computation.key,
            direction="lower_is_better" if computation.key == "ecosystem.member_exits" else "higher_is_better",
        )
        if computation.key in ECOSYSTEM_TARGETS_2024:
            services.targets_set(
                actor=staff_user, indicator=indicator, values={2024: ECOSYSTEM_TARGETS_2024[computation.key]}
            )
    manual = services.indicator_create(
        actor=staff_user,
        objective=objectives["G"],
        code="G1",
        label="Réunions du comité d'accompagnement",
        unit="réunions",
        kind="manual",
        evidence_required=True,
    )
    services.targets_set(actor=staff_user, indicator=manual, values={2024: "2"})
    return contract


def code_of(contract, key: str) -> str:
    return contract.indicators.get(computation_key=key).code
