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
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

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


def redact(url: str) -> str:
    """`url` with the password of its user info hidden, for messages: "http://u:***@h/store"."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        parts, password = None, None
    if parts is None:
        # Not parseable: hide anything between "//" and an "@" that could be user info.
        head, sep, rest = url.partition("//")
        if sep and "@" in rest.split("/", 1)[0]:
            return f"{head}//***@{rest.split('@', 1)[1]}"
        return url
    if password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every secret (as written and percent-decoded) replaced by "***"."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def check_url(url: str, what: str) -> SplitResult:
    """`url` split, or `RemoteError` naming `what` when it is not an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        raise RemoteError(f"{what} {redact(url)!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(
            f"{what} {redact(url)!r} is not an http(s) URL with a host "
            "(e.g. http://127.0.0.1:7878/store)"
        )
    return parts


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
            f"cannot guess the SPARQL query endpoint for {redact(endpoint)}; "
            "pass --query-endpoint URL"
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
        reason = _scrub(str(exc), _secrets(query_endpoint, auth))
        raise RemoteError(
            f"{redact(query_endpoint)}: cannot count graph <{graph}>: {reason}"
        ) from None
    if response.status_code != 200:
        raise RemoteError(
            f"{redact(query_endpoint)}: counting graph <{graph}> failed: "
            f"HTTP {response.status_code} {_snippet(response.text)}"
        )
    try:
        bindings = response.json()["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError) as exc:
        raise RemoteError(
            f"{redact(query_endpoint)}: unexpected count answer: {_snippet(response.text)}"
        ) from exc


def _secrets(url: str, auth: requests.auth.AuthBase | None) -> tuple[str, ...]:
    """The passwords a message about `url` must not show: its own and the one of `auth`."""
    found: list[str] = []
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        found += [password, unquote(password)]
    given = getattr(auth, "password", None)
    if isinstance(given, str) and given:
        found.append(given)
    # Longest first, so that a password containing another is replaced whole.
    return tuple(sorted(set(found), key=len, reverse=True))


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
    check_url(endpoint, "endpoint")
    if query_endpoint is not None:
        check_url(query_endpoint, "query endpoint")
    param = graph_param or default_graph_param(endpoint)
    counter = query_endpoint or default_query_endpoint(endpoint)
    store = open_store(graph_path)
    auth = _auth(user, password, auth_scheme)
    secrets = _secrets(endpoint, auth)
    shown = redact(endpoint)
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
                reason = f"cannot reach {shown}: {_scrub(str(exc), secrets)}"
                raise RemoteError(_failed(graph, done, reason)) from None
            if response.status_code not in (200, 201, 204):
                hint = ""
                if response.status_code in (401, 403):
                    hint = " (check --user, the password and --auth basic|digest)"
                answer = _scrub(_snippet(response.text), secrets)
                reason = f"HTTP {response.status_code}{hint}: {answer}"
                raise RemoteError(_failed(graph, done, f"{method} {shown} refused it: {reason}"))
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
