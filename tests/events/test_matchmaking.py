import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grappe.events import matchmaking, matchmaking_adapter, recommendations, selectors
from grappe.events.models import Meeting, MeetingRequest, Participant
from tests.events.conftest import make_person

SCHEDULER = (Path(__file__).parents[2] / "src/grappe/events/scheduling/__init__.py").exists()


def join(session, n, type="supplier", **profile):
    return matchmaking.participant_join(actor=None, session=session, person=make_person(n), type=type, **profile)


def accepted(a, b, weight=1):
    request = matchmaking.request_create(actor=None, requester=a, target=b, weight=weight)
    return matchmaking.request_decide(actor=None, request=request, accept=True)


def test_slots_are_cut_from_blocks_with_the_lunch_as_a_break(session):
    slots = list(session.slots.order_by("start"))
    assert [s.is_break for s in slots] == [False] * 4 + [True] + [False] * 2
    assert all((s.end - s.start) == dt.timedelta(minutes=30) for s in slots if not s.is_break)


def test_availability_follows_arrival_and_departure(session, in_ten_days):
    from tests.events.conftest import aware

    p = join(session, 1, arrival=aware(in_ten_days, 10), departure=aware(in_ten_days, 13, 30))
    starts = sorted(timezone.localtime(s.start).strftime("%H:%M") for s in p.available_slots.all())
    assert starts == ["10:00", "10:30", "13:00"]


def test_rules_forbid_pairs_of_types_not_listed(session):
    session.allowed_pairs = [["supplier", "buyer"]]
    session.save()
    a, b, c = join(session, 1, "supplier"), join(session, 2, "buyer"), join(session, 3, "supplier")
    matchmaking.request_create(actor=None, requester=a, target=b)
    with pytest.raises(ValidationError, match="règles"):
        matchmaking.request_create(actor=None, requester=a, target=c)


def test_requests_are_capped_and_not_duplicated(session):
    session.max_requests = 1
    session.save()
    a, b, c = join(session, 1), join(session, 2), join(session, 3)
    matchmaking.request_create(actor=None, requester=a, target=b)
    with pytest.raises(ValidationError, match="maximum"):
        matchmaking.request_create(actor=None, requester=a, target=c)
    with pytest.raises(ValidationError, match="existe déjà"):
        matchmaking.request_create(actor=None, requester=b, target=a)


def test_requests_after_the_deadline_are_refused(session):
    session.request_deadline = timezone.now() - dt.timedelta(hours=1)
    session.save()
    a, b = join(session, 1), join(session, 2)
    with pytest.raises(ValidationError, match="date limite"):
        matchmaking.request_create(actor=None, requester=a, target=b)


def test_declined_request_creates_no_meeting(session):
    a, b = join(session, 1), join(session, 2)
    request = matchmaking.request_create(actor=None, requester=a, target=b)
    assert matchmaking.request_decide(actor=None, request=request, accept=False) is None
    assert not Meeting.objects.exists()
    with pytest.raises(ValidationError):
        matchmaking.request_decide(actor=None, request=request, accept=True)


def test_moving_a_meeting_by_hand_names_every_conflict(session):
    a, b, c, d = (join(session, n) for n in range(1, 5))
    slot = session.slots.filter(is_break=False).first()
    first = accepted(a, b)
    matchmaking.meeting_move(actor=None, meeting=first, slot=slot, table=1)
    second = accepted(a, c)
    with pytest.raises(ValidationError) as exc:
        matchmaking.meeting_move(actor=None, meeting=second, slot=slot, table=1)
    text = " ".join(exc.value.messages)
    assert "table 1 est déjà occupée" in text and "Prénom1 Nom1 a déjà un rendez-vous" in text
    third = accepted(c, d)
    with pytest.raises(ValidationError, match="entre 1 et 2"):
        matchmaking.meeting_move(actor=None, meeting=third, slot=slot, table=3)
    lunch = session.slots.get(is_break=True)
    with pytest.raises(ValidationError, match="pause"):
        matchmaking.meeting_move(actor=None, meeting=third, slot=lunch, table=1)
    moved = matchmaking.meeting_move(actor=None, meeting=third, slot=slot, table=2)
    assert moved.locked and moved.status == Meeting.Status.SCHEDULED


def test_caps_on_meetings_are_checked_when_placing_by_hand(session):
    a, b, c = join(session, 1, max_meetings=1), join(session, 2), join(session, 3)
    slots = list(session.slots.filter(is_break=False))
    matchmaking.meeting_move(actor=None, meeting=accepted(a, b), slot=slots[0], table=1)
    with pytest.raises(ValidationError, match="maximum de 1"):
        matchmaking.meeting_move(actor=None, meeting=accepted(a, c), slot=slots[1], table=1)


def fake_solve(instance, *, time_limit):
    """Place meetings greedily in slot order; a stand-in used only to test the adapter's plumbing."""
    busy, used, out = set(), set(), []
    available = {p["id"]: set(p["available"]) for p in instance["participants"]}
    for m in instance["meetings"]:
        if m["locked"]:
            s, t = m["locked"]["slot"], m["locked"]["table"]
            out.append({"meeting": m["id"], "slot": s, "table": t})
            busy |= {(s, p) for p in m["participants"]}
            used.add((s, t))
    for m in instance["meetings"]:
        if m["locked"]:
            continue
        for slot in instance["slots"]:
            s = slot["id"]
            table = next((t for t in range(1, instance["tables"] + 1) if (s, t) not in used), None)
            if table and all((s, p) not in busy and s in available[p] for p in m["participants"]):
                out.append({"meeting": m["id"], "slot": s, "table": table})
                busy |= {(s, p) for p in m["participants"]}
                used.add((s, table))
                break
    placed = {a["meeting"] for a in out}
    return {
        "status": "feasible",
        "assignments": out,
        "unscheduled": [m["id"] for m in instance["meetings"] if m["id"] not in placed],
        "scheduled": len(out),
        "weighted_scheduled": len(out),
        "upper_bound": len(instance["meetings"]),
        "idle_gaps": 0,
        "seconds": 0.0,
    }


def test_adapter_builds_the_issue_6_instance_format(session):
    a, b, c = join(session, 1), join(session, 2, max_meetings=2), join(session, 3)
    m1, m2 = accepted(a, b, weight=3), accepted(b, c)
    slot = session.slots.filter(is_break=False).first()
    matchmaking.meeting_move(actor=None, meeting=m1, slot=slot, table=2)
    instance = matchmaking_adapter.build_instance(session)
    assert set(instance) == {"slots", "tables", "participants", "meetings"}
    assert instance["tables"] == 2 and len(instance["slots"]) == 6  # the lunch break is not a slot
    assert {p["id"]: p["max_meetings"] for p in instance["participants"]} == {a.pk: None, b.pk: 2, c.pk: None}
    meetings = {m["id"]: m for m in instance["meetings"]}
    assert meetings[m1.pk] == {
        "id": m1.pk,
        "participants": [a.pk, b.pk],
        "weight": 3,
        "locked": {"slot": slot.pk, "table": 2},
    }
    assert meetings[m2.pk]["locked"] is None


def test_adapter_round_trip_stores_assignments_and_keeps_locks(session):
    people = [join(session, n) for n in range(1, 5)]
    meetings = [accepted(people[0], people[1]), accepted(people[0], people[2]), accepted(people[2], people[3])]
    last = session.slots.filter(is_break=False).order_by("-start").first()
    matchmaking.meeting_move(actor=None, meeting=meetings[0], slot=last, table=2)
    summary = matchmaking.schedule_run(actor=None, session=session, solve=fake_solve)
    assert summary["scheduled"] == 3 and "error" not in summary
    for m in meetings:
        m.refresh_from_db()
        assert m.status == Meeting.Status.SCHEDULED and m.slot_id and m.table
    assert (meetings[0].slot_id, meetings[0].table) == (last.pk, 2)
    session.refresh_from_db()
    assert session.status == "scheduled" and session.last_run["scheduled"] == 3


def test_adapter_rejects_a_result_with_a_double_booking_and_changes_nothing(session):
    a, b, c = join(session, 1), join(session, 2), join(session, 3)
    m1, m2 = accepted(a, b), accepted(a, c)
    slot = session.slots.filter(is_break=False).first().pk

    def broken(instance, *, time_limit):
        return {
            "status": "feasible",
            "assignments": [{"meeting": m1.pk, "slot": slot, "table": 1}, {"meeting": m2.pk, "slot": slot, "table": 2}],
        }

    with pytest.raises(ValidationError, match="double réservation"):
        matchmaking.schedule_run(actor=None, session=session, solve=broken)
    assert not Meeting.objects.filter(slot__isnull=False).exists()


def test_scheduler_errors_are_reported_not_raised(session):
    a, b = join(session, 1), join(session, 2)
    accepted(a, b)

    def refuses(instance, *, time_limit):
        raise ValueError("Réunion 7 inconnue")

    summary = matchmaking.schedule_run(actor=None, session=session, solve=refuses)
    assert summary["error"] == "Réunion 7 inconnue"
    session.refresh_from_db()
    assert session.last_run["error"] and session.status == "open"


def real_solve(instance, *, time_limit):
    from grappe.events.scheduling import solve

    return solve(instance, time_limit=time_limit)


SOLVERS = [fake_solve, pytest.param(real_solve, marks=pytest.mark.skipif(not SCHEDULER, reason="no scheduler"))]


@pytest.mark.parametrize("solve", SOLVERS)
def test_no_show_cancels_their_meetings_and_replan_keeps_placed_meetings(
    session, django_capture_on_commit_callbacks, solve
):
    people = [join(session, n) for n in range(1, 6)]
    m_ab, m_ac, m_de = accepted(people[0], people[1]), accepted(people[0], people[2]), accepted(people[3], people[4])
    matchmaking.schedule_run(actor=None, session=session, solve=solve)
    for m in (m_ab, m_ac, m_de):
        m.refresh_from_db()
    kept = (m_de.slot_id, m_de.table)
    late = accepted(people[2], people[3])  # a late request between two people still there
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        matchmaking.participant_no_show(actor=None, participant=people[1])
    assert len(callbacks) == 1  # the re-plan is enqueued after commit
    m_ab.refresh_from_db()
    assert m_ab.status == Meeting.Status.CANCELLED
    instance = matchmaking_adapter.build_instance(session, replan=True)
    assert all(m["locked"] for m in instance["meetings"] if m["id"] != late.pk)
    assert m_ab.pk not in {m["id"] for m in instance["meetings"]}
    matchmaking.schedule_run(actor=None, session=session, solve=solve, replan=True)
    m_de.refresh_from_db()
    late.refresh_from_db()
    assert (m_de.slot_id, m_de.table) == kept and late.slot_id is not None


@pytest.mark.skipif(not SCHEDULER, reason="the scheduler module has not landed")
def test_the_real_scheduler_places_every_meeting_of_a_small_session(session):
    people = [join(session, n) for n in range(1, 7)]
    pairs = [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (0, 3)]
    meetings = [accepted(people[i], people[j]) for i, j in pairs]
    summary = matchmaking.schedule_run(actor=None, session=session, time_limit=5)
    assert summary["scheduled"] == len(meetings) == summary["upper_bound"]
    grid = selectors.schedule_grid(session)
    assert not grid["unplaced"]
    slots_of = {}
    for m in Meeting.objects.filter(session=session):
        for p in (m.participant_a_id, m.participant_b_id):
            assert (m.slot_id) not in slots_of.setdefault(p, set())
            slots_of[p].add(m.slot_id)


def test_recommendations_rank_complementary_profiles_first_with_a_reason(session):
    me = join(
        session,
        1,
        "buyer",
        offers="Rénovation de logements sociaux",
        requests="Fournisseur de béton recyclé et de granulats de réemploi pour nos chantiers",
    )
    concrete = join(
        session,
        2,
        "supplier",
        offers="Béton recyclé, granulats de réemploi certifiés",
        requests="Chantiers de rénovation",
    )
    windows = join(session, 3, "supplier", offers="Châssis de fenêtres en bois", requests="Architectes")
    join(session, 4, "supplier", offers="Logiciels comptables", requests="Clients PME")
    seeker = join(session, 5, "supplier", offers="Transport", requests="Rénovation de logements sociaux")
    ranked = recommendations.recommend(me)
    names = [r.participant.pk for r in ranked]
    assert names[0] == concrete.pk
    assert "béton recyclé" in ranked[0].reason or "granulats" in ranked[0].reason
    assert ranked[0].reason.startswith("Propose")
    assert seeker.pk in names and names.index(seeker.pk) < (names.index(windows.pk) if windows.pk in names else 99)
    reason = next(r.reason for r in ranked if r.participant.pk == seeker.pk)
    assert reason.startswith("Cherche") and "rénovation de logements" in reason


def test_recommendations_skip_people_already_asked_absent_or_forbidden(session):
    session.allowed_pairs = [["supplier", "buyer"]]
    session.save()
    me = join(session, 1, "buyer", requests="béton")
    asked = join(session, 2, "supplier", offers="béton")
    absent = join(session, 3, "supplier", offers="béton")
    absent.no_show = True
    absent.save()
    other_buyer = join(session, 4, "buyer", offers="béton")
    fresh = join(session, 5, "supplier", offers="béton")
    matchmaking.request_create(actor=None, requester=me, target=asked)
    assert [r.participant.pk for r in recommendations.recommend(me)] == [fresh.pk]
    assert other_buyer.pk


def test_taxonomy_overlap_gives_a_competence_reason(session):
    from grappe.ecosystem.models import Competence

    bim = Competence.objects.create(name="BIM", slug="bim")
    me, other = join(session, 1), join(session, 2)
    me.competences.add(bim)
    other.competences.add(bim)
    (rec,) = recommendations.recommend(me)
    assert rec.participant == other and "BIM" in rec.reason


def test_outcomes_feed_the_objectives_selectors(session):
    a, b = join(session, 1), join(session, 2)
    meeting = accepted(a, b)
    slot = session.slots.filter(is_break=False).first()
    meeting = matchmaking.meeting_move(actor=None, meeting=meeting, slot=slot, table=1)
    with pytest.raises(ValidationError, match="pas encore eu lieu"):
        matchmaking.meeting_record_outcome(actor=None, meeting=meeting, held=True)
    type(slot).objects.filter(pk=slot.pk).update(
        start=slot.start - dt.timedelta(days=30), end=slot.end - dt.timedelta(days=30)
    )
    meeting.refresh_from_db()
    matchmaking.meeting_record_outcome(actor=None, meeting=meeting, held=True, follow_up_wanted=True)
    day = timezone.localdate(session.event.start)
    assert selectors.b2b_meetings_requested(day, day).count() == 1
    assert selectors.b2b_meetings_scheduled(day, day).count() == 1
    assert selectors.b2b_meetings_held(day, day).count() == 1
    assert selectors.b2b_followups(day, day).count() == 1
    assert MeetingRequest.objects.count() == 1 and Participant.objects.count() == 2
