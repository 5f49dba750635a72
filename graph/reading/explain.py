"""`evidence-graph explain NODE`: a node, its edges, and the source passage behind each edge.

NODE is an IRI, a key ("claim/…", "doc/…", "listing/drug/B4/4"), a claim id, or a fragment of a
title, label or heading. Each edge lives in a named graph whose provenance names its source file
(`prov:wasDerivedFrom/evg:sourcePath`); its line is the `evg:sourceLine` of the listing, section,
claim or evidence line it was made from. A support or challenge is traced through its evidence
lines to the quoted passage (`prov:wasQuotedFrom` a listing or section, with its own file and line).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from ...ontology import NS
from ...ontology.namespace import EVG
from ...ontology.prefixes import shorten
from ..base.nodes import resolve_node

EVG_SOURCE_LINE = URIRef(f"{NS}sourceLine")
EVG_SOURCE_PATH = URIRef(f"{NS}sourcePath")
EVG_HEADING = URIRef(f"{NS}heading")
EVG_CLAIM = URIRef(f"{NS}claim")
EVG_EVIDENCE = URIRef(f"{NS}evidence")
EVG_QUOTE = URIRef(f"{NS}quote")
EVG_DIRECTION = URIRef(f"{NS}direction")
EVG_LISTS = URIRef(f"{NS}lists")
EVG_SUPPORTS = URIRef(f"{NS}supports")
EVG_CHALLENGES = URIRef(f"{NS}challenges")

TWO_ENDED = {
    URIRef(f"{NS}discussedIn"),
    URIRef(f"{NS}relatedTo"),
    URIRef(f"{NS}includes"),
}
"""Edges whose both ends have their own passage in the source (shown both)."""

LABELS = (DCTERMS.title, RDFS.label, EVG_HEADING, SKOS.prefLabel)
"""Properties whose text a title fragment is matched against, in order of preference."""


@dataclass(frozen=True)
class Passage:
    """Where a statement came from: a file, a line, and the text there (when at hand)."""

    file: str
    line: int | None
    text: str = ""
    what: str = ""
    """What the passage is: "listing/drug/B4/4", "quote", "evidence line …"."""

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        head = f"{where}" + (f" ({self.what})" if self.what else "")
        return f"{head}: {self.text}" if self.text else head


@dataclass(frozen=True)
class Edge:
    """One edge of the node: outgoing (node → other) or incoming (other → node)."""

    direction: str
    """"out" or "in"."""
    predicate: str
    other: str
    other_label: str
    passages: tuple[Passage, ...] = ()


@dataclass(frozen=True)
class Explanation:
    node: URIRef
    label: str
    types: tuple[str, ...]
    origin: tuple[Passage, ...]
    attributes: tuple[tuple[str, str], ...]
    edges: tuple[Edge, ...] = field(default=())

    def render(self) -> str:
        lines = [f"{short(self.node)}  <{self.node}>"]
        if self.label:
            lines.append(f"  label: {self.label}")
        if self.types:
            lines.append(f"  type: {', '.join(self.types)}")
        for passage in self.origin:
            lines.append(f"  source: {passage.render()}")
        for name, value in self.attributes:
            lines.append(f"  {name}: {value}")
        lines.append(f"Edges ({len(self.edges)}):")
        for edge in self.edges:
            arrow = "→" if edge.direction == "out" else "←"
            label = f"  “{edge.other_label}”" if edge.other_label else ""
            lines.append(f"  {arrow} {edge.predicate}  {edge.other}{label}")
            for passage in edge.passages:
                lines.append(f"      {passage.render()}")
        return "\n".join(lines)


def short(term: Node) -> str:
    """The name the CLI prints for `term` (pastes back into `explain` and into a query)."""
    return shorten(term)


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Graph:
    """The dataset with the look-ups explain needs: labels, source files and lines."""

    def __init__(self, ds: Dataset, data_dir: Path | None) -> None:
        self.ds = ds
        self.data_dir = data_dir
        self._files: dict[Node, str] = {}
        self._lines: dict[str, list[str]] = {}

    def first(self, subject: Node, predicate: URIRef) -> Node | None:
        for _, _, obj, _ in self.ds.quads((subject, predicate, None, None)):
            return obj
        return None

    def label(self, node: Node) -> str:
        for predicate in LABELS:
            value = self.first(node, predicate)
            if isinstance(value, Literal):
                return _clip(str(value), 90)
        return ""

    def graph_file(self, graph: Node | None) -> str:
        """The source path (relative to the data dir) of a named graph, from its provenance."""
        if graph is None:
            return "?"
        if graph not in self._files:
            path = ""
            for source in self.ds.objects(graph, PROV.wasDerivedFrom):
                value = self.first(source, EVG_SOURCE_PATH)
                if value is not None:
                    path = str(value)
                    break
            if not path:
                path = short(graph)
            self._files[graph] = path
        return self._files[graph]

    def line_text(self, file: str, line: int | None) -> str:
        if self.data_dir is None or line is None:
            return ""
        if file not in self._lines:
            path = self.data_dir / file
            try:
                self._lines[file] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[file] = []
        lines = self._lines[file]
        return _clip(lines[line - 1]) if 0 < line <= len(lines) else ""

    def home(self, node: Node) -> list[tuple[Node | None, int | None]]:
        """(graph, line) where `node` is described: graphs with its rdf:type, and its sourceLine."""
        homes: list[tuple[Node | None, int | None]] = []
        graphs = sorted({g for _, _, _, g in self.ds.quads((node, RDF.type, None, None))}, key=str)
        for graph in graphs:
            line = None
            for _, _, value, _ in self.ds.quads((node, EVG_SOURCE_LINE, None, graph)):  # type: ignore[arg-type]
                line = int(value) if isinstance(value, Literal) else None
            homes.append((graph, line))
        return homes

    def passage(self, node: Node, what: str = "") -> list[Passage]:
        """Where `node` is described; a document without a line is traced to its listing."""
        passages: list[Passage] = []
        for graph, line in self.home(node):
            file = self.graph_file(graph)
            name = what or short(node)
            if line is None:
                listing = self.listing_of(node, graph)
                if listing is not None:
                    value = self.first(listing, EVG_SOURCE_LINE)
                    line = int(value) if isinstance(value, Literal) else None
                    name = short(listing)
            passages.append(Passage(file, line, self.line_text(file, line), name))
        return passages

    def listing_of(self, document: Node, graph: Node | None) -> Node | None:
        for listing, _, _, _ in self.ds.quads((None, EVG_LISTS, document, graph)):  # type: ignore[arg-type]
            return listing
        return None


def resolve(ds: Dataset, text: str) -> URIRef:
    """The node NODE names (see `resolve_node`); `NodeNotFound` when none or several match."""

    def exists(iri: str) -> bool:
        node = URIRef(iri)
        return (node, None, None) in ds or (None, None, node) in ds

    def labels() -> Iterator[Iterator[tuple[str, str]]]:
        for predicate in LABELS:
            yield (
                (str(s), str(o))
                for s, _, o, _ in ds.quads((None, predicate, None, None))
                if isinstance(s, URIRef) and isinstance(o, Literal)
            )

    return URIRef(resolve_node(text, exists, labels))


def explain(ds: Dataset, text: str, data_dir: Path | None = None) -> Explanation:
    """Explain the node NODE names: its label, types, origin, attributes and every edge."""
    node = resolve(ds, text)
    g = _Graph(ds, data_dir)
    types = tuple(sorted({short(o) for o in ds.objects(node, RDF.type)}))
    attributes: list[tuple[str, str]] = []
    edges: list[Edge] = []
    for _, predicate, obj, graph in sorted(
        ds.quads((node, None, None, None)),
        key=lambda q: (str(q[1]), str(q[2]), str(q[3])),
    ):
        if predicate == RDF.type:
            continue
        if isinstance(obj, Literal):
            if predicate != EVG_SOURCE_LINE and (
                predicate not in LABELS or predicate == EVG_HEADING
            ):
                attributes.append((short(predicate), _clip(str(obj))))
            continue
        edges.append(_edge(g, "out", node, predicate, obj, graph))
    for subject, predicate, _, graph in sorted(
        ds.quads((None, None, node, None)),
        key=lambda q: (str(q[1]), str(q[0]), str(q[3])),
    ):
        edges.append(_edge(g, "in", subject, predicate, node, graph))
    for status in sorted(str(o) for o in ds.objects(node, EVG.status)):
        name = str(status).rsplit("#", 1)[-1].lower()
        agents = sorted(str(g.label(a) or short(a)) for a in ds.objects(node, PROV.wasAttributedTo))
        attributes.insert(0, ("status", f"{name} (attributed to {', '.join(agents) or 'nobody'})"))
    return Explanation(
        node=node,
        label=g.label(node),
        types=types,
        origin=tuple(g.passage(node)),
        attributes=tuple(dict.fromkeys(attributes)),
        edges=tuple(_dedupe(edges)),
    )


def _dedupe(edges: Iterable[Edge]) -> list[Edge]:
    seen: set[tuple[str, str, str]] = set()
    result: list[Edge] = []
    for edge in edges:
        key = (edge.direction, edge.predicate, edge.other)
        if key in seen:
            continue
        seen.add(key)
        result.append(edge)
    return result


def _edge(
    g: _Graph, direction: str, subject: Node, predicate: Node, obj: Node, graph: Node | None
) -> Edge:
    other = obj if direction == "out" else subject
    return Edge(
        direction=direction,
        predicate=short(predicate),
        other=short(other),
        other_label=g.label(other),
        passages=tuple(_passages(g, subject, predicate, obj, graph)),
    )


def _passages(
    g: _Graph, subject: Node, predicate: Node, obj: Node, graph: Node | None
) -> list[Passage]:
    """The source passages behind the edge (subject, predicate, obj) stated in `graph`."""
    if predicate in (EVG_SUPPORTS, EVG_CHALLENGES):
        return _evidence_passages(g, document=subject, claim=obj)
    if predicate in (EVG_CLAIM, EVG_EVIDENCE):
        return _quote_passages(g, subject)
    file = g.graph_file(graph)
    passages = [p for p in (_end_passage(g, end, graph, file) for end in (subject, obj)) if p]
    if not passages:
        return [Passage(file, None, "", "")]
    # A link between two passages (discussed in a section, related listings) shows both ends.
    return passages if predicate in TWO_ENDED else passages[:1]


def _end_passage(g: _Graph, end: Node, graph: Node | None, file: str) -> Passage | None:
    """The line of one end of an edge in `graph`: its own, or (a document) its listing's."""
    name = end
    line = None
    for _, _, value, _ in g.ds.quads((end, EVG_SOURCE_LINE, None, graph)):  # type: ignore[arg-type]
        line = int(value) if isinstance(value, Literal) else None
    if line is None:
        listing = g.listing_of(end, graph)
        if listing is None:
            return None
        name = listing
        for _, _, value, _ in g.ds.quads((listing, EVG_SOURCE_LINE, None, graph)):  # type: ignore[arg-type]
            line = int(value) if isinstance(value, Literal) else None
    if line is None:
        return None
    return Passage(file, line, g.line_text(file, line), short(name))


def _evidence_passages(g: _Graph, document: Node, claim: Node) -> list[Passage]:
    """Every evidence line by which `document` bears on `claim`, as its quoted passage."""
    passages: list[Passage] = []
    for line_node in sorted(set(g.ds.subjects(EVG_CLAIM, claim)), key=str):
        if (line_node, EVG_EVIDENCE, document) in g.ds:
            passages += _quote_passages(g, line_node)
    return passages


def _quote_passages(g: _Graph, line_node: Node) -> list[Passage]:
    """An evidence line: its quote, in the file and at the line of the passage quoted."""
    quote = g.first(line_node, EVG_QUOTE)
    line_value = g.first(line_node, EVG_SOURCE_LINE)
    line = int(line_value) if isinstance(line_value, Literal) else None
    quoted_from = g.first(line_node, PROV.wasQuotedFrom)
    direction = g.first(line_node, EVG_DIRECTION)
    what = "quote" + (f" from {short(quoted_from)}" if quoted_from is not None else "")
    if direction is not None:
        what = f"{short(direction)} {what}"
    file = ""
    if quoted_from is not None:
        homes = g.home(quoted_from)
        if homes:
            file = g.graph_file(homes[0][0])
    text = f"“{_clip(str(quote), 200)}”" if quote is not None else ""
    return [Passage(file or "?", line, text, what)]
