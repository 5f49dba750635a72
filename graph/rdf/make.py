"""Records → RDF quads: the one place the project makes RDF (identifiers and vocabulary).

Every function yields ``(subject, predicate, object, graph)`` quads. The per-page functions
(`provenance_terms`, `cell_terms`, `discussion_terms`, `subject_terms`, `aligned_terms`) yield
terms in line form, the N-Triples text of each term (``<iri>``, ``"text"``, ``"5"^^<…#integer>``):
the Oxigraph store writes them as N-Quads lines as they are, and `rdflib_quads`, the one converter,
turns them into rdflib terms for the rdflib store (`provenance_quads`, `cell_quads`… are exactly
that), so both stores get the same graph from the same code. The other functions yield rdflib
terms. Resource IRIs are ``ontology.ID + key`` with keys from `graph.ids`; there are no blank
nodes (evidence lines, selectors, provenance activities and mentioned documents all get
deterministic IRIs), so the same input always gives the same graph and a re-import never
duplicates a node.

Named graphs: each source file of the data directory gets the graph ``id/graph/<relative path>``
(``id/graph/cells/drug/B4.txt``, ``id/graph/claims/therapists.yaml``, ``id/graph/matrices.yaml``,
``id/graph/concepts.ttl``) holding what was read from it and its own PROV provenance; the
ontology is in ``id/graph/ontology``. Statements made by a listing or section (lists, refersTo,
relatedTo, includes, mentions, discussedIn) live in the graph of the cell page that makes them, so a
statement's file is its graph's ``prov:wasDerivedFrom/evg:sourcePath`` and its line the
``evg:sourceLine`` of the listing or section.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace, Namespace
from rdflib.term import Node

from ...ontology import ID
from ...ontology.namespace import (
    CLAIM_RELATIONS,
    CLAIM_STATUSES,
    DIRECT_EVIDENCE,
    DIRECTIONS,
    DOCUMENT_TYPES,
    EFFECT_SHAPES,
    EVG,
    ROLES,
)
from ..base import ids
from ..base.matrices import LEVELS, TYPES, MatrixDef
from ..base.records import Cell, CellRef, Claim, Discussion, Entry, Section, Subject
from .dataset import Quad
from .nquads import escape
from .nquads import term as line_term

OA = Namespace("http://www.w3.org/ns/oa#")

ONTOLOGY_GRAPH_KEY = "graph/ontology"
AGENT_KEY = "agent/evidence-graph"


def iri(key: str) -> URIRef:
    """The IRI of the resource with identifier key `key` ("cell/drug/B4")."""
    return URIRef(ID + ids.iri_path(key))


def graph_iri(relpath: str) -> URIRef:
    """The named graph of the source file at `relpath` (relative to the data directory)."""
    return iri(f"graph/{relpath}")


ONTOLOGY_GRAPH = iri(ONTOLOGY_GRAPH_KEY)


def _text(value: str) -> Literal:
    return Literal(value)


# --- Terms in line form (N-Triples text), and the one converter to rdflib terms ------------------

Term = str
"""An RDF term as N-Triples text: ``<iri>``, ``"text"``, ``"text"@en``, ``"5"^^<datatype>``."""

TermQuad = tuple[Term, Term, Term, Term]
"""(subject, predicate, object, graph) in line form."""


def nt(node: URIRef) -> Term:
    """An IRI in line form."""
    return f"<{node}>"


class _Terms:
    """The terms of a namespace in line form, each made once (``E.Listing`` → ``"<…#Listing>"``);
    a closed namespace still refuses a misspelt term."""

    def __init__(self, namespace: type[DefinedNamespace] | Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Term:
        if name.startswith("_"):
            raise AttributeError(name)
        value = nt(getattr(self._namespace, name))
        setattr(self, name, value)
        return value


E, R, RS, DC, P, SK, _OA = (_Terms(ns) for ns in (EVG, RDF, RDFS, DCTERMS, PROV, SKOS, OA))
_TYPE = R.type
_TRUE = f'"true"^^<{XSD.boolean}>'
_ROLE_TERMS = {k: nt(v) for k, v in ROLES.items()}
_DOCUMENT_TYPE_TERMS = {k: nt(v) for k, v in DOCUMENT_TYPES.items()}


@lru_cache(maxsize=1 << 14)  # cells, matrices, concepts and agents recur on every page
def iri_term(key: str) -> Term:
    """The IRI of the resource with key `key`, in line form."""
    return f"<{ID}{ids.iri_path(key)}>"


def text_term(value: str) -> Term:
    """A plain string literal in line form."""
    return f'"{escape(value)}"'


@lru_cache(maxsize=4096)
def _int_term(value: int) -> Term:
    return f'"{value}"^^<{XSD.integer}>'


@lru_cache(maxsize=1024)
def _year_term(year: int) -> Term:
    return f'"{year:04d}"^^<{XSD.gYear}>'


def timestamp(epoch: int) -> Literal:
    """The build time `epoch` (SOURCE_DATE_EPOCH) as an xsd:dateTime, in the one lexical form every
    writer keeps: rdflib reads "…Z" back as "…+00:00", so that is the form written everywhere."""
    stamp = datetime.fromtimestamp(epoch, tz=UTC).isoformat()
    return Literal(stamp, datatype=XSD.dateTime, normalize=False)


def _stamp_term(epoch: int) -> Term:
    return f'"{timestamp(epoch)}"^^<{XSD.dateTime}>'


_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPED = re.compile(r"\\(?:([tbnrf\"'\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")


def _unescape(match: re.Match[str]) -> str:
    char, short, long = match.groups()
    return _ECHAR[char] if char else chr(int(short or long, 16))


@lru_cache(maxsize=1 << 14)
def rdflib_term(term: Term) -> Node:
    """The rdflib term of a term in line form (any N-Triples term: escapes, language, datatype)."""
    if term[0] == "<":
        return URIRef(term[1:-1])
    if term.startswith("_:"):
        return BNode(term[2:])
    end = term.rindex('"')
    lexical = term[1:end]
    if "\\" in lexical:
        lexical = _ESCAPED.sub(_unescape, lexical)
    rest = term[end + 1 :]
    if rest.startswith("@"):
        return Literal(lexical, lang=rest[1:])
    if rest.startswith("^^"):
        return Literal(lexical, datatype=URIRef(rest[3:-1]))
    return Literal(lexical)


def rdflib_quads(quads: Iterable[TermQuad]) -> Iterator[Quad]:
    """Quads in line form as rdflib quads: the rdflib store's view of the fast path's terms."""
    term = rdflib_term
    for s, p, o, g in quads:
        yield term(s), term(p), term(o), URIRef(g[1:-1])


def line_quads(quads: Iterable[Quad]) -> Iterator[TermQuad]:
    """rdflib quads in line form (the other way from `rdflib_quads`)."""
    for s, p, o, g in quads:
        yield line_term(s), line_term(p), line_term(o), nt(g)


# --- Keys the contract does not fix -------------------------------------------------------------


def level_key(matrix: str, level: str) -> str:
    """Concept of an intervention level of one matrix: "matrix/drug/level/B"."""
    return f"{ids.matrix_key(matrix)}/level/{level}"


def type_key(matrix: str, type_: str) -> str:
    """Concept of an intervention type of one matrix: "matrix/drug/type/4"."""
    return f"{ids.matrix_key(matrix)}/type/{type_}"


def mention_key(listing: str, description: str, year: int | None) -> str:
    """A document a listing mentions: "listing/drug/B4/6/mention/an-earlier-version-2011"."""
    return f"{listing}/mention/{ids.slugify(description) or 'document'}-{year or 'nd'}"


def evidence_key(claim: str, document: str, exact: str) -> str:
    """An evidence line: the claim's key + a digest of the document and the quote."""
    digest = hashlib.sha256(f"{document}\n{exact}".encode()).hexdigest()[:12]
    return f"{claim}/evidence/{digest}"


def source_key(relpath: str) -> str:
    return f"source/{relpath}"


def activity_key(relpath: str) -> str:
    return f"activity/build/{relpath}"


# --- Ontology, matrices --------------------------------------------------------------------


def file_quads(path: Path, graph: URIRef, fmt: str = "turtle") -> Iterator[Quad]:
    """Every triple of an RDF file (the ontology, data/concepts.ttl), as-is, into `graph`."""
    g = Graph(bind_namespaces="none")
    g.parse(path, format=fmt)
    for s, p, o in g:
        yield s, p, o, graph


def provenance_quads(
    graph: URIRef, relpath: str, sha256: str, kind: str, epoch: int | None = None
) -> Iterator[Quad]:
    """PROV for a named graph: derived from the source file (path, SHA-256) by a build activity."""
    return rdflib_quads(provenance_terms(nt(graph), relpath, sha256, kind, epoch))


def provenance_terms(
    graph: Term, relpath: str, sha256: str, kind: str, epoch: int | None = None
) -> Iterator[TermQuad]:
    """`provenance_quads` in line form."""
    source = iri_term(source_key(relpath))
    activity = iri_term(activity_key(relpath))
    agent = iri_term(AGENT_KEY)
    yield graph, _TYPE, P.Entity, graph
    yield graph, RS.label, text_term(f"graph of {relpath}"), graph
    yield graph, P.wasDerivedFrom, source, graph
    yield graph, P.wasGeneratedBy, activity, graph
    yield source, _TYPE, E.SourceFile, graph
    yield source, RS.label, text_term(relpath), graph
    yield source, E.sourcePath, text_term(relpath), graph
    yield source, E.sha256, text_term(sha256), graph
    yield activity, _TYPE, E.BuildActivity, graph
    yield activity, RS.label, text_term(f"build {kind} from {relpath}"), graph
    yield activity, P.used, source, graph
    yield activity, P.wasAssociatedWith, agent, graph
    yield agent, _TYPE, P.SoftwareAgent, graph
    yield agent, RS.label, text_term("evidence-graph"), graph
    if epoch is not None:
        yield activity, P.endedAtTime, _stamp_term(epoch), graph


def matrix_terms(matrix: MatrixDef, graph: Term) -> Iterator[TermQuad]:
    """A matrix, its level and type concept schemes, and all 25 of its cells (line form)."""
    key = ids.matrix_key(matrix.key)
    m, levels, types = iri_term(key), iri_term(f"{key}/levels"), iri_term(f"{key}/types")
    yield m, _TYPE, E.Matrix, graph
    yield m, RS.label, text_term(matrix.title), graph
    yield m, DC.title, text_term(matrix.title), graph
    yield m, E.matrixKey, text_term(matrix.key), graph
    yield m, E.levels, levels, graph
    yield m, E.types, types, graph
    for scheme, what in ((levels, "intervention levels"), (types, "intervention types")):
        yield scheme, _TYPE, SK.ConceptScheme, graph
        yield scheme, RS.label, text_term(f"{matrix.title}: {what}"), graph
        yield scheme, SK.prefLabel, text_term(f"{matrix.title}: {what}"), graph
    for code in LEVELS:
        node = iri_term(level_key(matrix.key, code))
        yield from _concept_terms(node, code, matrix.levels.get(code), levels, graph)
    for code in TYPES:
        node = iri_term(type_key(matrix.key, code))
        yield from _concept_terms(node, code, matrix.types.get(code), types, graph)
    for level in LEVELS:
        for type_ in TYPES:
            cell_id = level + type_
            c = iri_term(ids.cell_key(matrix.key, cell_id))
            yield c, _TYPE, E.MatrixCell, graph
            yield c, RS.label, text_term(matrix.cell_label(cell_id)), graph
            yield c, E.cellId, text_term(cell_id), graph
            yield c, E.inMatrix, m, graph
            yield c, E.interventionLevel, iri_term(level_key(matrix.key, level)), graph
            yield c, E.interventionType, iri_term(type_key(matrix.key, type_)), graph


def _concept_terms(
    node: Term, code: str, label: str | None, scheme: Term, graph: Term
) -> Iterator[TermQuad]:
    yield node, _TYPE, SK.Concept, graph
    yield node, SK.notation, text_term(code), graph
    yield node, SK.inScheme, scheme, graph
    yield node, SK.topConceptOf, scheme, graph
    yield scheme, SK.hasTopConcept, node, graph
    if label:
        yield node, SK.prefLabel, text_term(label), graph
        yield node, RS.label, text_term(f"{code} {label}"), graph
    else:
        yield node, RS.label, text_term(code), graph


# --- Cells ---------------------------------------------------------------------------------------


def section_keys(cell: Cell) -> list[str]:
    """The key of each section of `cell`, in order; a repeated heading gets "-2", "-3"…"""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for section in cell.sections:
        key = ids.section_key(cell.matrix, cell.cell, section.heading)
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return keys


def document_key(entry: Entry) -> str:
    return ids.doc_key(entry.title, entry.year)


def listing_documents(cell: Cell) -> dict[str, str]:
    """Listing key → document key, for every entry of `cell`."""
    return {
        ids.listing_key(cell.matrix, cell.cell, e.position): document_key(e) for e in cell.entries
    }


def cell_quads(cell: Cell, graph: URIRef) -> Iterator[Quad]:
    """What a cell page says: its listings, documents, organisations, sections and references."""
    return rdflib_quads(cell_terms(cell, nt(graph)))


def cell_terms(cell: Cell, graph: Term) -> Iterator[TermQuad]:
    """`cell_quads` in line form."""
    c = iri_term(ids.cell_key(cell.matrix, cell.cell))
    if cell.title:
        yield c, DC.title, text_term(cell.title), graph
    if cell.summary:
        yield c, E.summary, text_term(cell.summary), graph
    by_position = {e.position: e for e in cell.entries}
    for entry in cell.entries:
        yield from _entry_terms(cell, entry, by_position, c, graph)
    claimed_lines: set[int] = set()
    for entry in cell.entries:
        claimed_lines.update(r.line for r in entry.cell_refs)
    for position, (section, key) in enumerate(zip(cell.sections, section_keys(cell), strict=True)):
        claimed_lines.update(r.line for r in section.cell_refs)
        yield from _section_terms(section, key, position + 1, c, graph)
    # A reference outside any entry or section (the page summary) is made by the cell itself.
    for ref in cell.cell_refs:
        if ref.line not in claimed_lines:
            yield c, E.refersTo, _cell_ref(ref), graph


def _cell_ref(ref: CellRef) -> Term:
    return iri_term(ids.cell_key(ref.matrix, ref.cell))


def _entry_terms(
    cell: Cell, entry: Entry, by_position: Mapping[int, Entry], c: Term, graph: Term
) -> Iterator[TermQuad]:
    key = ids.listing_key(cell.matrix, cell.cell, entry.position)
    listing = iri_term(key)
    doc = iri_term(document_key(entry))
    yield listing, _TYPE, E.Listing, graph
    label = f"{cell.cell} listing {entry.position}: {entry.title}"
    yield listing, RS.label, text_term(label), graph
    yield listing, E.inCell, c, graph
    yield listing, E.lists, doc, graph
    if entry.kinds:
        yield listing, E.role, _ROLE_TERMS[entry.kinds[0]], graph
    yield listing, E.position, _int_term(entry.position), graph
    if entry.annotation:
        yield listing, E.annotation, text_term(entry.annotation), graph
    if entry.text:
        yield listing, E.entryText, text_term(entry.text), graph
    yield listing, E.sourceLine, _int_term(entry.line), graph

    for kind in sorted(set(entry.kinds)):
        yield doc, _TYPE, _DOCUMENT_TYPE_TERMS[kind], graph
    if not entry.kinds:
        yield doc, _TYPE, E.Document, graph
    label = f"{entry.title} ({entry.year})" if entry.year is not None else entry.title
    yield doc, RS.label, text_term(label), graph
    yield doc, DC.title, text_term(entry.title), graph
    if entry.year is not None:
        yield doc, DC.date, _year_term(entry.year), graph
    publishers = entry.publishers or ((entry.publisher,) if entry.publisher else ())
    for name in publishers:
        org = iri_term(ids.org_key(name))
        yield doc, DC.publisher, org, graph
        yield org, _TYPE, E.Organisation, graph
        yield org, RS.label, text_term(name), graph
    if entry.jurisdiction:
        yield doc, E.jurisdiction, text_term(entry.jurisdiction), graph
    if entry.free_source:
        yield doc, E.freeSource, _TRUE, graph
    yield doc, E.listedIn, c, graph

    for ref in entry.refs:
        target = by_position.get(ref.target)
        if target is None:
            continue
        other = iri_term(document_key(target))
        if other == doc:
            continue
        if ref.relation == "related":
            yield doc, E.relatedTo, other, graph
            yield other, E.relatedTo, doc, graph
        elif ref.relation == "includes":
            yield doc, E.includes, other, graph
        else:  # part-of: the target includes this entry's document
            yield other, E.includes, doc, graph
    for cell_ref in entry.cell_refs:
        yield listing, E.refersTo, _cell_ref(cell_ref), graph

    seen: dict[str, int] = {}
    for mention in entry.mentions:
        mkey = mention_key(key, mention.description, mention.year)
        seen[mkey] = seen.get(mkey, 0) + 1
        if seen[mkey] > 1:
            mkey = f"{mkey}-{seen[mkey]}"
        node = iri_term(mkey)
        label = mention.description + (f" ({mention.year})" if mention.year else "")
        yield listing, E.mentions, node, graph
        yield node, _TYPE, E.Document, graph
        yield node, RS.label, text_term(label), graph
        if mention.year is not None:
            yield node, DC.date, _year_term(mention.year), graph
        if mention.free_source:
            yield node, E.freeSource, _TRUE, graph
        yield node, E.sourceLine, _int_term(mention.line), graph


def _section_terms(
    section: Section, key: str, position: int, c: Term, graph: Term
) -> Iterator[TermQuad]:
    s = iri_term(key)
    yield s, _TYPE, E.Section, graph
    yield s, RS.label, text_term(section.heading), graph
    yield s, E.heading, text_term(section.heading), graph
    yield s, E.text, text_term(section.text), graph
    yield s, DC.isPartOf, c, graph
    yield s, E.position, _int_term(position), graph
    yield s, E.sourceLine, _int_term(section.line), graph
    for ref in section.cell_refs:
        yield s, E.refersTo, _cell_ref(ref), graph


# --- Curation: claims, evidence lines, discussion links, topics -----------------------------------


def drafter_key(drafted_by: str) -> str:
    """The software agent that drafted claims ("evidence-graph draft 0.1.0")."""
    return f"agent/{ids.slugify(drafted_by)}"


def drafts_graph_iri(relpath: str) -> URIRef:
    """The named graph of the claims drafted from the page at `relpath` (`build --drafts`)."""
    return iri(f"graph/drafts/{relpath}")


def drafts_provenance_quads(
    graph: URIRef, relpath: str, sha256: str, drafted_by: str, epoch: int | None = None
) -> Iterator[Quad]:
    """PROV for a graph of drafts: derived from the page by a drafting activity of the tool."""
    source = iri(source_key(relpath))
    activity = iri(f"activity/draft/{relpath}")
    agent = iri(drafter_key(drafted_by))
    yield graph, RDF.type, PROV.Entity, graph
    yield graph, RDFS.label, _text(f"claims drafted from {relpath}"), graph
    yield graph, PROV.wasDerivedFrom, source, graph
    yield graph, PROV.wasGeneratedBy, activity, graph
    yield graph, PROV.wasAttributedTo, agent, graph
    yield source, RDF.type, EVG.SourceFile, graph
    yield source, EVG.sourcePath, _text(relpath), graph
    yield source, EVG.sha256, _text(sha256), graph
    yield activity, RDF.type, EVG.BuildActivity, graph
    yield activity, RDFS.label, _text(f"draft claims from {relpath}"), graph
    yield activity, PROV.used, source, graph
    yield activity, PROV.wasAssociatedWith, agent, graph
    yield agent, RDF.type, PROV.SoftwareAgent, graph
    yield agent, RDFS.label, _text(drafted_by), graph
    if epoch is not None:
        yield activity, PROV.endedAtTime, timestamp(epoch), graph


def claim_terms(claim: Claim, graph: Term, source_relpath: str | None = None) -> Iterator[TermQuad]:
    """A claim, its status and attribution, its evidence lines (with quote selectors) and its
    relations to other claims, in line form.

    A curated claim is attributed to its claims file (`source_relpath`, relative to the data
    directory); a draft to the `prov:SoftwareAgent` that drafted it, with its confidence and cues.
    """
    key = ids.claim_key(claim.id)
    c = iri_term(key)
    yield c, _TYPE, E.Claim, graph
    if claim.status == "draft":
        drafted_by = claim.drafted_by or "evidence-graph draft"
        agent = iri_term(drafter_key(drafted_by))
        yield c, E.status, nt(CLAIM_STATUSES["draft"]), graph
        yield c, P.wasAttributedTo, agent, graph
        yield agent, _TYPE, P.SoftwareAgent, graph
        yield agent, RS.label, text_term(drafted_by), graph
        if claim.confidence is not None:
            yield c, E.confidence, f'"{claim.confidence:.2f}"^^<{XSD.decimal}>', graph
        for cue in claim.cues:
            yield c, E.cue, text_term(cue), graph
    else:
        yield c, E.status, nt(CLAIM_STATUSES["curated"]), graph
        source = iri_term(source_key(source_relpath or claim.source))
        yield c, P.wasAttributedTo, source, graph
    if claim.polarity is not None:
        yield c, E.polarity, text_term(claim.polarity), graph
    yield c, RS.label, text_term(claim.statement), graph
    yield c, E.exposure, text_term(claim.exposure), graph
    yield c, E.outcome, text_term(claim.outcome), graph
    yield c, E.effectShape, nt(EFFECT_SHAPES[claim.effect_shape]), graph
    for moderator in claim.moderators:
        yield c, E.moderator, text_term(moderator), graph
    if claim.population:
        yield c, E.population, text_term(claim.population), graph
    for topic in claim.topics:
        yield c, DC.subject, iri_term(ids.concept_key(topic)), graph
    yield c, E.sourceLine, _int_term(claim.line), graph
    for line in claim.evidence:
        evidence = evidence_key(key, line.document, line.quote.exact)
        node = iri_term(evidence)
        selector = iri_term(f"{evidence}/selector")
        doc = iri_term(line.document)
        if ids.is_commentary_key(line.document):
            cell_of = line.document.removesuffix("/commentary")
            yield doc, _TYPE, E.Commentary, graph
            label = f"commentary of {cell_of.removeprefix('cell/')}"
            yield doc, RS.label, text_term(label), graph
            yield doc, DC.isPartOf, iri_term(cell_of), graph
        yield node, _TYPE, E.EvidenceLine, graph
        yield node, E.claim, c, graph
        yield node, E.evidence, doc, graph
        yield node, E.direction, nt(DIRECTIONS[line.direction]), graph
        yield node, E.quote, text_term(line.quote.exact), graph
        yield node, E.selector, selector, graph
        yield node, P.wasQuotedFrom, iri_term(line.quote.quoted_from), graph
        yield node, E.sourceLine, _int_term(line.quote.line), graph
        if line.note:
            yield node, E.note, text_term(line.note), graph
        yield selector, _TYPE, _OA.TextQuoteSelector, graph
        yield selector, _OA.exact, text_term(line.quote.exact), graph
        yield selector, _OA.prefix, text_term(line.quote.prefix), graph
        yield selector, _OA.suffix, text_term(line.quote.suffix), graph
        direct = DIRECT_EVIDENCE.get(line.direction)
        if direct is not None:
            yield doc, nt(direct), c, graph
    for relation in claim.relations:
        other = iri_term(ids.claim_key(relation.target))
        prop = nt(CLAIM_RELATIONS[relation.kind])
        yield c, prop, other, graph
        yield other, prop, c, graph


def discussion_terms(discussion: Discussion, document: str, graph: Term) -> Iterator[TermQuad]:
    """The listed document (key `document`) discussed in a commentary section."""
    yield iri_term(document), E.discussedIn, iri_term(discussion.section), graph


def subject_terms(subject: Subject, graph: Term) -> Iterator[TermQuad]:
    """A node tagged with a topic concept."""
    yield iri_term(subject.node), DC.subject, iri_term(subject.concept), graph


# --- Checks --------------------------------------------------------------------------------------

EVG_NS = str(EVG._NS)


def evg_terms_used(quads: Iterable[Quad]) -> set[URIRef]:
    """Every ``evg:`` IRI used as a predicate, class or object in `quads` (for ontology checks)."""
    used: set[URIRef] = set()
    for s, p, o, _ in quads:
        for term in (s, p, o):
            if isinstance(term, URIRef) and str(term).startswith(EVG_NS):
                used.add(term)
    return used


# --- Standard vocabularies: the aligned graph -----------------------------------------------------

ALIGNED_GRAPH_KEY = "graph/aligned"
ALIGNED_GRAPH = iri(ALIGNED_GRAPH_KEY)
"""The named graph of the standard-vocabulary triples the exact alignments entail."""

CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
MP = Namespace("http://purl.org/mp/")

STANDARD_INVERSES: dict[URIRef, URIRef] = {
    CITO.isDiscussedBy: CITO.discusses,
    SKOS.broader: SKOS.narrower,
}
"""Standard properties whose standard inverse consumers query (stated in the aligned graph too)."""

OBO = Namespace("http://purl.obolibrary.org/obo/")

RESTATED = (str(MP), str(OBO), str(CITO), str(FABIO), str(PROV), str(SKOS))
"""The vocabularies the aligned graph restates our terms in: micropublications, SEPIO, CiTO, FaBiO,
PROV and SKOS. Dublin Core is not among them: the data uses it directly (titles, dates, publishers),
and restating e.g. a section's heading as its dcterms:title would change what such queries mean."""

NEAREST_FABIO: dict[URIRef, URIRef] = {
    EVG.Study: FABIO.ResearchPaper,
    EVG.Review: FABIO.ReviewArticle,
    EVG.Guidance: FABIO.ClinicalGuideline,
}
"""The FaBiO type nearest to each kind of listed document (skos:closeMatch in the ontology: the
kinds follow the page's markers, not FaBiO's definitions), stated so FaBiO consumers can filter."""


SEPIO_EVIDENCE_DIRECTION = OBO["SEPIO_0000183"]
"""SEPIO's ``evidence_direction``: an evidence line (SEPIO_0000002) → an ``evidence direction``
(SEPIO_0000402, one of SEPIO_0000403 supporting, _0000404 disputing, _0000405 inconclusive), as
declared in monarch-initiative/SEPIO-ontology, src/ontology/sepio-edit.owl."""

RESTATED_VALUES: dict[URIRef, tuple[URIRef, URIRef]] = {
    EVG.direction: (SEPIO_EVIDENCE_DIRECTION, EVG.EvidenceDirections),
}
"""Properties whose values are our own concepts, restated with the standard property and the
standard individual each concept of the scheme is matched to (skos:closeMatch in the ontology):
an evidence line's direction becomes SEPIO's evidence_direction with SEPIO's individual."""


class Alignment:
    """What a quad entails in the standard vocabularies, read from the ontology's exact alignments,
    as tables in line form (`aligned_terms` applies them).

    A class's superclasses (rdfs:subClassOf, transitively) and a property's superproperties
    (rdfs:subPropertyOf, transitively) in the `RESTATED` vocabularies, declared inverses
    (owl:inverseOf, evg's own included), `STANDARD_INVERSES` and `RESTATED_VALUES`.
    """

    def __init__(self, ontology: Graph) -> None:
        from rdflib.namespace import OWL

        def closure(node: URIRef, link: URIRef) -> set[URIRef]:
            seen: set[URIRef] = set()
            todo = [node]
            while todo:
                for parent in ontology.objects(todo.pop(), link):
                    if isinstance(parent, URIRef) and parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            return {p for p in seen if str(p).startswith(RESTATED)}

        def line_form(nodes: Iterable[URIRef]) -> tuple[Term, ...]:
            return tuple(nt(n) for n in sorted(nodes, key=str))

        terms = sorted({s for s in ontology.subjects() if isinstance(s, URIRef)}, key=str)
        self.classes: dict[Term, tuple[Term, ...]] = {}
        self.properties: dict[Term, tuple[Term, ...]] = {}
        self.inverses: dict[Term, tuple[Term, ...]] = {}
        for term in terms:
            supers = closure(term, RDFS.subClassOf)
            if term in NEAREST_FABIO:
                supers.add(NEAREST_FABIO[term])
            if supers:
                self.classes[nt(term)] = line_form(supers)
            props = closure(term, RDFS.subPropertyOf)
            if props:
                self.properties[nt(term)] = line_form(props)
            inverse = {o for o in ontology.objects(term, OWL.inverseOf) if isinstance(o, URIRef)}
            inverse |= {s for s in ontology.subjects(OWL.inverseOf, term) if isinstance(s, URIRef)}
            for prop in props:
                if prop in STANDARD_INVERSES:
                    inverse.add(STANDARD_INVERSES[prop])
            if inverse:
                self.inverses[nt(term)] = line_form(inverse)
        for prop, inverse_prop in STANDARD_INVERSES.items():
            self.inverses.setdefault(nt(prop), (nt(inverse_prop),))
        self.values: dict[Term, tuple[Term, dict[Term, Term]]] = {}
        for prop, (standard, scheme) in RESTATED_VALUES.items():
            matches: dict[Term, Term] = {}
            for concept in ontology.subjects(SKOS.inScheme, scheme):
                found = [
                    m
                    for m in ontology.objects(concept, SKOS.closeMatch)
                    if isinstance(m, URIRef) and str(m).startswith(RESTATED)
                ]
                if isinstance(concept, URIRef) and len(found) == 1:
                    matches[nt(concept)] = nt(found[0])
            self.values[nt(prop)] = (nt(standard), matches)


@lru_cache(maxsize=1)
def alignment() -> Alignment:
    """The alignment table of the shipped ontology (read once)."""
    from ...ontology import ONTOLOGY_FILE

    ontology = Graph(bind_namespaces="none")
    ontology.parse(ONTOLOGY_FILE, format="turtle")
    return Alignment(ontology)


ONTOLOGY_GRAPH_TERM = nt(ONTOLOGY_GRAPH)
ALIGNED_GRAPH_TERM = nt(ALIGNED_GRAPH)


def aligned_terms(quads: Iterable[TermQuad], *, source: bool = True) -> Iterator[TermQuad]:
    """Each quad (unless not `source`) followed by the standard-vocabulary triples it entails, in
    the aligned graph (line form): a class's standard superclasses, a property's standard
    superproperties, inverses, and restated values; none for the ontology graph or drafts."""
    table = alignment()
    classes, properties, inverses = table.classes, table.properties, table.inverses
    values = table.values
    aligned, ontology, rdf_type = ALIGNED_GRAPH_TERM, ONTOLOGY_GRAPH_TERM, _TYPE
    drafts = nt(drafts_graph_iri(""))[:-1]
    for quad in quads:
        if source:
            yield quad
        s, p, o, g = quad
        if g == ontology or g.startswith(drafts):
            continue
        if p == rdf_type:
            for cls in classes.get(o, ()):
                yield s, rdf_type, cls, aligned
            continue
        for prop in properties.get(p, ()):
            yield s, prop, o, aligned
        if o[0] == "<":
            restated = values.get(p)
            if restated is not None and o in restated[1]:
                yield s, restated[0], restated[1][o], aligned
            for prop in inverses.get(p, ()):
                yield o, prop, s, aligned


# --- Text anchors that survive edits: position selectors ------------------------------------------


def position_selector_terms(
    claim: Claim, graph: Term, sources: Mapping[str, str]
) -> Iterator[TermQuad]:
    """An oa:TextPositionSelector for every evidence line whose quote offsets are known.

    `sources` maps a quote's ``source`` (as given to the build) to its path relative to the data
    directory; the selector's ``dcterms:source`` is that file's node, which records its SHA-256.
    """
    key = ids.claim_key(claim.id)
    for line in claim.evidence:
        passage = line.quote
        relpath = sources.get(passage.source)
        if passage.start < 0 or passage.end < passage.start or relpath is None:
            continue
        evidence = evidence_key(key, line.document, passage.exact)
        node = iri_term(evidence)
        selector = iri_term(f"{evidence}/position")
        yield node, E.positionSelector, selector, graph
        yield selector, _TYPE, _OA.TextPositionSelector, graph
        yield selector, _OA.start, _int_term(passage.start), graph
        yield selector, _OA.end, _int_term(passage.end), graph
        yield selector, DC.source, iri_term(source_key(relpath)), graph


# --- External identifiers ------------------------------------------------------------------


def identifier_terms(
    document: str, identifiers: Mapping[str, str], graph: Term
) -> Iterator[TermQuad]:
    """A document's verified external identifiers: ``doi``, ``pmid``, ``url`` (its analysis page).

    DOI and PubMed ID become ``dcterms:identifier`` literals ("doi:10.…", "pmid:…") and
    ``owl:sameAs`` their resolvable IRIs (the same work); the analysis page is ``rdfs:seeAlso``.
    """
    from rdflib.namespace import OWL

    node = iri_term(document)
    same_as = nt(OWL.sameAs)
    doi = identifiers.get("doi")
    if doi:
        yield node, DC.identifier, text_term(f"doi:{doi}"), graph
        yield node, same_as, f"<https://doi.org/{quote(doi, safe='/:;()._-')}>", graph
    pmid = identifiers.get("pmid")
    if pmid:
        yield node, DC.identifier, text_term(f"pmid:{pmid}"), graph
        yield node, same_as, f"<https://pubmed.ncbi.nlm.nih.gov/{pmid}/>", graph
    url = identifiers.get("url")
    if url:
        yield node, RS.seeAlso, f"<{url}>", graph


def page_identifier_terms(cell: Cell, graph: Term) -> Iterator[TermQuad]:
    """The identifiers a page prints with its listed entries, stated for their documents in the
    page's own graph (whose provenance is the page and its SHA-256): what the source itself says.

    Those in an entry's title and date part always belong to its document; those in its
    annotation only when the annotation mentions no other document and holds just one identifier
    of that kind (an identifier next to "an earlier version (2011)" may be that version's).
    """
    from ..base.text import external_identifiers as identifiers

    for entry in cell.entries:
        if not entry.title:
            continue
        annotation = entry.annotation
        cut = entry.text.rfind(annotation) if annotation else -1
        head = entry.text[:cut] if cut >= 0 else entry.text
        found = list(identifiers(head))
        if annotation and not entry.mentions:
            rest = identifiers(annotation)
            kinds = [kind for kind, _ in rest]
            found += [(kind, value) for kind, value in rest if kinds.count(kind) == 1]
        document = document_key(entry)
        for kind, value in dict.fromkeys(found):
            yield from identifier_terms(document, {kind: value}, graph)
