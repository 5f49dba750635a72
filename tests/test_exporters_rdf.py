"""RDF exporters: every RDF format of the registry round-trips; independent parsers agree."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pyoxigraph
import pytest
from conftest import require_program
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from evidence_graph.exporters import FORMATS, get, guess
from evidence_graph.graph.base.files import GRAPH_SUFFIXES
from evidence_graph.graph.rdf.dataset import union_graph
from evidence_graph.graph.reading.load import load_dataset

RDF_FORMATS = sorted(name for name, e in FORMATS.items() if e.IS_RDF)
KEEPS_GRAPHS = {"trig", "nquads", "jsonld"}


@pytest.fixture(scope="module")
def ds(seed_graph: Path) -> Dataset:
    return load_dataset(seed_graph)


def exported(ds: Dataset, name: str) -> bytes:
    buffer = io.BytesIO()
    get(name).export(ds, buffer)
    return buffer.getvalue()


def graphs(ds: Dataset) -> dict[str, Graph]:
    return {
        str(g.identifier): g
        for g in ds.graphs()
        if len(g) and g.identifier != DATASET_DEFAULT_GRAPH_ID
    }


def test_core_formats_registered() -> None:
    for name in ("turtle", "trig", "nquads", "ntriples", "jsonld"):
        exporter = FORMATS[name]
        assert exporter.IS_RDF and exporter.SUFFIX.startswith(".") and "/" in exporter.MEDIA_TYPE
        assert exporter.DESCRIPTION
    assert guess("x/evidence.trig") is FORMATS["trig"]


@pytest.mark.parametrize("name", RDF_FORMATS)
def test_round_trip(ds: Dataset, name: str, tmp_path: Path) -> None:
    exporter = FORMATS[name]
    path = tmp_path / f"out{exporter.SUFFIX}"
    path.write_bytes(exported(ds, name))
    if exporter.SUFFIX not in GRAPH_SUFFIXES:
        pytest.skip(f"{name}: no loader for {exporter.SUFFIX}")
    back = load_dataset(path)
    assert isomorphic(union_graph(back), union_graph(ds))
    if name in KEEPS_GRAPHS:
        before, after = graphs(ds), graphs(back)
        assert sorted(before) == sorted(after)
        for iri, g in before.items():
            assert isomorphic(g, after[iri]), iri


@pytest.mark.parametrize("name", RDF_FORMATS)
def test_export_is_deterministic(ds: Dataset, seed_graph: Path, name: str) -> None:
    assert exported(ds, name) == exported(load_dataset(seed_graph), name)


def test_no_blank_nodes(ds: Dataset) -> None:
    assert not any(isinstance(t, BNode) for triple in union_graph(ds) for t in triple)


def _ntriples_set(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def test_rapper_agrees_with_rdflib_on_turtle(ds: Dataset, tmp_path: Path) -> None:
    rapper = require_program("rapper", "apt-get install raptor2-utils")
    turtle = tmp_path / "evidence.ttl"
    turtle.write_bytes(exported(ds, "turtle"))
    count = subprocess.run(
        [rapper, "-i", "turtle", "-c", str(turtle)], capture_output=True, text=True, check=True
    )
    expected = len(union_graph(ds))
    assert f"returned {expected} triples" in count.stderr
    nt = subprocess.run(
        [rapper, "-q", "-i", "turtle", "-o", "ntriples", str(turtle)],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = Graph().parse(data=nt.stdout, format="nt")
    assert len(theirs) == expected
    assert isomorphic(theirs, union_graph(ds))


def _from_oxigraph(term: object) -> URIRef | Literal:
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    assert isinstance(term, pyoxigraph.Literal), term
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)  # RDF 1.1: a plain literal is an xsd:string
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def test_oxigraph_agrees_with_rdflib_on_turtle(ds: Dataset) -> None:
    data = exported(ds, "turtle")
    theirs = Graph()
    for triple in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE):
        theirs.add(
            (
                _from_oxigraph(triple.subject),
                _from_oxigraph(triple.predicate),
                _from_oxigraph(triple.object),
            )
        )
    ours = union_graph(ds)
    assert len(theirs) == len(ours)
    assert set(theirs) == set(ours)


def test_oxigraph_reads_trig_graphs(ds: Dataset) -> None:
    quads = list(pyoxigraph.parse(exported(ds, "trig"), format=pyoxigraph.RdfFormat.TRIG))
    names = {q.graph_name.value for q in quads if isinstance(q.graph_name, pyoxigraph.NamedNode)}
    assert names == set(graphs(ds))
    assert len(quads) == sum(len(g) for g in graphs(ds).values())
