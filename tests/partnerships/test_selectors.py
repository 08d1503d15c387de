"""Selectors for the network, the objectives indicators, the engagement score and the members at risk."""

import datetime as dt
from decimal import Decimal

import pytest

from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Membership, Organisation
from grappe.objectives.computations.base import Period, evaluate
from grappe.partnerships import selectors, services

YEAR = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture
def pole(db) -> Organisation:
    return eco.organisation_create(actor=None, name="GreenWin", kind=Organisation.Kind.POLE)


def collab(partners, *, kind="commercial", start=dt.date(2025, 3, 1), end=None, status="active", **fields):
    return services.collaboration_create(
        actor=None,
        title=f"C{start}{kind}",
        kind=kind,
        partners=partners,
        status=status,
        start_date=start,
        end_date=end,
        **fields,
    )


def test_public_and_private_collaborations_started_in_the_period(org_a, org_b, company_c, university):
    public = collab([org_a, university])
    private = collab([org_a, org_b, company_c])
    collab([org_a, org_b], start=dt.date(2024, 12, 31))  # before
    collab([org_a, org_b], status="explored", start=None)  # not started
    collab([org_a, org_b], status="dropped", start=dt.date(2025, 6, 1))  # dropped: not counted
    assert list(selectors.collaborations_public(*YEAR)) == [public]
    assert list(selectors.collaborations_private(*YEAR)) == [private]
    figures = selectors.collaborations_in_period(*YEAR)
    assert figures["count"] == 2
    assert figures["by_actor_type"] == {"public": 1, "private": 1, "other": 0}
    assert figures["by_kind"]["commercial"] == 2


def test_inter_cluster_and_international_cooperations_running_in_the_period(org_a, org_b, pole):
    with_pole = collab([org_a, pole], kind="joint_action", start=dt.date(2023, 1, 1))
    declared = collab([org_a, org_b], kind="inter_cluster", start=dt.date(2025, 11, 1))
    abroad = collab([org_a, org_b], kind="rd_project", foreign_countries=["FR"], start=dt.date(2024, 5, 1))
    international = collab([org_a, org_b], kind="international", start=dt.date(2024, 1, 1), end=dt.date(2025, 1, 31))
    collab(
        [org_a, org_b], kind="international", start=dt.date(2023, 1, 1), end=dt.date(2024, 12, 31), status="completed"
    )
    assert set(selectors.intercluster_cooperations(*YEAR)) == {with_pole, declared}
    assert set(selectors.international_cooperations(*YEAR)) == {abroad, international}


def test_introductions_and_their_outcomes_in_the_period(org_a, org_b, company_c, staff_user):
    def intro(day, outcome=None):
        i = services.introduction_create(
            actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="x", introduced_on=day
        )
        if outcome:
            services.introduction_record_outcome(actor=staff_user, introduction=i, outcome=outcome)
        return i

    met = intro(dt.date(2025, 2, 1), "meeting_held")
    intro(dt.date(2025, 3, 1), "nothing")
    intro(dt.date(2025, 4, 1))
    intro(dt.date(2024, 4, 1), "meeting_held")
    assert selectors.introductions(*YEAR).count() == 3
    assert list(selectors.introductions_with_outcome(*YEAR)) == [met]
    figures = selectors.introductions_in_period(*YEAR)
    assert figures["by_outcome"]["nothing"] == 1 and figures["with_outcome"] == 1
    period = Period.of_year(2025)
    evaluation = evaluate("partnerships.introductions", period)
    assert evaluation.state == "ok" and evaluation.value == Decimal(3)
    assert {line.code: line.value for line in evaluation.breakdown} == {
        "meeting_held": 1,
        "nothing": 1,
        "unknown": 1,
    }
    assert evaluate("partnerships.introductions_with_outcome", period).value == Decimal(1)


def test_collaboration_edges_are_pairs_with_kind_and_dates(org_a, org_b, company_c):
    trio = collab([org_a, org_b, company_c], kind="rd_project")
    collab([org_a, org_b], status="explored", start=None)
    edges = selectors.collaboration_edges()
    assert len(edges) == 3
    assert {(e["a"], e["b"]) for e in edges} == {
        tuple(sorted(p)) for p in [(org_a.pk, org_b.pk), (org_a.pk, company_c.pk), (org_b.pk, company_c.pk)]
    }
    assert all(e["collaboration"] == trio.pk and e["kind"] == "rd_project" for e in edges)
    assert len(selectors.collaboration_edges(include_explored=True)) == 4
    assert selectors.collaboration_edges(dt.date(2020, 1, 1), dt.date(2020, 12, 31)) == []


def test_engagement_score_counts_with_caps_and_leaves_internal_rows_out_for_members(org_a, org_b, staff_user, travel):
    travel(dt.date(2025, 6, 30))
    for day in range(1, 8):  # 7 interactions: 21 points, capped at 15
        services.interaction_log(
            actor=staff_user,
            organisation=org_a,
            kind="call",
            date=dt.date(2025, 5, day),
            summary="Appel",
            is_internal=day == 1,
        )
    services.interaction_log(
        actor=staff_user, organisation=org_a, kind="call", date=dt.date(2024, 6, 30), summary="old"
    )
    collab([org_a, org_b], start=dt.date(2025, 1, 1))
    services.introduction_create(
        actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="x", introduced_on=dt.date(2025, 2, 1)
    )
    scores = selectors.engagement_scores(dt.date(2025, 6, 30))
    score = scores[org_a.pk]
    parts = {p.code: p for p in score.parts}
    assert parts["interactions"].count == 7 and parts["interactions"].points == 15
    assert parts["collaborations"].points == 10 and parts["introductions"].points == 5
    assert score.total == 30
    assert scores[org_b.pk].total == 15
    member_view = selectors.engagement_for(org_a.pk, dt.date(2025, 6, 30), include_internal=False)
    assert {p.code: p.count for p in member_view.parts}["interactions"] == 6


def test_members_at_risk_without_activity_or_with_an_unpaid_fee(org_a, org_b, company_c, staff_user):
    as_of = dt.date(2025, 6, 30)
    services.interaction_log(actor=staff_user, organisation=org_a, kind="visit", date=dt.date(2025, 3, 1), summary="x")
    Membership.objects.filter(organisation=org_a).update(fee_paid_until=dt.date(2024, 12, 31))
    Membership.objects.filter(organisation=org_b).update(fee_paid_until=dt.date(2025, 12, 31))
    risks = {r.organisation: r for r in selectors.members_at_risk(as_of)}
    assert set(risks) == {org_a, org_b}  # company_c is not a member
    assert [str(x) for x in risks[org_a].reasons] == ["cotisation impayée"]
    assert [str(x) for x in risks[org_b].reasons] == ["aucune activité en 12 mois"]
