"""The watch API (/api/v1/watch/): every endpoint for every role, private data never reaching members."""

# ruff: noqa: F811 (the role fixtures of test_views are imported, then requested by name)

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from grappe.watch.models import Item, ItemTopic, Source, Subscription
from tests.api.conftest import bearer, make_token
from tests.watch.test_views import ROLES, clients, data  # noqa: F401 (fixtures)

BASE = "/api/v1/watch"


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pending(data):
    """An item still in triage, with a staff mark: staff-only."""
    now = timezone.now()
    item = Item.objects.create(
        source=data["source"],
        title="Projet de décret PRIVATE-TRIAGE",
        link="https://www.wallonie.example/projet",
        canonical_url="https://www.wallonie.example/projet",
        dedup_key="k-pending",
        published_at=now,
        fetched_at=now,
        search_text="projet de decret private-triage",
    )
    ItemTopic.objects.filter(item=data["item"], topic=data["public"]).update(relevant=False)
    return item


READS = ["/items", "/items/{item}", "/deadlines", "/events", "/topics"]
READ_EXPECTED = {"anonymous": 401, "member_a": 200, "member_b": 200, "observer": 403, "staff": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READS)
def test_reads_follow_the_roles(clients, data, role, path):
    response = clients[role].get(BASE + path.format(item=data["item"].pk))
    assert response.status_code == READ_EXPECTED[role], response.content
    body = response.json()
    if response.status_code >= 400:
        assert body["reason"] in {"not_authenticated", "forbidden"}


STAFF_ONLY = {"anonymous": 401, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_sources_and_their_health_are_staff_only(clients, data, role):
    response = clients[role].get(f"{BASE}/sources")
    assert response.status_code == STAFF_ONLY[role]
    if response.status_code == 200:
        assert response.json()["results"][0]["url"] == data["source"].url


SUBSCRIBER = {"anonymous": 401, "member_a": 200, "member_b": 200, "observer": 403, "staff": 403, "admin": 403}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/subscriptions", "/digests"])
def test_subscriptions_and_digests_are_the_members_own(clients, data, role, path):
    response = clients[role].get(BASE + path)
    assert response.status_code == SUBSCRIBER[role]
    if role == "member_a":
        assert len(response.json()["results"]) == 1
    if role == "member_b":
        assert response.json()["results"] == []  # member_a's subscription and digest are not theirs


def test_members_read_kept_items_only_without_triage_data(clients, data, pending):
    staff = clients["staff"].get(f"{BASE}/items").json()
    assert staff["count"] == 2
    assert {"status", "triaged_at", "duplicate_group"} <= set(staff["results"][0])
    member = clients["member_a"].get(f"{BASE}/items")
    body = member.json()
    assert body["count"] == 1 and body["results"][0]["id"] == data["item"].pk
    text = member.content.decode()
    for private in ("PRIVATE-TRIAGE", "status", "triaged_at", "origin", "relevant", "duplicate_group", "source_id"):
        assert private not in text
    # The topic staff marked "not relevant" is not shown to members.
    assert [t["slug"] for t in body["results"][0]["topics"]] == ["amiante"]
    assert clients["member_a"].get(f"{BASE}/items/{pending.pk}").status_code == 404
    assert clients["staff"].get(f"{BASE}/items/{pending.pk}").json()["status"] == "new"


def test_members_cannot_filter_on_staff_fields(clients, data):
    response = clients["member_a"].get(f"{BASE}/items?status=new")
    assert response.status_code == 403 and response.json()["reason"] == "forbidden"
    assert clients["member_a"].get(f"{BASE}/items?source={data['source'].pk}").status_code == 403
    assert clients["member_a"].get(f"{BASE}/items?status=kept").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["page=0", "page_size=500", "status=unknown", "language=pt", "q=" + "x" * 300, "q=a%00b", "since=yesterday"],
)
def test_bad_parameters_are_422_naming_them(clients, data, query):
    response = clients["staff"].get(f"{BASE}/items?{query}")
    assert response.status_code == 422
    assert response.json()["reason"] == "invalid"


def test_search_is_accent_insensitive_and_ranked(clients, data, pending):
    now = timezone.now()
    Item.objects.create(
        source=data["source"],
        title="Amiante : amiante partout, l'amiante encore",
        dedup_key="k-rank",
        published_at=now - dt.timedelta(days=3),
        fetched_at=now,
        status=Item.Status.KEPT,
        search_text="amiante : amiante partout, l'amiante encore",
    )
    body = clients["staff"].get(f"{BASE}/items?q=AMIANTÉ").json()
    assert body["count"] == 2
    assert body["results"][0]["title"].startswith("Amiante : amiante partout")  # more occurrences rank first
    assert clients["staff"].get(f"{BASE}/items?q=décret projet").json()["count"] == 1
    assert clients["member_a"].get(f"{BASE}/items?q=décret projet").json()["count"] == 0  # in triage


def test_reads_carry_an_etag_and_answer_304(clients, data):
    first = clients["member_a"].get(f"{BASE}/items")
    again = clients["member_a"].get(f"{BASE}/items", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_a_page_past_the_end_is_404(clients, data):
    response = clients["staff"].get(f"{BASE}/items?page=9")
    assert response.status_code == 404 and response.json()["reason"] == "page_out_of_range"


# --- writes ---------------------------------------------------------------------------------------


TRIAGE = {"anonymous": 401, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_triage_through_the_api_is_for_staff_with_the_write_scope(data, pending, role, request):
    user = {
        "anonymous": None,
        "member_a": "member_a",
        "member_b": "member_b",
        "observer": "observer_user",
        "staff": "staff_user",
        "admin": "admin_user",
    }[role]
    if user is None:
        from django.test import Client

        client = Client()
    else:
        user = request.getfixturevalue(user)
        if role == "observer":
            # Observers get no token: their session is what they would use.
            from tests.conftest import client_for

            client = client_for(user)
        else:
            client = bearer(make_token(user, ["watch:write"]))
    response = client.post(
        f"{BASE}/items/{pending.pk}/status", json.dumps({"status": "kept"}), content_type="application/json"
    )
    assert response.status_code == TRIAGE[role], response.content
    pending.refresh_from_db()
    assert (pending.status == Item.Status.KEPT) is (TRIAGE[role] == 200)


def test_a_read_token_cannot_triage(staff_user, pending):
    client = bearer(make_token(staff_user, ["watch:read"]))
    response = client.post(
        f"{BASE}/items/{pending.pk}/status", json.dumps({"status": "kept"}), content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["reason"] == "missing_scope"


def test_a_token_of_another_app_cannot_read_the_watch(staff_user, data):
    client = bearer(make_token(staff_user, ["ecosystem:read"]))
    assert client.get(f"{BASE}/items").json()["reason"] == "missing_scope"


def test_a_member_subscribes_and_unsubscribes_with_a_token(member_b, data):
    client = bearer(make_token(member_b, ["watch:write"]))
    response = client.post(
        f"{BASE}/subscriptions",
        json.dumps({"topic": "economie-circulaire", "language": "fr", "frequency": "daily"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["topic"] == "economie-circulaire" and created["frequency"] == "daily"
    again = client.post(
        f"{BASE}/subscriptions", json.dumps({"topic": "economie-circulaire"}), content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["reason"] == "already_subscribed"
    unknown = client.post(f"{BASE}/subscriptions", json.dumps({"topic": "nope"}), content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["reason"] == "unknown_topic"
    topics = {t["slug"]: t["subscribed"] for t in client.get(f"{BASE}/topics").json()["results"]}
    assert topics == {"amiante": False, "economie-circulaire": True}
    # member_a's subscription is not found for member_b; their own is deleted.
    assert client.delete(f"{BASE}/subscriptions/{data['subscription'].pk}").status_code == 404
    assert client.delete(f"{BASE}/subscriptions/{created['id']}").status_code == 204
    assert not Subscription.objects.filter(person=member_b.person).exists()
    assert Subscription.objects.filter(pk=data["subscription"].pk).exists()


def test_session_writes_need_the_csrf_token(member_b, data):
    from tests.conftest import client_for

    client = client_for(member_b)
    client.handler.enforce_csrf_checks = True
    response = client.post(f"{BASE}/subscriptions", json.dumps({"topic": "amiante"}), content_type="application/json")
    assert response.status_code == 403 and response.json()["reason"] == "csrf_failed"


def test_staff_see_rules_and_subscribers_of_topics_members_do_not(clients, data):
    staff = {t["slug"]: t for t in clients["staff"].get(f"{BASE}/topics").json()["results"]}
    assert staff["amiante"]["subscribers"] == 1
    member = clients["member_a"].get(f"{BASE}/topics")
    assert "subscribers" not in member.content.decode() and "rules" not in member.content.decode()


def test_deadlines_list_upcoming_regulations(clients, data):
    body = clients["member_a"].get(f"{BASE}/deadlines").json()["results"]
    assert [i["id"] for i in body] == [data["item"].pk]
    assert body[0]["obligations"] == "Inventaire amiante avant travaux."
    assert clients["member_a"].get(f"{BASE}/deadlines?days=10").json()["results"] == []


def test_the_sources_health_is_shown_to_staff(clients, data):
    Source.objects.filter(pk=data["source"].pk).update(consecutive_failures=3, last_error="HTTP 500")
    row = clients["staff"].get(f"{BASE}/sources").json()["results"][0]
    assert row["consecutive_failures"] == 3 and row["last_error"] == "HTTP 500"


# --- organisation panel -----------------------------------------------------------------------------

PANEL = {"anonymous": 403, "member_a": 200, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_the_organisation_panel_follows_org_view(clients, data, pending, org_a, role):
    from django.urls import reverse

    from grappe.ecosystem.models import Segment, ValueChain

    chain = ValueChain.objects.create(name="Construction durable", slug="construction-durable-test")
    segment = Segment.objects.create(value_chain=chain, name="Démolition", slug="demolition-test")
    org_a.segments.add(segment)
    data["item"].affected_segments.add(segment)
    pending.segments.add(segment)
    response = clients[role].get(reverse("watch:organisation_panel", args=[org_a.pk]))
    assert response.status_code == PANEL[role]
    if response.status_code == 200:
        text = response.content.decode()
        assert "Nouvel arrêté amiante" in text and "Inventaire amiante" in text
        # Items still in triage: staff only.
        assert ("PRIVATE-TRIAGE" in text) is (role in ("staff", "admin"))


# --- ecosystem agenda -------------------------------------------------------------------------------


@pytest.fixture
def events(data):
    now = timezone.now()
    made = {}
    for key, status, start in [
        ("kept", Item.Status.KEPT, now + dt.timedelta(days=10)),
        ("new", Item.Status.NEW, now + dt.timedelta(days=5)),
        ("discarded", Item.Status.DISCARDED, now + dt.timedelta(days=6)),
        ("past", Item.Status.KEPT, now - dt.timedelta(days=6)),
    ]:
        made[key] = Item.objects.create(
            source=data["source"],
            kind=Item.Kind.EVENT,
            title=f"Salon {key.upper()}-EVENT",
            dedup_key=f"event-{key}",
            published_at=now,
            fetched_at=now,
            status=status,
            event_start=start,
            event_end=start + dt.timedelta(hours=3),
            event_location="Namur Expo",
        )
    return made


AGENDA = {"anonymous": 302, "member_a": 200, "member_b": 200, "observer": 403, "staff": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_the_ecosystem_agenda_shows_kept_events_to_members_and_all_to_staff(clients, events, role):
    from django.urls import reverse

    response = clients[role].get(reverse("watch:agenda"))
    assert response.status_code == AGENDA[role]
    if response.status_code == 200:
        text = response.content.decode()
        assert "KEPT-EVENT" in text and "Namur Expo" in text
        assert "PAST-EVENT" not in text and "DISCARDED-EVENT" not in text
        assert ("NEW-EVENT" in text) is (role in ("staff", "admin"))


def test_the_agenda_api_lists_upcoming_events_soonest_first(clients, events):
    staff = [i["title"] for i in clients["staff"].get(f"{BASE}/events").json()["results"]]
    assert staff == ["Salon NEW-EVENT", "Salon KEPT-EVENT"]
    member = [i["title"] for i in clients["member_b"].get(f"{BASE}/events").json()["results"]]
    assert member == ["Salon KEPT-EVENT"]
    assert clients["member_b"].get(f"{BASE}/events?days=7").json()["results"] == []


@pytest.mark.parametrize(
    ("path", "role"),
    [("/items/{pk}/status", "member_b"), ("/items/{pk}/status", "observer"), ("/subscriptions", "observer")],
)
def test_a_refused_role_gets_403_before_its_body_is_read(data, pending, path, role, request):
    """The role rule runs in the auth: an invalid body from a role that may not write is still a 403."""
    from tests.conftest import client_for

    if role == "observer":
        client = client_for(request.getfixturevalue("observer_user"))
    else:
        client = bearer(make_token(request.getfixturevalue(role), ["watch:write"]))
    response = client.post(BASE + path.format(pk=pending.pk), "{}", content_type="application/json")
    assert response.status_code == 403, response.content
    assert response.json()["reason"] == "forbidden"


@pytest.mark.parametrize("since", ["0025-01-01T00:00:00", "9999-12-31T23:59:59"])
def test_an_implausible_since_date_is_a_422_not_a_database_error(clients, data, since):
    response = clients["staff"].get(f"{BASE}/items", {"since": since})
    assert response.status_code == 422, response.content
