"""The networkx projection of a built graph: the nodes and labelled relations an analyst looks at.

Nodes are matrices, cells, documents (study, review, guidance), commentary sections, claims, topic
concepts and organisations, keyed by their identifier key (``cell/drug/B4``, ``doc/2009-…``; the
full IRI is the ``iri`` attribute). Literal-heavy triples stay attributes (title, year, role,
publisher, claim structure, a short source excerpt). Two kinds of RDF node are folded into edges
rather than kept as nodes, because an analyst asks "which cells list this document, and as what?":

- a *listing* becomes the edge ``document —listedIn→ cell`` carrying ``role``, ``position``,
  ``listing`` and an ``excerpt`` of its annotation; what the listing refers to or mentions becomes
  ``document —refersTo→ cell`` / ``document —mentions→ document`` with ``via`` = the listing;
- an *evidence line* becomes ``document —supports|challenges|inconclusive→ claim`` carrying the
  verbatim ``quote``.

Symmetric relations (relatedTo, consistentWith, contradicts, relatedClaim) are one edge per pair,
from the smaller key to the larger. A cell with no page that nothing refers to (the build creates
all 25 cells of each matrix) is left out. Insertion is sorted, so the projection (and everything
made from it) is deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from ...ontology import ID
from ...ontology.namespace import EFFECT_SHAPES, EVG, ROLES
from ..base.errors import NodeNotFound
from ..base.nodes import resolve_node

EXCERPT_CHARS = 200
LABEL_CHARS = 32

CLASSES: dict[str, str] = {
    "Matrix": "a treatment matrix",
    "Cell": "a matrix cell (level × type)",
    "Study": "a study (listed S or K)",
    "Review": "a review (listed R)",
    "Guidance": "a guidance document (listed G)",
    "Document": "another document (mentioned, not listed)",
    "Section": "a section of a cell's commentary",
    "Claim": "a claim (curated; machine drafts drawn dashed)",
    "Concept": "a topic concept",
    "Organisation": "a publisher",
}
"""Node classes of the projection, in legend order, with what each is."""

RELATIONS: dict[str, str] = {
    "supports": "document supports claim (with a verbatim quote)",
    "challenges": "document challenges claim (with a verbatim quote)",
    "inconclusive": "document bears on claim inconclusively",
    "consistentWith": "claim agrees with claim",
    "contradicts": "claim contradicts claim",
    "relatedClaim": "claim is related to claim",
    "listedIn": "document is listed in cell (role on the edge)",
    "relatedTo": "document is related to document",
    "includes": "document includes / reports document",
    "mentions": "a listing of the document mentions another document",
    "discussedIn": "document is discussed in commentary section",
    "refersTo": "section or listing points to another cell",
    "partOf": "section is part of cell",
    "subject": "is about topic concept",
    "publisher": "document is published by organisation",
    "inMatrix": "cell belongs to matrix",
}
"""Edge relations of the projection, with what each means."""

SYMMETRIC = frozenset({"relatedTo", "consistentWith", "contradicts", "relatedClaim"})

_DOC_CLASSES: tuple[tuple[URIRef, str], ...] = (
    (EVG.Study, "Study"),
    (EVG.Review, "Review"),
    (EVG.Guidance, "Guidance"),
    (EVG.Document, "Document"),
)
_ROLE_NAMES: dict[URIRef, str] = {
    EVG.Seminal: "seminal",
    EVG.Key: "key",
    EVG.ReviewRole: "review",
    EVG.GuidanceRole: "guidance",
}
assert set(_ROLE_NAMES) == set(ROLES.values())
_SHAPE_NAMES: dict[URIRef, str] = {uri: name for name, uri in EFFECT_SHAPES.items()}
_DIRECTIONS: dict[URIRef, str] = {
    EVG.Supporting: "supports",
    EVG.Challenging: "challenges",
    EVG.Inconclusive: "inconclusive",
}
_CLAIM_LINKS: dict[URIRef, str] = {
    EVG.consistentWith: "consistentWith",
    EVG.contradicts: "contradicts",
    EVG.relatedClaim: "relatedClaim",
}
_DOC_LINKS: dict[URIRef, str] = {
    EVG.relatedTo: "relatedTo",
    EVG.includes: "includes",
    EVG.discussedIn: "discussedIn",
    DCTERMS.publisher: "publisher",
}
_LABELS = (RDFS.label, SKOS.prefLabel, DCTERMS.title, EVG.heading)


def _sort_key(term: Node) -> tuple[str, str]:
    return (type(term).__name__, str(term))


def key_of(iri: Node | str) -> str:
    """The identifier key of `iri` (``cell/drug/B4``), or the IRI itself outside our namespace."""
    text = str(iri)
    return text[len(ID) :] if text.startswith(ID) else text


def shorten(text: str, limit: int) -> str:
    """`text` with whitespace folded, cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


@dataclass
class _Index:
    """Every triple of the dataset grouped by subject: predicate → sorted objects."""

    props: dict[URIRef, dict[URIRef, list[Node]]] = field(default_factory=dict)

    @classmethod
    def of(cls, dataset: Any) -> _Index:
        raw: dict[URIRef, dict[URIRef, set[Node]]] = defaultdict(lambda: defaultdict(set))
        for s, p, o, *_ in dataset.quads((None, None, None, None)):
            if isinstance(s, URIRef) and isinstance(p, URIRef):
                raw[s][p].add(o)
        props = {
            s: {p: sorted(objs, key=_sort_key) for p, objs in po.items()} for s, po in raw.items()
        }
        return cls(props)

    def all(self, s: URIRef, p: URIRef) -> list[Node]:
        return self.props.get(s, {}).get(p, [])

    def iris(self, s: URIRef, p: URIRef) -> list[URIRef]:
        return [o for o in self.all(s, p) if isinstance(o, URIRef)]

    def text(self, s: URIRef, *preds: URIRef) -> str:
        for p in preds:
            for o in self.all(s, p):
                if isinstance(o, Literal):
                    return str(o)
        return ""

    def texts(self, s: URIRef, p: URIRef) -> list[str]:
        return [str(o) for o in self.all(s, p) if isinstance(o, Literal)]

    def of_type(self, cls: URIRef) -> Iterator[URIRef]:
        for s in sorted(self.props):
            if cls in self.props[s].get(RDF.type, []):
                yield s

    def label(self, s: URIRef) -> str:
        return self.text(s, *_LABELS)


def _year(index: _Index, doc: URIRef) -> int | None:
    for text in index.texts(doc, DCTERMS.date):
        if text[:4].isdigit():
            return int(text[:4])
    return None


def _concept_name(index: _Index, concept: URIRef) -> str:
    if concept in _SHAPE_NAMES:
        return _SHAPE_NAMES[concept]
    label = index.label(concept)
    return label or key_of(concept).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class _Builder:
    """Collects nodes and edges, then inserts them into a MultiDiGraph in sorted order."""

    def __init__(self, index: _Index) -> None:
        self.index = index
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def node(self, iri: URIRef, cls: str, title: str, **attrs: Any) -> None:
        key = key_of(iri)
        title = " ".join(title.split()) or key
        data: dict[str, Any] = {
            "class": cls,
            "label": shorten(title, LABEL_CHARS),
            "title": title,
            "iri": str(iri),
        }
        data.update({k: v for k, v in attrs.items() if v not in (None, "", [])})
        self.nodes[key] = data

    def edge(self, subj: URIRef, relation: str, obj: URIRef, /, **attrs: Any) -> None:
        s, t = key_of(subj), key_of(obj)
        if relation in SYMMETRIC and t < s:
            s, t = t, s
        tag = str(attrs.get("listing") or attrs.get("via") or attrs.get("evidence_line") or "")
        ident = (s, t, relation, tag)
        if ident in self.edges:
            return
        data: dict[str, Any] = {"relation": relation}
        data.update({k: v for k, v in attrs.items() if v not in (None, "", [])})
        self.edges[ident] = data

    def has_edge(self, source: URIRef, relation: str, target: URIRef) -> bool:
        s, t = key_of(source), key_of(target)
        return any(k[:3] == (s, t, relation) for k in self.edges)

    def graph(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        kept = {k for k in self.nodes}
        edges = [(k, d) for k, d in self.edges.items() if k[0] in kept and k[1] in kept]
        # A cell nobody lists, discusses or points to, and that has no page, only adds clutter.
        linked: set[str] = set()
        for (s, t, relation, _), _d in edges:
            if relation != "inMatrix":
                linked.update((s, t))
        for key, data in self.nodes.items():
            if data["class"] == "Cell" and not data.get("has_page") and key not in linked:
                kept.discard(key)
            elif data["class"] == "Concept" and key not in linked:
                kept.discard(key)
        for key in sorted(kept):
            g.add_node(key, **self.nodes[key])
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for (s, t, _relation, _tag), data in sorted(edges, key=lambda e: e[0]):
            if s in kept and t in kept:
                n = counts[(s, t)]
                counts[(s, t)] += 1
                g.add_edge(s, t, key=n, **data)
        return g


def project(dataset: Any) -> nx.MultiDiGraph:
    """The networkx projection of `dataset` (an rdflib Dataset or Graph; all graphs merged)."""
    index = _Index.of(dataset)
    b = _Builder(index)
    _matrices_and_cells(index, b)
    docs = _documents(index, b)
    _listings(index, b, docs)
    _sections(index, b)
    _claims(index, b)
    _subjects(index, b)
    return b.graph()


def _matrices_and_cells(index: _Index, b: _Builder) -> None:
    paged = {c for s in index.of_type(EVG.Listing) for c in index.iris(s, EVG.inCell)}
    for matrix in index.of_type(EVG.Matrix):
        b.node(matrix, "Matrix", index.label(matrix), matrix=index.text(matrix, EVG.matrixKey))
    for cell in index.of_type(EVG.MatrixCell):
        matrices = index.iris(cell, EVG.inMatrix)
        level = [index.label(c) for c in index.iris(cell, EVG.interventionLevel)]
        kind = [index.label(c) for c in index.iris(cell, EVG.interventionType)]
        cell_id = index.text(cell, EVG.cellId)
        matrix_key = key_of(matrices[0]).rsplit("/", 1)[-1] if matrices else ""
        has_page = cell in paged or bool(index.texts(cell, EVG.summary))
        b.node(
            cell,
            "Cell",
            index.label(cell) or f"{matrix_key} {cell_id}",
            matrix=matrix_key,
            cell=cell_id,
            level=level[0] if level else "",
            type=kind[0] if kind else "",
            has_page=has_page,
            excerpt=shorten(index.text(cell, EVG.summary), EXCERPT_CHARS),
        )
        nodes = b.nodes[key_of(cell)]
        nodes["label"] = f"{matrix_key} {cell_id}".strip() or nodes["label"]
        for matrix in matrices:
            b.edge(cell, "inMatrix", matrix)


def _documents(index: _Index, b: _Builder) -> dict[URIRef, dict[str, Any]]:
    docs: dict[URIRef, dict[str, Any]] = {}
    for doc in _all_documents(index):
        types = index.iris(doc, RDF.type)
        cls = next((name for uri, name in _DOC_CLASSES if uri in types), "Document")
        publishers = index.iris(doc, DCTERMS.publisher)
        year = _year(index, doc)
        title = index.text(doc, DCTERMS.title, RDFS.label) or key_of(doc)
        docs[doc] = {
            "cls": cls,
            "title": title,
            "year": year,
            "publisher": "; ".join(index.label(p) or key_of(p) for p in publishers),
            "jurisdiction": "; ".join(index.texts(doc, EVG.jurisdiction)),
        }
        for org in publishers:
            b.node(org, "Organisation", index.label(org) or key_of(org))
            b.edge(doc, "publisher", org)
        for target in index.iris(doc, EVG.listedIn):
            b.edge(doc, "listedIn", target)
        for predicate, relation in _DOC_LINKS.items():
            if relation == "publisher":
                continue
            for target in index.iris(doc, predicate):
                b.edge(doc, relation, target)
    return docs


def _all_documents(index: _Index) -> list[URIRef]:
    """Typed documents, and untyped ones that a listing lists or mentions."""
    found: set[URIRef] = set()
    for uri, _name in _DOC_CLASSES:
        found.update(index.of_type(uri))
    for s in index.props:
        for p in (EVG.lists, EVG.mentions):
            found.update(index.iris(s, p))
    return sorted(found)


def _listings(index: _Index, b: _Builder, docs: dict[URIRef, dict[str, Any]]) -> None:
    roles: dict[URIRef, set[str]] = defaultdict(set)
    excerpts: dict[URIRef, list[tuple[str, int, str]]] = defaultdict(list)
    for listing in index.of_type(EVG.Listing):
        lkey = key_of(listing)
        cells = index.iris(listing, EVG.inCell)
        position = next(
            (int(str(o)) for o in index.all(listing, EVG.position) if str(o).isdigit()), 0
        )
        role = ", ".join(_ROLE_NAMES.get(r, key_of(r)) for r in index.iris(listing, EVG.role))
        annotation = index.text(listing, EVG.annotation)
        for doc in index.iris(listing, EVG.lists):
            if role:
                roles[doc].update(role.split(", "))
            for cell in cells:
                excerpts[doc].append((key_of(cell), position, annotation))
                # The listing edge replaces the plain evg:listedIn shortcut for the same pair.
                b.edges.pop((key_of(doc), key_of(cell), "listedIn", ""), None)
                b.edge(
                    doc,
                    "listedIn",
                    cell,
                    role=role,
                    position=position,
                    listing=lkey,
                    excerpt=shorten(annotation, EXCERPT_CHARS),
                )
            for target in index.iris(listing, EVG.refersTo):
                b.edge(doc, "refersTo", target, via=lkey)
            for target in index.iris(listing, EVG.mentions):
                b.edge(doc, "mentions", target, via=lkey)
    for doc, info in docs.items():
        title = info["title"]
        year = info["year"]
        # The longest annotation says most about the document; ties go to the first cell.
        first = sorted(excerpts.get(doc, []), key=lambda e: (-len(e[2]), e[0], e[1]))
        b.node(
            doc,
            info["cls"],
            title,
            year=year,
            role=", ".join(sorted(roles.get(doc, set()))),
            publisher=info["publisher"],
            jurisdiction=info["jurisdiction"],
            excerpt=shorten(first[0][2], EXCERPT_CHARS) if first else "",
        )
        if year is not None and str(year) not in title:
            b.nodes[key_of(doc)]["label"] = shorten(f"{year} {title}", LABEL_CHARS)


def _sections(index: _Index, b: _Builder) -> None:
    for section in index.of_type(EVG.Section):
        cells = index.iris(section, DCTERMS.isPartOf)
        b.node(
            section,
            "Section",
            index.text(section, EVG.heading, RDFS.label),
            cell=key_of(cells[0]) if cells else "",
            excerpt=shorten(index.text(section, EVG.text), EXCERPT_CHARS),
        )
        for cell in cells:
            b.edge(section, "partOf", cell)
        for target in index.iris(section, EVG.refersTo):
            b.edge(section, "refersTo", target)


QUOTE_SEPARATOR = "\n"
"""Joins the quotes of one document→claim edge (each quote has its whitespace folded)."""


def _claims(index: _Index, b: _Builder) -> None:
    quotes: dict[URIRef, list[str]] = defaultdict(list)
    # One edge per (document, direction, claim), carrying every quote: degrees count documents.
    lines: dict[tuple[URIRef, str, URIRef], list[tuple[str, str, list[str]]]] = defaultdict(list)
    for line in index.of_type(EVG.EvidenceLine):
        direction = next(
            (_DIRECTIONS[d] for d in index.iris(line, EVG.direction) if d in _DIRECTIONS),
            "supports",
        )
        quote = index.text(line, EVG.quote)
        sources = [key_of(s) for s in index.iris(line, PROV.wasQuotedFrom)]
        for claim in index.iris(line, EVG.claim):
            if quote:
                quotes[claim].append(quote)
            for doc in index.iris(line, EVG.evidence):
                lines[(doc, direction, claim)].append((key_of(line), quote, sources))
    for (doc, direction, claim), found in sorted(lines.items(), key=lambda i: str(i[0])):
        texts = [shorten(q, EXCERPT_CHARS) for _, q, _ in found if q]
        b.edge(
            doc,
            direction,
            claim,
            quote=QUOTE_SEPARATOR.join(texts),
            quotes=len(texts),
            evidence_line="; ".join(k for k, _, _ in found),
            quoted_from="; ".join(sorted({s for _, _, src in found for s in src})),
        )
    for claim in index.of_type(EVG.Claim):
        shapes = [_concept_name(index, s) for s in index.iris(claim, EVG.effectShape)]
        b.node(
            claim,
            "Claim",
            index.label(claim),
            exposure="; ".join(index.texts(claim, EVG.exposure)),
            outcome="; ".join(index.texts(claim, EVG.outcome)),
            effect_shape="; ".join(shapes),
            moderator="; ".join(index.texts(claim, EVG.moderator)),
            population="; ".join(index.texts(claim, EVG.population)),
            excerpt=shorten(quotes[claim][0], EXCERPT_CHARS) if quotes[claim] else "",
            status="draft" if EVG.Draft in index.iris(claim, EVG.status) else "curated",
            confidence=index.text(claim, EVG.confidence),
        )
        for predicate, relation in _CLAIM_LINKS.items():
            for other in index.iris(claim, predicate):
                b.edge(claim, relation, other)
        for inverse, relation in ((EVG.supportedBy, "supports"), (EVG.challengedBy, "challenges")):
            for doc in index.iris(claim, inverse):
                _direct_evidence(b, doc, relation, claim)
    for relation, predicate in (("supports", EVG.supports), ("challenges", EVG.challenges)):
        for doc in sorted(index.props):
            for claim in index.iris(doc, predicate):
                _direct_evidence(b, doc, relation, claim)


def _direct_evidence(b: _Builder, doc: URIRef, relation: str, claim: URIRef) -> None:
    """A direct supports/challenges triple adds an edge only if no evidence line made one."""
    if not b.has_edge(doc, relation, claim):
        b.edge(doc, relation, claim)


def _subjects(index: _Index, b: _Builder) -> None:
    """Topic tags; a listing's tags go to the document it lists (listings are edges here)."""
    listed = {s: index.iris(s, EVG.lists) for s in index.of_type(EVG.Listing)}
    for s in sorted(index.props):
        for concept in index.iris(s, DCTERMS.subject):
            b.node(concept, "Concept", index.label(concept) or key_of(concept))
            for source in listed.get(s, [s]):
                b.edge(source, "subject", concept)


@dataclass(frozen=True)
class CellInfo:
    """One matrix cell as the matrix view shows it, whether or not the projection kept it."""

    key: str
    matrix: str
    matrix_title: str
    cell: str
    level: str
    type: str
    title: str
    has_page: bool


def matrix_cells(dataset: Any) -> list[CellInfo]:
    """Every cell of `dataset` (the build makes all 25 of each matrix), sorted by key."""
    index = _Index.of(dataset)
    paged = {c for s in index.of_type(EVG.Listing) for c in index.iris(s, EVG.inCell)}
    out: list[CellInfo] = []
    for cell in index.of_type(EVG.MatrixCell):
        matrices = index.iris(cell, EVG.inMatrix)
        matrix = matrices[0] if matrices else None
        matrix_key = (index.text(matrix, EVG.matrixKey) if matrix else "") or (
            key_of(matrix).rsplit("/", 1)[-1] if matrix else ""
        )
        levels = [index.label(c) for c in index.iris(cell, EVG.interventionLevel)]
        types = [index.label(c) for c in index.iris(cell, EVG.interventionType)]
        out.append(
            CellInfo(
                key=key_of(cell),
                matrix=matrix_key,
                matrix_title=(index.label(matrix) if matrix else "") or matrix_key,
                cell=index.text(cell, EVG.cellId),
                level=levels[0] if levels else "",
                type=types[0] if types else "",
                title=index.label(cell),
                has_page=cell in paged or bool(index.texts(cell, EVG.summary)),
            )
        )
    return out


# --- Queries on the projection ------------------------------------------------------------------


def resolve(g: nx.MultiDiGraph, text: str) -> str:
    """The node `text` names (see `resolve_node`): its key in the projection."""

    def labels() -> Iterator[Iterator[tuple[str, str]]]:
        yield ((_iri_of(str(n)), str(d["title"])) for n, d in g.nodes(data=True) if d.get("title"))

    return key_of(resolve_node(text, lambda iri: key_of(iri) in g, labels))


def _iri_of(key: str) -> str:
    return key if key.startswith(("http://", "https://")) else ID + key


def neighbourhood(g: nx.MultiDiGraph, centre: str, depth: int = 1) -> nx.MultiDiGraph:
    """The subgraph of nodes within `depth` steps of `centre`, edges followed either way."""
    if depth < 0:
        raise NodeNotFound(f"depth must be 0 or more, not {depth}")
    seen = {centre}
    frontier = {centre}
    for _ in range(depth):
        nxt: set[str] = set()
        for n in frontier:
            nxt.update(g.successors(n))
            nxt.update(g.predecessors(n))
        frontier = nxt - seen
        seen |= frontier
    sub: nx.MultiDiGraph = g.subgraph(sorted(seen)).copy()
    return sub


def simple_undirected(g: nx.MultiDiGraph) -> nx.Graph:
    """`g` as a simple undirected graph (parallel edges merged), nodes in `g`'s order."""
    u = nx.Graph()
    u.add_nodes_from(g.nodes(data=True))
    u.add_edges_from((s, t) for s, t in g.edges() if s != t)
    return u


def edge_rows(g: nx.MultiDiGraph) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    """(source, relation, target, attributes) for every edge, in insertion (sorted) order."""
    for s, t, data in g.edges(data=True):
        yield s, str(data["relation"]), t, data
