"""The ontology: loads, declares every term the data uses, documents each one, aligns honestly."""

from __future__ import annotations

import json
from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from evidence_graph.graph.rdf.dataset import union_graph
from evidence_graph.graph.reading.load import load_dataset
from evidence_graph.ontology import CONTEXT_FILE, NS, ONTOLOGY_FILE, SHAPES_FILE
from evidence_graph.ontology.namespace import CLAIM_RELATIONS, DIRECTIONS, EFFECT_SHAPES, EVG, ROLES

DCTERMS_LICENSE = URIRef("http://purl.org/dc/terms/license")
SEPIO = "http://purl.obolibrary.org/obo/SEPIO_"
ALIGNMENT_NAMESPACES = (
    "http://purl.org/dc/terms/",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/spar/cito/",
    "http://purl.org/spar/fabio/",
    "http://purl.org/mp/",
    "http://purl.obolibrary.org/obo/SEPIO_",
    "http://www.w3.org/ns/oa#",
    "http://data.cochrane.org/ontologies/pico/",
    NS,
)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def declared(onto: Graph) -> set[str]:
    return {str(s)[len(NS) :] for s in set(onto.subjects()) if str(s).startswith(NS)}


def test_ontology_header(onto: Graph) -> None:
    ontology = URIRef("https://w3id.org/evidence-graph/ontology")
    assert (ontology, RDF.type, OWL.Ontology) in onto
    assert onto.value(ontology, OWL.versionIRI) is not None
    assert onto.value(ontology, DCTERMS_LICENSE) is not None


def test_namespace_py_declares_the_same_terms(onto: Graph) -> None:
    python = {name for name in EVG.__annotations__ if not name.startswith("_")}
    assert python == declared(onto)


def test_every_term_has_label_and_comment(onto: Graph) -> None:
    for name in sorted(declared(onto)):
        term = URIRef(NS + name)
        assert isinstance(onto.value(term, RDFS.label), Literal), name
        assert isinstance(onto.value(term, RDFS.comment), Literal), name


def test_properties_are_typed(onto: Graph) -> None:
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.Class, SKOS.Concept, SKOS.ConceptScheme)
    for name in sorted(declared(onto)):
        types = set(onto.objects(URIRef(NS + name), RDF.type))
        assert types & set(kinds), name


def test_alignments_point_at_the_named_vocabularies(onto: Graph) -> None:
    for prop in (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch):
        for s, o in onto.subject_objects(prop):
            assert str(s).startswith(NS)
            assert str(o).startswith(ALIGNMENT_NAMESPACES), (s, prop, o)
    objects = {str(o) for o in onto.objects()}
    assert "http://purl.org/spar/fabio/Guideline" not in objects
    assert "http://purl.org/spar/cito/hasQuotedText" not in objects
    assert (
        EVG.Guidance,
        SKOS.closeMatch,
        URIRef("http://purl.org/spar/fabio/ClinicalGuideline"),
    ) in onto
    assert (EVG.Claim, RDFS.subClassOf, URIRef("http://purl.org/mp/Claim")) in onto
    assert (EVG.EvidenceLine, RDFS.subClassOf, URIRef(SEPIO + "0000002")) in onto
    assert (EVG.supports, RDFS.subPropertyOf, URIRef("http://purl.org/mp/supports")) in onto
    cito = "http://purl.org/spar/cito/isDiscussedBy"
    assert (EVG.discussedIn, RDFS.subPropertyOf, URIRef(cito)) in onto
    # An exact alignment is not also a close match.
    for s, o in onto.subject_objects(SKOS.closeMatch):
        assert (s, RDFS.subClassOf, o) not in onto and (s, RDFS.subPropertyOf, o) not in onto


def test_declared_inverses_are_stated(onto: Graph, seed_graph: Path) -> None:
    """Every owl:inverseOf pair the ontology declares is stated in the data whenever one side is."""
    data = union_graph(load_dataset(seed_graph))
    for p, q in onto.subject_objects(OWL.inverseOf):
        forward = set(data.subject_objects(p))
        backward = {(o, s) for s, o in data.subject_objects(q)}
        assert forward == backward, (p, q)


def test_effect_shapes_scheme(onto: Graph) -> None:
    assert sorted(EFFECT_SHAPES) == sorted(
        ["positive", "negative", "linear-positive", "linear-negative", "inverted-u", "u-shaped",
         "threshold", "null", "inconsistent", "conditional"]
    )  # fmt: skip
    for notation, concept in EFFECT_SHAPES.items():
        assert onto.value(concept, SKOS.notation) == Literal(notation)
        assert (concept, SKOS.inScheme, EVG.EffectShapes) in onto
        assert (concept, RDF.type, SKOS.Concept) in onto


def test_directions_roles_relations(onto: Graph) -> None:
    sepio = {"supports": "0000403", "challenges": "0000404", "inconclusive": "0000405"}
    for notation, concept in DIRECTIONS.items():
        assert (concept, SKOS.inScheme, EVG.EvidenceDirections) in onto
        assert (concept, SKOS.closeMatch, URIRef(SEPIO + sepio[notation])) in onto
    # SEPIO's evidence_direction relates a line to SEPIO's individuals, ours to our concepts.
    assert (EVG.direction, SKOS.closeMatch, URIRef(SEPIO + "0000183")) in onto
    for marker, role in ROLES.items():
        assert (role, SKOS.inScheme, EVG.ListingRoles) in onto
        assert onto.value(role, SKOS.notation) == Literal(marker)
    assert sorted(CLAIM_RELATIONS) == ["consistent-with", "contradicts", "related"]
    for notation, prop in CLAIM_RELATIONS.items():
        assert (prop, RDF.type, OWL.SymmetricProperty) in onto
        assert onto.value(prop, SKOS.notation) == Literal(notation)


def test_no_undeclared_evg_term_in_the_data(onto: Graph, seed_graph: Path) -> None:
    data = union_graph(load_dataset(seed_graph))
    used = {str(t) for triple in data for t in triple if str(t).startswith(NS)}
    undeclared = {t[len(NS) :] for t in used} - declared(onto)
    assert not undeclared


def test_rdfs_closure_adds_no_evg_class_to_data_nodes(onto: Graph, seed_graph: Path) -> None:
    """Domains and ranges agree with the data: RDFS inference types no node with a new evg class."""
    data = union_graph(load_dataset(seed_graph))
    before = {(s, o) for s, o in data.subject_objects(RDF.type) if str(o).startswith(NS)}
    closed = Graph()
    closed += data
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(closed)
    after = {(s, o) for s, o in closed.subject_objects(RDF.type) if str(o).startswith(NS)}
    new = {
        (s, o)
        for s, o in after - before
        if not str(s).startswith(NS)  # the ontology's own terms
        and not any((s, sub) in before for sub in closed.subjects(RDFS.subClassOf, o))
    }
    assert not new, sorted(new)[:10]


def test_shapes_and_context_load() -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    assert len(shapes) > 50
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert context["evg"] == NS
    assert context["lists"] == {"@id": "evg:lists", "@type": "@id"}
