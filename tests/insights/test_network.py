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
