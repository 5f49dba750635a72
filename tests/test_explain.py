"""`evidence-graph explain`: a node, its edges, and the file and line behind each."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA
from rdflib import Dataset

from evidence_graph.graph.base.errors import NodeNotFound
from evidence_graph.graph.cli import cli
from evidence_graph.graph.reading.explain import explain
from evidence_graph.ontology.prefixes import shorten


@pytest.fixture(scope="module")
def seed_ds(seed_graph: Path) -> Dataset:
    from evidence_graph.graph.reading.load import load_dataset

    return load_dataset(seed_graph)


def test_claim_edges_trace_to_quoted_passages(seed_ds: Dataset) -> None:
    result = explain(seed_ds, "helping-alliance-inverted-u", DATA)
    text = result.render()
    assert str(result.node).endswith("/claim/helping-alliance-inverted-u")
    assert "claims/practitioners-psychosocial.yaml:" in text
    supports = [e for e in result.edges if e.predicate == "evg:supports"]
    assert [e.other for e in supports] == [r"id:doc\/2009-can-therapists-be-too-accommodating"]
    passages = supports[0].passages
    assert {(p.file, p.line) for p in passages} >= {("cells/drug/B4.txt", 56)}
    assert any("best’ relationship builders" in p.text for p in passages)
    assert any(e.predicate == "evg:effectShape" for e in result.edges)
    assert any(e.direction == "in" for e in result.edges)
    assert any(e.direction == "out" for e in result.edges)


def test_title_fragment_document_with_discussion_and_listing_lines(seed_ds: Dataset) -> None:
    result = explain(seed_ds, "too accommodating", DATA)
    assert str(result.node).endswith("/doc/2009-can-therapists-be-too-accommodating")
    assert result.origin[0].file == "cells/drug/B4.txt" and result.origin[0].line == 56
    discussed = [e for e in result.edges if e.predicate == "evg:discussedIn"]
    assert discussed and discussed[0].other.endswith("isnt-it-just-a-matter-of-being-nice")
    assert discussed[0].passages[0].file == "cells/drug/B4.txt"
    assert discussed[0].passages[0].line == 56
    assert "Can therapists be too accommodating?" in discussed[0].passages[0].text


def test_every_edge_has_a_file(seed_ds: Dataset) -> None:
    for node in (
        "methadone-counsellor-effects",
        "listing/drug/B3/4",
        "cell/drug/B3/section/highlighted-study",
    ):
        for edge in explain(seed_ds, node, DATA).edges:
            assert edge.passages, (node, edge)
            assert all(p.file and p.file != "?" for p in edge.passages), (node, edge)


def test_ambiguous_fragment_lists_candidates(seed_ds: Dataset) -> None:
    with pytest.raises(NodeNotFound) as caught:
        explain(seed_ds, "Highlighted study")
    message = str(caught.value)
    # Each candidate is printed as the prefixed name a query or `explain` accepts back.
    assert r"id:cell\/drug\/B3\/section\/highlighted-study" in message
    assert r"id:cell\/drug\/B4\/section\/highlighted-study" in message


def test_cli_explain_and_unknown_node(seed_graph: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["explain", "methadone-counsellor-effects", "-g", str(seed_graph)])
    assert ok.exit_code == 0, ok.output
    assert "cells/drug/B3.txt:50" in ok.output
    assert "cells/drug/B3.txt:56" in ok.output
    bad = runner.invoke(cli, ["explain", "zebra crossing", "-g", str(seed_graph)])
    assert bad.exit_code != 0
    assert "no node matches 'zebra crossing'" in bad.output
    assert "Traceback" not in bad.output


def test_printed_names_paste_back_into_explain_and_query(
    seed_ds: Dataset, seed_graph: Path
) -> None:
    """`explain` and `query` print one name per node, which both accept back as input."""
    node = explain(seed_ds, "too accommodating", DATA).node
    name = shorten(node)
    assert name == r"id:doc\/2009-can-therapists-be-too-accommodating"
    assert explain(seed_ds, name, DATA).node == node
    runner = CliRunner()
    # No PREFIX lines: an ad-hoc query gets the project's prefixes declared.
    asked = runner.invoke(
        cli, ["query", f"SELECT ?doc ?t WHERE {{ VALUES ?doc {{ {name} }} ?doc dcterms:title ?t }}",
              "-g", str(seed_graph), "--format", "table"],
    )  # fmt: skip
    assert asked.exit_code == 0, asked.output
    assert name in asked.output and "Can therapists be too accommodating" in asked.output
