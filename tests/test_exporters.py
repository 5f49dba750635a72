"""The whole exporter registry: every format exports, deterministically; the network formats load
back in networkx (or parse) with the projection's node and edge counts; the README table matches.

RDF round trips (isomorphism, independent parsers) are in test_exporters_rdf.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import ROOT, TEST_DATA

from evidence_graph import exporters
from evidence_graph.exporters import FORMATS, get, guess
from evidence_graph.exporters._table import markdown_table
from evidence_graph.graph.cli import cli
from evidence_graph.graph.explore.projection import project
from evidence_graph.graph.reading.load import load_dataset

FIXTURE = TEST_DATA / "explore-fixture.trig"
HOSTILE = "Hostile <img src=x onerror=\"window.__pwned='title'\"> title & friends"


@pytest.fixture(scope="module")
def fixture_ds() -> Any:
    return load_dataset(FIXTURE)


@pytest.fixture(scope="module")
def seed_ds(seed_graph: Path) -> Any:
    return load_dataset(seed_graph)


def exported(ds: Any, name: str) -> bytes:
    buffer = io.BytesIO()
    get(name).export(ds, buffer)
    return buffer.getvalue()


def test_registry_modules_are_complete_and_suffixes_unique() -> None:
    for name, e in FORMATS.items():
        assert e.NAME == name
        assert e.SUFFIX.startswith(".") and "/" in e.MEDIA_TYPE and e.DESCRIPTION
        assert isinstance(e.IS_RDF, bool) and callable(e.export)
        assert guess(f"some/dir/out{e.SUFFIX}") is e, name
    assert {"graphml", "gexf", "csv", "cytoscape", "html"} <= set(FORMATS)


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_exports_deterministically(fixture_ds: Any, name: str) -> None:
    first = exported(fixture_ds, name)
    assert len(first) > 200, name
    assert first == exported(load_dataset(FIXTURE), name), f"{name} is not deterministic"
    text = first.decode("utf-8")
    # Every format carries the document titles (the hostile one too, as data).
    assert "Can therapists be too accommodating?" in text or "accommodating" in text


@pytest.mark.parametrize("which", ["fixture", "seed"])
@pytest.mark.parametrize("name", ["graphml", "gexf"])
def test_network_formats_load_in_networkx_with_projection_counts(
    name: str, which: str, fixture_ds: Any, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ds = fixture_ds if which == "fixture" else request.getfixturevalue("seed_ds")
    g = project(ds)
    path = tmp_path / f"out{FORMATS[name].SUFFIX}"
    path.write_bytes(exported(ds, name))
    back = nx.read_graphml(path) if name == "graphml" else nx.read_gexf(path)
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    assert set(back.nodes) == set(g.nodes)
    relations = sorted(str(d["relation"]) for _, _, d in back.edges(data=True))
    assert relations == sorted(str(d["relation"]) for _, _, d in g.edges(data=True))
    if which == "fixture":
        title_of = {n: d.get("title") for n, d in back.nodes(data=True)}
        assert title_of["doc/2010-hostile"] == HOSTILE
        if name == "graphml":
            assert back.nodes["doc/2009-too-accommodating"]["year"] == 2009


def test_gexf_has_no_date_unless_source_date_epoch(
    fixture_ds: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert b"lastmodifieddate" not in exported(fixture_ds, "gexf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert b'lastmodifieddate="2023-11-14"' in exported(fixture_ds, "gexf")


@pytest.mark.parametrize("which", ["fixture", "seed"])
def test_csv_has_nodes_and_edges_with_labels_and_relations(
    which: str, fixture_ds: Any, request: pytest.FixtureRequest
) -> None:
    ds = fixture_ds if which == "fixture" else request.getfixturevalue("seed_ds")
    g = project(ds)
    rows = list(csv.DictReader(io.StringIO(exported(ds, "csv").decode("utf-8"), newline="")))
    nodes = [r for r in rows if r["kind"] == "node"]
    edges = [r for r in rows if r["kind"] == "edge"]
    assert len(nodes) == g.number_of_nodes() and len(edges) == g.number_of_edges()
    assert len(rows) == len(nodes) + len(edges)
    assert {r["id"] for r in nodes} == set(g.nodes)
    labels = {r["id"]: r["label"] for r in nodes}
    for r in edges:
        assert r["relation"] and r["source"] in labels and r["target"] in labels
        assert r["source_label"] == labels[r["source"]]
    if which == "fixture":
        listed = [r for r in edges if r["relation"] == "listedIn"]
        assert {"seminal", "key", "review", "guidance"} <= {r["role"] for r in listed}
        hostile = next(r for r in nodes if r["id"] == "doc/2010-hostile")
        assert hostile["title"] == HOSTILE and hostile["class"] == "Study"


@pytest.mark.parametrize("which", ["fixture", "seed"])
def test_cytoscape_json_has_projection_counts(
    which: str, fixture_ds: Any, request: pytest.FixtureRequest
) -> None:
    ds = fixture_ds if which == "fixture" else request.getfixturevalue("seed_ds")
    g = project(ds)
    doc = json.loads(exported(ds, "cytoscape"))
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    assert len(nodes) == g.number_of_nodes() and len(edges) == g.number_of_edges()
    ids = {n["data"]["id"] for n in nodes}
    assert ids == set(g.nodes)
    assert all({"x", "y"} <= set(n["position"]) for n in nodes)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    for e in edges:
        assert e["data"]["source"] in ids and e["data"]["target"] in ids and e["data"]["relation"]


def test_html_export_is_the_offline_graph_page(fixture_ds: Any) -> None:
    page = exported(fixture_ds, "html").decode("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//|@import|<link\b", page, re.I)
    for node in project(fixture_ds):
        assert json.dumps(node) in page
    # The hostile title is in the page only with its tag characters escaped inside the JSON block.
    assert "<img src=x onerror" not in page.replace("<img src=x onerror=...>", "")
    assert "\\u003cimg src=x onerror=" in page


def test_readme_format_table_matches_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = markdown_table()
    assert table in readme, (
        "README's format table is stale; paste `python -m evidence_graph.exporters._table`"
    )
    assert len(table.splitlines()) == len(FORMATS) + 2


def test_cli_export_formats_suffix_guess_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "graph.graphml"
    result = runner.invoke(cli, ["export", "-g", str(FIXTURE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        nx.read_graphml(out).number_of_nodes() == project(load_dataset(FIXTURE)).number_of_nodes()
    )
    result = runner.invoke(cli, ["export", "-f", "csv", "-g", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("kind,id,class,label,")
    result = runner.invoke(cli, ["export", "-f", "pdf", "-g", str(FIXTURE)])
    assert result.exit_code == 2
    assert "pdf" in result.output and all(name in result.output for name in FORMATS)
    result = runner.invoke(cli, ["export", "-g", str(FIXTURE), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "give -f FORMAT" in result.output
    assert "graphml (.graphml)" in result.output
    assert not (tmp_path / "x.pdf").exists()
    result = runner.invoke(cli, ["export", "-f", "html", "-g", str(tmp_path / "missing.trig")])
    assert result.exit_code == 1 and "no built graph here" in result.output
    assert "Traceback" not in result.output


def test_registry_is_the_only_list() -> None:
    assert exporters.get("csv") is FORMATS["csv"]


EVIDENCE = ("supports", "challenges", "inconclusive")


@pytest.mark.parametrize("name", ["graphml", "gexf", "csv", "cytoscape"])
def test_one_evidence_edge_per_document_claim_pair_in_every_export(name: str, seed_ds: Any) -> None:
    """Degrees count documents, not quotes: each edge carries all the quotes of its pair."""
    import yaml

    claims: list[dict[str, Any]] = []
    for path in sorted((Path(__file__).parent.parent / "data" / "claims").glob("*.yaml")):
        claims += yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]
    lines = sum(len(c["evidence"]) for c in claims)
    data = exported(seed_ds, name)
    if name == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
        edges = [(r["source"], r["relation"], r["target"], r) for r in rows if r["kind"] == "edge"]
    elif name == "cytoscape":
        elements = json.loads(data)["elements"]["edges"]
        edges = [(e["data"]["source"], e["data"]["relation"], e["data"]["target"], e["data"])
                 for e in elements]  # fmt: skip
    else:
        read = nx.read_graphml if name == "graphml" else nx.read_gexf
        back = read(io.BytesIO(data))
        edges = [(s, d["relation"], t, d) for s, t, d in back.edges(data=True)]
    evidence = [(s, r, t, d) for s, r, t, d in edges if r in EVIDENCE]
    assert len(evidence) == len({(s, r, t) for s, r, t, _ in evidence})
    assert len(evidence) < lines  # several quotes of one document on one claim share an edge
    assert sum(int(d["quotes"]) for _, _, _, d in evidence) == lines
    assert max(int(d["quotes"]) for _, _, _, d in evidence) >= 2
    several = next(d for _, _, _, d in evidence if int(d["quotes"]) >= 2)
    assert len(str(several["quote"]).split("\n")) == int(several["quotes"])
