"""Deterministic serializations of an rdflib dataset, the bytes the exporters and the memory store
write.

N-Triples and N-Quads lines are sorted; Turtle comes from rdflib's serializer (which sorts
subjects, predicates and objects); TriG is written graph by graph in IRI order (rdflib's own TriG
writer orders graphs by hash); JSON-LD objects are sorted by ``@id``.
"""

from __future__ import annotations

import io
import json
from typing import Any

from rdflib import Dataset, Graph
from rdflib.plugins.serializers.trig import TrigSerializer

from ...ontology import CONTEXT_FILE
from .dataset import named_graphs, union_graph


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
