"""A read-only SPARQL 1.1 Protocol endpoint over the built graph, and an offline query page.

Starlette carries the HTTP and uvicorn serves it (a real listen backlog, connection, header and
body timeouts, HEAD and OPTIONS, CORS). Queries are checked (`graph.service.guard`: no updates, no
federation, bounded size and nesting) and then run in a pool of worker processes
(`graph.service.pool`) that are killed when a query runs over its time or memory limit or crash
on their own, so no request can stop the server or keep its cores busy. Nothing is ever written:
updates are refused with 403 whichever way they arrive.

`create_app` builds the application: the endpoint (`SparqlEndpoint`, plain ASGI) and a list of
routes (`page_routes`); more pages join by passing their own routes.
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import json
import logging
import socket
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, TextIO
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ...ontology import ID
from ...ontology.prefixes import PREFIXES
from ..base.errors import EvidenceGraphError, QueryError, QueryFailed, QueryRefused
from ..reading.resource import negotiate as resource_negotiate
from . import guard, sparql
from .pool import DEFAULT_MEMORY_LIMIT_MB, QueryPool, WorkerSettings

MAX_BODY = 1_000_000
"""Largest request body accepted (bytes): a query, not a data upload."""

BODY_TIMEOUT = 10.0
"""Seconds a client may take to send its request body."""

HEADER_TIMEOUT = 10.0
"""Seconds a client may take, once connected, to send a complete request head."""

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

_RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}

_HTML_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:"
)

READ_ONLY = "this endpoint is read-only: updates are refused"


def negotiate(accept: str, offers: list[str], default: str) -> str:
    """The offered media type the Accept header likes best; `default` when it names none of them
    (or names any type)."""
    ordered = [default, *(o for o in offers if o != default)]
    return resource_negotiate(accept, ordered) or default


STATIC_FILES: dict[str, str] = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
    "yasr-chart.js": "text/javascript; charset=utf-8",
}
"""The vendored files the query page loads from `/static/NAME`, with their media types."""


def static_file(name: str) -> tuple[bytes, str] | None:
    """The bytes and media type of a vendored file the query page needs, or None."""
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        return None
    folder = resources.files("evidence_graph.graph.explore.static")
    return (folder / name).read_bytes(), media_type


_VOCABULARY = """
SELECT DISTINCT ?term ?kind WHERE {
  { ?s ?term ?o BIND("property" AS ?kind) }
  UNION { ?s a ?term BIND("class" AS ?kind) }
  UNION { GRAPH ?g { ?term a ?type } VALUES (?type ?kind) {
    (<http://www.w3.org/1999/02/22-rdf-syntax-ns#Property> "property")
    (<http://www.w3.org/2002/07/owl#ObjectProperty> "property")
    (<http://www.w3.org/2002/07/owl#DatatypeProperty> "property")
    (<http://www.w3.org/2002/07/owl#AnnotationProperty> "property")
    (<http://www.w3.org/2002/07/owl#Class> "class")
    (<http://www.w3.org/2000/01/rdf-schema#Class> "class") } }
  FILTER(isIRI(?term))
}
"""


def vocabulary(runner: QueryRunner) -> dict[str, list[str]]:
    """The properties and classes this graph uses or declares: what the query page completes."""
    found: dict[str, set[str]] = {"property": set(), "class": set()}
    answer = json.loads(runner.run(_VOCABULARY, result_format="json").body)
    for row in answer["results"]["bindings"]:
        found[row["kind"]["value"]].add(row["term"]["value"])
    return {kind: sorted(terms) for kind, terms in found.items()}


def query_page(
    named: Mapping[str, sparql.NamedQuery], terms: Mapping[str, Sequence[str]] | None = None
) -> bytes:
    """The YASGUI query page: named queries (parameters bound to examples), our prefixes, terms."""
    examples = []
    for q in named.values():
        values = {p.name: p.example for p in q.params if p.example is not None}
        try:
            text = sparql.bind_params(q.text, values, q.params)
        except EvidenceGraphError:
            text = q.text
        shown = [f"{p.name} = {p.example}" for p in q.params if p.example is not None]
        if q.params:
            note = (
                "# Parameters are bound in the VALUES line below: change its values "
                "(one row per value) and run again.\n"
            )
            text = note + text
        examples.append(
            {"name": q.name, "description": q.description, "query": text, "params": shown}
        )
    config = {
        "examples": examples,
        "prefixes": dict(sorted(PREFIXES.items())),
        "properties": list((terms or {}).get("property", [])),
        "classes": list((terms or {}).get("class", [])),
        "idBase": ID,
    }
    # `</` and `<!--` must not appear inside <script>: escape `<` in the JSON.
    data = json.dumps(config, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    template = (resources.files("evidence_graph.graph.explore.templates") / "query.html").read_text(
        encoding="utf-8"
    )
    return template.replace("/*CONFIG*/{}", data).encode("utf-8")


# --------------------------------------------------------------------------- responses


def answer(status: int, body: bytes, media_type: str, headers: Mapping[str, str] = {}) -> Response:
    """A response with the headers every answer carries (and a strict policy for HTML)."""
    extra = {"X-Content-Type-Options": "nosniff", **headers}
    if media_type.startswith("text/html"):
        extra["Content-Security-Policy"] = _HTML_POLICY
    return Response(body, status_code=status, media_type=media_type, headers=extra)


def error(status: int, message: str, headers: Mapping[str, str] = {}) -> Response:
    """A plain-text error: one message, never a traceback."""
    return answer(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)


def _status_of(exc: QueryError) -> int:
    if isinstance(exc, QueryRefused):
        return 403 if exc.reason == "update" else 400
    if isinstance(exc, QueryFailed):
        return 503 if exc.reason in ("timeout", "busy") else 500
    return 400


# --------------------------------------------------------------------------- the SPARQL endpoint


class QueryRunner(Protocol):
    """What the endpoint needs to answer a query (a `QueryPool`)."""

    def run(
        self, query: str, *, result_format: str = "json", graph_media_type: str = "text/turtle"
    ) -> sparql.Output: ...

    async def run_async(
        self, query: str, *, result_format: str = "json", graph_media_type: str = "text/turtle"
    ) -> sparql.Output: ...


CACHE_MB = 64
"""Default size of the answer cache (MB of response bodies)."""


class AnswerCache:
    """Answers already given, by (query text, Accept header): the served graph is read-only.

    Bounded by the bytes of the bodies it holds (least recently used go first; one body over an
    eighth of the bound is never kept). Keyed also by the runner's `generation` (the graph file
    its workers loaded): when that changes, everything is dropped. Used from the event loop only.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.generation: object = None
        self._entries: OrderedDict[tuple[str, str], tuple[bytes, str]] = OrderedDict()

    def get(self, generation: object, key: tuple[str, str]) -> tuple[bytes, str] | None:
        """The body and media type given for `key`, if still held for this `generation`."""
        if generation != self.generation:
            self._entries.clear()
            self.size, self.generation = 0, generation
            return None
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, generation: object, key: tuple[str, str], body: bytes, media: str) -> None:
        """Keep an answer (unless too large, or the graph changed while it was computed)."""
        if generation != self.generation or len(body) * 8 > self.max_bytes or key in self._entries:
            return
        self._entries[key] = (body, media)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, (old, _) = self._entries.popitem(last=False)
            self.size -= len(old)


class BodyError(Exception):
    """A request body that is too large or too slow to arrive."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


async def read_body(receive: Receive, declared: str | None, limit: int, timeout: float) -> bytes:
    """The request body (whose Content-Length header is `declared`), at most `limit` bytes,
    arriving within `timeout` seconds."""
    if declared is not None:
        if not declared.isdigit():
            raise BodyError(400, "bad Content-Length")
        if int(declared) > limit:
            raise BodyError(413, "request body too large")

    async def collect() -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise BodyError(400, "the client left before sending its request body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyError(413, "request body too large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    try:
        return await asyncio.wait_for(collect(), timeout)
    except TimeoutError:
        raise BodyError(408, f"request body not received within {timeout:g} s") from None


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(400, f"{what} is not UTF-8") from None


def _params(query_string: str) -> dict[str, list[str]]:
    try:
        return parse_qs(query_string, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise BodyError(400, "request parameters are not UTF-8") from None


SPARQL_PATH = "/sparql"

_ALLOW = {"Allow": "GET, HEAD, POST, OPTIONS"}


@dataclass
class SparqlEndpoint:
    """GET/POST/HEAD/OPTIONS on the SPARQL endpoint (the query operation of SPARQL 1.1 Protocol),
    as a plain ASGI application: every query to the server passes here, so it reads the request
    straight from the ASGI scope (measured: a third of the server's time per cached answer went
    to the framework's request objects and routing)."""

    runner: QueryRunner
    max_body: int = MAX_BODY
    body_timeout: float = BODY_TIMEOUT
    describe: Callable[[Request], Response] | None = None
    """Answers a GET without a query: the SPARQL 1.1 Service Description (when given)."""
    cache_bytes: int = CACHE_MB * 1024 * 1024
    """Bound of the answer cache (0: no cache)."""

    def __post_init__(self) -> None:
        self.cache = AnswerCache(self.cache_bytes) if self.cache_bytes > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(scope, receive)
        await response(scope, receive, send)

    async def respond(self, scope: Scope, receive: Receive) -> Response:
        """The answer to one request to the endpoint."""
        method = scope["method"]
        headers = Headers(scope=scope)
        if method == "OPTIONS":
            return Response(status_code=204, headers=_ALLOW)
        if method not in ("GET", "HEAD", "POST"):
            return error(405, "this endpoint is read-only", _ALLOW)
        try:
            params = _params(scope["query_string"].decode("latin-1"))
            if (
                method != "POST"
                and self.describe is not None
                and not {"query", "update"} & set(params)
            ):
                return await run_in_threadpool(self.describe, Request(scope, receive))
            body: str | None = None
            if method == "POST":
                ctype = headers.get("content-type", "").split(";")[0].strip().lower()
                declared = headers.get("content-length")
                data = await read_body(receive, declared, self.max_body, self.body_timeout)
                if ctype == "application/sparql-update":
                    return error(403, READ_ONLY)
                if ctype == "application/sparql-query":
                    body = _decode(data, "the query")
                elif ctype == "application/x-www-form-urlencoded":
                    for key, values in _params(_decode(data, "the form").strip()).items():
                        params.setdefault(key, []).extend(values)
                else:
                    return error(
                        415,
                        "POST a query as application/sparql-query or "
                        "application/x-www-form-urlencoded",
                    )
        except BodyError as exc:
            close = {"Connection": "close"} if exc.status in (408, 413) else {}
            return error(exc.status, str(exc), close)
        return await self._query(headers.get("accept") or "*/*", params, body)

    async def _query(self, accept: str, params: dict[str, list[str]], body: str | None) -> Response:
        if "update" in params:
            return error(403, READ_ONLY)
        texts = [body] if body is not None else params.get("query", [])
        if len(texts) != 1 or not texts[0].strip():
            return error(400, "give exactly one query (parameter `query`)")
        text = texts[0]
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return error(
                400,
                "default-graph-uri / named-graph-uri are not supported: "
                "the default graph is the union of all graphs",
            )
        key = (text, accept)
        generation = getattr(self.runner, "generation", None)
        if self.cache is not None:
            cached = self.cache.get(generation, key)
            if cached is not None:
                return answer(200, cached[0], cached[1], {"Vary": "Accept"})
        try:
            kind = guard.query_kind(text)
            if kind in guard.UPDATE_KEYWORDS:
                return error(403, READ_ONLY)
            if kind in ("CONSTRUCT", "DESCRIBE"):
                media = negotiate(accept, list(sparql.GRAPH_FORMATS), "text/turtle")
                result = await self.runner.run_async(text, graph_media_type=media)
            else:
                media = negotiate(accept, list(_RESULT_TYPES), "application/sparql-results+json")
                result_format = _RESULT_TYPES[media]
                result = await self.runner.run_async(text, result_format=result_format)
        except QueryError as exc:
            return error(_status_of(exc), str(exc))
        media_type = result.media_type
        if "charset" not in media_type and not media_type.endswith("+json"):
            media_type += "; charset=utf-8"
        if self.cache is not None:
            self.cache.put(generation, key, result.body, media_type)
        return answer(200, result.body, media_type, {"Vary": "Accept"})


class PathSwitch:
    """Requests to `path` go to `endpoint`, every other one to `app` (the endpoint skips the
    framework's routing and exception layers, which it does not need)."""

    def __init__(self, app: ASGIApp, path: str, endpoint: ASGIApp) -> None:
        self.app = app
        self.path = path
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            await self.endpoint(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def page_routes(page: bytes) -> list[BaseRoute]:
    """The query page at `/` (and `/index.html`)."""

    async def show(request: Request) -> Response:
        return answer(200, page, "text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        found = static_file(request.path_params["name"])
        if found is None:
            return error(404, f"nothing at {request.url.path}; the endpoint is /sparql")
        body, media_type = found
        return answer(200, body, media_type, {"Cache-Control": "public, max-age=86400"})

    return [
        Route("/", show, methods=["GET", "HEAD"], name="query-page"),
        Route("/index.html", show, methods=["GET", "HEAD"]),
        Route("/static/{name}", static, methods=["GET", "HEAD"], name="static"),
    ]


async def _not_found(request: Request, exc: Exception) -> Response:
    return error(404, f"nothing at {request.url.path}; the endpoint is /sparql")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return error(405, f"{request.method} is not allowed at {request.url.path}")


# --------------------------------------------------------------------------- the application


class HostAllowList:
    """Refuse requests whose Host header is not an allowed name (DNS rebinding on loopback)."""

    def __init__(self, app: ASGIApp, allowed: Sequence[str]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "*" in self.allowed:
            await self.app(scope, receive, send)
            return
        host = ""
        for key, value in scope["headers"]:
            if key == b"host":
                host = value.decode("latin-1").lower()
                break
        if host.startswith("["):  # [::1] or [::1]:8000
            name = host[1 : host.find("]")] if "]" in host else host
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if name in self.allowed:
            await self.app(scope, receive, send)
            return
        response = error(
            421, f"host {host or '(none)'} not served here; use http://127.0.0.1:PORT/"
        )
        await response(scope, receive, send)


class AccessLog:
    """One line per request on `stream` (client, request line, status), written in batches at
    most `delay` seconds late: a line per request through `logging` costs more than the
    cached answer itself. Long request targets (queries in the URL) are cut."""

    def __init__(self, app: ASGIApp, stream: TextIO | None = None, delay: float = 0.5) -> None:
        self.app = app
        self.stream = stream
        self.delay = delay
        self._lines: list[str] = []
        self._scheduled = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self._record(scope, status)

    def _record(self, scope: Scope, status: int) -> None:
        client = scope.get("client")
        who = f"{client[0]}:{client[1]}" if client else "-"
        target = scope.get("raw_path", b"").decode("latin-1") or scope.get("path", "")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        if len(target) > 200:
            target = target[:199] + "…"
        version = scope.get("http_version", "1.1")
        self._lines.append(f'{who} - "{scope["method"]} {target} HTTP/{version}" {status or "-"}\n')
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_later(self.delay, self.flush)

    def flush(self) -> None:
        """Write the lines held so far."""
        self._scheduled = False
        text, self._lines = "".join(self._lines), []
        stream = self.stream or sys.stderr
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: the log is not worth a crash
            pass


def _raise_open_file_limit(wanted: int) -> int:
    """Raise this process's soft limit of open files towards `wanted` (each client connection
    holds one); the limit now in force."""
    try:
        import resource
    except ImportError:
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return wanted if soft == resource.RLIM_INFINITY else soft


MAX_CONNECTIONS = 10_000
"""Open connections served at once (more get 503); half-open clients count until the client
timeout closes them."""


def create_app(
    runner: QueryRunner,
    *,
    routes: Sequence[BaseRoute] = (),
    body_timeout: float = BODY_TIMEOUT,
    page: bytes | None = None,
    cors_origins: Sequence[str] = ("*",),
    allowed_hosts: Sequence[str] = ("*",),
    describe: Callable[[Request], Response] | None = None,
    cache_bytes: int = CACHE_MB * 1024 * 1024,
) -> ASGIApp:
    """The ASGI application: the SPARQL endpoint at ``/sparql``, the query page, and any extra
    `routes`; every request first passes the Host allow-list, then CORS."""
    if page is None:
        page = query_page(sparql.named_queries(), vocabulary(runner))
    endpoint = SparqlEndpoint(
        runner, body_timeout=body_timeout, describe=describe, cache_bytes=cache_bytes
    )
    pages = Starlette(
        routes=[*page_routes(page), *routes],
        exception_handlers={404: _not_found, 405: _not_allowed},
    )
    app: ASGIApp = PathSwitch(pages, SPARQL_PATH, endpoint)
    if cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            max_age=600,
        )
    return HostAllowList(app, list(allowed_hosts))


# --------------------------------------------------------------------------- serving


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServeSettings:
    """Everything `serve` needs: where, what, and the limits."""

    graph: Path
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 30.0
    workers: int | None = None
    """Query worker processes; None: `pool.auto_workers` decides, once two have loaded the graph."""
    memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB
    cors_origins: tuple[str, ...] = ("*",)
    allowed_hosts: tuple[str, ...] = ()
    quiet: bool = False
    backlog: int = 2048
    client_timeout: float = HEADER_TIMEOUT
    cache_mb: int = CACHE_MB
    """Answer cache size (MB of bodies; 0: none)."""
    limits: guard.Limits = field(default_factory=guard.Limits)
    base: str = "https://w3id.org/evidence-graph/"
    """The IRI the server's root stands for: ``<base>id/…`` is answered at ``/id/…``."""
    data_dir: Path | None = None
    """The data directory the graph was built from (resource pages quote its lines)."""

    def hosts(self) -> tuple[str, ...]:
        """The Host names answered: given ones, else loopback names for a loopback bind."""
        if self.allowed_hosts:
            return self.allowed_hosts
        if is_loopback(self.host):
            return (*LOOPBACK_NAMES, self.host)
        return ("*",)


def _http_protocol(timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol (httptools when installed, else h11), closing connections that
    send no complete request head within `timeout` seconds (uvicorn itself only times out idle
    keep-alive connections)."""
    base: type[Any]
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        base = HttpToolsProtocol
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        base = H11Protocol

    class GuardedProtocol(base):  # type: ignore[misc]
        _head_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            if self._head_timer is None:
                self._head_timer = self.loop.call_later(timeout, self._head_overdue)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_overdue(self) -> None:
            self._head_timer = None
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self.cycle is None or self.cycle.response_complete:
                self._arm()
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return GuardedProtocol


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with the access log on stderr (stdout carries only the URL line)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    return config


def listen(host: str, port: int, backlog: int) -> socket.socket:
    """A listening TCP socket on `host`:`port` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=backlog)
    sock.set_inheritable(True)
    return sock


def serve(settings: ServeSettings, announce: Callable[[str], None]) -> None:
    """Start the workers, listen, call `announce(base_url)`, and serve until interrupted."""
    import uvicorn

    sock = listen(settings.host, settings.port, settings.backlog)
    log = logging.getLogger("evidence_graph.serve")
    pool: QueryPool | None = None
    try:
        pool = QueryPool(
            WorkerSettings(
                str(settings.graph), in_memory=True, memory_limit_mb=settings.memory_limit_mb
            ),
            size=settings.workers or 2,
            timeout=settings.timeout,
            on_event=log.warning,
            limits=settings.limits,
        )
        if settings.workers is None:
            pool.grow(pool.auto_size())
        from .linked_data import LinkedData

        linked = LinkedData(settings.graph, settings.base, settings.data_dir)
        app = create_app(
            pool,
            routes=linked.routes(),
            describe=linked.describe,
            cors_origins=settings.cors_origins,
            allowed_hosts=settings.hosts(),
            body_timeout=settings.client_timeout,
            cache_bytes=settings.cache_mb * 1024 * 1024,
        )
        access = None if settings.quiet else AccessLog(app)
        files = _raise_open_file_limit(MAX_CONNECTIONS + 1024)
        config = uvicorn.Config(
            access or app,
            log_config=_log_config(),
            http=_http_protocol(settings.client_timeout),
            lifespan="off",
            access_log=False,
            log_level="warning" if settings.quiet else "info",
            timeout_keep_alive=5,
            timeout_graceful_shutdown=5,
            backlog=settings.backlog,
            limit_concurrency=max(100, min(MAX_CONNECTIONS, files - 1024)),
            server_header=False,
            date_header=True,
            proxy_headers=False,  # nothing here sits behind a proxy: no header names the client
        )
        server = uvicorn.Server(config)
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else str(bound_host)
        announce(f"http://{shown}:{bound_port}")
        # Every object made so far (modules, the app, the query page) lives as long as the
        # server: kept out of the collector's full passes, which otherwise stall every request
        # in flight (measured: a 28 ms pass under load).
        gc.freeze()
        try:
            server.run(sockets=[sock])
        finally:
            if access is not None:
                access.flush()
    finally:
        if pool is not None:
            pool.close()
        sock.close()
