"""A read-only SPARQL 1.1 Protocol endpoint over the built graph, and an offline query page.

It also answers every resource IRI's path (``/id/…``, ``/ontology``) by content negotiation
(`graph.reading.resource`), and ``GET /sparql`` without a query with the SPARQL 1.1 Service
Description.

Python's `http.server.ThreadingHTTPServer` carries the HTTP; Oxigraph evaluates the queries and
serializes the results (JSON, XML, CSV, TSV; Turtle and friends for CONSTRUCT/DESCRIBE). Nothing is
ever written: updates are refused with 403 whichever way they arrive.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from pyoxigraph import QuerySolutions, Store

from ..base.errors import EvidenceGraphError, QueryError
from ..reading.resource import ROOT, Resources, service_description
from . import sparql
from .sparql import UPDATE_KEYWORDS

MAX_BODY = 1_000_000
"""Largest request body accepted (bytes): a query, not a data upload."""


_RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}


def negotiate(accept: str, offers: list[str], default: str) -> str:
    """The offered media type the Accept header likes best (ties: the order of `offers`)."""
    best, best_q = default, 0.0
    for rank, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        candidates = [o for o in offers if media in (o, "*/*") or media == o.split("/")[0] + "/*"]
        if not candidates or q <= 0:
            continue
        choice = default if media == "*/*" and default in offers else candidates[0]
        score = q - rank * 1e-6  # earlier entries win ties
        if score > best_q:
            best, best_q = choice, score
    return best


def query_page(named: Mapping[str, sparql.NamedQuery]) -> bytes:
    """The HTML query page, with the named queries (parameters bound to their examples) inlined."""
    examples = []
    for q in named.values():
        values = {p.name: p.example for p in q.params if p.example is not None}
        try:
            text = sparql.bind_params(q.text, values, q.params)
        except EvidenceGraphError:
            text = q.text
        examples.append({"name": q.name, "description": q.description, "query": text})
    # `</` and `<!--` must not appear inside <script>: escape `<` in the JSON.
    data = json.dumps(examples, ensure_ascii=False).replace("<", "\\u003c")
    template = (resources.files("evidence_graph.graph.explore.templates") / "query.html").read_text(
        encoding="utf-8"
    )
    return template.replace("/*EXAMPLES*/[]", data).encode("utf-8")


class SparqlHandler(BaseHTTPRequestHandler):
    """GET/POST /sparql (SPARQL 1.1 Protocol, query operation only) and GET / (the query page)."""

    server_version = "evidence-graph"
    store: ClassVar[Store]
    timeout_seconds: ClassVar[float]
    page: ClassVar[bytes]
    quiet: ClassVar[bool] = False
    linked_data: ClassVar[LinkedData]

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # -- routing

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, self.page, "text/html; charset=utf-8")
        elif url.path == "/sparql":
            params = parse_qs(url.query, keep_blank_values=True)
            if "query" not in params and "update" not in params:
                self._respond(
                    self.linked_data.service(self._endpoint(), self.headers.get("Accept"))
                )
            else:
                self._sparql(params, None)
        elif url.path == "/ontology" or url.path.startswith(("/id/", "/ontology/")):
            self._respond(
                self.linked_data.resources().respond(url.path, self.headers.get("Accept"))
            )
        else:
            self._error(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self._error(HTTPStatus.NOT_FOUND, f"nothing at {url.path}; the endpoint is /sparql")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._error(HTTPStatus.BAD_REQUEST, "bad Content-Length")
            return
        if length < 0 or length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        elif ctype == "application/sparql-query":
            self._sparql(params, body)
        elif ctype == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
            self._sparql(params, None)
        else:
            self._error(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "POST a query as application/sparql-query or application/x-www-form-urlencoded",
            )

    def do_PUT(self) -> None:
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only")

    do_DELETE = do_PUT
    do_PATCH = do_PUT

    # -- the query operation

    def _sparql(self, params: dict[str, list[str]], body: str | None) -> None:
        if "update" in params:
            self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
            return
        texts = [body] if body is not None else params.get("query", [])
        if len(texts) != 1 or not texts[0].strip():
            self._error(HTTPStatus.BAD_REQUEST, "give exactly one query (parameter `query`)")
            return
        text = texts[0]
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            self._error(
                HTTPStatus.BAD_REQUEST,
                "default-graph-uri / named-graph-uri are not supported: "
                "the default graph is the union of all graphs",
            )
            return
        if sparql.query_kind(text) in UPDATE_KEYWORDS:
            self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
            return
        accept = self.headers.get("Accept") or "*/*"
        kind = sparql.query_kind(text)
        try:
            if kind in ("CONSTRUCT", "DESCRIBE"):
                media = negotiate(accept, list(sparql.GRAPH_FORMATS), "text/turtle")
                answer = sparql.run(
                    self.store, text, graph_media_type=media, timeout=self.timeout_seconds
                )
            else:
                media = negotiate(accept, list(_RESULT_TYPES), "application/sparql-results+json")
                answer = sparql.run(
                    self.store,
                    text,
                    result_format=_RESULT_TYPES[media],
                    timeout=self.timeout_seconds,
                )
        except QueryError as exc:
            timed_out = "timed out" in str(exc)
            status = HTTPStatus.SERVICE_UNAVAILABLE if timed_out else HTTPStatus.BAD_REQUEST
            self._error(status, str(exc))
            return
        media_type = answer.media_type
        if "charset" not in media_type and not media_type.endswith("+json"):
            media_type += "; charset=utf-8"
        self._send(HTTPStatus.OK, answer.body, media_type)

    # -- responses

    def _endpoint(self) -> str:
        host = self.headers.get("Host")
        if not host:
            address = self.server.server_address
            host = f"{address[0]!s}:{address[1]!s}" if isinstance(address, tuple) else "localhost"
        return f"http://{host}/sparql"

    def _respond(self, response: object) -> None:
        """Send a framework-independent `graph.reading.resource.Response`."""
        status = HTTPStatus(getattr(response, "status"))  # noqa: B009
        headers = dict(getattr(response, "headers"))  # noqa: B009
        media_type = headers.pop("Content-Type", "application/octet-stream")
        self._send(status, getattr(response, "body"), media_type, headers)  # noqa: B009

    def _send(
        self, status: HTTPStatus, body: bytes, media_type: str, extra: Mapping[str, str] = {}
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if media_type.startswith("text/html"):
            self.send_header(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                "connect-src 'self'; img-src data:",
            )
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")


class LinkedData:
    """The resource pages and the service description of a served graph, made on first use."""

    def __init__(
        self, store: Store, graph_path: str | Path, base: str, data_dir: Path | None
    ) -> None:
        self.store = store
        self.graph_path = graph_path
        self.base = base
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._resources: Resources | None = None
        self._graphs: dict[str, int] | None = None

    def resources(self) -> Resources:
        with self._lock:
            if self._resources is None:
                from ..reading.load import load_dataset

                dataset = load_dataset(self.graph_path)
                self._resources = Resources(dataset, base=self.base, data_dir=self.data_dir)
            return self._resources

    def service(self, endpoint: str, accept: str | None) -> object:
        with self._lock:
            if self._graphs is None:
                rows = self.store.query(
                    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
                )
                assert isinstance(rows, QuerySolutions)
                self._graphs = {str(r["g"].value): int(r["n"].value) for r in rows}
        from ..rdf.describe import DATASET

        return service_description(endpoint, self._graphs, accept, dataset=str(DATASET))


def make_server(
    graph_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 30.0,
    quiet: bool = False,
    base: str = ROOT,
    data_dir: Path | None = None,
) -> ThreadingHTTPServer:
    """A ready-to-run server over the graph at `graph_path` (port 0: any free port)."""
    store = sparql.open_store(graph_path, memory=True)  # many queries: load once
    handler = type(
        "BoundSparqlHandler",
        (SparqlHandler,),
        {
            "store": store,
            "timeout_seconds": timeout,
            "page": query_page(sparql.named_queries()),
            "quiet": quiet,
            "linked_data": LinkedData(store, graph_path, base, data_dir),
        },
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
