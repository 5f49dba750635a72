"""The default graph that queries see is the union of the named graphs as a SET (an RDF merge).

Oxigraph's ``use_default_graph_as_union`` returns a triple once per graph holding it; a document
listed in two cells must still be counted, and listed, once (graph/sparql.py `open_store`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA, TEST_DATA
from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from evidence_graph.graph.pipeline.build import build
from evidence_graph.graph.service import sparql

FIXTURE = TEST_DATA / "query-fixture.trig"
COUNTS = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT *) AS ?d) WHERE { ?s ?p ?o }"


def counts(store: Store) -> tuple[int, int]:
    data = json.loads(sparql.run(store, COUNTS, result_format="json").body)
    row = data["results"]["bindings"][0]
    return int(row["n"]["value"]), int(row["d"]["value"])


def answers(store: Store, query: str) -> list[tuple[str, ...]]:
    data = json.loads(sparql.run(store, query, result_format="json").body)
    names = data["head"]["vars"]
    for binding in data["results"]["bindings"]:
        for var in ("cells", "role"):  # GROUP_CONCAT order is unspecified: compare the items
            if var in binding:
                binding[var]["value"] = " ".join(sorted(binding[var]["value"].split()))
    return [
        tuple(json.dumps(b.get(v), sort_keys=True) for v in names)
        for b in data["results"]["bindings"]
    ]


@pytest.fixture(scope="module")
def doubled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The query fixture with every named graph also copied under a second graph name."""
    store = Store()
    store.load(path=str(FIXTURE), format=RdfFormat.TRIG)
    copies = [
        Quad(q.subject, q.predicate, q.object, NamedNode(q.graph_name.value + "/copy"))
        for q in store
        if isinstance(q.graph_name, NamedNode)
    ]
    store.extend(copies)
    path = tmp_path_factory.mktemp("doubled") / "doubled.trig"
    store.dump(str(path), format=RdfFormat.TRIG)
    return path


def test_a_triple_in_two_graphs_counts_once(doubled: Path) -> None:
    store = sparql.open_store(doubled)
    n, distinct = counts(store)
    assert n == distinct == counts(sparql.open_store(FIXTURE))[0]
    # The named graphs stay as they were, queryable with GRAPH.
    graphs = answers(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(graphs) == 2 * len(
        answers(sparql.open_store(FIXTURE), "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    )


@pytest.mark.parametrize("name", sorted(sparql.named_queries()))
def test_named_queries_answer_each_thing_once(doubled: Path, name: str) -> None:
    if name == "named-graphs":  # lists the graphs themselves: twice as many here
        return
    named = sparql.get_named_query(name)
    values = {p.name: p.example for p in named.params if p.example is not None}
    query = sparql.bind_params(named.text, values, named.params)
    once = answers(sparql.open_store(FIXTURE), query)
    assert sorted(answers(sparql.open_store(doubled), query)) == sorted(once)
    assert len(set(once)) == len(once) or "GROUP" in named.text.upper()


def test_seed_build_default_graph_is_a_set(seed_build: Path, tmp_path: Path) -> None:
    n, distinct = counts(sparql.open_store(seed_build))
    assert n == distinct > 2000
    build(DATA, tmp_path, store="oxigraph")  # the persisted store holds the same default graph
    persisted = sparql.open_store(tmp_path)
    assert (tmp_path / "store" / "CURRENT").is_file()
    assert counts(persisted) == (n, distinct)
    assert counts(sparql.open_store(tmp_path, memory=True)) == (n, distinct)
