"""Every operation of /api/v1/openapi.json, for every role, on a world where each one has something to show.

The OpenAPI document must validate against the OpenAPI meta-schema, and list exactly the operations
declared in ``EXPECTED`` below (a new endpoint fails here until its answer per role is declared). For each
role, each operation is called with the ids of real rows: the status must be the declared one, the
response must match its documented schema and content type (schemathesis' checks), and every read that
answers 200 must answer 304 to its own ETag. Members use a token with every scope (their role, not the
token, limits them); observers have no token and use the browser session; anonymous visitors send nothing.
"""

# ruff: noqa: F811 (the objectives contract fixture is imported, then requested by name)

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from grappe.accounts import tokens
from grappe.ecosystem.models import Person, Topic
from grappe.events import matchmaking
from grappe.events import services as events
from grappe.events.models import Event
from grappe.innovation import services as innovation
from grappe.partnerships import services as partnerships
from grappe.partnerships.models import Collaboration, Interaction
from grappe.register.importer import import_extract
from grappe.watch.models import Item, ItemTopic, Source, Subscription, TopicProfile
from grappe.wsgi import application
from tests.objectives.conftest import contract  # noqa: F401 (fixture)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
ROLES = ["anonymous", "member", "observer", "staff", "admin"]
FULL_EXTRACT = Path(__file__).resolve().parents[1] / "register" / "fixtures" / "full_0146"
V = "/api/v1"

# (method, path) -> status per role, in the order of ROLES. 401: no credentials; 403: the role may not.
EXPECTED: dict[tuple[str, str], tuple[int, int, int, int, int]] = {
    ("GET", f"{V}/ecosystem/memberships"): (401, 403, 403, 200, 200),
    ("GET", f"{V}/ecosystem/organisations"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/ecosystem/organisations/{{organisation_id}}"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/ecosystem/people"): (401, 403, 403, 200, 200),
    ("GET", f"{V}/ecosystem/people/{{person_id}}"): (401, 403, 403, 200, 200),
    ("GET", f"{V}/ecosystem/public/organisations"): (200, 200, 200, 200, 200),
    ("GET", f"{V}/events/events"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/events/events/{{event_id}}"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/events/events/{{event_id}}/registrations"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/events/events/{{event_id}}/sessions"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/events/sessions/{{session_id}}/meetings"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/innovation/calls"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/innovation/calls/{{call_id}}"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/innovation/projects"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/innovation/projects/{{project_id}}"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/innovation/projects/{{project_id}}/calls"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/insights/dashboard"): (401, 403, 200, 200, 200),
    ("GET", f"{V}/insights/map"): (401, 403, 200, 200, 200),
    ("GET", f"{V}/insights/network"): (401, 403, 200, 200, 200),
    ("GET", f"{V}/insights/perimeter"): (401, 403, 200, 200, 200),
    ("GET", f"{V}/insights/prospects"): (401, 403, 200, 200, 200),
    ("GET", f"{V}/insights/representativeness"): (401, 403, 200, 200, 200),
    ("GET", f"{V}/objectives/indicators"): (401, 403, 200, 200, 200),
    ("GET", f"{V}/objectives/indicators/{{indicator_id}}"): (401, 403, 200, 200, 200),
    ("GET", f"{V}/partnerships/collaborations"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/partnerships/collaborations/{{pk}}"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/partnerships/interactions"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/partnerships/introductions"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/partnerships/requests"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/register/enterprises"): (401, 403, 403, 200, 200),
    ("GET", f"{V}/register/enterprises/{{number}}"): (401, 403, 403, 200, 200),
    ("GET", f"{V}/watch/deadlines"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/watch/digests"): (401, 200, 403, 403, 403),
    ("GET", f"{V}/watch/events"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/watch/items"): (401, 200, 403, 200, 200),
    ("GET", f"{V}/watch/items/{{item_id}}"): (401, 200, 403, 200, 200),
    ("POST", f"{V}/watch/items/{{item_id}}/status"): (401, 403, 403, 200, 200),
    ("GET", f"{V}/watch/sources"): (401, 403, 403, 200, 200),
    ("GET", f"{V}/watch/subscriptions"): (401, 200, 403, 403, 403),
    ("POST", f"{V}/watch/subscriptions"): (401, 201, 403, 403, 403),
    ("DELETE", f"{V}/watch/subscriptions/{{subscription_id}}"): (401, 204, 403, 403, 403),
    ("GET", f"{V}/watch/topics"): (401, 200, 403, 200, 200),
}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI application is called directly: keep the test transaction's connection open."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_openapi_document_validates_against_the_openapi_meta_schema():
    schema.validate()  # raises on any violation of the OpenAPI 3.x meta-schema
    raw = schema.raw_schema
    assert raw["openapi"].startswith("3.") and raw["info"]["title"] == "Grappe API"
    operation_ids = [op["operationId"] for ops in raw["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids)), "operation ids must be unique"


def test_every_operation_of_the_document_is_declared_here():
    documented = {(method.upper(), path) for path, ops in schema.raw_schema["paths"].items() for method in ops}
    assert documented == set(EXPECTED), (
        f"undeclared: {sorted(documented - set(EXPECTED))}; gone: {sorted(set(EXPECTED) - documented)}"
    )


def test_every_answer_documents_its_schema_and_every_read_its_304():
    undocumented, no_304, no_errors = set(), set(), set()
    for path, operations in schema.raw_schema["paths"].items():
        for method, operation in operations.items():
            key, responses = (method.upper(), path), {str(code): r for code, r in operation["responses"].items()}
            for code, answer in responses.items():
                if code.startswith("2") and code != "204" and not answer.get("content", {}).get("application/json"):
                    undocumented.add(key)
            if method == "get" and "304" not in responses:
                no_304.add(key)
            errors = {"404", "422"} | ({"401", "403"} if operation.get("security") else {"429"})
            if not errors <= set(responses):
                no_errors.add(key)
    assert not undocumented, f"a 2xx answer without a documented JSON schema: {sorted(undocumented)}"
    assert not no_304, f"a read that does not document its 304: {sorted(no_304)}"
    assert not no_errors, f"an operation that does not document its 4xx errors: {sorted(no_errors)}"
    assert schema.raw_schema["components"]["schemas"]["Error"]["required"] == ["reason", "detail"]


def test_schema_names_are_unique_across_routers():
    """Two routers' schemas with one name share one OpenAPI component: one of them would be documented wrong
    (the register's activities were documented as the ecosystem's)."""
    from ninja.schema import Schema

    from grappe.api import api

    document = api.get_openapi_schema()  # (and every router imported)
    # Components that answers or bodies refer to (query filters are inlined as parameters, their component unused).
    components = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    shapes: dict[str, dict[str, str]] = {}
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__name__ in components and cls.__module__.startswith("grappe."):
            shapes.setdefault(cls.__name__, {})[cls.__module__] = json.dumps(cls.model_json_schema(), sort_keys=True)
    clashes = {name: sorted(found) for name, found in shapes.items() if len(set(found.values())) > 1}
    assert not clashes, f"one component name, different shapes: {clashes}"


@pytest.fixture
def world(db, org_a, org_b, member_a, staff_user, observer_user, admin_user, contract):
    """One row of each kind the API serves, with org A (member A's organisation) taking part."""
    now = timezone.now()
    soon = timezone.localdate() + dt.timedelta(days=10)
    person_a = Person.objects.get(email="anna@alpha.test")

    def at(hour: int) -> dt.datetime:
        return dt.datetime.combine(soon, dt.time(hour), tzinfo=timezone.get_default_timezone())

    event = events.event_create(
        actor=None,
        title="Journée B2B",
        kind=Event.Kind.B2B,
        start=at(9),
        end=at(17),
        venue_name="Palais",
        venue_address="Place 1",
        capacity=50,
        status=Event.Status.PUBLISHED,
    )
    events.registration_create(actor=None, event=event, person=person_a, organisation=org_a, consent=True)
    session = matchmaking.session_create(actor=None, event=event, tables=2, meeting_minutes=30)

    collaboration = partnerships.collaboration_create(
        actor=staff_user,
        title="Béton bas carbone",
        kind=Collaboration.Kind.RD_PROJECT,
        partners=[(org_a, "lead"), (org_b, "partner")],
        internal_notes="NOTE-INTERNE",
    )
    introduction = partnerships.introduction_create(
        actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="Réemploi"
    )
    # Optional fields filled (a linked collaboration, a person, owners, a request) so answers are checked with values.
    partnerships.introduction_record_outcome(
        actor=staff_user, introduction=introduction, outcome="collaboration_started", collaboration=collaboration
    )
    Interaction.objects.create(
        organisation=org_a,
        person=person_a,
        owner=staff_user,
        kind=Interaction.Kind.CALL,
        date=timezone.localdate(),
        summary="x",
    )
    request = partnerships.introduction_request_submit(
        actor=member_a, organisation=org_a, needs="Un laboratoire pour tester des bétons recyclés."
    )
    partnerships.introduction_request_assign(actor=staff_user, request=request, owner=staff_user)

    project = innovation.project_create(actor=staff_user, title="Isolation biosourcée", lead_organisation=org_a)
    call = innovation.call_create(
        actor=staff_user,
        title="Appel matériaux",
        programme="Programme",
        funder="Région",
        opens_on=timezone.localdate() - dt.timedelta(days=10),
        closes_on=timezone.localdate() + dt.timedelta(days=60),
    )

    topic = Topic.objects.create(name="Économie circulaire", slug="economie-circulaire")
    TopicProfile.objects.create(topic=topic, public_feed=True)
    TopicProfile.objects.create(topic=Topic.objects.create(name="Amiante", slug="amiante"))
    source = Source.objects.create(url="https://www.wallonie.example/rss", title="Wallonie", category="regulation")
    item = Item.objects.create(
        source=source,
        title="Décret déchets",
        link="https://www.wallonie.example/decret",
        canonical_url="https://www.wallonie.example/decret",
        dedup_key="k-decret",
        published_at=now,
        fetched_at=now,
        status=Item.Status.KEPT,
    )
    ItemTopic.objects.create(item=item, topic=topic, score=1, origin="rule")
    subscription = Subscription.objects.create(person=person_a, topic=topic)

    import_extract(FULL_EXTRACT)
    from grappe.register.models import Enterprise

    return {
        "organisation_id": org_a.pk,
        "person_id": person_a.pk,
        "event_id": event.pk,
        "session_id": session.pk,
        "pk": collaboration.pk,
        "project_id": project.pk,
        "call_id": call.pk,
        "item_id": item.pk,
        "subscription_id": subscription.pk,
        "indicator_id": contract.objectives.first().indicators.first().pk,
        "number": Enterprise.objects.order_by("pk").values_list("pk", flat=True).first(),
        "users": {"member": member_a, "observer": observer_user, "staff": staff_user, "admin": admin_user},
    }


BODIES = {
    ("POST", f"{V}/watch/items/{{item_id}}/status"): {"status": "kept"},
    ("POST", f"{V}/watch/subscriptions"): {"topic": "amiante", "language": "fr", "frequency": "weekly"},
}


def _credentials(role: str, world: dict) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, cookies) of the role."""
    if role == "anonymous":
        return {}, {}
    user = world["users"][role]
    if role == "observer":  # observers have no token: the browser session
        client = Client()
        client.force_login(user)
        return {}, {"sessionid": client.cookies["sessionid"].value}
    _t, plaintext = tokens.token_create(actor=None, user=user, name="matrix", scopes=list(tokens.SCOPES))
    return {"Authorization": f"Bearer {plaintext}"}, {}


def _etag(response) -> str | None:
    for name, value in response.headers.items():
        if name.lower() == "etag":
            return value[0] if isinstance(value, list) else value
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_for_the_role_answers_as_declared_and_within_its_schema(role, world):
    headers, cookies = _credentials(role, world)
    problems = []
    # Reads first, then writes (a subscription deleted before it is read would change the answers).
    operations = sorted(schema.get_all_operations(), key=lambda r: (r.ok().method.upper() != "GET", r.ok().path))
    for result in operations:
        operation = result.ok()
        method, path = operation.method.upper(), operation.path
        key = (method, V + path if not path.startswith(V) else path)
        params = {name: world[name] for name in _path_names(key[1])}
        case = operation.Case(path_parameters=params, body=BODIES.get(key), media_type="application/json")
        if key not in BODIES:
            case = operation.Case(path_parameters=params)
        response = case.call(headers=headers, cookies=cookies)
        expected = EXPECTED.get(key, (None,) * 5)[ROLES.index(role)]
        if response.status_code != expected:
            problems.append(f"{method} {key[1]}: {response.status_code}, expected {expected}")
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
            )
        except BaseException as exc:  # schemathesis' FailureGroup (an exception group) names each failed check
            problems.append(f"{method} {key[1]}: {str(exc)[:600]}")
        if method == "GET" and response.status_code == 200:
            etag = _etag(response)
            if not etag:
                problems.append(f"GET {key[1]}: no ETag")
            else:
                again = case.call(headers={**headers, "If-None-Match": etag}, cookies=cookies)
                if again.status_code != 304:
                    problems.append(f"GET {key[1]}: {again.status_code} to its own ETag, expected 304")
    assert not problems, "\n".join(problems)


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def test_innovation_lists_are_paged_by_limit_and_page(db, org_a, staff_user):
    for n in range(3):
        innovation.project_create(actor=staff_user, title=f"Projet {n}", lead_organisation=org_a)
    _t, plaintext = tokens.token_create(actor=None, user=staff_user, name="pages", scopes=["innovation:read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    pages = [client.get(f"{V}/innovation/projects", {"limit": 2, "page": page}) for page in (1, 2, 3)]
    assert [r.status_code for r in pages] == [200, 200, 200]
    ids = [[p["id"] for p in r.json()] for r in pages]
    assert [len(i) for i in ids] == [2, 1, 0] and not set(ids[0]) & set(ids[1])
    assert client.get(f"{V}/innovation/projects", {"page": 0}).status_code == 422


@pytest.mark.parametrize(
    "url", [f"{V}/register/enterprises/null,null", f"{V}/no-such-app/things", f"{V}/events/events/abc"]
)
def test_an_unmatched_api_url_is_the_api_json_404_not_the_site_page(db, client, url):
    response = client.get(url)
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["reason"] == "not_found"
