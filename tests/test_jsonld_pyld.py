"""Our JSON-LD read by PyLD (the JSON-LD API's reference implementation in Python), offline.

The build's `evidence.jsonld`, the `/id/` representations and the static site's `.jsonld` files
must expand and convert to RDF with PyLD to exactly the triples rdflib and Oxigraph read from the
same data (compared as sets of N-Quads lines; the graph has no blank nodes). PyLD gets a document
loader that answers only the shipped context (ontology/context.jsonld) and refuses everything else,
so nothing is fetched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from conftest import DATA
from pyld import jsonld
from rdflib import Dataset, Graph
from rdflib.namespace import RDF, RDFS
from rdflib.term import BNode, Node

from evidence_graph.exporters import DirectoryOptions, as_directory, get
from evidence_graph.graph.reading.load import load_dataset
from evidence_graph.graph.reading.resource import Resources
from evidence_graph.ontology import CONTEXT_FILE

CONTEXT_URL = "https://w3id.org/evidence-graph/context.jsonld"
"""Where a document may point for our context; only the local loader answers it."""

PATHS = [
    "/id/claim/helping-alliance-inverted-u",
    "/id/doc/2009-can-therapists-be-too-accommodating",
    "/id/cell/drug/B4",
    "/id/dataset",
    "/ontology/Claim",
    "/ontology",
]


class Refused(Exception):
    """A document PyLD tried to load from the network."""


def offline_loader(url: str, options: Any = None) -> dict[str, Any]:
    """PyLD's document loader: the shipped context for `CONTEXT_URL`, nothing else."""
    if url != CONTEXT_URL:
        raise Refused(url)
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(CONTEXT_FILE.read_text(encoding="utf-8")),
    }


OPTIONS = {"documentLoader": offline_loader}


def _term(node: Node) -> str:
    assert not isinstance(node, BNode), f"unexpected blank node {node!r}"
    return str(node.n3())


def _lines(ds: Dataset, named: bool = True) -> set[str]:
    """Every quad of `ds` as one N-Quads line (the graph left out when not `named`)."""
    out = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        graph = f" {_term(name)}" if named and name is not None and not _default(name) else ""
        out.add(f"{_term(s)} {_term(p)} {_term(o)}{graph} .")
    return out


def _default(name: Node) -> bool:
    return str(name) == "urn:x-rdflib:default" or isinstance(name, BNode)


def _pyld(document: Any) -> Dataset:
    """`document` to RDF by PyLD, read back as a dataset."""
    expanded = jsonld.expand(document, OPTIONS)
    assert expanded, "PyLD expanded the document to nothing"
    nquads = jsonld.to_rdf(document, {**OPTIONS, "format": "application/n-quads"})
    assert "_:" not in nquads
    return Dataset().parse(data=nquads, format="nquads")


def _oxigraph(body: bytes) -> Dataset:
    quads = pyoxigraph.parse(body, pyoxigraph.RdfFormat.JSON_LD)
    return Dataset().parse(data="\n".join(f"{q} ." for q in quads), format="nquads")


def test_offline_loader_refuses_the_network() -> None:
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": "https://example.org/ctx.jsonld", "a": 1}, OPTIONS)


def test_build_jsonld_reads_the_same_in_pyld_rdflib_and_oxigraph(seed_build: Path) -> None:
    body = (seed_build / "evidence.jsonld").read_bytes()
    document = json.loads(body)
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert document["@context"] == context  # the file embeds exactly the shipped context
    trig = _lines(Dataset().parse(seed_build / "evidence.trig", format="trig"))
    pyld = _lines(_pyld(document))
    assert len(trig) > 1000
    assert pyld == trig, (sorted(pyld - trig)[:5], sorted(trig - pyld)[:5])
    assert _lines(_oxigraph(body)) == trig
    assert _lines(Dataset().parse(data=body, format="json-ld")) == trig
    by_reference = {**document, "@context": CONTEXT_URL}
    assert _lines(_pyld(by_reference)) == trig


@pytest.fixture(scope="module")
def resources(seed_graph: Path) -> Resources:
    return Resources(load_dataset(seed_graph), data_dir=DATA)


@pytest.mark.parametrize("path", PATHS)
def test_served_jsonld_reads_the_same_in_pyld(resources: Resources, path: str) -> None:
    jsonld_body = resources.respond(path, "application/ld+json").body
    nt = resources.respond(path, "application/n-triples").body
    expected = _lines(Dataset().parse(data=nt, format="nt"), named=False)
    assert expected
    assert _lines(_pyld(json.loads(jsonld_body)), named=False) == expected
    assert _lines(_oxigraph(jsonld_body), named=False) == expected
    assert _lines(Dataset().parse(data=jsonld_body, format="json-ld"), named=False) == expected


def test_every_site_jsonld_reads_the_same_in_pyld(seed_graph: Path) -> None:
    files = as_directory(get("site")).files(
        load_dataset(seed_graph), DirectoryOptions(data_dir=DATA)
    )
    names = sorted(n for n in files if n.endswith(".jsonld") and n != "evidence.jsonld")
    assert len(names) > 300
    for name in names:
        twin = name.removesuffix(".jsonld") + ".nt"
        expected = _lines(Dataset().parse(data=files[twin], format="nt"), named=False)
        got = _lines(_pyld(json.loads(files[name])), named=False)
        assert got == expected, (name, sorted(got ^ expected)[:5])
    site = _lines(_pyld(json.loads(files["evidence.jsonld"])))
    assert site == _lines(Dataset().parse(data=files["evidence.trig"], format="trig"))


def test_graph_helper_rejects_blank_nodes() -> None:
    g = Graph()
    g.add((BNode(), RDF.type, RDFS.Class))
    with pytest.raises(AssertionError):
        _lines(Dataset().parse(data=g.serialize(format="nt"), format="nt"))
