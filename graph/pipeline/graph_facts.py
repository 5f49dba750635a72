"""What each named graph's text holds for the whole-graph counts, kept by the graph's SHA-256 in
``<out>/.cache/graphs.json`` so that a rebuild reads again only the graphs whose text changed.

A graph's facts: how many of its lines have each predicate, and how many ``rdf:type`` lines name
each class. The union's counts are the sum over the graphs less the lines the union holds once but
several graphs hold (`OxigraphSink` knows them).

The file is data: JSON checked field by field; an entry that does not fit is made again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from ..base.files import CACHE_DIR, atomic_write

GRAPH_FACTS_FILE = "graphs.json"
FORMAT = "evidence-graph graph facts 3"
RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


@dataclass(frozen=True)
class GraphFacts:
    """Per predicate, its lines; per class (the object of ``rdf:type``), its lines."""

    predicates: Mapping[str, int]
    types: Mapping[str, int]

    @property
    def lines(self) -> int:
        """The graph's lines (each has one predicate)."""
        return sum(self.predicates.values())

    def as_json(self) -> dict[str, Any]:
        return {"p": dict(self.predicates), "t": dict(self.types)}


def graph_facts(chunk: bytes, graph: str) -> GraphFacts:
    """The facts of one graph's sorted N-Quads lines `chunk` (every line ending in `graph`)."""
    predicates: Counter[bytes] = Counter()
    types: Counter[bytes] = Counter()
    tail = len(graph.encode("utf-8")) + 3  # " <graph> ." after the object
    for line in chunk.splitlines():
        _, p, rest = line.split(b" ", 2)
        predicates[p] += 1
        if p == RDF_TYPE:
            types[rest[:-tail]] += 1
    return GraphFacts(
        {p.decode("utf-8"): n for p, n in predicates.items()},
        {t.decode("utf-8"): n for t, n in types.items()},
    )


def _decoded(entry: Any) -> GraphFacts | None:
    """The facts of a cache entry, if it is one: {"p": {str: int}, "t": {str: int}}."""
    if not isinstance(entry, dict) or entry.keys() != {"p", "t"}:
        return None
    counts = (entry["p"], entry["t"])
    for table in counts:
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and type(n) is int and n > 0 for k, n in table.items()
        ):
            return None
    return GraphFacts(counts[0], counts[1])


def _strings(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


class FactsCache:
    """The facts of a build's graphs by digest: those of the previous build read from
    ``.cache/graphs.json``, the others made from the text; `save` keeps this build's. Beside them,
    the namespaces the previous build's text held (for the files' prefixes)."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / CACHE_DIR / GRAPH_FACTS_FILE
        self._previous: dict[str, Any] | None = None
        self._namespaces: tuple[frozenset[str], frozenset[str]] | None = None
        self._now: dict[str, GraphFacts] = {}

    def _stored(self) -> dict[str, Any]:
        if self._previous is None:
            self._previous = {}
            try:
                data = json.loads(self.path.read_bytes())
            except (OSError, ValueError, RecursionError):
                return self._previous
            if isinstance(data, dict) and data.get("format") == FORMAT:
                graphs, spaces = data.get("graphs"), data.get("namespaces")
                if isinstance(graphs, dict) and isinstance(spaces, dict):
                    looked, held = spaces.get("looked for"), spaces.get("held")
                    if _strings(looked) and _strings(held):
                        self._previous = graphs
                        self._namespaces = (frozenset(looked), frozenset(held))
        return self._previous

    def namespaces_before(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """The namespaces the previous build looked for in its text, and those it held (None:
        not known)."""
        self._stored()
        return self._namespaces

    def held_before(self, digest: str) -> bool:
        """Whether a graph of the previous build had the text with SHA-256 `digest` (its
        namespaces are then among `namespaces_before`)."""
        return digest in self._stored()

    def facts(self, digest: str, chunk: bytes, graph: str) -> GraphFacts:
        """The facts of the graph `graph` whose text `chunk` has the SHA-256 `digest`."""
        found = self._now.get(digest)
        if found is None:
            found = _decoded(self._stored().get(digest)) or graph_facts(chunk, graph)
            self._now[digest] = found
        return found

    def known(self, digest: str) -> GraphFacts | None:
        """The facts of the graph with `digest` if this build has asked for them already."""
        return self._now.get(digest)

    def save(
        self, digests: Mapping[str, str], looked_for: Iterable[str], held: Iterable[str]
    ) -> None:
        """Keep the facts of the graphs with `digests` (graph → digest), and which namespaces
        were `looked_for` in their text and which it `held`, if they differ from the stored."""
        kept = {d: self._now[d].as_json() for d in sorted(set(digests.values())) if d in self._now}
        spaces = (frozenset(looked_for), frozenset(held))
        if kept == self._stored() and self._namespaces == spaces:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.path) as out:
            namespaces = {"looked for": sorted(spaces[0]), "held": sorted(spaces[1])}
            data = {"format": FORMAT, "graphs": kept, "namespaces": namespaces}
            out.write(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8"))
