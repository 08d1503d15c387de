"""The collaboration network: organisations linked by what they do together.

Edge sources, each read through its app's selectors and skipped (with a note) when the app or the
selector is missing, so this module never depends on a mission app at import time:

- ``ecosystem``: recorded relationships (``Relationship``, since the date or undated);
- ``partnerships.selectors.collaboration_edges`` (collaborations running in the window) and
  ``introduction_edges`` (introductions made in the window);
- ``innovation.selectors.shared_project_edges`` (projects existing in the window);
- ``events.selectors.co_attendance_pairs`` (co-attended events and B2B meetings held).

The graph *at* a date uses a window of ``WINDOW_DAYS`` (two years) ending on that date: old ties
fade, so the "12 months ago" graph and today's can be compared fairly. Nodes are the organisations
on any edge plus every member on the date (so isolated members show). Edge weight = number of
shared things; ``kinds`` lists the sources.

Metrics (networkx): degree, betweenness centrality (brokers; sampled with a fixed seed above 600
nodes), communities (Louvain, fixed seed), isolated members, and the change against 12 months ago.
"""

import datetime as dt
import importlib
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.ecosystem import selectors as eco_selectors
from grappe.ecosystem.models import Organisation, Relationship, Segment

WINDOW_DAYS = 730
SEED = 42
# What each edge kind (and source count) means, for the page.
SOURCE_LABELS = {
    "relationship": gettext_lazy("relations enregistrées"),
    "collaboration": gettext_lazy("collaborations"),
    "introduction": gettext_lazy("mises en relation"),
    "project": gettext_lazy("projets d'innovation partagés"),
    "event": gettext_lazy("événements suivis ensemble"),
    "meeting": gettext_lazy("rendez-vous B2B tenus"),
}


@dataclass
class NetworkResult:
    day: dt.date
    graph: nx.Graph
    notes: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)


def _selector(module: str, name: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _add_edge(graph: nx.Graph, a: int, b: int, kind: str, weight: int = 1) -> None:
    if a == b or a is None or b is None:
        return
    if graph.has_edge(a, b):
        data = graph[a][b]
        data["weight"] += weight
        data["kinds"].add(kind)
    else:
        graph.add_edge(a, b, weight=weight, kinds={kind})


def build_graph(day: dt.date, *, window_days: int = WINDOW_DAYS, include_staff_only: bool = False) -> NetworkResult:
    """The network on ``day``. Staff-only innovation projects link organisations only when
    ``include_staff_only`` (staff viewers): observers must not learn that a confidential project exists."""
    start = day - dt.timedelta(days=window_days)
    graph = nx.Graph()
    result = NetworkResult(day, graph)
    relationships = Relationship.objects.filter(Q(since__isnull=True) | Q(since__lte=day))
    pairs = list(relationships.values_list("source_id", "target_id"))
    for a, b in pairs:
        _add_edge(graph, a, b, "relationship")
    result.sources["relationship"] = len(pairs)
    readers = [
        ("collaboration", "grappe.partnerships.selectors", "collaboration_edges", lambda f: f(start, day)),
        ("introduction", "grappe.partnerships.selectors", "introduction_edges", lambda f: f(start, day)),
        (
            "project",
            "grappe.innovation.selectors",
            "shared_project_edges",
            lambda f: f(start, day, include_staff_only=include_staff_only),
        ),
        ("event", "grappe.events.selectors", "co_attendance_pairs", lambda f: f(start, day)),
    ]
    for kind, module, name, call in readers:
        selector = _selector(module, name)
        if selector is None:
            result.notes.append(_("Source absente, ignorée : %(name)s.") % {"name": f"{module}.{name}"})
            continue
        edges = call(selector)
        for edge in edges:
            if kind == "event":
                if edge.get("events"):
                    _add_edge(graph, edge["a"], edge["b"], "event", edge["events"])
                if edge.get("meetings"):
                    _add_edge(graph, edge["a"], edge["b"], "meeting", edge["meetings"])
            else:
                _add_edge(graph, edge["a"], edge["b"], kind)
        if kind == "event":
            result.sources["event"] = sum(1 for e in edges if e.get("events"))
            result.sources["meeting"] = sum(1 for e in edges if e.get("meetings"))
        else:
            result.sources[kind] = len(edges)
    members = eco_selectors.member_ids_on(day)
    graph.add_nodes_from(members)
    organisations = Organisation.objects.in_bulk(list(graph.nodes))
    for node in list(graph.nodes):
        org = organisations.get(node)
        if org is None:  # an edge to a deleted organisation
            graph.remove_node(node)
            continue
        graph.nodes[node].update({"label": org.name, "kind": org.kind, "member": node in members})
    return result


def metrics(graph: nx.Graph) -> dict[str, Any]:
    """Degree, betweenness, Louvain communities, isolated members; also stored on the nodes."""
    if graph.number_of_nodes() == 0:
        return {"nodes": 0, "edges": 0, "density": 0.0, "communities": [], "isolated_members": [], "brokers": []}
    k = 300 if graph.number_of_nodes() > 600 else None
    betweenness = nx.betweenness_centrality(graph, k=k, seed=SEED, weight=None)
    communities = nx.community.louvain_communities(graph, weight="weight", seed=SEED) if graph.number_of_edges() else []
    communities = sorted((sorted(c) for c in communities if len(c) > 1), key=lambda c: (-len(c), c[0]))
    community_of = {n: i for i, c in enumerate(communities) for n in c}
    for node, data in graph.nodes(data=True):
        data["degree"] = graph.degree(node)
        data["betweenness"] = round(betweenness.get(node, 0.0), 6)
        data["community"] = community_of.get(node, -1)
    nodes = list(graph.nodes(data=True))
    brokers = sorted(nodes, key=lambda n: (-n[1]["betweenness"], n[1]["label"]))[:10]
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "density": nx.density(graph),
        "mean_degree": 2 * graph.number_of_edges() / graph.number_of_nodes(),
        "communities": communities,
        "isolated_members": sorted(
            (n for n, d in nodes if d.get("member") and d["degree"] == 0), key=lambda n: graph.nodes[n]["label"]
        ),
        "brokers": [n for n, d in brokers if d["betweenness"] > 0],
        "top_degree": [n for n, _d in sorted(nodes, key=lambda n: (-n[1]["degree"], n[1]["label"]))[:10]],
    }


def change(now: nx.Graph, before: nx.Graph) -> dict[str, Any]:
    """What changed between the graph 12 months ago and now."""
    now_edges = {tuple(sorted(e)) for e in now.edges}
    before_edges = {tuple(sorted(e)) for e in before.edges}

    def mean_degree(g: nx.Graph) -> float:
        return 2 * g.number_of_edges() / g.number_of_nodes() if g.number_of_nodes() else 0.0

    def isolated_members(g: nx.Graph) -> int:
        return sum(1 for n, d in g.nodes(data=True) if d.get("member") and g.degree(n) == 0)

    return {
        "nodes": (before.number_of_nodes(), now.number_of_nodes()),
        "edges": (before.number_of_edges(), now.number_of_edges()),
        "new_edges": len(now_edges - before_edges),
        "lost_edges": len(before_edges - now_edges),
        "mean_degree": (mean_degree(before), mean_degree(now)),
        "density": (nx.density(before) if before.number_of_nodes() else 0.0, nx.density(now)),
        "isolated_members": (isolated_members(before), isolated_members(now)),
    }


def network_report(day: dt.date, *, include_staff_only: bool = False) -> dict[str, Any]:
    now = build_graph(day, include_staff_only=include_staff_only)
    before = build_graph(day - dt.timedelta(days=365), include_staff_only=include_staff_only)
    stats = metrics(now.graph)
    notes = list(now.notes)
    if now.graph.number_of_edges() == 0:
        notes.append(_("Aucun lien enregistré dans la fenêtre de deux ans : le réseau est vide."))
    return {"result": now, "metrics": stats, "change": change(now.graph, before.graph), "notes": notes}


def for_export(graph: nx.Graph) -> nx.Graph:
    """A copy with only strings and numbers as attributes (what GEXF and GraphML writers accept)."""
    clean = nx.Graph()
    for node, data in graph.nodes(data=True):
        clean.add_node(
            node,
            label=str(data.get("label", node)),
            kind=str(data.get("kind", "")),
            member=bool(data.get("member", False)),
            degree=int(data.get("degree", graph.degree(node))),
            betweenness=float(data.get("betweenness", 0.0)),
            community=int(data.get("community", -1)),
        )
    for a, b, data in graph.edges(data=True):
        clean.add_edge(a, b, weight=int(data.get("weight", 1)), kinds=",".join(sorted(data.get("kinds", ()))))
    return clean


def export_bytes(graph: nx.Graph, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "gexf":
        nx.write_gexf(for_export(graph), buffer)
    else:
        nx.write_graphml(for_export(graph), buffer)
    return buffer.getvalue()


PALETTE = ["#1d4e89", "#a4161a", "#2b9348", "#f4a261", "#6a4c93", "#e76f51", "#118ab2", "#8d99ae", "#ef476f"]
SIZE = 640


def graph_svg(graph: nx.Graph, *, title: str, max_nodes: int = 400) -> SafeString:
    """A force layout computed on the server (spring layout, fixed seed): lines, circles, hover titles, links.

    Lines carry ``data-a``/``data-b`` and circles ``data-node`` (organisation ids) for ``insights/network.js``,
    which highlights a node's neighbourhood on hover or keyboard focus and finds organisations by name.
    """
    nodes = sorted(graph.nodes, key=lambda n: (-graph.degree(n), n))[:max_nodes]
    sub = graph.subgraph(nodes)
    if not nodes:
        return format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {s} 60" role="img" class="network">'
            '<title>{t}</title><text x="10" y="30">{e}</text></svg>',
            s=SIZE,
            t=title,
            e=_("Aucun lien à afficher."),
        )
    # Linked organisations get the force layout; isolated ones a row at the bottom. Laid out together,
    # the isolated ones drift to the edges and the rescaling squeezes the network into a ball. Edge
    # weights are left out of the layout for the same reason (co-attended events weigh heavily).
    linked = [n for n in nodes if sub.degree(n) > 0]
    alone = [n for n in nodes if sub.degree(n) == 0]
    margin = 20
    height = SIZE - 2 * margin - (40 if alone else 0)
    points: dict[int, tuple[float, float]] = {}
    if linked:
        layout = nx.spring_layout(
            sub.subgraph(linked), seed=SEED, k=1.5 / math.sqrt(len(linked)), iterations=60, weight=None
        )
        # A dense core with a few far-flung leaves would be squeezed into a ball: the 2nd-98th
        # percentiles fill the drawing and the outliers are clipped to its edge.
        coords = np.array([layout[n] for n in linked])
        low, high = np.percentile(coords, 2, axis=0), np.percentile(coords, 98, axis=0)
        unit = np.clip((coords - low) / np.where(high > low, high - low, 1.0), 0.0, 1.0)
        for node, (x, y) in zip(linked, unit, strict=True):
            points[node] = (round(margin + x * (SIZE - 2 * margin), 1), round(margin + y * height, 1))
    for i, node in enumerate(alone):
        points[node] = (round(margin + (i + 0.5) / len(alone) * (SIZE - 2 * margin), 1), float(SIZE - margin))

    def xy(node: int) -> tuple[float, float]:
        return points[node]

    lines = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke-width="{}" data-a="{}" data-b="{}"><title>{}</title></line>',
        (
            (
                *xy(a),
                *xy(b),
                min(0.6 + 0.4 * d.get("weight", 1), 4),
                a,
                b,
                f"{sub.nodes[a].get('label')} — {sub.nodes[b].get('label')} : "
                + ", ".join(str(SOURCE_LABELS.get(k, k)) for k in sorted(d.get("kinds", ()))),
            )
            for a, b, d in sub.edges(data=True)
        ),
    )
    circles = format_html_join(
        "",
        '<a href="{}" aria-label="{}"><circle cx="{}" cy="{}" r="{}" fill="{}" class="{}" data-node="{}">'
        "<title>{}</title></circle></a>",
        (
            (
                reverse("ecosystem:organisation_detail", args=[node]),
                d.get("label"),
                *xy(node),
                round(3 + 1.5 * math.sqrt(sub.degree(node)), 1),
                PALETTE[d.get("community", -1) % len(PALETTE)] if d.get("community", -1) >= 0 else "#adb5bd",
                "member" if d.get("member") else "other",
                node,
                _("%(name)s — %(degree)d liens, intermédiarité %(b).3f")
                % {"name": d.get("label"), "degree": graph.degree(node), "b": d.get("betweenness", 0.0)},
            )
            for node, d in sub.nodes(data=True)
        ),
    )
    return format_html(
        # role=group, not img: the circles are links (axe nested-interactive), announced one by one.
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {s} {s}" width="100%" role="group" aria-label="{t}" '
        'class="network" data-nodes="{n}"><title>{t}</title><desc>{desc}</desc>'
        '<g stroke="#9aa5b1" stroke-opacity="0.7">{lines}</g>'
        '<g stroke="#fff" stroke-width="1">{circles}</g></svg>',
        s=SIZE,
        n=len(nodes),
        t=title,
        desc=_("%(n)d organisations, %(e)d liens.") % {"n": sub.number_of_nodes(), "e": sub.number_of_edges()},
        lines=lines,
        circles=circles,
    )


def segment_connectivity(graph: nx.Graph) -> list[dict[str, Any]]:
    """Mean degree of the member organisations of each segment (most and least connected segments)."""
    members = [n for n, d in graph.nodes(data=True) if d.get("member")]
    rows = []
    links: Counter = Counter()
    counts: Counter = Counter()
    for org_id, seg_id in Organisation.segments.through.objects.filter(organisation_id__in=members).values_list(
        "organisation_id", "segment_id"
    ):
        counts[seg_id] += 1
        links[seg_id] += graph.degree(org_id)
    for segment in Segment.objects.filter(pk__in=list(counts)).select_related("value_chain"):
        rows.append(
            {
                "segment": segment.pk,
                "label": str(segment),
                "members": counts[segment.pk],
                "mean_degree": links[segment.pk] / counts[segment.pk],
            }
        )
    rows.sort(key=lambda r: (-r["mean_degree"], r["label"]))
    return rows
