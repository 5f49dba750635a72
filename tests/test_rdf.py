"""graph/rdf/make.py: records → quads, tested with hand-made records (no parser involved)."""

from __future__ import annotations

import hashlib

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from evidence_graph.graph.base import ids
from evidence_graph.graph.base.matrices import MatrixDef
from evidence_graph.graph.base.records import (
    Cell,
    CellRef,
    Claim,
    ClaimRelation,
    Discussion,
    Entry,
    EntryRef,
    EvidenceLine,
    Mention,
    Section,
    Subject,
    TextQuote,
)
from evidence_graph.graph.rdf import make as rdf
from evidence_graph.graph.rdf.dataset import Quad, add_quads, new_dataset
from evidence_graph.ontology import ID
from evidence_graph.ontology.namespace import EVG

OA_NS = "http://www.w3.org/ns/oa#"
G = rdf.graph_iri("cells/drug/B9.txt")


def entry(
    position: int, kinds: tuple[str, ...], title: str, year: int | None, **kw: object
) -> Entry:
    fields: dict[str, object] = {
        "position": position,
        "line": 10 + 2 * position,
        "kinds": kinds,
        "title": title,
        "year": year,
        "publisher": None,
        "publishers": (),
        "jurisdiction": None,
        "free_source": False,
        "annotation": f"Annotation {position}.",
        "text": f"{' '.join(kinds)} {title} ({year}). Annotation {position}.",
    }
    fields.update(kw)
    return Entry(**fields)  # type: ignore[arg-type]


def sample_cell() -> Cell:
    entries = (
        entry(
            1, ("S",), "First study", 1988, refs=(EntryRef("related", 3, "Related study below."),)
        ),
        entry(
            2,
            ("S", "G"),
            "Seminal guidance",
            2001,
            publisher="Royal College of Psychiatrists and Royal College of General Practitioners",
            publishers=("Royal College of Psychiatrists", "Royal College of General Practitioners"),
            jurisdiction="UK",
            free_source=True,
            refs=(EntryRef("includes", 3, "One of the three was the study below."),),
            cell_refs=(CellRef("alcohol", "B3", 14, "cell B3 of the Alcohol Treatment Matrix"),),
            mentions=(Mention("an earlier version", 2011, 14), Mention("commentaries", None, 14)),
        ),
        entry(
            3, ("K",), "Third study", 1999, refs=(EntryRef("related", 1, "Related study above."),)
        ),
        entry(
            4, ("R",), "A review", 2005, refs=(EntryRef("part-of", 3, "featured in entry above"),)
        ),
    )
    sections = (
        Section("What is this cell about?", "Para one; see cell A4.", 30,
                cell_refs=(CellRef("drug", "A4", 30, "see cell A4"),)),
        Section("Highlighted study", "Para two.", 40),
    )  # fmt: skip
    return Cell(
        source="cells/drug/B9.txt",
        matrix="drug",
        cell="B4",
        level="B",
        type="4",
        title="Drug Treatment Matrix cell B4: Practitioners; Psychosocial therapies",
        summary="A summary.",
        entries=entries,
        sections=sections,
        cell_refs=(
            CellRef("drug", "E2", 5, "summary mentions cell E2"),
            CellRef("alcohol", "B3", 14, "cell B3 of the Alcohol Treatment Matrix"),
            CellRef("drug", "A4", 30, "see cell A4"),
        ),
    )


def as_graph(quads: object) -> Graph:
    g = Graph()
    for s, p, o, graph in quads:  # type: ignore[attr-defined]
        assert graph == G or isinstance(graph, URIRef)
        g.add((s, p, o))
    return g


def doc(title: str, year: int) -> URIRef:
    return rdf.iri(ids.doc_key(title, year))


def test_iris_are_id_plus_key() -> None:
    assert rdf.iri("cell/drug/B4") == URIRef(ID + "cell/drug/B4")
    assert rdf.graph_iri("cells/drug/B4.txt") == URIRef(ID + "graph/cells/drug/B4.txt")
    assert str(rdf.graph_iri("claims/a b.yaml")).endswith("graph/claims/a%20b.yaml")


def test_cell_listings_documents_and_organisations() -> None:
    g = as_graph(rdf.cell_quads(sample_cell(), G))
    listing = rdf.iri("listing/drug/B4/2")
    guidance = doc("Seminal guidance", 2001)
    assert (listing, RDF.type, EVG.Listing) in g
    assert g.value(listing, EVG.inCell) == rdf.iri("cell/drug/B4")
    assert g.value(listing, EVG.lists) == guidance
    assert g.value(listing, EVG.role) == EVG.Seminal  # the first marker of "S G"
    assert g.value(listing, EVG.position) == Literal(2, datatype=XSD.integer)
    assert g.value(listing, EVG.sourceLine) == Literal(14, datatype=XSD.integer)
    assert g.value(listing, EVG.annotation) == Literal("Annotation 2.")
    # "S G": the document is both a study and guidance
    assert set(g.objects(guidance, RDF.type)) == {EVG.Study, EVG.Guidance}
    assert g.value(guidance, DCTERMS.title) == Literal("Seminal guidance")
    assert g.value(guidance, DCTERMS.date) == Literal("2001", datatype=XSD.gYear)
    assert g.value(guidance, EVG.jurisdiction) == Literal("UK")
    assert g.value(guidance, EVG.freeSource) == Literal(True)
    assert g.value(guidance, EVG.listedIn) == rdf.iri("cell/drug/B4")
    publishers = {str(g.value(o, RDFS.label)) for o in g.objects(guidance, DCTERMS.publisher)}
    assert publishers == {
        "Royal College of Psychiatrists",
        "Royal College of General Practitioners",
    }
    for org in g.objects(guidance, DCTERMS.publisher):
        assert (org, RDF.type, EVG.Organisation) in g
    assert (doc("A review", 2005), RDF.type, EVG.Review) in g
    assert (doc("Third study", 1999), RDF.type, EVG.Study) in g


def test_entry_references() -> None:
    g = as_graph(rdf.cell_quads(sample_cell(), G))
    first, third = doc("First study", 1988), doc("Third study", 1999)
    assert (first, EVG.relatedTo, third) in g and (third, EVG.relatedTo, first) in g
    assert (doc("Seminal guidance", 2001), EVG.includes, third) in g
    # part-of: entry 4 is part of entry 3 → entry 3's document includes entry 4's
    assert (third, EVG.includes, doc("A review", 2005)) in g
    assert (doc("A review", 2005), EVG.includes, third) not in g


def test_cross_cell_references_come_from_who_makes_them() -> None:
    g = as_graph(rdf.cell_quads(sample_cell(), G))
    refs = {(s, o) for s, o in g.subject_objects(EVG.refersTo)}
    assert refs == {
        (rdf.iri("listing/drug/B4/2"), rdf.iri("cell/alcohol/B3")),
        (rdf.iri("cell/drug/B4/section/what-is-this-cell-about"), rdf.iri("cell/drug/A4")),
        (rdf.iri("cell/drug/B4"), rdf.iri("cell/drug/E2")),  # made by the summary
    }


def test_mentions_are_labelled_documents_with_deterministic_keys() -> None:
    g = as_graph(rdf.cell_quads(sample_cell(), G))
    mentioned = sorted(g.objects(rdf.iri("listing/drug/B4/2"), EVG.mentions))
    assert mentioned == [
        rdf.iri("listing/drug/B4/2/mention/an-earlier-version-2011"),
        rdf.iri("listing/drug/B4/2/mention/commentaries-nd"),
    ]
    earlier = mentioned[0]
    assert (earlier, RDF.type, EVG.Document) in g
    assert g.value(earlier, RDFS.label) == Literal("an earlier version (2011)")
    assert g.value(earlier, DCTERMS.date) == Literal("2011", datatype=XSD.gYear)
    assert g.value(earlier, EVG.sourceLine) == Literal(14, datatype=XSD.integer)


def test_sections() -> None:
    g = as_graph(rdf.cell_quads(sample_cell(), G))
    s = rdf.iri("cell/drug/B4/section/highlighted-study")
    assert (s, RDF.type, EVG.Section) in g
    assert g.value(s, EVG.heading) == Literal("Highlighted study")
    assert g.value(s, EVG.text) == Literal("Para two.")
    assert g.value(s, DCTERMS.isPartOf) == rdf.iri("cell/drug/B4")
    assert g.value(s, EVG.sourceLine) == Literal(40, datatype=XSD.integer)


def test_repeated_headings_get_distinct_keys() -> None:
    cell = Cell("x.txt", "drug", "B4", "B", "4", "t",
                sections=(Section("Same", "a", 1), Section("Same", "b", 2)))  # fmt: skip
    assert rdf.section_keys(cell) == [
        "cell/drug/B4/section/same",
        "cell/drug/B4/section/same-2",
    ]


def test_matrix_has_25_typed_cells_with_level_and_type_concepts() -> None:
    matrix = MatrixDef(
        "drug",
        "Drug Treatment Matrix",
        {"A": "Interventions", "B": "Practitioners", "C": "C", "D": "D", "E": "E"},
        {"1": "1", "2": "2", "3": "3", "4": "Psychosocial therapies", "5": "5"},
    )
    g = as_graph(rdf.rdflib_quads(rdf.matrix_terms(matrix, rdf.nt(G))))
    cells = set(g.subjects(RDF.type, EVG.MatrixCell))
    assert len(cells) == 25
    b4 = rdf.iri("cell/drug/B4")
    assert g.value(b4, RDFS.label) == Literal(
        "Drug Treatment Matrix cell B4: Practitioners; Psychosocial therapies"
    )
    assert g.value(b4, EVG.cellId) == Literal("B4")
    assert g.value(b4, EVG.inMatrix) == rdf.iri("matrix/drug")
    level = g.value(b4, EVG.interventionLevel)
    kind = g.value(b4, EVG.interventionType)
    assert level == rdf.iri("matrix/drug/level/B") and kind == rdf.iri("matrix/drug/type/4")
    assert (level, RDF.type, SKOS.Concept) in g
    assert g.value(level, SKOS.prefLabel) == Literal("Practitioners")
    assert g.value(kind, SKOS.notation) == Literal("4")
    assert g.value(level, SKOS.inScheme) == rdf.iri("matrix/drug/levels")


def test_provenance_uses_relative_path_and_digest() -> None:
    g = as_graph(rdf.provenance_quads(G, "cells/drug/B9.txt", "ab" * 32, "cell"))
    source = g.value(G, PROV.wasDerivedFrom)
    assert g.value(source, EVG.sourcePath) == Literal("cells/drug/B9.txt")
    assert g.value(source, EVG.sha256) == Literal("ab" * 32)
    assert g.value(G, PROV.wasGeneratedBy) is not None
    assert not list(g.triples((None, PROV.endedAtTime, None)))
    stamped = as_graph(rdf.provenance_quads(G, "cells/drug/B9.txt", "ab" * 32, "cell", epoch=0))
    # the lexical form itself (rdflib's normalising of literals is a global that pyshacl and
    # nanopub turn off when imported)
    (stamp,) = stamped.objects(None, PROV.endedAtTime)
    assert isinstance(stamp, Literal) and stamp.datatype == XSD.dateTime
    assert str(stamp) == "1970-01-01T00:00:00+00:00"


DOCUMENTS = ("doc/1988-first-study", "doc/1999-third-study", "doc/2005-a-review")
"""The documents `sample_claim` quotes."""


def sample_claim() -> Claim:
    quote = TextQuote(
        exact="some counselors obtained better results",
        prefix="“",
        suffix="”",
        source="cells/drug/B3.txt",
        line=104,
        quoted_from="cell/drug/B3/section/highlighted-study",
    )
    return Claim(
        id="counsellors-differ",
        statement="Counsellors differ in effectiveness.",
        exposure="counsellor",
        outcome="illegal drug use",
        effect_shape="inverted-u",
        source="claims/practitioners.yaml",
        line=3,
        moderators=("methadone dose",),
        population="methadone patients",
        topics=("therapist-effects",),
        evidence=(
            EvidenceLine("doc/1988-first-study", "supports", quote),
            EvidenceLine("doc/1999-third-study", "challenges", quote, note="small sample"),
            EvidenceLine("doc/2005-a-review", "inconclusive", quote),
        ),
        relations=(ClaimRelation("contradicts", "other-claim"),),
    )


def _claim_quads(graph: URIRef) -> list[Quad]:
    """`sample_claim` as rdflib quads in `graph`."""
    return list(rdf.rdflib_quads(rdf.claim_terms(sample_claim(), rdf.nt(graph))))


def test_claim_mapping() -> None:
    cg = rdf.graph_iri("claims/practitioners.yaml")
    quads = list(_claim_quads(cg))
    assert {q[3] for q in quads} == {cg}
    g = as_graph(quads)
    claim = rdf.iri("claim/counsellors-differ")
    assert (claim, RDF.type, EVG.Claim) in g
    assert g.value(claim, RDFS.label) == Literal("Counsellors differ in effectiveness.")
    assert g.value(claim, EVG.effectShape) == EVG.InvertedUEffect
    assert g.value(claim, EVG.exposure) == Literal("counsellor")
    assert g.value(claim, EVG.outcome) == Literal("illegal drug use")
    assert g.value(claim, EVG.moderator) == Literal("methadone dose")
    assert g.value(claim, EVG.population) == Literal("methadone patients")
    assert g.value(claim, DCTERMS.subject) == rdf.iri("concept/therapist-effects")
    # direct edges; inverses are declared in the ontology, not materialised
    assert (rdf.iri("doc/1988-first-study"), EVG.supports, claim) in g
    assert (rdf.iri("doc/1999-third-study"), EVG.challenges, claim) in g
    assert not list(g.triples((rdf.iri("doc/2005-a-review"), None, claim)))
    assert not list(g.triples((None, EVG.supportedBy, None)))
    lines = set(g.subjects(RDF.type, EVG.EvidenceLine))
    assert len(lines) == 3
    directions = {g.value(line, EVG.direction) for line in lines}
    assert directions == {EVG.Supporting, EVG.Challenging, EVG.Inconclusive}
    line = next(x for x in lines if g.value(x, EVG.evidence) == rdf.iri("doc/1988-first-study"))
    assert g.value(line, EVG.claim) == claim
    assert g.value(line, EVG.quote) == Literal("some counselors obtained better results")
    assert g.value(line, PROV.wasQuotedFrom) == rdf.iri("cell/drug/B3/section/highlighted-study")
    selector = g.value(line, EVG.selector)
    assert (selector, RDF.type, URIRef(OA_NS + "TextQuoteSelector")) in g
    assert g.value(selector, URIRef(OA_NS + "exact")) == Literal(
        "some counselors obtained better results"
    )
    assert g.value(selector, URIRef(OA_NS + "prefix")) == Literal("“")
    other = rdf.iri("claim/other-claim")
    assert (claim, EVG.contradicts, other) in g and (other, EVG.contradicts, claim) in g


def test_claim_iris_are_stable() -> None:
    """Two makings of one claim agree, and its evidence lines are named by their content (the
    claim, the document and a digest of both with the quote), not by the order they come in."""
    cg = rdf.graph_iri("claims/practitioners.yaml")
    assert set(_claim_quads(cg)) == set(_claim_quads(cg))
    lines = {s for s, p, o, _ in _claim_quads(cg) if (p, o) == (RDF.type, EVG.EvidenceLine)}
    quote = "some counselors obtained better results"
    expected = {
        rdf.iri(f"claim/counsellors-differ/evidence/{hashlib.sha256(text).hexdigest()[:12]}")
        for text in (f"{doc}\n{quote}".encode() for doc in DOCUMENTS)
    }
    assert lines == expected


def test_discussion_and_subject() -> None:
    d = Discussion("listing/drug/B4/1", "cell/drug/B4/section/highlighted-study", "auto")
    g = as_graph(rdf.rdflib_quads(rdf.discussion_terms(d, "doc/1988-first-study", rdf.nt(G))))
    assert (
        rdf.iri("doc/1988-first-study"),
        EVG.discussedIn,
        rdf.iri("cell/drug/B4/section/highlighted-study"),
    ) in g
    s = Subject("listing/drug/B4/1", "concept/empathy", "empathy")
    g = as_graph(rdf.rdflib_quads(rdf.subject_terms(s, rdf.nt(G))))
    assert (rdf.iri("listing/drug/B4/1"), DCTERMS.subject, rdf.iri("concept/empathy")) in g


def test_no_blank_nodes_and_every_quad_in_a_named_graph() -> None:
    cg = rdf.graph_iri("claims/practitioners.yaml")
    quads = [
        *rdf.cell_quads(sample_cell(), G),
        *_claim_quads(cg),
    ]
    quads += list(rdf.provenance_quads(G, "cells/drug/B9.txt", "0" * 64, "cell"))
    for s, p, o, graph in quads:
        assert not any(isinstance(t, BNode) for t in (s, p, o)), (s, p, o)
        assert graph in (G, cg)
    ds: Dataset = new_dataset()
    add_quads(ds, quads)
    add_quads(ds, quads)  # re-import: nothing duplicates
    assert len(ds.graph(G)) + len(ds.graph(cg)) == len(set(quads))
