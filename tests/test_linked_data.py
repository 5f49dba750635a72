"""Linked Data: resource pages by content negotiation, the static site, the service description."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph
import pytest
from click.testing import CliRunner
from conftest import DATA, TEST_DATA, require_program
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from servers import evidence_graph_server

from evidence_graph.exporters import DirectoryOptions, as_directory, get
from evidence_graph.graph.cli import cli
from evidence_graph.graph.rdf.describe import DATASET
from evidence_graph.graph.reading.load import load_dataset
from evidence_graph.graph.reading.resource import (
    FORMATS,
    ONTOLOGY,
    Resources,
    negotiate,
    service_description,
)
from evidence_graph.ontology import ID, NS

__all__ = ["evidence_graph_server"]  # fixture, imported for pytest

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_MEDIA = [m for m in FORMATS if m != "text/html"]
PATHS = [
    "/id/claim/helping-alliance-inverted-u",
    "/id/doc/2009-can-therapists-be-too-accommodating",
    "/id/cell/drug/B4",
    "/ontology/Claim",
    "/ontology/supports",
    "/ontology",
]


@pytest.fixture(scope="module")
def seed(seed_graph: Path) -> Dataset:
    return load_dataset(seed_graph)


@pytest.fixture(scope="module")
def resources(seed: Dataset) -> Resources:
    return Resources(seed, data_dir=DATA)


def _parse(body: bytes, media: str) -> Graph:
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld"}.get(media, "nt")
    return Graph().parse(data=body, format=fmt)


def _oxigraph(body: bytes, media: str) -> Graph:
    fmt = {
        "text/turtle": pyoxigraph.RdfFormat.TURTLE,
        "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
        "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    }[media]
    lines = [f"{q.subject} {q.predicate} {q.object} ." for q in pyoxigraph.parse(body, fmt)]
    return Graph().parse(data="\n".join(lines), format="nt")


def test_negotiate_prefers_q_then_order() -> None:
    offers = list(FORMATS)
    assert negotiate(None, offers) == "text/html"
    assert negotiate("*/*", offers) == "text/html"
    assert negotiate("text/turtle", offers) == "text/turtle"
    assert negotiate("text/html;q=0.5, application/ld+json", offers) == "application/ld+json"
    assert negotiate("application/*;q=0.9, text/html;q=0.1", offers) == "application/ld+json"
    assert negotiate("image/png", offers) is None


@pytest.mark.parametrize("path", PATHS)
def test_each_representation_parses_to_the_same_triples(resources: Resources, path: str) -> None:
    rapper = require_program("rapper", "apt-get install raptor2-utils (.ci/run installs it)")
    graphs = []
    for media in RDF_MEDIA:
        response = resources.respond(path, media)
        assert response.status == 200, (path, media)
        assert (response.header("Content-Type") or "").startswith(media)
        assert response.header("Vary") == "Accept"
        links = response.header("Link") or ""
        for other in FORMATS:
            assert f'rel="alternate"; type="{other}"' in links
        parsed = _parse(response.body, media)
        assert len(parsed) > 0
        graphs.append(parsed)
        assert isomorphic(parsed, _oxigraph(response.body, media)), (path, media)
        if media != "application/ld+json":
            syntax = "turtle" if media == "text/turtle" else "ntriples"
            out = subprocess.run(
                [rapper, "-i", syntax, "-o", "ntriples", "-", "http://example.org/"],
                input=response.body,
                capture_output=True,
                timeout=60,
                check=True,
            )
            assert isomorphic(Graph().parse(data=out.stdout, format="nt"), parsed)
    assert all(isomorphic(graphs[0], g) for g in graphs[1:]), path
    node = resources.resolve(path)
    assert node is not None
    assert any(node[0] in (s, o) for s, _, o in graphs[0])


def test_suffix_paths_and_unknown_paths(resources: Resources) -> None:
    response = resources.respond("/id/cell/drug/B4.ttl", "text/html")
    assert response.status == 200 and (response.header("Content-Type") or "").startswith(
        "text/turtle"
    )
    assert response.header("Vary") is None
    assert resources.respond("/id/cell/drug/Z9", "text/turtle").status == 404
    assert resources.respond("/elsewhere", None).status == 404
    assert resources.respond("/id/cell/drug/B4", "image/png").status == 406


def test_html_page_shows_properties_inbound_links_and_sources(resources: Resources) -> None:
    response = resources.respond("/id/claim/helping-alliance-inverted-u", "text/html")
    assert response.status == 200
    page = response.body.decode("utf-8")
    assert "<h1>Counsellors&#x27; helping alliance" in page
    assert 'href="/ontology/Claim"' in page
    assert 'href="/id/doc/2009-can-therapists-be-too-accommodating"' in page
    assert "Inbound links" in page and "Properties" in page
    assert "cells/drug/B4.txt:56" in page  # the quoted passage behind the support
    term = resources.respond("/ontology/supports", "text/html").body.decode("utf-8")
    for text in ("domain", "range", "subproperty of", "mp:supports", "used in the data"):
        assert text in term, text


def test_hostile_text_is_escaped() -> None:
    ds = load_dataset(TEST_DATA / "explore-fixture.trig")
    page = Resources(ds).respond("/id/doc/2010-hostile", "text/html").body.decode("utf-8")
    assert "<img" not in page and "&lt;img src=x onerror=" in page


def test_every_resource_of_the_seed_build_resolves(seed: Dataset, resources: Resources) -> None:
    nodes = {
        t
        for s, _, o, _ in seed.quads((None, None, None, None))
        for t in (s, o)
        if isinstance(t, URIRef) and str(t).startswith((ID, NS)) and str(t) not in (ID, NS)
    }
    assert len(nodes) > 300
    for node in sorted(nodes, key=str):
        path = resources.path_of(node)
        assert path is not None, node
        html = resources.respond("/" + path, "text/html")
        assert html.status == 200, node
        turtle = resources.respond("/" + path, "text/turtle")
        described = Graph().parse(data=turtle.body, format="turtle")
        assert any(node in (s, o) for s, _, o in described), node


def _open_offline(browser: Any, html: str) -> tuple[str, list[str], list[str]]:
    """Open `html` with every outside request blocked: (h1 text, console errors, requests)."""
    page = browser.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def block(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    page.route("http://**/*", block)
    page.route("https://**/*", block)
    page.set_content(html)
    heading = str(page.locator("h1").inner_text()).strip()
    page.close()
    return heading, errors, outside


def test_pages_open_offline_in_chromium_without_errors(
    chromium_browser: Any, resources: Resources
) -> None:
    for path in PATHS:
        html = resources.respond(path, "text/html").body.decode("utf-8")
        heading, errors, outside = _open_offline(chromium_browser, html)
        assert heading and not errors and not outside, (path, errors, outside)


def test_static_site_parses_and_every_link_resolves(seed: Dataset, tmp_path: Path) -> None:
    site = as_directory(get("site"))
    files = site.files(seed, DirectoryOptions(data_dir=DATA, site_url="https://example.org/s/"))
    again = site.files(seed, DirectoryOptions(data_dir=DATA, site_url="https://example.org/s/"))
    assert files == again  # deterministic
    out = tmp_path / "site"
    for name, content in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
    for required in ("index.html", "ontology.html", "ontology/Claim.html", "id/dataset.html",
                     "evidence.ttl", "w3id.htaccess", ".htaccess"):  # fmt: skip
        assert required in files, required
    assert any(name.startswith("classes/") for name in files)
    turtle = [n for n in files if n.endswith(".ttl")]
    jsonld = [n for n in files if n.endswith(".jsonld")]
    assert len(turtle) > 300
    for name in turtle:
        assert len(Graph().parse(data=files[name], format="turtle")) > 0, name
    for name in jsonld:
        json.loads(files[name])
        parsed = Dataset() if name == "evidence.jsonld" else Graph()
        assert len(parsed.parse(data=files[name], format="json-ld")) > 0, name
    href = re.compile(r'href="([^"]+)"')
    pages = [n for n in files if n.endswith(".html")]
    for name in pages:
        text = files[name].decode("utf-8")
        assert (
            "http://" not in text.split("<body>")[0] and "https://" not in text.split("<body>")[0]
        )
        for link in href.findall(text):
            assert not link.startswith(("http:", "https:", "/")), (name, link)
            target = (out / name).parent / unquote(link.split("#")[0])
            assert target.is_file(), (name, link)
    assert "https://example.org/s/$1.ttl" in files["w3id.htaccess"].decode()
    index = files["index.html"].decode("utf-8")
    assert "creativecommons.org/licenses/by/4.0" in index and "How to cite" in index


def test_service_description_lists_every_named_graph(seed: Dataset) -> None:
    graphs = {
        str(g.identifier): len(g)
        for g in seed.graphs()
        if len(g) and str(g.identifier).startswith(ID)
    }
    response = service_description("http://127.0.0.1:8000/sparql", graphs, "text/turtle")
    assert response.status == 200
    g = Graph().parse(data=response.body, format="turtle")
    names = {str(o) for o in g.objects(None, URIRef(SD + "name"))}
    assert names == set(graphs) and len(names) >= 8
    assert (None, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in g
    for media in ("application/ld+json", "application/n-triples", "application/rdf+xml"):
        other = service_description("http://127.0.0.1:8000/sparql", graphs, media)
        fmt = {"application/ld+json": "json-ld", "application/n-triples": "nt"}.get(media, "xml")
        assert isomorphic(Graph().parse(data=other.body, format=fmt), g), media


def test_cli_export_site_writes_a_directory(seed_graph: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "site"
    result = runner.invoke(cli, ["export", "-f", "site", "-g", str(seed_graph), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and (out / "id" / "cell" / "drug" / "B4.ttl").is_file()
    missing = runner.invoke(cli, ["export", "-f", "site", "-g", str(seed_graph)])
    assert missing.exit_code != 0 and "give -o DIR" in missing.output
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    clash = runner.invoke(cli, ["export", "-f", "site", "-g", str(seed_graph), "-o", str(a_file)])
    assert clash.exit_code != 0 and "is a file" in clash.output
    assert a_file.read_text() == "x"


def test_ontology_document_lists_every_term(resources: Resources) -> None:
    page = resources.respond("/ontology", "text/html").body.decode("utf-8")
    for term in resources.ontology_terms():
        assert f'id="{str(term)[len(NS) :]}"' in page
    assert resources.path_of(ONTOLOGY) == "ontology"


@pytest.fixture(scope="module")
def served_graph(seed_graph: Path) -> Path:
    return seed_graph


def test_serve_answers_resource_iris_and_the_service_description(
    evidence_graph_server: str, seed_graph: Path
) -> None:
    import requests

    for path in PATHS[:4]:
        graphs = []
        for media in RDF_MEDIA:
            response = requests.get(
                evidence_graph_server + path, headers={"Accept": media}, timeout=30
            )
            assert response.status_code == 200, (path, media, response.text)
            assert response.headers["Content-Type"].startswith(media)
            assert "Accept" in response.headers["Vary"]
            assert 'rel="alternate"' in response.headers["Link"]
            graphs.append(_parse(response.content, media))
        assert all(isomorphic(graphs[0], g) for g in graphs[1:]), path
        page = requests.get(
            evidence_graph_server + path, headers={"Accept": "text/html"}, timeout=30
        )
        assert page.status_code == 200 and "<h1>" in page.text
    missing = requests.get(evidence_graph_server + "/id/cell/drug/Z9", timeout=30)
    assert missing.status_code == 404
    sd = requests.get(
        evidence_graph_server + "/sparql", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert sd.status_code == 200, sd.text
    g = Graph().parse(data=sd.content, format="turtle")
    names = {str(o) for o in g.objects(None, URIRef(SD + "name"))}
    assert ID + "graph/aligned" in names and ID + "graph/dataset.yaml" in names
    assert len(names) >= 9
    # serve states its own endpoint for the dataset it serves; the build's files say nothing of it.
    void_endpoint = URIRef("http://rdfs.org/ns/void#sparqlEndpoint")
    assert (DATASET, void_endpoint, URIRef(evidence_graph_server + "/sparql")) in g
    built = Dataset().parse(seed_graph, format="trig")
    assert next(iter(built.quads((None, None, None, None))), None) is not None
    assert not list(built.quads((None, void_endpoint, None, None)))
