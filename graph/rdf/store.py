"""The one place datasets are created, loaded and serialized.

rdflib's in-memory store is the embedded default. Every "new dataset / load / serialize" in the
project goes through the functions here, so that a faster backend (Oxigraph, via `oxrdflib` or
`pyoxigraph`) can be swapped in behind them without touching callers: `new_dataset`, `load_dataset`,
`add_quads`, `union_graph` and `serialize` are the seams.

Serializations are deterministic: N-Triples and N-Quads lines are sorted; Turtle comes from rdflib's
serializer (which sorts subjects, predicates and objects); TriG is written graph by graph in IRI
order (rdflib's own TriG writer orders graphs by hash); JSON-LD objects are sorted by ``@id``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.serializers.trig import TrigSerializer
from rdflib.term import Node

from ...ontology import CONTEXT_FILE, NS
from ..base.errors import SourceError
from ..base.files import resolve_graph_path

Quad = tuple[Node, Node, Node, URIRef]
"""(subject, predicate, object, graph IRI)."""

PREFIXES: dict[str, str] = {
    "cito": "http://purl.org/spar/cito/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "evg": NS,
    "fabio": "http://purl.org/spar/fabio/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "mp": "http://purl.org/mp/",
    "oa": "http://www.w3.org/ns/oa#",
    "obo": "http://purl.obolibrary.org/obo/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "pico": "http://data.cochrane.org/ontologies/pico/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""The prefixes written into Turtle/TriG output (only those a file uses are printed)."""

LOADERS: dict[str, str] = {
    ".trig": "trig",
    ".nq": "nquads",
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
}
"""File suffix → rdflib parser name, for `load_dataset`."""


def _bind(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
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


def load_dataset(path: str | Path) -> Dataset:
    """Read a built graph: a ``.trig``/``.nq``/``.ttl``/``.nt``/``.jsonld`` file or a build dir."""
    source = resolve_graph_path(path)
    fmt = LOADERS.get(source.suffix.lower())
    if fmt is None:
        raise SourceError(
            source,
            None,
            f"cannot read a graph from a {source.suffix or 'suffix-less'} file",
            hint=f"use one of: {', '.join(sorted(LOADERS))}",
        )
    ds = new_dataset()
    try:
        if fmt in ("turtle", "nt"):
            ds.graph(DATASET_DEFAULT_GRAPH_ID).parse(source, format=fmt)
        else:
            ds.parse(source, format=fmt)
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(source, None, f"cannot read: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - rdflib parsers raise many unrelated types
        raise SourceError(source, None, f"not valid {fmt}: {exc}") from exc
    return ds


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


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.decode("utf-8").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle", encoding="utf-8").decode("utf-8")


def _trig(ds: Dataset) -> bytes:
    # rdflib's TriG writer, with its graphs put in IRI order (it takes them in hash order); one
    # writer for all graphs keeps the prefixes it invents for unknown namespaces consistent.
    writer = TrigSerializer(ds)
    writer.contexts = named_graphs(ds)
    buffer = io.BytesIO()
    writer.serialize(buffer, encoding="utf-8")
    return buffer.getvalue()


def _context() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    context: dict[str, Any] = loaded["@context"]
    return context


def _jsonld(ds: Dataset) -> bytes:
    context = _context()
    data = json.loads(
        ds.serialize(format="json-ld", context=context, encoding="utf-8").decode("utf-8")
    )
    items: list[Any] = data.get("@graph", []) if isinstance(data, dict) else data
    document = {"@context": context, "@graph": _sorted_json(items)}
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _sorted_json(value: Any) -> Any:
    """`value` with every array sorted (JSON-LD arrays are sets here: the build writes no lists)."""
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def serialize(ds: Dataset, fmt: str) -> bytes:
    """`ds` as bytes: "turtle" / "nt" (the union), "nquads" / "trig" / "json-ld" (graphs)."""
    if fmt == "turtle":
        return _turtle(union_graph(ds)).encode("utf-8")
    if fmt == "nt":
        return _sorted_lines(union_graph(ds).serialize(format="nt", encoding="utf-8"))
    if fmt == "nquads":
        return _sorted_lines(ds.serialize(format="nquads", encoding="utf-8"))
    if fmt == "trig":
        return _trig(ds)
    if fmt == "json-ld":
        return _jsonld(ds)
    raise ValueError(f"no serializer for {fmt!r}")
