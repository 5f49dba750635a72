"""What each named graph's text holds for the whole-graph counts and the files' prefixes, kept by
the graph's SHA-256 in ``<out>/.cache/graphs.json`` so that a rebuild reads again only the graphs
whose text changed.

A graph's facts: how many of its lines have each predicate, how many ``rdf:type`` lines name each
class, and which of the files' prefixes its text uses. The union's counts are the sum over the
graphs minus the lines the union holds once but several graphs hold (`OxigraphSink` knows them);
its prefixes, the union of the graphs' prefixes (every union line is the start of some graph's
line, and a graph's lines end with its name, which the files name too).

The file is data: JSON checked field by field; an entry that does not fit is made again.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...ontology.prefixes import FILE_PREFIXES
from ..base.files import CACHE_DIR, atomic_write

GRAPH_FACTS_FILE = "graphs.json"
FORMAT = "evidence-graph graph facts 1"
RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


@dataclass(frozen=True)
class GraphFacts:
    """Per predicate, its lines; per class (the object of ``rdf:type``), its lines; the prefixes
    of `FILE_PREFIXES` whose namespace the text holds."""

    predicates: Mapping[str, int]
    types: Mapping[str, int]
    prefixes: frozenset[str]

    def as_json(self) -> dict[str, Any]:
        return {"p": dict(self.predicates), "t": dict(self.types), "ns": sorted(self.prefixes)}


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
        frozenset(name for name, ns in FILE_PREFIXES.items() if f"<{ns}".encode() in chunk),
    )


def _salt() -> str:
    """What facts depend on besides a graph's text: this format and the prefixes looked for."""
    prefixes = json.dumps(sorted(FILE_PREFIXES.items())).encode("utf-8")
    return f"{FORMAT}:{hashlib.sha256(prefixes).hexdigest()[:16]}"


def _decoded(entry: Any) -> GraphFacts | None:
    """The facts of a cache entry, if it is one: {"p": {str: int}, "t": {str: int}, "ns": [str]}."""
    if not isinstance(entry, dict) or entry.keys() != {"p", "t", "ns"}:
        return None
    counts = (entry["p"], entry["t"])
    for table in counts:
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and type(n) is int and n > 0 for k, n in table.items()
        ):
            return None
    names = entry["ns"]
    if not isinstance(names, list) or not all(n in FILE_PREFIXES for n in names):
        return None
    return GraphFacts(counts[0], counts[1], frozenset(names))


class FactsCache:
    """The facts of a build's graphs by digest: those of the previous build read from
    ``.cache/graphs.json``, the others made from the text; `save` keeps this build's."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / CACHE_DIR / GRAPH_FACTS_FILE
        self._previous: dict[str, Any] | None = None
        self._now: dict[str, GraphFacts] = {}

    def _stored(self) -> dict[str, Any]:
        if self._previous is None:
            self._previous = {}
            try:
                data = json.loads(self.path.read_bytes())
            except (OSError, ValueError, RecursionError):
                return self._previous
            if isinstance(data, dict) and data.get("salt") == _salt():
                graphs = data.get("graphs")
                if isinstance(graphs, dict):
                    self._previous = graphs
        return self._previous

    def facts(self, digest: str, chunk: bytes, graph: str) -> GraphFacts:
        """The facts of the graph `graph` whose text `chunk` has the SHA-256 `digest`."""
        found = self._now.get(digest)
        if found is None:
            found = _decoded(self._stored().get(digest)) or graph_facts(chunk, graph)
            self._now[digest] = found
        return found

    def save(self, digests: Mapping[str, str]) -> None:
        """Keep the facts of the graphs with `digests` (graph → digest), if they differ from the
        stored ones."""
        kept = {d: self._now[d].as_json() for d in sorted(set(digests.values())) if d in self._now}
        if kept == self._stored():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.path) as out:
            data = {"salt": _salt(), "graphs": kept}
            out.write(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8"))
