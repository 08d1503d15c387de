import datetime as dt
import io
from decimal import Decimal

import networkx as nx
import pytest
from django.urls import reverse

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
from grappe.insights import network
from grappe.insights.network import build_graph, metrics, network_report

TODAY = dt.date.today()


@pytest.fixture
def linked(org_a, org_b):
    """a — b since 2020, b — c for 100 days; d is a member with no link."""
    c = services.organisation_create(actor=None, name="Gamma", kind=Organisation.Kind.COMPANY)
    d = services.organisation_create(actor=None, name="Delta isolée", kind=Organisation.Kind.COMPANY)
    services.membership_create(actor=None, organisation=d, start_date=dt.date(2022, 1, 1), yearly_fee=Decimal("1"))
    services.relationship_create(actor=None, source=org_a, target=org_b, kind="partner", since=dt.date(2020, 1, 1))
    services.relationship_create(
        actor=None, source=org_b, target=c, kind="supplier", since=TODAY - dt.timedelta(days=100)
    )
    return {"a": org_a, "b": org_b, "c": c, "d": d}


def test_network_metrics_find_the_broker_and_the_isolated_member(linked):
    graph = build_graph(TODAY).graph
    stats = metrics(graph)
    a, b, c, d = (linked[k].pk for k in "abcd")
    assert graph.degree(b) == 2 and graph.degree(a) == 1
    assert stats["brokers"] == [b]
    assert stats["isolated_members"] == [d]
    assert sorted(n for community in stats["communities"] for n in community) == sorted([a, b, c])
    assert graph.nodes[a]["member"] and not graph.nodes[c]["member"]


def test_network_compares_with_twelve_months_ago(linked):
    change = network_report(TODAY)["change"]
    assert change["edges"] == (1, 2)
    assert (change["new_edges"], change["lost_edges"]) == (1, 0)


def test_a_missing_source_is_skipped_with_a_note(linked, monkeypatch):
    real = network._selector
    monkeypatch.setattr(
        network, "_selector", lambda module, name: None if module.endswith("events.selectors") else real(module, name)
    )
    result = build_graph(TODAY)
    assert result.graph.number_of_edges() == 2
    assert any("grappe.events.selectors.co_attendance_pairs" in note for note in result.notes)


def test_empty_network_is_explained(db):
    report = network_report(TODAY)
    assert report["metrics"]["nodes"] == 0
    assert any("réseau est vide" in note for note in report["notes"])


@pytest.mark.parametrize("fmt, reader", [("gexf", nx.read_gexf), ("graphml", nx.read_graphml)])
def test_network_exports_read_back_in_network_tools(fmt, reader, linked, staff_client):
    response = staff_client.get(reverse("insights:network"), {"format": fmt})
    assert response.status_code == 200
    assert f".{fmt}" in response["Content-Disposition"]
    graph = reader(io.BytesIO(response.content))
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 2


def test_network_page_draws_linked_nodes_with_hover_titles(linked, observer_client):
    body = observer_client.get(reverse("insights:network")).content.decode()
    assert 'class="network"' in body
    assert reverse("ecosystem:organisation_detail", args=[linked["b"].pk]) in body
    assert "Béton Bêta — 2 liens" in body
    assert "Delta isolée" in body


@pytest.mark.parametrize(
    "role, status",
    [
        ("client", 302),
        ("member_a_client", 403),
        ("member_b_client", 403),
        ("observer_client", 200),
        ("staff_client", 200),
        ("admin_client_", 200),
    ],
)
def test_network_page_is_for_staff_and_observers(role, status, request, db):
    assert request.getfixturevalue(role).get(reverse("insights:network")).status_code == status


@pytest.fixture
def every_source(org_a, org_b, staff_user):
    """One link of each source, each read through its app's selectors (no relationship recorded).

    a — c collaboration · b — c shared innovation project · a, b, d at the same event (three pairs) ·
    c — d B2B meeting held · a — d introduction (so a — d carries two kinds).
    """
    from django.utils import timezone

    from grappe.events import matchmaking
    from grappe.events import services as events
    from grappe.events.models import Event, Meeting, Participant, ParticipantType
    from grappe.innovation import services as innovation
    from grappe.partnerships import services as partnerships

    c = services.organisation_create(actor=None, name="Gamma Recherche", kind=Organisation.Kind.RESEARCH_CENTRE)
    d = services.organisation_create(actor=None, name="Delta Bois", kind=Organisation.Kind.COMPANY)
    partnerships.collaboration_create(
        actor=None,
        title="Béton recyclé",
        kind="commercial",
        partners=[org_a, c],
        status="active",
        start_date=TODAY - dt.timedelta(days=60),
    )
    project = innovation.project_create(actor=None, title="Liant bas carbone", lead_organisation=org_b)
    innovation.partner_add(actor=None, project=project, organisation=c, role="research")
    partnerships.introduction_create(
        actor=staff_user, organisation_a=org_a, organisation_b=d, reason="réemploi", introduced_on=TODAY
    )
    soon = TODAY + dt.timedelta(days=10)
    start = dt.datetime.combine(soon, dt.time(9), tzinfo=timezone.get_default_timezone())
    event = events.event_create(
        actor=None,
        title="Rencontres réemploi",
        kind=Event.Kind.B2B,
        start=start,
        end=start + dt.timedelta(hours=8),
        venue_name="Namur Expo",
        venue_address="Avenue Sergent Vrithoff 2",
        capacity=50,
        status=Event.Status.PUBLISHED,
    )
    people = {}
    for key, org in (("a", org_a), ("b", org_b), ("c", c), ("d", d)):
        person = services.person_create(actor=None, first_name=key.upper(), last_name="Test", email=f"{key}@x.test")
        services.affiliation_create(actor=None, person=person, organisation=org)
        people[key] = person
        if key != "c":  # c only comes to its B2B meeting, not registered to the event
            events.registration_create(actor=None, event=event, person=person, organisation=org, consent=True)
    session = matchmaking.session_create(actor=None, event=event, tables=2, meeting_minutes=30)
    p_c, p_d = (
        Participant.objects.create(session=session, person=people[k], organisation=org, type=ParticipantType.SUPPLIER)
        for k, org in (("c", c), ("d", d))
    )
    Meeting.objects.create(session=session, participant_a=p_c, participant_b=p_d, status=Meeting.Status.HELD)
    return {"a": org_a, "b": org_b, "c": c, "d": d, "day": soon + dt.timedelta(days=1)}


def test_every_source_is_read_through_its_selectors(every_source):
    a, b, c, d = (every_source[k].pk for k in "abcd")
    result = build_graph(every_source["day"])
    graph = result.graph
    kinds = {tuple(sorted(e)): graph.edges[e]["kinds"] for e in graph.edges}
    assert kinds == {
        tuple(sorted((a, c))): {"collaboration"},
        tuple(sorted((b, c))): {"project"},
        tuple(sorted((a, b))): {"event"},
        tuple(sorted((a, d))): {"event", "introduction"},
        tuple(sorted((b, d))): {"event"},
        tuple(sorted((c, d))): {"meeting"},
    }
    assert graph.edges[a, d]["weight"] == 2
    assert result.sources == {
        "relationship": 0,
        "collaboration": 1,
        "introduction": 1,
        "project": 1,
        "event": 3,
        "meeting": 1,
    }
    assert result.notes == []


def test_links_older_than_the_window_fade(every_source):
    # Three years later the event, the meeting and the introduction are out of the two-year window;
    # the collaboration (no end date) and the project (not closed) still run.
    later = build_graph(every_source["day"] + dt.timedelta(days=3 * 365)).graph
    a, b, c = (every_source[k].pk for k in "abc")
    assert {tuple(sorted(e)) for e in later.edges} == {tuple(sorted((a, c))), tuple(sorted((b, c)))}


def test_network_page_names_each_source_and_exports_the_kinds(every_source, staff_client):
    day = every_source["day"].isoformat()
    body = staff_client.get(reverse("insights:network"), {"date": day}).content.decode()
    assert "collaborations (1)" in body and "rendez-vous B2B tenus (1)" in body
    assert "événements suivis ensemble (3)" in body and "projets d&#x27;innovation partagés (1)" in body
    assert "Alpha Matériaux — Delta Bois : événements suivis ensemble, mises en relation" in body
    exported = nx.read_graphml(
        io.BytesIO(staff_client.get(reverse("insights:network"), {"date": day, "format": "graphml"}).content)
    )
    a, d = str(every_source["a"].pk), str(every_source["d"].pk)
    edge = exported.edges[a, d]
    assert (edge["kinds"], edge["weight"]) == ("event,introduction", 2)


def test_network_page_ships_the_interactive_script_and_node_ids(linked, staff_client):
    body = staff_client.get(reverse("insights:network")).content.decode()
    a, b = linked["a"].pk, linked["b"].pk
    assert f'data-node="{a}"' in body and f'data-a="{min(a, b)}" data-b="{max(a, b)}"' in body
    assert "insights/network.js" in body and 'id="network-find"' in body


def test_a_staff_only_project_links_organisations_for_staff_only(
    org_a, org_b, staff_user, staff_client, observer_client
):
    """Observers read the network: a confidential project's existence must not show through its edge."""
    from grappe.innovation import services as innovation
    from grappe.innovation.models import InnovationProject

    project = innovation.project_create(
        actor=None,
        title="Projet secret",
        lead_organisation=org_a,
        confidentiality=InnovationProject.Confidentiality.STAFF,
    )
    innovation.partner_add(actor=None, project=project, organisation=org_b, role="research")
    a, b = str(org_a.pk), str(org_b.pk)
    assert build_graph(TODAY, include_staff_only=True).graph.has_edge(org_a.pk, org_b.pk)
    assert not build_graph(TODAY).graph.has_edge(org_a.pk, org_b.pk)

    def exported(client):
        return nx.read_graphml(io.BytesIO(client.get(reverse("insights:network"), {"format": "graphml"}).content))

    assert exported(staff_client).has_edge(a, b)
    assert not exported(observer_client).has_edge(a, b)
    staff_page = staff_client.get(reverse("insights:network")).content.decode()
    observer_page = observer_client.get(reverse("insights:network")).content.decode()
    assert "projets d&#x27;innovation partagés (1)" in staff_page
    assert "projets d&#x27;innovation partagés (0)" in observer_page
    assert staff_client.get("/api/v1/insights/network").json()["sources"]["project"] == 1
    assert observer_client.get("/api/v1/insights/network").json()["sources"]["project"] == 0
    from tests.api.conftest import bearer, make_token

    staff_token = bearer(make_token(staff_user, ["insights:read"]))
    assert staff_token.get("/api/v1/insights/network").json()["sources"]["project"] == 1


def test_the_drawing_keeps_isolated_members_on_a_row_below_the_network(linked):
    import re

    graph = build_graph(TODAY).graph
    svg = str(network.graph_svg(graph, title="Réseau"))
    y = {int(n): float(cy) for cy, n in re.findall(r'cy="([\d.]+)"[^>]*data-node="(\d+)"', svg)}
    assert set(y) == {linked[k].pk for k in "abcd"}
    bottom = network.SIZE - 20
    assert y[linked["d"].pk] == bottom  # the isolated member
    assert all(y[linked[k].pk] <= bottom - 40 for k in "abc")  # the linked ones above its row
    assert 'role="group"' in svg and 'aria-label="Alpha Matériaux"' in svg
