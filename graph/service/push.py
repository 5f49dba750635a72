"""Upload the built graph to a SPARQL server by the Graph Store HTTP Protocol, then verify it.

Only the standard protocols are used (Graph Store HTTP Protocol to write, SPARQL 1.1 Protocol to
count), so any conforming server works: Oxigraph (`/store`, `?graph=`), Virtuoso
(`/sparql-graph-crud-auth`, `?graph-uri=`), Fuseki, GraphDB… Each named graph is sent whole and on
its own: with `replace` by PUT (the server's copy becomes exactly ours, so a re-run is idempotent),
otherwise by POST (merged into what the server holds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from ..base.errors import RemoteError
from .sparql import open_store

_CRUD_PATHS = ("/sparql-graph-crud", "/sparql-graph-crud-auth")


@dataclass(frozen=True)
class Pushed:
    """One named graph: how many triples were sent and how many the server then held."""

    graph: str
    sent: int
    found: int

    @property
    def ok(self) -> bool:
        return self.sent == self.found


def default_graph_param(endpoint: str) -> str:
    """The query parameter naming the graph: Virtuoso's crud endpoints say `graph-uri`."""
    path = urlsplit(endpoint).path.rstrip("/")
    return "graph-uri" if path.endswith(_CRUD_PATHS) else "graph"


def default_query_endpoint(endpoint: str) -> str:
    """The SPARQL query endpoint next to a graph store endpoint (Oxigraph, Virtuoso)."""
    url = urlsplit(endpoint)
    path = url.path.rstrip("/")
    if path.endswith("/store"):
        path = path[: -len("/store")] + "/query"
    elif path.endswith(_CRUD_PATHS):
        path = path[: path.rindex("/")] + "/sparql"
    else:
        raise RemoteError(
            f"cannot guess the SPARQL query endpoint for {endpoint}; pass --query-endpoint URL"
        )
    return urlunsplit((url.scheme, url.netloc, path, "", ""))


def _auth(user: str | None, password: str | None, scheme: str) -> requests.auth.AuthBase | None:
    if user is None:
        return None
    if scheme == "digest":
        return requests.auth.HTTPDigestAuth(user, password or "")
    return requests.auth.HTTPBasicAuth(user, password or "")


def named_graph_payloads(store: Store) -> Iterator[tuple[str, int, bytes]]:
    """(graph IRI, triple count, N-Triples bytes) for each named graph, sorted by IRI."""
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
    for name in names:
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(name))]
        body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        yield name, len(triples), body


def count_triples(
    query_endpoint: str, graph: str, auth: requests.auth.AuthBase | None, timeout: float
) -> int:
    """How many triples the server holds in `graph` (a SPARQL COUNT over the protocol)."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {NamedNode(graph)} {{ ?s ?p ?o }} }}"
    try:
        response = requests.get(
            query_endpoint,
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            auth=auth,
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise RemoteError(f"{query_endpoint}: cannot count graph <{graph}>: {exc}") from exc
    if response.status_code != 200:
        raise RemoteError(
            f"{query_endpoint}: counting graph <{graph}> failed: HTTP {response.status_code} "
            f"{_snippet(response.text)}"
        )
    try:
        bindings = response.json()["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError) as exc:
        raise RemoteError(
            f"{query_endpoint}: unexpected count answer: {_snippet(response.text)}"
        ) from exc


def _snippet(text: str) -> str:
    line = " ".join(text.split())
    return line[:200] + ("…" if len(line) > 200 else "")


def push(
    graph_path: str | Path,
    endpoint: str,
    *,
    user: str | None = None,
    password: str | None = None,
    auth_scheme: str = "basic",
    replace: bool = False,
    graph_param: str | None = None,
    query_endpoint: str | None = None,
    timeout: float = 60.0,
    progress: Callable[[Pushed], None] | None = None,
) -> list[Pushed]:
    """Upload every named graph of the built graph to `endpoint`, then count what landed.

    A failure raises `RemoteError` naming the graph; graphs sent before it stay on the server, and
    running again is safe (with `replace`, each graph is put whole).
    """
    store = open_store(graph_path)
    param = graph_param or default_graph_param(endpoint)
    counter = query_endpoint or default_query_endpoint(endpoint)
    auth = _auth(user, password, auth_scheme)
    method = "PUT" if replace else "POST"
    done: list[Pushed] = []
    with requests.Session() as session:
        for graph, sent, body in named_graph_payloads(store):
            try:
                response = session.request(
                    method,
                    endpoint,
                    params={param: graph},
                    data=body,
                    # N-Triples is Turtle; every graph store knows text/turtle.
                    headers={"Content-Type": "text/turtle; charset=utf-8"},
                    auth=auth,
                    timeout=timeout,
                )
            except requests.RequestException as exc:
                raise RemoteError(_failed(graph, done, f"cannot reach {endpoint}: {exc}")) from exc
            if response.status_code not in (200, 201, 204):
                hint = ""
                if response.status_code in (401, 403):
                    hint = " (check --user/--password and --auth basic|digest)"
                reason = f"HTTP {response.status_code}{hint}: {_snippet(response.text)}"
                raise RemoteError(_failed(graph, done, f"{method} {endpoint} refused it: {reason}"))
            found = count_triples(counter, graph, auth, timeout)
            result = Pushed(graph, sent, found)
            done.append(result)
            if progress is not None:
                progress(result)
    return done


def _failed(graph: str, done: list[Pushed], reason: str) -> str:
    return (
        f"pushing graph <{graph}> failed after {len(done)} graph(s) had landed: {reason}. "
        "Running push again is safe (--replace puts each graph whole)."
    )
