"""Indicators of events, innovation, partnerships, watch and insights against hand-counted fixtures.

Each fixture builds a small year 2024 (plus records just outside it) on top of the ecosystem of
``conftest.ecosystem_2024``; the expected numbers are counted by hand in the docstrings and the
drill-down (the records behind the number) is checked against the number every time.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from grappe.ecosystem.models import Person
from grappe.objectives.computations import Period, evaluate
from grappe.objectives.computations.base import count

pytestmark = pytest.mark.django_db

Y2024 = Period.of_year(2024)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def check(key: str, period: Period = Y2024):
    """Evaluate ``key``; the drill-down must hold exactly the records the number counts."""
    evaluation = evaluate(key, period)
    assert evaluation.state == "ok", (key, evaluation.state, evaluation.note, evaluation.error)
    assert count(evaluation.records) == evaluation.result.drilldown_target, key
    if evaluation.breakdown:
        assert sum(line.value for line in evaluation.breakdown) == count(evaluation.records), key
    for line in evaluation.breakdown:  # every number of the breakdown has its own drill-down
        assert line.records is not None and len(line.records) == line.value, (key, line.code)
    return evaluation


def pks(evaluation) -> set[int]:
    return {record.pk for record in evaluation.records}


def by_code(evaluation) -> dict[str, Decimal]:
    return {line.code: line.value for line in evaluation.breakdown}


# --- events -------------------------------------------------------------------------------------


@pytest.fixture
def events_2024(ecosystem_2024):
    """Events of 2024, counted by hand (members on each day from the ecosystem fixture).

    | event | kind | status | day | registrations (organisation: status, attendance) |
    | --- | --- | --- | --- | --- |
    | E1 | workshop | published | 10/02/2024 | Alpha confirmed present; Bêta confirmed unknown (joins 1/3);
    |    |          |           |            | Gamma confirmed present (prospect); Delta cancelled |
    | E2 | networking | published | 20/06/2024 | Centre R confirmed present (member until 30/6); Alpha (2nd
    |    |            |           |            | person) confirmed absent; Delta confirmed present; Epsilon waitlisted |
    | E3 | workshop | cancelled | 01/04/2024 | Alpha confirmed |
    | E4 | conference | draft | 01/05/2024 | — |
    | E5 | conference | published | 15/01/2025 | Bêta confirmed |
    | E6 | webinar | published | 05/11/2024 | Epsilon confirmed present (left 30/9); an independent, no organisation |

    Events held 2024: E1, E2, E6 = 3 (one workshop, one networking, one webinar).
    Participants: E1 3 (Alpha, Bêta, Gamma) + E2 2 (Centre R, Delta) + E6 2 = 7.
    Member organisations reached: Alpha (E1), Centre R and Delta (E2) = 3.
    Engagement: members on 31/12/2024 are Alpha, Bêta, Delta, Hôtel; reached among them Alpha, Delta: 2/4 = 50 %.
    Satisfaction: E1 Alpha 5, E1 Gamma 4, E2 Delta 3 (E3 cancelled 1 and E5 2025 1 not counted): 12/3 = 4.00.
    B2B (session on E1; a session on E5 in 2025 is not counted): 3 requests; meetings m1 held with follow-up,
    m2 no-show, m3 scheduled, m4 unplaced, m5 held, m6 cancelled: scheduled 4 (m1, m2, m3, m5), held 2, follow-up 1.
    """
    from grappe.events.models import (
        Event,
        MatchmakingSession,
        Meeting,
        MeetingRequest,
        Participant,
        Registration,
        Slot,
        SurveyResponse,
    )

    orgs = ecosystem_2024
    people = {
        key: Person.objects.create(first_name=key.capitalize(), last_name="Zèbre")
        for key in ("alpha", "alpha2", "beta", "gamma", "delta", "centre", "epsilon", "independent")
    }

    def event(slug, kind, status, day):
        return Event.objects.create(
            slug=slug, title=slug.upper(), kind=kind, status=status, start=at(day), end=at(day, 17)
        )

    e1 = event("e1", "workshop", "published", dt.date(2024, 2, 10))
    e2 = event("e2", "networking", "published", dt.date(2024, 6, 20))
    e3 = event("e3", "workshop", "cancelled", dt.date(2024, 4, 1))
    event("e4", "conference", "draft", dt.date(2024, 5, 1))
    e5 = event("e5", "conference", "published", dt.date(2025, 1, 15))
    e6 = event("e6", "webinar", "published", dt.date(2024, 11, 5))

    def register(ev, person, org, status="confirmed", attendance="unknown", **extra):
        return Registration.objects.create(
            event=ev,
            person=people[person],
            organisation=orgs[org] if org else None,
            email=f"{person}@example.org",
            status=status,
            attendance=attendance,
            consent_given_at=ev.start,
            **extra,
        )

    r_alpha = register(e1, "alpha", "alpha", attendance="attended")
    register(e1, "beta", "beta")
    r_gamma = register(e1, "gamma", "gamma", attendance="attended")
    register(e1, "delta", "delta", status="cancelled")
    register(e2, "centre", "centre", attendance="attended")
    register(e2, "alpha2", "alpha", attendance="no_show")
    r_delta = register(e2, "delta", "delta", attendance="attended")
    register(e2, "epsilon", "epsilon", status="waitlisted", waitlist_position=1)
    r_cancelled_event = register(e3, "alpha", "alpha")
    r_2025 = register(e5, "beta", "beta")
    register(e6, "epsilon", "epsilon", attendance="attended")
    register(e6, "independent", None)
    for registration, score in ((r_alpha, 5), (r_gamma, 4), (r_delta, 3), (r_cancelled_event, 1), (r_2025, 1)):
        SurveyResponse.objects.create(registration=registration, score=score)

    session = MatchmakingSession.objects.create(event=e1, name="B2B matériaux", tables=2)
    s1 = Slot.objects.create(session=session, start=at(dt.date(2024, 2, 10), 14), end=at(dt.date(2024, 2, 10), 15))
    s2 = Slot.objects.create(session=session, start=at(dt.date(2024, 2, 10), 15), end=at(dt.date(2024, 2, 10), 16))
    p = {
        key: Participant.objects.create(session=session, person=people[key], organisation=orgs[key], type="supplier")
        for key in ("alpha", "beta", "gamma", "delta")
    }
    MeetingRequest.objects.create(session=session, requester=p["alpha"], target=p["beta"], status="accepted")
    MeetingRequest.objects.create(session=session, requester=p["gamma"], target=p["alpha"], status="accepted")
    MeetingRequest.objects.create(session=session, requester=p["delta"], target=p["beta"], status="declined")

    def meeting(a, b, status, slot=None, table=None, follow_up=False):
        return Meeting.objects.create(
            session=session,
            participant_a=p[a],
            participant_b=p[b],
            status=status,
            slot=slot,
            table=table,
            follow_up_wanted=follow_up,
        )

    meeting("alpha", "beta", "held", s1, 1, follow_up=True)
    meeting("gamma", "alpha", "no_show", s2, 1)
    meeting("beta", "gamma", "scheduled", s1, 2)
    meeting("alpha", "delta", "to_schedule")
    meeting("delta", "beta", "held", s2, 2)
    meeting("gamma", "delta", "cancelled", s1, 1)

    later = MatchmakingSession.objects.create(event=e5, name="B2B 2025")
    q = [
        Participant.objects.create(session=later, person=people[key], organisation=orgs[key], type="supplier")
        for key in ("alpha", "beta")
    ]
    MeetingRequest.objects.create(session=later, requester=q[0], target=q[1])
    return {"events": {"e1": e1, "e2": e2, "e6": e6}, "orgs": orgs}


def test_events_held_counts_published_events_of_the_year_by_kind(events_2024):
    result = check("events.events_held")
    assert result.value == 3
    assert pks(result) == {e.pk for e in events_2024["events"].values()}
    assert by_code(result) == {"workshop": 1, "networking": 1, "webinar": 1}
    assert check("events.events_held", Period.of_year(2025)).value == 1
    assert check("events.events_held", Period.of_quarter(2024, 2)).value == 1  # E2 only (E3 cancelled, E4 draft)


def test_participants_count_confirmed_registrations_not_marked_absent(events_2024):
    result = check("events.participants")
    assert result.value == 7
    names = sorted(r.organisation.name if r.organisation else "—" for r in result.records)
    assert names == ["Alpha", "Bêta", "Centre R", "Delta", "Epsilon", "Gamma", "—"]


def test_member_organisations_reached_are_members_on_the_day_of_the_event(events_2024):
    result = check("events.member_organisations_reached")
    assert result.value == 3
    assert sorted(o.name for o in result.records) == ["Alpha", "Centre R", "Delta"]


def test_member_engagement_rate_is_members_reached_over_members_at_year_end(events_2024):
    result = check("events.member_engagement_rate")
    assert result.value == Decimal("50.0")
    assert (result.result.numerator, result.result.denominator) == (2, 4)
    assert sorted(o.name for o in result.records) == ["Alpha", "Delta"]


def test_satisfaction_averages_the_scores_of_events_held_in_the_year(events_2024):
    result = check("events.satisfaction")
    assert result.value == Decimal("4.00")
    assert sorted(r.score for r in result.records) == [3, 4, 5]


def test_satisfaction_without_responses_is_no_data(ecosystem_2024):
    assert evaluate("events.satisfaction", Y2024).state == "no_data"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("events.b2b_meetings_requested", 3),
        ("events.b2b_meetings_scheduled", 4),
        ("events.b2b_meetings_held", 2),
        ("events.b2b_followups", 1),
    ],
)
def test_b2b_meetings_of_the_year(events_2024, key, expected):
    assert check(key).value == expected


def test_b2b_of_the_next_year_counts_its_own_session(events_2024):
    assert check("events.b2b_meetings_requested", Period.of_year(2025)).value == 1
    assert check("events.b2b_meetings_held", Period.of_year(2025)).value == 0


@pytest.mark.parametrize(
    "key",
    [
        "events.participants",
        "events.satisfaction",
        "events.b2b_meetings_requested",
        "events.b2b_meetings_scheduled",
        "events.b2b_meetings_held",
    ],
)
def test_event_drilldowns_name_people_to_staff_only(events_2024, key):
    from grappe.objectives.selectors import drilldown

    evaluation = check(key)
    observer = " ".join(f"{line['label']} {line['detail']}" for line in drilldown(evaluation, staff=False))
    staff = " ".join(f"{line['label']} {line['detail']}" for line in drilldown(evaluation, staff=True))
    assert "Zèbre" not in observer
    assert "personne n°" in observer
    assert "Zèbre" in staff
    assert "E1" in observer  # the event is named


@pytest.mark.parametrize(
    "key",
    [
        "events.events_held",
        "events.participants",
        "events.member_organisations_reached",
        "events.satisfaction",
        "events.b2b_meetings_requested",
        "events.b2b_meetings_scheduled",
        "events.b2b_meetings_held",
    ],
)
def test_report_lines_read_in_bulk_are_the_drilldown_lines(events_2024, key):
    """The XLSX evidence sheets read registrations and meetings as values: same lines as the drill-down."""
    from grappe.objectives.selectors import drilldown

    def plain(lines):
        return [(str(line["type"]), str(line["label"]), str(line["detail"])) for line in lines]

    evaluation = check(key)
    cache: dict = {}
    assert plain(drilldown(evaluation, staff=False, cache=cache)) == plain(drilldown(evaluation, staff=False))
    assert plain(drilldown(evaluation, staff=False, cache=cache, limit=2)) == plain(
        drilldown(evaluation, staff=False, limit=2)
    )


def test_report_evidence_sheets_do_not_name_people(events_2024, contract):
    import io

    from openpyxl import load_workbook

    from grappe.objectives.reports.content import build
    from grappe.objectives.reports.render import render

    content = render(build(contract, 2024, snapshot=dt.date(2024, 12, 31)), "xlsx").content
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    cells = " ".join(str(c) for row in workbook["Preuves M2"].iter_rows(values_only=True) for c in row if c)
    assert "personne n°" in cells
    assert "Zèbre" not in cells
    assert "Centre R" in cells  # organisations are public facts


def test_event_figures_reach_the_pdf_and_the_xlsx(events_2024, contract):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from grappe.objectives.reports.content import build
    from grappe.objectives.reports.render import render

    from .conftest import code_of

    data = build(contract, 2024, snapshot=dt.date(2024, 12, 31))
    workbook = load_workbook(io.BytesIO(render(data, "xlsx").content), read_only=True)
    rows: dict = {}
    for row in workbook["Mission 2"].iter_rows(values_only=True):
        if row and row[0]:
            rows.setdefault(row[0], row)  # the indicator table comes before the breakdown lines
    expected = {
        "events.events_held": 3,
        "events.participants": 7,
        "events.member_organisations_reached": 3,
        "events.member_engagement_rate": 50,
        "events.satisfaction": 4,
        "events.b2b_meetings_held": 2,
    }
    for key, value in expected.items():
        assert rows[code_of(contract, key)][4] == value, key
    assert rows[code_of(contract, "events.participants")][9] == 7  # records behind the number
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render(data, "pdf").content)).pages)
    lines = pdf.splitlines()
    participants = code_of(contract, "events.participants")
    assert any(line.startswith(participants) and " 7 " in f"{line} " for line in lines), pdf


# --- innovation ---------------------------------------------------------------------------------


@pytest.fixture
def innovation_2024(ecosystem_2024):
    """Projects and their stage history, counted by hand.

    | project | created | moves (2024 unless said) | funding obtained |
    | --- | --- | --- | --- |
    | P1 | 01/02/2024 | idea → submitted 10/03 → funded 01/06 | 120 000 |
    | P2 | 2023 | submitted 01/11/2023 → abandoned 15/04 | — |
    | P3 | 01/09/2024 | submitted 01/10 (pending) | — |
    | P4 | 2022 | funded 01/02/2023 → valorisation 20/11 | 50 000 |
    | P5 | 05/01/2025 | idea | — |
    | P6 | 2023 | submitted 15/01 → funded 05/05 | 80 000,50 |

    Ideas 2024: P1, P3 = 2. Submitted: P1, P3, P6 = 3. Funded: P1, P6 = 2, raising 200 000,50 €.
    Decided (left "submitted" for funded or abandoned): P1, P2, P6 = 3, success rate 2/3 = 66,7 %.
    Valorised: P4 = 1.
    Support actions 2024: P1 3,5 h (15/02) and 2 h (01/05), P3 1,5 h (20/09), Alpha without project 4 h (01/07);
    P2 6 h on 20/12/2023 and P4 2 h on 10/01/2025 are outside. Hours 11; projects coached P1, P3 = 2.
    """
    from grappe.innovation.models import InnovationProject, StageChange, SupportAction

    orgs = ecosystem_2024
    projects = {}
    history = {
        "P1": (dt.date(2024, 2, 1), "funded", "120000", [("", "idea", 2024, 2, 1), ("idea", "submitted", 2024, 3, 10),
                                                          ("submitted", "funded", 2024, 6, 1)]),
        "P2": (dt.date(2023, 5, 1), "abandoned", None, [("elaboration", "submitted", 2023, 11, 1),
                                                         ("submitted", "abandoned", 2024, 4, 15)]),
        "P3": (dt.date(2024, 9, 1), "submitted", None, [("elaboration", "submitted", 2024, 10, 1)]),
        "P4": (dt.date(2022, 3, 1), "valorisation", "50000", [("submitted", "funded", 2023, 2, 1),
                                                               ("running", "valorisation", 2024, 11, 20)]),
        "P5": (dt.date(2025, 1, 5), "idea", None, [("", "idea", 2025, 1, 5)]),
        "P6": (dt.date(2023, 6, 1), "funded", "80000.50", [("elaboration", "submitted", 2024, 1, 15),
                                                            ("submitted", "funded", 2024, 5, 5)]),
    }  # fmt: skip
    for code, (created, stage, funding, moves) in history.items():
        last = moves[-1]
        project = InnovationProject.objects.create(
            title=f"Projet {code}",
            lead_organisation=orgs["alpha"],
            stage=stage,
            stage_entered_at=at(dt.date(*last[2:])),
            budget=Decimal("250000") if funding else None,
            funding_obtained=Decimal(funding) if funding else None,
        )
        InnovationProject.objects.filter(pk=project.pk).update(created_at=at(created))
        for from_stage, to_stage, *day in moves:
            StageChange.objects.create(project=project, from_stage=from_stage, to_stage=to_stage, at=at(dt.date(*day)))
        projects[code] = project
    for project, organisation, day, hours in (
        ("P1", None, dt.date(2024, 2, 15), "3.5"),
        ("P1", None, dt.date(2024, 5, 1), "2"),
        ("P3", None, dt.date(2024, 9, 20), "1.5"),
        (None, "alpha", dt.date(2024, 7, 1), "4"),
        ("P2", None, dt.date(2023, 12, 20), "6"),
        ("P4", None, dt.date(2025, 1, 10), "2"),
    ):
        SupportAction.objects.create(
            kind="coaching",
            date=day,
            hours=Decimal(hours),
            project=projects[project] if project else None,
            organisation=orgs[organisation] if organisation else None,
        )
    return projects


def titles(evaluation) -> list[str]:
    return sorted(record.title for record in evaluation.records)


def test_ideas_are_projects_created_in_the_year(innovation_2024):
    assert titles(check("innovation.ideas")) == ["Projet P1", "Projet P3"]
    assert titles(check("innovation.ideas", Period.of_year(2025))) == ["Projet P5"]


def test_projects_submitted_and_funded_in_the_year(innovation_2024):
    assert titles(check("innovation.projects_submitted")) == ["Projet P1", "Projet P3", "Projet P6"]
    assert titles(check("innovation.projects_funded")) == ["Projet P1", "Projet P6"]
    assert titles(check("innovation.projects_funded", Period.of_year(2023))) == ["Projet P4"]


def test_funding_raised_sums_the_grants_of_projects_funded_in_the_year(innovation_2024):
    result = check("innovation.funding_raised")
    assert result.value == Decimal("200000.50")
    assert titles(result) == ["Projet P1", "Projet P6"]


def test_success_rate_is_funded_over_decided(innovation_2024):
    result = check("innovation.success_rate")
    assert result.value == Decimal("66.7")
    assert (result.result.numerator, result.result.denominator) == (2, 3)
    assert titles(result) == ["Projet P1", "Projet P6"]


def test_success_rate_without_decisions_is_no_data(innovation_2024):
    result = evaluate("innovation.success_rate", Period.of_year(2026))
    assert result.state == "no_data"
    assert result.note


def test_products_valorised_in_the_year(innovation_2024):
    assert titles(check("innovation.products_valorised")) == ["Projet P4"]


def test_support_hours_sum_the_actions_of_the_year(innovation_2024):
    result = check("innovation.support_hours")
    assert result.value == Decimal("11.0")
    assert count(result.records) == 4


def test_projects_coached_have_a_support_action_in_the_year_by_stage(innovation_2024):
    result = check("innovation.projects_coached")
    assert titles(result) == ["Projet P1", "Projet P3"]
    assert by_code(result) == {"funded": 1, "submitted": 1}


def test_confidential_projects_are_numbers_only_outside_the_team(innovation_2024):
    from grappe.innovation.models import InnovationProject
    from grappe.objectives.selectors import drilldown

    InnovationProject.objects.filter(pk=innovation_2024["P6"].pk).update(confidentiality="staff")
    evaluation = check("innovation.projects_funded")
    observer = [line["label"] for line in drilldown(evaluation, staff=False)]
    assert observer == ["Projet P1", f"projet confidentiel n° {innovation_2024['P6'].pk}"]
    assert [line["label"] for line in drilldown(evaluation, staff=True)] == ["Projet P1", "Projet P6"]


# --- partnerships -------------------------------------------------------------------------------


@pytest.fixture
def partnerships_2024(ecosystem_2024):
    """Collaborations and introductions, counted by hand.

    | collaboration | kind | status | start → end | partners | abroad |
    | --- | --- | --- | --- | --- | --- |
    | C1 | R&D | active | 01/03/2024 | Alpha, Centre R (research) | |
    | C2 | commercial | completed | 10/05/2024 → 01/10/2024 | Alpha, Bêta | |
    | C3 | commercial | explored | 01/06/2024 | Alpha, Delta | |
    | C4 | joint action | active | 01/09/2023 | Delta, Cluster voisin (cluster) | |
    | C5 | international | active | 01/09/2024 | Bêta, Epsilon (start-up) | FR |
    | C6 | framework | completed | 01/01/2022 → 30/06/2023 | Alpha, Delta | DE |
    | C7 | R&D | dropped | 01/02/2024 | Alpha, Foxtrot (university) | |
    | C8 | framework | active | 15/11/2024 | Bêta, Hôtel (association) | |

    Started in 2024 (active or completed): C1, C2, C5, C8. Public: C1. Private (companies only): C2, C5.
    Running in 2024 with a cluster: C4. Running in 2024 abroad or international: C5 (C6 ended in 2023).
    Introductions 2024: 10/01 meeting held, 02/04 collaboration started, 05/06 nothing, 08/08 unknown = 4,
    2 with a result; 28/12/2023 and 03/01/2025 are outside.
    """
    from grappe.ecosystem import services as eco
    from grappe.partnerships.models import Collaboration, Introduction, Partner

    orgs = dict(ecosystem_2024)
    orgs["cluster"] = eco.organisation_create(actor=None, name="Cluster voisin", kind="cluster")
    collaborations = {}
    for code, kind, status, start, end, partners, abroad in (
        ("C1", "rd_project", "active", dt.date(2024, 3, 1), None, ("alpha", "centre"), ""),
        ("C2", "commercial", "completed", dt.date(2024, 5, 10), dt.date(2024, 10, 1), ("alpha", "beta"), ""),
        ("C3", "commercial", "explored", dt.date(2024, 6, 1), None, ("alpha", "delta"), ""),
        ("C4", "joint_action", "active", dt.date(2023, 9, 1), None, ("delta", "cluster"), ""),
        ("C5", "international", "active", dt.date(2024, 9, 1), None, ("beta", "epsilon"), "FR"),
        ("C6", "framework", "completed", dt.date(2022, 1, 1), dt.date(2023, 6, 30), ("alpha", "delta"), "DE"),
        ("C7", "rd_project", "dropped", dt.date(2024, 2, 1), None, ("alpha", "foxtrot"), ""),
        ("C8", "framework", "active", dt.date(2024, 11, 15), None, ("beta", "hotel"), ""),
    ):
        collaboration = Collaboration.objects.create(
            kind=kind, title=code, status=status, start_date=start, end_date=end, foreign_countries=abroad
        )
        for key in partners:
            Partner.objects.create(collaboration=collaboration, organisation=orgs[key])
        collaborations[code] = collaboration
    for day, outcome in (
        (dt.date(2024, 1, 10), "meeting_held"),
        (dt.date(2024, 4, 2), "collaboration_started"),
        (dt.date(2024, 6, 5), "nothing"),
        (dt.date(2024, 8, 8), "unknown"),
        (dt.date(2023, 12, 28), "meeting_held"),
        (dt.date(2025, 1, 3), "meeting_held"),
    ):
        Introduction.objects.create(
            organisation_a=orgs["alpha"],
            organisation_b=orgs["beta"],
            reason="Complémentarité",
            introduced_on=day,
            outcome=outcome,
        )
    return collaborations


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("partnerships.collaborations_public", ["C1"]),
        ("partnerships.collaborations_private", ["C2", "C5"]),
        ("partnerships.intercluster_cooperations", ["C4"]),
        ("partnerships.international_cooperations", ["C5"]),
    ],
)
def test_collaborations_of_the_year(partnerships_2024, key, expected):
    result = check(key)
    assert titles(result) == expected
    assert result.value == len(expected)


def test_introductions_of_the_year_by_outcome(partnerships_2024):
    result = check("partnerships.introductions")
    assert result.value == 4
    assert by_code(result) == {"meeting_held": 1, "collaboration_started": 1, "nothing": 1, "unknown": 1}


def test_introductions_with_a_result(partnerships_2024):
    result = check("partnerships.introductions_with_outcome")
    assert result.value == 2
    assert by_code(result) == {"meeting_held": 1, "collaboration_started": 1}


def test_internal_collaborations_are_numbers_only_outside_the_team(partnerships_2024):
    from grappe.objectives.selectors import drilldown

    c5 = partnerships_2024["C5"]
    c5.is_internal = True
    c5.save()
    evaluation = check("partnerships.international_cooperations")
    assert [line["label"] for line in drilldown(evaluation, staff=False)] == [f"collaboration interne n° {c5.pk}"]
    assert [line["label"] for line in drilldown(evaluation, staff=True)] == ["C5"]


# --- watch --------------------------------------------------------------------------------------


@pytest.fixture
def watch_2024(db):
    """Digests and curated items, counted by hand.

    Digests sent in 2024: Anne 15/01 and 15/07, Bruno 15/07 = 3 bulletins, 2 recipients; a failed send to
    Chloé on 15/07 and Anne's 15/01/2025 digest do not count.
    Items: kept 03/03 (article), kept 04/04 (event), kept 05/05 (article); discarded 06/06; new (not triaged);
    kept on 02/01/2025 = 3 curated in 2024 (2 articles, 1 event).
    """
    from grappe.watch.models import Digest, Item, Source

    anne, bruno, chloe = (
        Person.objects.create(first_name=name, last_name="Lecteur") for name in ("Anne", "Bruno", "Chloé")
    )
    for person, day, status in (
        (anne, dt.date(2024, 1, 15), "sent"),
        (anne, dt.date(2024, 7, 15), "sent"),
        (bruno, dt.date(2024, 7, 15), "sent"),
        (chloe, dt.date(2024, 7, 15), "failed"),
        (anne, dt.date(2025, 1, 15), "sent"),
    ):
        Digest.objects.create(
            person=person,
            email=f"{person.first_name.lower()}@example.org",
            language="fr",
            period_start=at(day - dt.timedelta(days=7)),
            period_end=at(day),
            subject="Veille",
            html="<p>Veille</p>",
            text="Veille",
            status=status,
            sent_at=at(day) if status == "sent" else None,
        )
    source = Source.objects.create(url="https://example.org/feed.xml", title="Flux test", polling_enabled=False)
    for n, (status, day, kind) in enumerate(
        (
            ("kept", dt.date(2024, 3, 3), "entry"),
            ("kept", dt.date(2024, 4, 4), "event"),
            ("kept", dt.date(2024, 5, 5), "entry"),
            ("discarded", dt.date(2024, 6, 6), "entry"),
            ("new", None, "entry"),
            ("kept", dt.date(2025, 1, 2), "entry"),
        )
    ):
        Item.objects.create(
            source=source,
            kind=kind,
            dedup_key=f"key-{n}",
            title=f"Information {n}",
            published_at=at(dt.date(2024, 1, 1)),
            fetched_at=at(dt.date(2024, 1, 1)),
            status=status,
            triaged_at=at(day) if day else None,
        )
    return {"anne": anne, "bruno": bruno}


def test_bulletins_sent_in_the_year(watch_2024):
    assert check("watch.bulletins_sent").value == 3
    assert check("watch.bulletins_sent", Period.of_year(2025)).value == 1


def test_digest_recipients_are_distinct_people(watch_2024):
    result = check("watch.digest_recipients")
    assert pks(result) == {watch_2024["anne"].pk, watch_2024["bruno"].pk}


def test_items_curated_in_the_year_by_kind(watch_2024):
    result = check("watch.items_curated")
    assert result.value == 3
    assert by_code(result) == {"entry": 2, "event": 1}


# --- showcase (promotion log) --------------------------------------------------------------------


@pytest.fixture
def showcase_2024(ecosystem_2024):
    """The promotion log of 2024, counted by hand.

    | action | kind | date | country | language | reach | organisations featured |
    | --- | --- | --- | --- | --- | --- | --- |
    | A1 | press release | 15/01/2024 | BE | fr | 1 200 | Alpha |
    | A2 | media coverage | 20/01/2024 | BE | fr | 30 000 | Alpha, Bêta |
    | A3 | media coverage | 02/03/2024 | BE | nl | — | — |
    | A4 | trade fair | 10/04/2024 → 13/04 | FR | fr | 500 | Delta, Alpha |
    | A5 | mission | 05/06/2024 | DE | de | 40 | Bêta |
    | A6 | trade fair | 12/09/2024 | BE | fr | 800 | Hôtel |
    | A7 | media coverage | 05/01/2025 | BE | en | 9 000 | Foxtrot |

    2024: 6 actions (press release 1, media coverage 2, trade fair 2, mission 1); media coverage 2 (fr 1,
    nl 1); fairs and missions abroad: A4 France, A5 Germany = 2 (A6 is in Belgium); reach 1 200 + 30 000
    + 500 + 40 + 800 = 32 540 over 5 actions (A3 unknown); organisations featured: Alpha, Bêta, Delta, Hôtel = 4.
    """
    models = pytest.importorskip("grappe.showcase.models")
    if not hasattr(models, "CommunicationAction"):
        pytest.skip("showcase has no promotion log yet")
    orgs = ecosystem_2024
    actions = {}
    for code, kind, day, end, country, language, reach, featured in (
        ("A1", "press_release", dt.date(2024, 1, 15), None, "BE", "fr", 1200, ["alpha"]),
        ("A2", "media_coverage", dt.date(2024, 1, 20), None, "BE", "fr", 30000, ["alpha", "beta"]),
        ("A3", "media_coverage", dt.date(2024, 3, 2), None, "BE", "nl", None, []),
        ("A4", "trade_fair", dt.date(2024, 4, 10), dt.date(2024, 4, 13), "FR", "fr", 500, ["delta", "alpha"]),
        ("A5", "mission", dt.date(2024, 6, 5), None, "DE", "de", 40, ["beta"]),
        ("A6", "trade_fair", dt.date(2024, 9, 12), None, "BE", "fr", 800, ["hotel"]),
        ("A7", "media_coverage", dt.date(2025, 1, 5), None, "BE", "en", 9000, ["foxtrot"]),
    ):
        action = models.CommunicationAction.objects.create(
            kind=kind,
            title=code,
            date=day,
            end_date=end,
            country=country,
            language=language,
            reach=reach,
            notes="Budget stand 12 000 € (interne)",
        )
        action.organisations.set([orgs[key] for key in featured])
        actions[code] = action
    return actions


def test_communication_actions_of_the_year_by_kind(showcase_2024):
    result = check("showcase.communication_actions")
    assert titles(result) == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert by_code(result) == {"press_release": 1, "media_coverage": 2, "trade_fair": 2, "mission": 1}


def test_media_coverage_of_the_year_by_language(showcase_2024):
    result = check("showcase.media_coverage")
    assert titles(result) == ["A2", "A3"]
    assert by_code(result) == {"fr": 1, "nl": 1}
    assert check("showcase.media_coverage", Period.of_year(2025)).value == 1


def test_trade_fairs_and_missions_abroad_by_country(showcase_2024):
    result = check("showcase.trade_fairs_and_missions")
    assert titles(result) == ["A4", "A5"]
    assert {line.code for line in result.breakdown} == {"FR", "DE"}
    assert "France" in {str(line.label) for line in result.breakdown}  # the country's name, not its code


def test_promotion_reach_sums_the_known_reach(showcase_2024):
    result = check("showcase.promotion_reach")
    assert result.value == 32540
    assert titles(result) == ["A1", "A2", "A4", "A5", "A6"]


def test_organisations_featured_are_distinct(showcase_2024):
    result = check("showcase.organisations_featured")
    assert sorted(o.name for o in result.records) == ["Alpha", "Bêta", "Delta", "Hôtel"]


def test_promotion_drilldown_shows_no_internal_notes(showcase_2024):
    from grappe.objectives.selectors import drilldown

    lines = drilldown(check("showcase.trade_fairs_and_missions"), staff=False)
    text = " ".join(f"{line['label']} {line['detail']}" for line in lines)
    assert "A4" in text
    assert "12 000" not in text


def test_stories_published_in_the_year(db):
    """Stories: published 10/03 and 20/11/2024 count; a 2024 draft, a 2024 news item and a 2025 story do not."""
    models = pytest.importorskip("grappe.showcase.models")
    if not hasattr(models, "Post"):
        pytest.skip("showcase has no stories yet")
    for slug, kind, status, day in (
        ("recit-briques", "story", "published", dt.date(2024, 3, 10)),
        ("recit-isolation", "story", "published", dt.date(2024, 11, 20)),
        ("recit-brouillon", "story", "draft", dt.date(2024, 5, 1)),
        ("actualite-salon", "news", "published", dt.date(2024, 6, 1)),
        ("recit-2025", "story", "published", dt.date(2025, 2, 2)),
    ):
        models.Post.objects.create(slug=slug, kind=kind, status=status, published_at=at(day), title_fr=slug)
    result = check("showcase.stories")
    assert sorted(post.slug for post in result.records) == ["recit-briques", "recit-isolation"]
    assert check("showcase.stories", Period.of_year(2025)).value == 1


# --- insights -----------------------------------------------------------------------------------


def test_insights_indicators_read_the_hand_built_perimeter():
    """Ten register enterprises in the perimeter, three of them members (see tests/insights/factories)."""
    from tests.insights.factories import small_universe

    data = small_universe()
    period = Period.of_year(2025, snapshot=dt.date(2025, 6, 30))
    coverage = check("insights.perimeter_coverage", period)
    assert coverage.value == Decimal("30.0")
    assert pks(coverage) == {data["members"][k].pk for k in (1, 2, 7)}
    index = check("insights.representativeness_index", period)
    # Segments: members 2/3 and 1/3, register 6/10 and 4/10; index = 100 × (1 − dissimilarity).
    expected = 100 * (1 - 0.5 * (abs(2 / 3 - 6 / 10) + abs(1 / 3 - 4 / 10)))
    assert index.value == Decimal(str(round(expected, 1)))


def test_insights_indicators_on_an_empty_perimeter_are_no_data(db):
    assert evaluate("insights.perimeter_coverage", Y2024).state == "no_data"
    assert evaluate("insights.representativeness_index", Y2024).state == "no_data"


def test_every_catalogue_indicator_of_a_built_app_has_a_hand_counted_test():
    """The catalogue keys tested in this module and in test_computations cover every computation."""
    import pathlib
    import re

    from grappe.objectives.computations import registry

    here = pathlib.Path(__file__).parent
    text = (here / "test_computations.py").read_text() + (here / "test_app_indicators.py").read_text()
    tested = set(re.findall(r'"([a-z]+\.[a-z_0-9]+)"', text))
    untested = {key for key in registry() if key not in tested}
    assert not untested, f"computations without a hand-counted test: {sorted(untested)}"


# --- highlights of the annual report --------------------------------------------------------------


def test_report_highlights_leave_out_confidential_projects_and_internal_collaborations(
    innovation_2024, partnerships_2024, contract
):
    """Funded in 2024: P1 and P6 (P6 staff-only). Public collaboration C1 (made internal), private C2 and C5."""
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from grappe.innovation.models import InnovationProject
    from grappe.objectives.reports.content import build
    from grappe.objectives.reports.render import render

    InnovationProject.objects.filter(pk=innovation_2024["P6"].pk).update(confidentiality="staff")
    partnerships_2024["C1"].is_internal = True
    partnerships_2024["C1"].save()
    data = build(contract, 2024, snapshot=dt.date(2024, 12, 31))
    lines = {highlight.title: highlight.lines for highlight in data.highlights}
    assert [line.split(" — ")[0] for line in lines["Projets financés"]] == ["Projet P1"]
    assert "Collaborations avec des acteurs publics" not in lines  # its only one, C1, is internal
    assert [line.split(" — ")[0] for line in lines["Collaborations entre entreprises"]] == ["C2", "C5"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render(data, "pdf").content)).pages)
    assert "Projet P1" in text and "Projet P6" not in text
    sheet = load_workbook(io.BytesIO(render(data, "xlsx").content))["Faits marquants"]
    cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value]
    assert any(cell.startswith("Projet P1") for cell in cells)
    assert not any("P6" in cell or cell.startswith("C1") for cell in cells)


def test_a_failing_highlight_is_left_out_and_the_report_is_produced(ecosystem_2024, contract, monkeypatch):
    from grappe.objectives.reports import content

    def explodes(start, end):
        raise RuntimeError("boom")

    monkeypatch.setattr(content, "HIGHLIGHTS", [explodes])
    data = content.build(contract, 2024, snapshot=dt.date(2024, 12, 31))
    assert data.highlights == []
    assert data.row("ecosystem.members_at_year_end").value == 4


def test_figures_of_every_mission_app_reach_the_pdf_and_the_xlsx(
    innovation_2024, partnerships_2024, watch_2024, showcase_2024, contract
):
    """The hand counts of the fixtures above, read back from the files the Region receives."""
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from grappe.objectives.reports.content import build, number
    from grappe.objectives.reports.render import render

    from .conftest import code_of

    expected = {
        "watch.bulletins_sent": 3,
        "watch.digest_recipients": 2,
        "watch.items_curated": 3,
        "partnerships.collaborations_public": 1,
        "partnerships.collaborations_private": 2,
        "partnerships.introductions": 4,
        "partnerships.introductions_with_outcome": 2,
        "showcase.communication_actions": 6,
        "showcase.media_coverage": 2,
        "showcase.trade_fairs_and_missions": 2,
        "innovation.ideas": 2,
        "innovation.projects_submitted": 3,
        "innovation.projects_funded": 2,
        "innovation.funding_raised": 200000.5,
        "innovation.success_rate": 66.7,
        "innovation.products_valorised": 1,
        "innovation.support_hours": 11,
    }
    data = build(contract, 2024, snapshot=dt.date(2024, 12, 31))
    workbook = load_workbook(io.BytesIO(render(data, "xlsx").content), read_only=True)
    rows: dict = {}
    for sheet in ("Mission 1", "Mission 2", "Mission 3", "Mission 4"):
        for row in workbook[sheet].iter_rows(values_only=True):
            if row and row[0]:
                rows.setdefault(row[0], row)  # the indicator table comes before the breakdown lines
    for key, value in expected.items():
        assert rows[code_of(contract, key)][4] == value, key
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render(data, "pdf").content)).pages)
    for key, value in expected.items():
        code = code_of(contract, key)
        shown = number(data.row(key).value)  # 200 000,5 and 66,7 in French
        assert str(value).replace(".", ",") == shown.replace(" ", "")
        assert any(line.startswith(code) and f" {shown} " in f" {line} " for line in pdf.splitlines()), (key, shown)
