"""Publishing: standard vocabularies (aligned graph), VoID/DCAT, text anchors, identifiers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF

from evidence_graph.graph.base.errors import SourceError
from evidence_graph.graph.pipeline.build import build
from evidence_graph.graph.rdf.describe import DATASET, DATASET_GRAPH
from evidence_graph.graph.rdf.make import ALIGNED_GRAPH
from evidence_graph.graph.reading.load import load_dataset
from evidence_graph.ontology import ID, NS

MP = "http://purl.org/mp/"
VOID = "http://rdfs.org/ns/void#"
DATA_GRAPHS_FILTER = f"FILTER(?g != <{DATASET_GRAPH}>)"


@pytest.fixture(scope="module")
def seed(seed_graph: Path) -> Dataset:
    return load_dataset(seed_graph)


def rows(ds: Dataset, query: str) -> set[tuple[str, ...]]:
    return {tuple(str(v) for v in row) for row in ds.query(query)}  # type: ignore[union-attr]


def test_aligned_graph_alone_answers_which_documents_support_which_claims(seed: Dataset) -> None:
    aligned = seed.graph(ALIGNED_GRAPH)
    found = {(str(d), str(c)) for d, c in aligned.subject_objects(URIRef(MP + "supports"))}
    expected = rows(seed, f"SELECT ?d ?c WHERE {{ GRAPH ?g {{ ?d <{NS}supports> ?c }} }}")
    assert expected and found == expected
    # The evidence lines' support direction agrees with the direct links.
    lines = rows(
        seed,
        f"SELECT ?d ?c WHERE {{ ?l <{NS}evidence> ?d ; <{NS}claim> ?c ; "
        f"<{NS}direction> <{NS}Supporting> }}",
    )
    assert lines == expected
    claims = set(aligned.subjects(RDF.type, URIRef(MP + "Claim")))
    assert len(claims) == len(set(seed.subjects(RDF.type, URIRef(NS + "Claim"))))


def test_aligned_graph_states_standard_terms_and_declared_inverses(seed: Dataset) -> None:
    aligned = seed.graph(ALIGNED_GRAPH)
    predicates = {str(p) for p in aligned.predicates()}
    for wanted in (
        "http://purl.org/spar/cito/isDiscussedBy",
        "http://purl.org/spar/cito/discusses",
        "http://www.w3.org/2004/02/skos/core#narrower",
        NS + "supportedBy",
        NS + "challengedBy",
        MP + "challenges",
    ):
        assert wanted in predicates, wanted
    types = {str(o) for o in aligned.objects(None, RDF.type)}
    for wanted in (
        "http://purl.obolibrary.org/obo/SEPIO_0000002",
        "http://www.w3.org/ns/prov#Activity",
        "http://purl.org/spar/fabio/ResearchPaper",
        "http://purl.org/spar/fabio/ReviewArticle",
        "http://purl.org/spar/fabio/ClinicalGuideline",
    ):
        assert wanted in types, wanted
    # Each inverse mirrors its property exactly.
    supports = set(seed.subject_objects(URIRef(NS + "supports")))
    supported_by = {(d, c) for c, d in aligned.subject_objects(URIRef(NS + "supportedBy"))}
    assert supports == supported_by


SEPIO = "http://purl.obolibrary.org/obo/SEPIO_"
SEPIO_DIRECTIONS = {
    "Supporting": SEPIO + "0000403",
    "Challenging": SEPIO + "0000404",
    "Inconclusive": SEPIO + "0000405",
}
"""Verified in monarch-initiative/SEPIO-ontology, src/ontology/sepio-edit.owl: SEPIO_0000183
evidence_direction (domain evidence line, range SEPIO_0000402 evidence direction = one of
SEPIO_0000403 supporting, _0000404 disputing, _0000405 inconclusive)."""


def test_every_evidence_line_has_exactly_one_sepio_direction(seed: Dataset) -> None:
    aligned = Dataset()
    for triple in seed.graph(ALIGNED_GRAPH):
        aligned.add(triple)
    # From the aligned graph alone: each SEPIO evidence line, its directions and how many.
    found = rows(
        aligned,
        f"SELECT ?l (COUNT(DISTINCT ?d) AS ?n) (SAMPLE(?d) AS ?one) WHERE {{ "
        f"?l a <{SEPIO}0000002> OPTIONAL {{ ?l <{SEPIO}0000183> ?d }} }} GROUP BY ?l",
    )
    ours = rows(seed, f"SELECT ?l ?d WHERE {{ GRAPH ?g {{ ?l <{NS}direction> ?d }} }}")
    assert len(found) == len(ours) > 0
    expected = {(line, "1", SEPIO_DIRECTIONS[d.removeprefix(NS)]) for line, d in ours}
    assert found == expected
    assert {one for _, _, one in found} >= {SEPIO_DIRECTIONS["Supporting"]}
    # Every direction stated belongs to SEPIO's evidence-direction value set.
    stated = {str(o) for o in seed.graph(ALIGNED_GRAPH).objects(None, URIRef(SEPIO + "0000183"))}
    assert stated <= set(SEPIO_DIRECTIONS.values())


def test_void_counts_equal_the_graph(seed: Dataset) -> None:
    d = DATASET
    void = seed.graph(DATASET_GRAPH)

    def value(s: URIRef, p: str) -> int:
        v = void.value(s, URIRef(VOID + p))
        assert isinstance(v, Literal), p
        return int(v)

    triples = rows(
        seed,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
        f"{{ GRAPH ?g {{ ?s ?p ?o }} {DATA_GRAPHS_FILTER} }} }}",
    )
    assert value(d, "triples") == int(next(iter(triples))[0])
    entities = rows(
        seed,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'{DATA_GRAPHS_FILTER} FILTER(STRSTARTS(STR(?s), "{ID}")) }}',
    )
    assert value(d, "entities") == int(next(iter(entities))[0])
    per_class = rows(
        seed,
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        f"{DATA_GRAPHS_FILTER} }} GROUP BY ?c",
    )
    partitions = {
        (str(void.value(part, URIRef(VOID + "class"))), str(value(part, "entities")))
        for part in void.objects(d, URIRef(VOID + "classPartition"))
    }
    assert partitions == per_class
    per_property = rows(
        seed,
        "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
        f"{{ GRAPH ?g {{ ?s ?p ?o }} {DATA_GRAPHS_FILTER} }} }} GROUP BY ?p",
    )
    partitions = {
        (str(void.value(part, URIRef(VOID + "property"))), str(value(part, "triples")))
        for part in void.objects(d, URIRef(VOID + "propertyPartition"))
    }
    assert partitions == per_property
    assert str(void.value(d, URIRef(VOID + "uriSpace"))) == ID
    dcat = "http://www.w3.org/ns/dcat#"
    media = {
        str(void.value(dist, URIRef(dcat + "mediaType")))
        for dist in void.objects(d, URIRef(dcat + "distribution"))
    }
    assert media == {
        "https://www.iana.org/assignments/media-types/" + m
        for m in ("text/turtle", "application/trig", "application/ld+json")
    }
    assert void.value(d, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


def test_position_selectors_anchor_every_quote(seed: Dataset) -> None:
    from evidence_graph.graph.parsing.lines import split_lines

    oa = "http://www.w3.org/ns/oa#"
    query = f"""SELECT ?line ?exact ?start ?end ?path ?sha WHERE {{
        ?line <{NS}selector>/<{oa}exact> ?exact ;
              <{NS}positionSelector> ?p .
        ?p <{oa}start> ?start ; <{oa}end> ?end ; <http://purl.org/dc/terms/source> ?src .
        ?src <{NS}sourcePath> ?path ; <{NS}sha256> ?sha }}"""
    found = rows(seed, query)
    quotes = rows(seed, f"SELECT ?l WHERE {{ ?l a <{NS}EvidenceLine> }}")
    assert len(found) == len(quotes) > 0
    for _, exact, start, end, path, _ in found:
        text = "\n".join(split_lines((DATA / path).read_text(encoding="utf-8")))
        assert text[int(start) : int(end)] == exact


def test_validate_reports_orphaned_selectors(tmp_path: Path) -> None:
    from evidence_graph.graph.validation.anchors import orphaned_selectors

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    out = tmp_path / "build"
    build(data, out)
    ds = load_dataset(out / "evidence.trig")
    assert orphaned_selectors(ds, data) == []
    page = data / "cells" / "drug" / "B4.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text("An inserted first line.\n" + text, encoding="utf-8")
    orphans = orphaned_selectors(ds, data)
    assert orphans and all("cells/drug/B4.txt" in o for o in orphans)

    from click.testing import CliRunner

    from evidence_graph.graph.cli import cli

    graph = str(out / "evidence.trig")
    result = CliRunner().invoke(cli, ["validate", graph, "--data", str(data)])
    assert result.exit_code == 1 and "orphaned selector" in result.output, result.output
    page.write_text(text, encoding="utf-8")  # the source as built: anchors hold again
    result = CliRunner().invoke(cli, ["validate", graph, "--data", str(data)])
    assert result.exit_code == 0, result.output


def test_identifiers_become_identifier_sameas_and_seealso(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    doc = "doc/2009-can-therapists-be-too-accommodating"
    (data / "identifiers.yaml").write_text(
        "documents:\n"
        f"  {doc}:\n"
        "    doi: 10.1000/example.123\n"
        '    pmid: "12345678"\n'
        "    url: https://findings.org.uk/example\n"
        "    verified: test fixture (not a real identifier)\n",
        encoding="utf-8",
    )
    build(data, tmp_path / "out")
    ds = load_dataset(tmp_path / "out" / "evidence.trig")
    node = URIRef(ID + doc)
    ids = {str(o) for o in ds.objects(node, URIRef("http://purl.org/dc/terms/identifier"))}
    assert ids == {"doi:10.1000/example.123", "pmid:12345678"}
    same = {str(o) for o in ds.objects(node, URIRef("http://www.w3.org/2002/07/owl#sameAs"))}
    assert same == {
        "https://doi.org/10.1000/example.123",
        "https://pubmed.ncbi.nlm.nih.gov/12345678/",
    }
    also = set(ds.objects(node, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso")))
    assert URIRef("https://findings.org.uk/example") in also

    (data / "identifiers.yaml").write_text(
        "documents:\n  doc/1999-no-such-document:\n    doi: 10.1000/x\n    verified: x\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"identifiers.yaml:2: no document"):
        build(data, tmp_path / "out")


def test_dataset_yaml_errors_name_file_and_line(tmp_path: Path) -> None:
    from evidence_graph.graph.curation.dataset import load_dataset_description

    path = tmp_path / "dataset.yaml"
    text = (DATA / "dataset.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("homepage: https://", "homepage: ftp://"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"dataset.yaml:\d+: homepage must be an http"):
        load_dataset_description(path)


def test_identifiers_printed_with_an_entry_are_stated_from_the_page(tmp_path: Path) -> None:
    from evidence_graph.graph.base.text import external_identifiers as identifiers
    from evidence_graph.graph.rdf.make import graph_iri

    assert identifiers("x doi:10.1037/a0015996. PMID: 19485600; see https://e.org/a?b=1.") == (
        ("doi", "10.1037/a0015996"),
        ("pmid", "19485600"),
        ("url", "https://e.org/a?b=1"),
    )
    assert identifiers("(https://doi.org/10.1016/S0140-6736(05)67150-9)") == (
        ("doi", "10.1016/S0140-6736(05)67150-9"),
    )
    assert identifiers("A study (2005). Nothing to see.") == ()
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    page = data / "cells" / "drug" / "B4.txt"
    text = page.read_text(encoding="utf-8")
    own = "K Can therapists be too accommodating? (2009). "
    other = "K Treat manuals as guides, not scripts (2006). "
    assert own in text and other in text
    text = text.replace(own, own + "doi:10.9999/fixture.own PMID: 99999999. ")
    # This annotation mentions another document ("a national US study (1999)"): its DOI may be
    # that study's, so it is not stated for the listed one.
    text = text.replace(other, other + "doi:10.9999/fixture.other ")
    page.write_text(text, encoding="utf-8")
    build(data, tmp_path / "out")
    ds = load_dataset(tmp_path / "out" / "evidence.trig")
    g = graph_iri("cells/drug/B4.txt")
    identifier = URIRef("http://purl.org/dc/terms/identifier")
    own_doc = URIRef(ID + "doc/2009-can-therapists-be-too-accommodating")
    stated = {(str(s), str(o)) for s, _, o, _ in ds.quads((None, identifier, None, g))}
    assert stated == {
        (str(own_doc), "doi:10.9999/fixture.own"),
        (str(own_doc), "pmid:99999999"),
    }
    same = URIRef("http://www.w3.org/2002/07/owl#sameAs")
    assert (own_doc, same, URIRef("https://doi.org/10.9999/fixture.own"), g) in ds
