"""rdflib datasets as the build and the readers hold them: created with the project's prefixes
bound, filled from quads, viewed graph by graph or as one union graph."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from ...ontology.prefixes import FILE_PREFIXES

Quad = tuple[Node, Node, Node, URIRef]
"""(subject, predicate, object, graph IRI)."""


def _bind(graph: Graph) -> None:
    for prefix, namespace in FILE_PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)


def new_dataset() -> Dataset:
    """An empty dataset whose default graph is the union of its named graphs (for SPARQL)."""
    ds = Dataset(default_union=True)
    _bind(ds)
    return ds


def add_quads(ds: Dataset, quads: Iterable[Quad]) -> int:
    """Add `quads` to `ds`, each into its named graph; returns how many were given."""
    graphs: dict[URIRef, Graph] = {}
    batch: list[tuple[Node, Node, Node, Graph]] = []
    for s, p, o, g in quads:
        target = graphs.get(g)
        if target is None:
            target = graphs[g] = ds.graph(g)
        batch.append((s, p, o, target))
    ds.addN(batch)
    return len(batch)


def named_graphs(ds: Dataset) -> list[Graph]:
    """The non-empty graphs of `ds`, sorted by IRI (the default graph last, if it has triples)."""
    graphs = [g for g in ds.graphs() if len(g) and g.identifier != DATASET_DEFAULT_GRAPH_ID]
    graphs.sort(key=lambda g: str(g.identifier))
    default = ds.graph(DATASET_DEFAULT_GRAPH_ID)  # its own triples, even when default_union
    if len(default):
        graphs.append(default)
    return graphs


def union_graph(ds: Dataset) -> Graph:
    """Every triple of every graph of `ds` in one plain graph (duplicates across graphs merge)."""
    union = Graph(bind_namespaces="none")
    _bind(union)
    for g in named_graphs(ds):
        union += g
    return union
