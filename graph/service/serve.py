"""A read-only SPARQL 1.1 Protocol endpoint over the built graph, and an offline query page.

Python's `http.server.ThreadingHTTPServer` carries the HTTP; Oxigraph evaluates the queries and
serializes the results (JSON, XML, CSV, TSV; Turtle and friends for CONSTRUCT/DESCRIBE). Nothing is
ever written: updates are refused with 403 whichever way they arrive.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from pyoxigraph import Store

from ..base.errors import EvidenceGraphError, QueryError
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

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # -- routing

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, self.page, "text/html; charset=utf-8")
        elif url.path == "/sparql":
            self._sparql(parse_qs(url.query, keep_blank_values=True), None)
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

    def _send(self, status: HTTPStatus, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
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


def make_server(
    graph_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = 30.0,
    quiet: bool = False,
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
        },
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
