"""The events API (/api/v1/events/): every endpoint for every role, private data never reaching members."""

# ruff: noqa: F811 (the role fixtures of the watch views tests are imported, then requested by name)

import json

import pytest
from django.core.cache import cache

from grappe.events import matchmaking, services
from grappe.events.models import Event
from tests.api.conftest import bearer, make_token
from tests.events.conftest import aware, make_person, register
from tests.watch.test_views import ROLES, clients  # noqa: F401 (fixture)

BASE = "/api/v1/events"


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def data(db, event, session, b2b_event, in_ten_days, member_a, member_b, org_a, org_b, staff_user):
    with services.messages_suppressed():
        outsider = make_person(9)
        outsider.email = "secret-outsider@example.test"
        outsider.save()
        reg_a = register(event, member_a.person, organisation=org_a)
        reg_a.answers = {"regime": "PRIVATE-ANSWER-A"}
        reg_a.save()
        register(event, outsider)  # another person's personal data
        invitation = services.event_create(
            actor=None,
            title="Dîner PRIVATE-INVITATION",
            start=aware(in_ten_days, 19),
            end=aware(in_ten_days, 22),
            venue_name="Château",
            venue_address="Allée 1",
            audience=Event.Audience.INVITATION,
            status=Event.Status.PUBLISHED,
        )
        register(invitation, member_b.person, organisation=org_b, by_staff=True)
        draft = services.event_create(
            actor=None,
            title="Brouillon PRIVATE-DRAFT",
            start=aware(in_ten_days, 9),
            end=aware(in_ten_days, 10),
            venue_name="Salle",
            venue_address="Rue 2",
        )
        ra = register(b2b_event, member_a.person, organisation=org_a)
        rb = register(b2b_event, member_b.person, organisation=org_b)
        ro = register(b2b_event, outsider)
        pa = matchmaking.participant_join(
            actor=None, session=session, person=member_a.person, organisation=org_a, registration=ra, type="supplier"
        )
        pb = matchmaking.participant_join(
            actor=None, session=session, person=member_b.person, organisation=org_b, registration=rb, type="buyer"
        )
        po = matchmaking.participant_join(
            actor=None, session=session, person=outsider, registration=ro, type="research"
        )
        slots = list(session.slots.filter(is_break=False).order_by("start"))
        ab = matchmaking.meeting_impose(actor=None, a=pa, b=pb, slot=slots[0], table=1)
        bo = matchmaking.meeting_impose(actor=None, a=pb, b=po, slot=slots[1], table=1)
        ab.notes = "PRIVATE-FOLLOW-UP-NOTE"
        ab.save()
    return {
        "event": event,
        "b2b": b2b_event,
        "invitation": invitation,
        "draft": draft,
        "session": session,
        "ab": ab,
        "bo": bo,
    }


def publish(data):
    matchmaking.session_publish(actor=None, session=data["session"], notify=False)


READ = {"anonymous": 401, "member_a": 200, "member_b": 200, "observer": 403, "staff": 200, "admin": 200}
PATHS = [
    "/events",
    "/events/{event}",
    "/events/{event}/registrations",
    "/events/{b2b}/sessions",
    "/sessions/{session}/meetings",
]


def _path(path, data):
    return BASE + path.format(event=data["event"].pk, b2b=data["b2b"].pk, session=data["session"].pk)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PATHS)
def test_reads_follow_the_roles(clients, data, role, path):
    response = clients[role].get(_path(path, data))
    assert response.status_code == READ[role], response.content
    if response.status_code >= 400:
        assert response.json()["reason"] in {"not_authenticated", "forbidden"}


VISIBLE = {
    "member_a": {"event", "b2b"},
    "member_b": {"event", "b2b", "invitation"},
    "staff": {"event", "b2b", "invitation", "draft"},
    "admin": {"event", "b2b", "invitation", "draft"},
}


@pytest.mark.parametrize("role", VISIBLE)
def test_list_and_detail_show_only_visible_events(clients, data, role):
    body = clients[role].get(f"{BASE}/events").json()
    got = {key for key in ("event", "b2b", "invitation", "draft") if data[key].pk in {e["id"] for e in body["results"]}}
    assert got == VISIBLE[role]
    for key in ("event", "b2b", "invitation", "draft"):
        response = clients[role].get(f"{BASE}/events/{data[key].pk}")
        assert response.status_code == (200 if key in VISIBLE[role] else 404)
        for sub in ("registrations", "sessions"):
            assert clients[role].get(f"{BASE}/events/{data[key].pk}/{sub}").status_code == response.status_code
    staff = role in ("staff", "admin")
    assert ("confirmed" in body["results"][0]) is staff


def test_list_filters(clients, data, in_ten_days):
    client = clients["staff"]
    ids = lambda **params: {e["id"] for e in client.get(f"{BASE}/events", params).json()["results"]}  # noqa: E731
    assert ids(kind="b2b") == {data["b2b"].pk}
    assert ids(q="reemploi") == {data["event"].pk}  # accents ignored
    day = in_ten_days.isoformat()
    assert data["event"].pk in ids(**{"from": day, "to": day})
    assert ids(**{"from": in_ten_days.replace(year=in_ten_days.year + 1).isoformat()}) == set()
    assert ids(to=in_ten_days.replace(year=in_ten_days.year - 1).isoformat()) == set()


def test_registrations_staff_all_member_own(clients, data):
    url = f"{BASE}/events/{data['event'].pk}/registrations"
    staff = clients["staff"].get(url).json()["results"]
    assert {r["email"] for r in staff} >= {"secret-outsider@example.test", "anna@alpha.test"}
    mine = clients["member_a"].get(url)
    assert len(mine.json()["results"]) == 1
    assert b"secret-outsider" not in mine.content and b"PRIVATE-ANSWER" not in mine.content
    assert b"anna@alpha.test" not in mine.content  # no contact data in the member schema
    assert clients["member_b"].get(url).json()["results"] == []


def test_sessions_of_an_event(clients, data):
    for role in ("member_a", "staff"):
        body = clients[role].get(f"{BASE}/events/{data['b2b'].pk}/sessions").json()
        assert [s["id"] for s in body["results"]] == [data["session"].pk]
        assert body["results"][0]["schedule_published"] is False


def test_meetings_members_see_their_organisations_once_published(clients, data):
    url = f"{BASE}/sessions/{data['session'].pk}/meetings"
    staff = clients["staff"].get(url).json()["results"]
    assert {m["id"] for m in staff} == {data["ab"].pk, data["bo"].pk}
    assert any(m["notes"] == "PRIVATE-FOLLOW-UP-NOTE" for m in staff)
    for role in ("member_a", "member_b"):
        assert clients[role].get(url).json()["results"] == []  # schedule not published yet
    publish(data)
    a = clients["member_a"].get(url)
    assert [m["id"] for m in a.json()["results"]] == [data["ab"].pk]
    b = clients["member_b"].get(url)
    assert {m["id"] for m in b.json()["results"]} == {data["ab"].pk, data["bo"].pk}
    for response in (a, b):
        assert b"PRIVATE" not in response.content
        assert b"secret-outsider" not in response.content
        assert "notes" not in response.json()["results"][0]


def test_unknown_ids_are_404(clients, data):
    for path in (
        "/events/999999",
        "/events/999999/registrations",
        "/events/999999/sessions",
        "/sessions/999999/meetings",
    ):
        response = clients["staff"].get(BASE + path)
        assert response.status_code == 404
        assert response.json()["reason"] == "not_found"
    response = clients["member_a"].get(f"{BASE}/events/{data['draft'].pk}")
    assert response.status_code == 404 and b"PRIVATE" not in response.content


def test_nothing_private_in_member_lists(clients, data):
    publish(data)
    for role in ("member_a", "member_b"):
        for path in PATHS:
            content = clients[role].get(_path(path, data)).content
            assert b"PRIVATE-DRAFT" not in content and b"PRIVATE-ANSWER" not in content
            assert b"PRIVATE-FOLLOW-UP" not in content and b"secret-outsider" not in content
            if role == "member_a":
                assert b"PRIVATE-INVITATION" not in content


@pytest.mark.parametrize("path", PATHS)
def test_etag_and_304(clients, data, path):
    url = _path(path, data)
    first = clients["staff"].get(url)
    etag = first["ETag"]
    again = clients["staff"].get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    member = clients["member_a"].get(url)
    assert member["ETag"] != etag or path == "/events/{b2b}/sessions"  # staff and members see different things


@pytest.mark.parametrize(
    "query",
    [
        "/events?page=0",
        "/events?page=100001",
        "/events?page_size=201",
        "/events?kind=party",
        "/events?from=0025-01-01",
        "/events?to=9999-01-01",
        "/events?from=nope",
        "/events?q=%00",
        "/events/0",
        f"/events/{2**63}",
        f"/sessions/{2**63}/meetings",
    ],
)
def test_bad_parameters_are_422(clients, data, query):
    response = clients["staff"].get(BASE + query)
    assert response.status_code in (404, 422) if query.startswith("/events/") else response.status_code == 422
    if response.status_code == 422:
        assert response.json()["reason"] == "invalid"


def test_page_out_of_range(clients, data):
    response = clients["staff"].get(f"{BASE}/events?page=50")
    assert response.status_code == 404 and response.json()["reason"] == "page_out_of_range"


def test_tokens_need_the_events_scope(data, member_a):
    assert bearer(make_token(member_a, ["watch:read"])).get(f"{BASE}/events").status_code == 403
    response = bearer(make_token(member_a, ["events:read"])).get(f"{BASE}/events")
    assert response.status_code == 200
    assert json.loads(response.content)["count"] == 2
    assert bearer("grp_forged_token").get(f"{BASE}/events").status_code == 401
