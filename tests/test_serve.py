"""`evidence-graph serve`: the read-only SPARQL 1.1 Protocol endpoint and its offline query page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import requests
from pyoxigraph import RdfFormat, parse
from servers import evidence_graph_server

from evidence_graph.graph.service.serve import negotiate

__all__ = ["evidence_graph_server"]  # fixture, imported for pytest

CELL_B4 = "https://w3id.org/evidence-graph/id/cell/drug/B4"
LISTINGS = (
    "SELECT ?position WHERE { ?l <https://w3id.org/evidence-graph/ontology#inCell> "
    f"<{CELL_B4}> ; <https://w3id.org/evidence-graph/ontology#position> ?position }} "
    "ORDER BY ?position"
)


@pytest.fixture(scope="module")
def served_graph(seed_graph: Path) -> Path:
    return seed_graph


@pytest.fixture(scope="module")
def endpoint(evidence_graph_server: str) -> str:
    return evidence_graph_server + "/sparql"


def positions(data: dict[str, object]) -> list[int]:
    bindings = data["results"]["bindings"]  # type: ignore[index]
    return [int(b["position"]["value"]) for b in bindings]


def test_get_returns_sparql_json(endpoint: str) -> None:
    response = requests.get(endpoint, params={"query": LISTINGS}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert positions(response.json()) == list(range(1, 15))


def test_post_form_and_direct_body(endpoint: str) -> None:
    form = requests.post(endpoint, data={"query": LISTINGS}, timeout=30)
    assert form.status_code == 200 and positions(form.json()) == list(range(1, 15))
    direct = requests.post(
        endpoint,
        data=LISTINGS.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert direct.status_code == 200 and positions(direct.json()) == list(range(1, 15))


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_content_negotiation(endpoint: str, accept: str, media: str) -> None:
    response = requests.get(
        endpoint, params={"query": LISTINGS}, headers={"Accept": accept}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["position"] and len(rows) == 15
    elif media == "application/sparql-results+xml":
        assert response.text.count("<result>") == 14


def test_construct_is_turtle_and_ask_is_boolean(endpoint: str) -> None:
    query = f"CONSTRUCT {{ <{CELL_B4}> ?p ?o }} WHERE {{ <{CELL_B4}> ?p ?o }}"
    response = requests.get(endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    triples = list(parse(response.content, format=RdfFormat.TURTLE))
    assert any(t.object.value == "B4" for t in triples)
    ask = requests.get(endpoint, params={"query": f"ASK {{ <{CELL_B4}> ?p ?o }}"}, timeout=30)
    assert ask.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    "how",
    ["update-form", "update-body", "update-as-query", "put"],
)
def test_updates_are_refused(endpoint: str, how: str) -> None:
    update = f'INSERT DATA {{ GRAPH <urn:x> {{ <{CELL_B4}> <urn:p> "x" }} }}'
    if how == "update-form":
        response = requests.post(endpoint, data={"update": update}, timeout=30)
    elif how == "update-body":
        response = requests.post(
            endpoint,
            data=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        )
    elif how == "update-as-query":
        response = requests.get(endpoint, params={"query": update}, timeout=30)
    else:
        response = requests.put(endpoint, data=b"<a:b> <a:c> <a:d> .", timeout=30)
    assert 400 <= response.status_code < 500
    assert "read-only" in response.text
    check = requests.get(endpoint, params={"query": "ASK { ?s <urn:p> ?o }"}, timeout=30)
    assert check.json()["boolean"] is False


def test_bad_query_is_400_with_position(endpoint: str) -> None:
    response = requests.get(endpoint, params={"query": "SELECT ?x WHERE { ?x ?y }"}, timeout=30)
    assert response.status_code == 400
    assert "1:" in response.text and "Traceback" not in response.text


def test_listens_on_loopback_only(evidence_graph_server: str) -> None:
    assert evidence_graph_server.startswith("http://127.0.0.1:")


def test_negotiate() -> None:
    offers = ["application/sparql-results+json", "text/csv"]
    assert negotiate("text/csv", offers, offers[0]) == "text/csv"
    assert negotiate("text/*;q=0.8, application/json;q=0.1", offers, offers[0]) == "text/csv"
    assert negotiate("image/png", offers, offers[0]) == offers[0]


def test_slow_query_gets_503_and_the_server_keeps_running() -> None:
    import threading

    from test_query import FIXTURE

    from evidence_graph.graph.service.serve import make_server

    server = make_server(FIXTURE, port=0, timeout=0.001, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        response = requests.get(url, params={"query": slow}, timeout=30)
        assert response.status_code == 503 and "timed out" in response.text
        fine = requests.get(url, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert fine.status_code in (200, 503)  # still answering (a tiny query may also time out)
    finally:
        server.shutdown()
        server.server_close()
