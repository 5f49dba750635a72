"""The networkx projection, its analytics, and the pages made from it (without a browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import TEST_DATA

from evidence_graph.graph.base.errors import NodeNotFound
from evidence_graph.graph.cli import cli
from evidence_graph.graph.explore.analytics import analyse, claim_scores, evidence_paths, render
from evidence_graph.graph.explore.pages import graph_page, layout, matrix_data, matrix_page
from evidence_graph.graph.explore.projection import (
    CLASSES,
    RELATIONS,
    matrix_cells,
    neighbourhood,
    project,
    resolve,
)
from evidence_graph.graph.reading.load import load_dataset

FIXTURE = TEST_DATA / "explore-fixture.trig"


@pytest.fixture(scope="module")
def ds() -> Any:
    return load_dataset(FIXTURE)


@pytest.fixture(scope="module")
def g(ds: Any) -> nx.MultiDiGraph:
    return project(ds)


def edges_of(g: nx.MultiDiGraph, relation: str) -> set[tuple[str, str]]:
    return {(s, t) for s, t, d in g.edges(data=True) if d["relation"] == relation}


def test_nodes_have_the_expected_classes_and_attributes(g: nx.MultiDiGraph) -> None:
    classes = {n: d["class"] for n, d in g.nodes(data=True)}
    assert classes["cell/drug/B4"] == "Cell" and classes["matrix/drug"] == "Matrix"
    assert classes["doc/2011-alliance-review"] == "Review"
    assert classes["doc/2008-counselling-competencies"] == "Guidance"
    assert classes["doc/1962-commentary"] == "Document"
    assert classes["claim/alliance-inverted-u"] == "Claim"
    assert classes["concept/therapeutic-relationship"] == "Concept"
    assert classes["org/american-psychological-association"] == "Organisation"
    assert set(classes.values()) <= set(CLASSES)
    # Listings and evidence lines are folded into edges; unused concepts and the level/type
    # concepts are not nodes; a cell with no page that nothing refers to is left out.
    assert not any(n.startswith(("listing/", "claim/alliance-inverted-u/evidence")) for n in g)
    assert "concept/unused" not in g and "concept/level-b" not in g
    assert "cell/drug/C2" not in g and "cell/drug/A4" in g
    doc = g.nodes["doc/2008-counselling-competencies"]
    assert doc["year"] == 2008 and doc["role"] == "guidance" and doc["jurisdiction"] == "US"
    assert doc["publisher"] == "Substance Abuse and Mental Health Services Administration"
    assert doc["excerpt"].startswith("Competencies for addiction counsellors")
    claim = g.nodes["claim/alliance-inverted-u"]
    assert claim["effect_shape"] == "inverted-u" and claim["exposure"]
    assert claim["population"] == "cocaine-dependent patients"
    cell = g.nodes["cell/drug/B4"]
    assert cell["level"] == "B Practitioners" and cell["has_page"] is True
    assert cell["label"] == "drug B4"


def test_edges_are_the_labelled_relations(g: nx.MultiDiGraph) -> None:
    relations = {d["relation"] for _, _, d in g.edges(data=True)}
    assert relations <= set(RELATIONS)
    assert ("doc/2009-too-accommodating", "cell/drug/B3") in edges_of(g, "listedIn")
    listed = [
        d
        for s, t, d in g.edges(data=True)
        if (s, t) == ("doc/2011-alliance-review", "cell/drug/B4") and d["relation"] == "listedIn"
    ]
    assert len(listed) == 1 and listed[0]["role"] == "review" and listed[0]["position"] == 4
    # relatedTo is stated both ways in the RDF: one edge.
    assert edges_of(g, "relatedTo") == {("doc/1957-fundamentals", "doc/2009-too-accommodating")}
    assert edges_of(g, "contradicts") == {
        ("claim/alliance-inverted-u", "claim/relationship-matters")
    }
    # The listing's refersTo/mentions hang off the listed document.
    assert ("doc/1957-fundamentals", "cell/drug/A4") in edges_of(g, "refersTo")
    assert ("doc/1957-fundamentals", "doc/1962-commentary") in edges_of(g, "mentions")
    assert ("doc/2008-counselling-competencies", "claim/alliance-inverted-u") in edges_of(
        g, "inconclusive"
    )
    supports = [
        d
        for s, t, d in g.edges(data=True)
        if (s, t) == ("doc/2009-too-accommodating", "claim/alliance-inverted-u")
    ]
    # An evidence line and the direct evg:supports / evg:supportedBy triples give ONE edge.
    assert len(supports) == 1 and "relationship builders" in supports[0]["quote"]
    assert supports[0]["quoted_from"] == "listing/drug/B4/2"


def test_projection_is_deterministic(ds: Any, g: nx.MultiDiGraph) -> None:
    again = project(load_dataset(FIXTURE))
    assert list(again.nodes(data=True)) == list(g.nodes(data=True))
    assert list(again.edges(keys=True, data=True)) == list(g.edges(keys=True, data=True))
    assert list(g.nodes) == sorted(g.nodes)
    assert layout(g) == layout(again)


def test_resolve_and_neighbourhood(g: nx.MultiDiGraph) -> None:
    assert resolve(g, "cell/drug/B4") == "cell/drug/B4"
    assert resolve(g, "https://w3id.org/evidence-graph/id/cell/drug/B3") == "cell/drug/B3"
    assert resolve(g, "alliance-inverted-u") == "claim/alliance-inverted-u"
    assert resolve(g, "too ACCOMMODATING") == "doc/2009-too-accommodating"
    with pytest.raises(NodeNotFound, match="no node matches"):
        resolve(g, "nothing like this")
    with pytest.raises(NodeNotFound, match=r"matches \d+ nodes") as info:
        resolve(g, "the")
    assert "longer fragment" in str(info.value)
    near = neighbourhood(g, "claim/relationship-matters", 1)
    assert set(near) == {
        "claim/relationship-matters",
        "claim/alliance-inverted-u",
        "doc/1957-fundamentals",
        "doc/2011-alliance-review",
        "concept/therapeutic-relationship",
    }
    assert len(neighbourhood(g, "claim/relationship-matters", 0)) == 1
    assert len(neighbourhood(g, "claim/relationship-matters", 6)) == len(g)


def test_analytics_on_the_fixture(g: nx.MultiDiGraph) -> None:
    scores = {s.claim: s for s in claim_scores(g)}
    assert scores["claim/relationship-matters"].supports == 2
    assert scores["claim/alliance-inverted-u"].supports == 1
    assert scores["claim/alliance-inverted-u"].challenges == 1
    assert scores["claim/alliance-inverted-u"].inconclusive == 1
    a = analyse(g)
    assert a.most_supported[0].claim == "claim/relationship-matters"
    assert a.most_challenged[0].claim == "claim/alliance-inverted-u"
    assert a.most_connected[0].node == "doc/1957-fundamentals"
    assert a.components == [g.number_of_nodes()]
    assert sum(c.size for c in a.communities) <= g.number_of_nodes()
    paths = {(p.claim, p.document, p.cell, p.role) for p in evidence_paths(g)}
    assert (
        "claim/alliance-inverted-u",
        "doc/2009-too-accommodating",
        "cell/drug/B3",
        "key",
    ) in paths
    text = render(a)
    assert "Most-supported claims" in text and "Better relationships" in text
    assert "claim/alliance-inverted-u <-supports- doc/2009-too-accommodating" in text
    assert analyse(g) == a
    json.dumps(a.as_dict())


def test_stats_command_adds_analytics(seed_graph: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", str(seed_graph)])
    assert result.exit_code == 0, result.output
    assert "Network (projection):" in result.output
    assert "Most-connected documents" in result.output
    result = CliRunner().invoke(cli, ["stats", "--json", str(seed_graph)])
    assert result.exit_code == 0, result.output
    analytics = json.loads(result.output)["analytics"]
    assert analytics["nodes"] > 40 and analytics["most_connected"]


def test_seed_projection_has_cells_documents_and_sections(seed_graph: Path) -> None:
    g = project(load_dataset(seed_graph))
    classes = {d["class"] for _, d in g.nodes(data=True)}
    assert {"Cell", "Study", "Review", "Guidance", "Section", "Organisation", "Matrix"} <= classes
    doc = "doc/2009-can-therapists-be-too-accommodating"
    assert g.nodes[doc]["title"] == "Can therapists be too accommodating?"
    assert "cell/drug/B4" in {t for _, t, d in g.out_edges(doc, data=True)}
    assert all(g.degree(n) > 0 for n in g), "the projection has no isolated nodes"


def test_matrix_view_data(ds: Any, g: nx.MultiDiGraph) -> None:
    data = matrix_data(g, matrix_cells(ds))
    (drug,) = data["matrices"]
    assert drug["key"] == "drug" and len(drug["cells"]) == 25
    by_id = {c["cell"]: c for c in drug["cells"]}
    b4 = by_id["B4"]
    assert b4["page"] and b4["node"] == "cell/drug/B4"
    assert b4["roles"] == {"seminal": 1, "key": 2, "review": 1, "guidance": 1}
    assert b4["listings"] == 5 and b4["claims"] == 2 and b4["sections"] == 2
    assert by_id["A4"]["node"] == "cell/drug/A4" and not by_id["A4"]["page"]
    assert by_id["C2"]["node"] is None and by_id["E5"]["node"] is None
    assert [lv["label"] for lv in drug["levels"]][:3] == [
        "A Interventions",
        "B Practitioners",
        "C Management/supervision",
    ]


def test_seed_matrix_view_has_both_matrices(seed_graph: Path) -> None:
    ds = load_dataset(seed_graph)
    data = matrix_data(project(ds), matrix_cells(ds))
    assert [m["key"] for m in data["matrices"]] == ["drug", "alcohol"]
    drug = {c["cell"]: c for c in data["matrices"][0]["cells"]}
    assert drug["B4"]["page"] and drug["B3"]["page"] and not drug["A1"]["page"]
    assert drug["B4"]["listings"] > 10 and drug["B4"]["roles"]["seminal"] >= 1


EXTERNAL = re.compile(
    r"""(src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//""", re.I
)


def test_pages_are_offline_escaped_and_deterministic(ds: Any, g: nx.MultiDiGraph) -> None:
    page = graph_page(g)
    assert page == graph_page(project(load_dataset(FIXTURE)))
    assert not EXTERNAL.search(page) and "<link" not in page and "@import" not in page
    assert "Content-Security-Policy" in page and "connect-src 'none'" in page
    assert "<script>window.__pwned" not in page and "\\u003cscript\\u003ewindow.__pwned" in page
    matrix = matrix_page(g, matrix_cells(ds))
    assert not EXTERNAL.search(matrix) and "<link" not in matrix
    assert matrix == matrix_page(project(load_dataset(FIXTURE)), matrix_cells(ds))


def test_viz_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "page.html"
    result = runner.invoke(cli, ["viz", "-g", str(FIXTURE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '"doc/2011-alliance-review"' in page and "17 nodes" in result.output
    focus = tmp_path / "focus.html"
    args = ["viz", "-g", str(FIXTURE), "-o", str(focus), "--focus", "Better relationships"]
    result = runner.invoke(cli, [*args, "--depth", "1"])
    assert result.exit_code == 0, result.output
    text = focus.read_text(encoding="utf-8")
    assert '"claim/relationship-matters"' in text and '"cell/drug/B3"' not in text
    assert "around Better relationships go with better outcomes." in text
    result = runner.invoke(cli, ["viz", "-g", str(FIXTURE), "--focus", "zzz", "-o", str(focus)])
    assert result.exit_code == 1 and "no node matches 'zzz'" in result.output
    assert "Traceback" not in result.output
    assert focus.read_text(encoding="utf-8") == text  # a failed run leaves the old page
    matrix = tmp_path / "matrix.html"
    result = runner.invoke(
        cli, ["viz", "--matrix", "-g", str(FIXTURE), "-o", str(matrix), "--graph-page", "g.html"]
    )
    assert result.exit_code == 0, result.output
    assert '"graphPage":"g.html"' in matrix.read_text(encoding="utf-8")
    result = runner.invoke(cli, ["viz", "-g", str(tmp_path / "nope.trig")])
    assert result.exit_code == 1 and "no built graph here" in result.output


def test_viz_switches_to_webgl_on_large_graphs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import evidence_graph.graph.explore.pages as viz

    monkeypatch.setattr(viz, "LARGE_GRAPH", 5)
    result = CliRunner().invoke(cli, ["viz", "-g", str(FIXTURE), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 0, result.output
    assert "note: 17 nodes is more than 5: the page draws with WebGL" in result.output
    page = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "graphology" in page and "sigma" in page and "vis-network" not in page


def test_large_layouts_are_deterministic_without_scipy() -> None:
    big = nx.MultiDiGraph()
    for i in range(600):
        big.add_node(f"n{i:04d}", **{"class": "Study"})
    for i in range(599):
        big.add_edge(f"n{i:04d}", f"n{i + 1:04d}", relation="relatedTo")
    first = layout(big)
    assert first == layout(big) and len(first) == 600
    assert len(set(first.values())) > 590


def test_large_layout_packs_nodes_apart_in_a_disc() -> None:
    """From 500 nodes on: no two nodes closer than one slot of the packed disc, all in the disc."""
    import math

    import numpy as np

    from evidence_graph.graph.explore.pages import pack_disc

    for n in (2, 7, 500, 5_000):
        points = pack_disc(np.random.default_rng(n).normal(size=(n, 2)))
        radius = math.sqrt(2 * n / math.pi) + 1
        assert float(np.sqrt((points**2).sum(axis=1)).max()) <= 1.0
        slot = 1.0 / radius
        buckets: dict[tuple[int, int], list[int]] = {}
        for i, (x, y) in enumerate(points):
            buckets.setdefault((int(x // slot), int(y // slot)), []).append(i)
        for (bx, by), members in buckets.items():
            around = [(bx + dx, by + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
            near = [j for key in around for j in buckets.get(key, [])]
            for i in members:
                for j in near:
                    if i < j:
                        assert math.dist(points[i], points[j]) >= slot * 0.999, (n, i, j)
    big = nx.MultiDiGraph()
    for i in range(800):
        big.add_node(f"n{i:04d}", **{"class": "Study"})
        big.add_edge(f"n{i:04d}", f"n{i // 8:04d}", relation="relatedTo")
    pos = layout(big)
    assert len(set(pos.values())) == 800
