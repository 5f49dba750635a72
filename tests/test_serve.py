"""`evidence-graph serve`: the read-only SPARQL 1.1 Protocol endpoint and its offline query page."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pyoxigraph import RdfFormat, parse
from servers import VENV_BIN, evidence_graph_server, stop

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


# ---------------------------------------------------------------- under attack and faults


def test_prefixed_construct_honours_accept_and_prefixed_insert_is_403(endpoint: str) -> None:
    construct = (
        "PREFIX evg: <https://w3id.org/evidence-graph/ontology#>\n"
        f"CONSTRUCT {{ <{CELL_B4}> evg:cellId ?o }} WHERE {{ <{CELL_B4}> evg:cellId ?o }}"
    )
    response = requests.get(
        endpoint,
        params={"query": construct},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/n-triples")
    assert f'<{CELL_B4}> <https://w3id.org/evidence-graph/ontology#cellId> "B4" .' in response.text
    insert = "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }"
    refused = requests.post(endpoint, data={"query": insert}, timeout=30)
    assert refused.status_code == 403 and "read-only" in refused.text


class Listener:
    """A loopback TCP listener that records every connection made to it (an SSRF target)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    target = Listener()
    yield target
    target.close()


FEDERATED = {
    "plain": "SELECT * {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "no-space": "SELECT*{{SERVICE<{u}>{{?s ?p ?o}}}}",
    "lowercase-silent": "select * {{ service silent <{u}> {{ ?s ?p ?o }} }}",
    "glued-silent": "SELECT * {{ SERVICESILENT<{u}> {{ ?s ?p ?o }} }}",
    "prefixed-name": "PREFIX : <{u}> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}",
    "in-exists": "SELECT * {{ FILTER EXISTS {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "variable": "SELECT * {{ BIND(<{u}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "base": "BASE <{u}> SELECT * {{ SERVICE <x> {{ ?s ?p ?o }} }}",
    "mixed-case": "SELECT * {{ SeRvIcE <{u}> {{ ?s ?p ?o }} }}",
    "silent-between-comments": "SELECT * {{ ?s ?p ?o SERVICE # a\n SILENT # b\n <{u}> # c\n"
    " {{ ?s ?p ?o }} }}",
    "after-a-string": "SELECT * {{ BIND('}}' AS ?x) SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "glued-to-a-literal": "SELECT * {{ ?s ?p trueSERVICE<{u}>{{ ?s ?p ?o }} }}",
    # `service:` read by Oxigraph as SERVICE then the default prefix `:` as the target.
    "prefix-named-service": "PREFIX service: <http://example.org/> PREFIX : <{u}> "
    "SELECT * {{ service:{{ ?s ?p ?o }} }}",
    # `<` read as less-than by Oxigraph, as an IRI by a naive reader: the rest hides in a
    # comment or a string.
    "less-than-comment": "SELECT * {{ BIND(1 AS ?x) FILTER(?x<?a)SERVICE#>\n<{u}>{{?s ?p ?o}} }}",
    "less-than-string": "SELECT * {{ BIND(1 AS ?x) FILTER(?x<?a&&'>')SERVICE<{u}>{{?s ?p ?o}}"
    " #'\n}}",
}


@pytest.mark.parametrize("name", sorted(FEDERATED))
def test_federation_is_refused_and_nothing_is_contacted(
    endpoint: str, listener: Listener, name: str
) -> None:
    query = FEDERATED[name].format(u=f"http://127.0.0.1:{listener.port}/sparql")
    response = requests.post(endpoint, data={"query": query}, timeout=30)
    assert response.status_code == 400, response.text
    assert "federated queries" in response.text and "Traceback" not in response.text
    time.sleep(0.3)
    assert listener.hits == 0


def test_service_in_comments_strings_and_iris_is_not_federation(endpoint: str) -> None:
    query = (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>\n"
        "SELECT ?x WHERE { # SERVICE <http://example.org/> { }\n"
        "  BIND('SERVICE <http://example.org/> {}' AS ?x)\n"
        "  FILTER(?x != sd:Service && ?x != <http://example.org/service#a>) }"
    )
    response = requests.get(endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"].startswith("SERVICE")


SERVICE_IN_NAMES = {
    "prefix-service": (
        "PREFIX service: <https://w3id.org/evidence-graph/ontology#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?listing service:inCell ?cell }"
    ),
    "prefix-service-everywhere": (
        "PREFIX service: <https://w3id.org/evidence-graph/ontology#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?service service:inCell ?cell . "
        "?cell a service:MatrixCell }"
    ),
    "local-name-service": (
        "PREFIX ex: <http://example.org/> PREFIX myservice: <http://example.org/s#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?p != ex:service && ?o != ex:Service "
        "&& ?p != myservice:p) }"
    ),
}


@pytest.mark.parametrize("name", sorted(SERVICE_IN_NAMES))
def test_service_in_prefixed_names_is_not_federation(endpoint: str, name: str) -> None:
    response = requests.get(endpoint, params={"query": SERVICE_IN_NAMES[name]}, timeout=30)
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0


CRASHERS = {
    "deep-nesting": "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "deep-braces": "SELECT * " + "{" * 5000 + "}" * 5000,
    "long-sum": "SELECT * { BIND(" + "+".join(["1"] * 10000) + " AS ?x) }",
    "long-union": "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * 10000) + " }",
}


@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_crash_queries_are_refused_and_the_server_answers_the_next(
    endpoint: str, name: str
) -> None:
    response = requests.post(endpoint, data={"query": CRASHERS[name]}, timeout=60)
    assert response.status_code == 400, response.text[:300]
    assert "too" in response.text and "Traceback" not in response.text
    after = requests.get(endpoint, params={"query": LISTINGS}, timeout=30)
    assert after.status_code == 200 and positions(after.json()) == list(range(1, 15))


def test_order_by_panic_is_a_500_and_the_server_answers_the_next(endpoint: str) -> None:
    from conftest import TEST_DATA

    query = (TEST_DATA / "order-by-panic.rq").read_text(encoding="utf-8")
    crash = requests.post(endpoint, data={"query": query}, timeout=60)
    assert crash.status_code == 500, crash.text
    assert "crashed the query engine (SIGABRT)" in crash.text and "Traceback" not in crash.text
    after = requests.get(endpoint, params={"query": LISTINGS}, timeout=30)
    assert after.status_code == 200 and positions(after.json()) == list(range(1, 15))


def test_head_options_and_cors(evidence_graph_server: str, endpoint: str) -> None:
    head = requests.head(evidence_graph_server + "/", timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"].startswith("text/html")
    options = requests.options(endpoint, timeout=30)
    assert options.status_code == 204 and "POST" in options.headers["Allow"]
    preflight = requests.options(
        endpoint,
        headers={
            "Origin": "https://client.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    read = requests.get(
        endpoint, params={"query": LISTINGS}, headers={"Origin": "https://x.example"}, timeout=30
    )
    assert read.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example"])
def test_foreign_host_header_is_refused(endpoint: str, host: str) -> None:
    """A DNS-rebinding page sends its own name as Host: a loopback server must not answer it."""
    response = requests.get(
        endpoint, params={"query": "ASK { ?s ?p ?o }"}, headers={"Host": host}, timeout=30
    )
    assert response.status_code == 421 and "boolean" not in response.text
    fine = requests.get(
        endpoint, params={"query": "ASK { ?s ?p ?o }"}, headers={"Host": "localhost"}, timeout=30
    )
    assert fine.json()["boolean"] is True


def test_non_utf8_parameters_are_400(endpoint: str) -> None:
    response = requests.get(endpoint + "?query=ASK%7B%7D%FF", timeout=30)
    assert response.status_code == 400 and "UTF-8" in response.text


def test_fifty_concurrent_clients_all_answered(endpoint: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def ask(i: int) -> list[int]:
        with requests.Session() as session:
            return [
                len(positions(session.get(endpoint, params={"query": LISTINGS}, timeout=30).json()))
                for _ in range(4)
            ]

    with ThreadPoolExecutor(50) as executor:
        results = list(executor.map(ask, range(50)))
    assert results == [[14] * 4] * 50


# ------------------------------------------------------------- a server with tight limits


@pytest.fixture(scope="module")
def tight_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    """`serve` over the query fixture: 1 s per query, 1 s for a client's head or body."""
    from test_query import FIXTURE

    log = tmp_path_factory.mktemp("tight") / "serve.log"
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [str(VENV_BIN / "evidence-graph"), "serve", "-g", str(FIXTURE), "--port", "0",
             "--timeout", "1", "--client-timeout", "1", "--workers", "2",
             "--cors-origin", "https://allowed.example"],
            stdout=subprocess.PIPE, stderr=errors,
        )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        if "http://" not in first:
            process.wait(timeout=10)
            pytest.fail(f"serve did not start: {first}{log.read_text(errors='replace')}")
        yield first.split("SPARQL endpoint: ")[1].split("/sparql")[0], log, process.pid
    finally:
        stop(process)
        # The workers end with the server (their input closes): none may be left running.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _workers_of(process.pid):
            time.sleep(0.1)
        assert _workers_of(process.pid) == []


def _workers_of(parent: int) -> list[int]:
    """Live query workers started by `parent` (Linux /proc), by PID."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = next((line.split()[1] for line in text.splitlines() if line.startswith("PPid:")), "")
        if ppid == str(parent) and b"service.worker" in cmdline:
            found.append(int(status.parent.name))
    return sorted(found)


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_timed_out_query_is_stopped_and_others_are_answered(
    tight_server: tuple[str, Path, int],
) -> None:
    """Over its time limit the query's worker is killed (its CPU is free at once), not abandoned."""
    from concurrent.futures import ThreadPoolExecutor

    base, _, server_pid = tight_server
    endpoint = base + "/sparql"
    before = _workers_of(server_pid)
    assert len(before) == 2
    with ThreadPoolExecutor(2) as executor:
        slow = executor.submit(requests.get, endpoint, params={"query": SLOW}, timeout=30)
        time.sleep(0.3)
        quick = requests.get(endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert quick.status_code == 200 and quick.json()["boolean"] is True
        response = slow.result()
    assert response.status_code == 503 and "timed out after 1 s" in response.text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(_workers_of(server_pid)) < 2:
        time.sleep(0.1)
    after = _workers_of(server_pid)
    assert len(after) == 2 and len(set(before) - set(after)) == 1  # one killed, one new
    # No process is left working on the abandoned query: every worker is idle.
    spent = {pid: _cpu_seconds(pid) for pid in after}
    time.sleep(1.0)
    for pid, seconds in spent.items():
        now = _cpu_seconds(pid)
        assert seconds is not None and now is not None and now - seconds < 0.3, pid


def test_slow_clients_are_cut_off(tight_server: tuple[str, Path, int]) -> None:
    base, log, _ = tight_server
    port = int(base.rsplit(":", 1)[1])
    # A body shorter than its Content-Length: answered 408 when the client timeout ends.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\nASK {}"
        )
        assert sock.recv(200).startswith(b"HTTP/1.1 408")
    # A request head that never ends: the connection is closed.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127")
        assert sock.recv(200) == b""
    # Clients that go away mid-request leave no traceback in the log.
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /sparql?query=" + SLOW.replace(" ", "%20").encode() + b" HTTP/1.1")
            sock.sendall(b"\r\nHost: 127.0.0.1\r\n\r\n")
    time.sleep(1.5)
    fine = requests.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert fine.status_code == 200
    assert "Traceback" not in log.read_text(errors="replace")


def test_cors_origins_are_configurable(tight_server: tuple[str, Path, int]) -> None:
    base, _, _ = tight_server
    allowed = requests.get(
        base + "/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://allowed.example"},
        timeout=30,
    )
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://allowed.example"
    other = requests.get(
        base + "/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://other.example"},
        timeout=30,
    )
    assert "Access-Control-Allow-Origin" not in other.headers


# --------------------------------------------------------------------------- worker isolation


@pytest.fixture()
def loose_app_server() -> Iterator[tuple[str, Any]]:
    """The app in this process (uvicorn in a thread) with the guard's limits lifted, so a crash
    query reaches a worker: what the isolation alone does."""
    from test_query import FIXTURE

    from evidence_graph.graph.service.guard import Limits
    from evidence_graph.graph.service.pool import QueryPool, WorkerSettings
    from evidence_graph.graph.service.serve import create_app

    limits = Limits(max_chars=10**7, max_depth=10**7, max_tokens=10**7)
    pool = QueryPool(WorkerSettings(str(FIXTURE), in_memory=True), size=1, timeout=30,
                     limits=limits)  # fmt: skip
    try:
        with _in_thread(create_app(pool)) as base:
            yield base, pool
    finally:
        pool.close()


def test_a_worker_crash_is_a_500_and_the_server_stays_up(
    loose_app_server: tuple[str, Any],
) -> None:
    base, pool = loose_app_server
    before = pool.pids()
    crash = requests.post(base + "/sparql", data={"query": CRASHERS["deep-nesting"]}, timeout=60)
    assert crash.status_code == 500, crash.text
    assert "crashed" in crash.text and "SIGSEGV" in crash.text
    after = requests.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert after.status_code == 200 and after.json()["boolean"] is True
    assert pool.pids() != before  # the crashed worker was replaced


@pytest.mark.parametrize(
    ("host", "answered"),
    [
        ("127.0.0.1:8000", True),
        ("localhost", True),
        ("[::1]:8000", True),
        ("[::1]", True),
        ("evil.example", False),
        ("[::2]:8000", False),
        ("", False),
    ],
)
def test_host_allow_list_reads_every_host_form(host: str, answered: bool) -> None:
    import asyncio

    from evidence_graph.graph.service.serve import LOOPBACK_NAMES, HostAllowList

    reached: list[bool] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"host", host.encode())] if host else []
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    # A thread of its own: another fixture (Playwright) may run an event loop in this one.
    runner = threading.Thread(
        target=asyncio.run, args=(HostAllowList(app, LOOPBACK_NAMES)(scope, receive, send),)
    )
    runner.start()
    runner.join(timeout=10)
    assert bool(reached) is answered
    if not answered:
        assert sent[0]["status"] == 421


# --------------------------------------------------------------------------- the answer cache


class CountingRunner:
    """A runner that counts the queries that reach it; `generation` names its graph."""

    def __init__(self) -> None:
        self.calls = 0
        self.generation: object = "graph-1"

    def run(
        self, query: str, *, result_format: str = "json", graph_media_type: str = "text/turtle"
    ) -> Any:
        from evidence_graph.graph.service import guard
        from evidence_graph.graph.service.sparql import Output

        guard.check_query(query)  # as the pool does
        self.calls += 1
        body = f'{{"head": {{}}, "boolean": true, "n": {self.calls}, "g": "{self.generation}"}}'
        return Output(body.encode(), "application/sparql-results+json")

    async def run_async(
        self, query: str, *, result_format: str = "json", graph_media_type: str = "text/turtle"
    ) -> Any:
        return self.run(query, result_format=result_format, graph_media_type=graph_media_type)


class _Client:
    """requests against an app served by uvicorn in a thread of this process."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(self.base + path, timeout=30, **kwargs)


@contextlib.contextmanager
def _serving(app: Any) -> Iterator[_Client]:
    with _in_thread(app) as base:
        yield _Client(base)


@contextlib.contextmanager
def _in_thread(app: Any) -> Iterator[str]:
    """`app` served by uvicorn in a thread of this process on a free loopback port; its base URL."""
    import uvicorn

    from evidence_graph.graph.service.serve import listen

    sock = listen("127.0.0.1", 0, 128)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_answers_are_kept_per_query_accept_and_graph() -> None:
    from evidence_graph.graph.service.serve import create_app

    runner = CountingRunner()
    with _serving(create_app(runner, page=b"<html></html>")) as client:
        _check_cache(client, runner)


def _check_cache(client: _Client, runner: CountingRunner) -> None:
    ask = {"query": "ASK { ?s ?p ?o }"}
    first = client.get("/sparql", params=ask)
    again = client.get("/sparql", params=ask)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and runner.calls == 1
    assert again.headers["content-type"] == first.headers["content-type"]
    posted = client.post("/sparql", data=ask)  # the same query by POST: the same answer
    assert posted.content == first.content and runner.calls == 1
    client.get("/sparql", params=ask, headers={"Accept": "application/sparql-results+xml"})
    client.get("/sparql", params={"query": "ASK { ?s ?p ?o . }"})
    assert runner.calls == 3
    refused = {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
    assert client.get("/sparql", params=refused).status_code == 400
    assert client.get("/sparql", params=refused).status_code == 400  # refusals are not kept
    assert runner.calls == 3
    runner.generation = "graph-2"  # a worker loaded a rebuilt graph: nothing old is served
    fresh = client.get("/sparql", params=ask)
    assert b'"g": "graph-2"' in fresh.content and runner.calls == 4
    assert client.get("/sparql", params=ask).content == fresh.content and runner.calls == 4


def test_answer_cache_is_bounded_and_can_be_off() -> None:
    from evidence_graph.graph.service.serve import AnswerCache, create_app

    cache = AnswerCache(max_bytes=800)
    assert cache.get("g", ("q0", "*/*")) is None  # a lookup comes first: it meets graph "g"
    for i in range(20):
        cache.put("g", (f"q{i}", "*/*"), b"x" * 90, "text/plain")
    assert cache.size <= 800 and cache.get("g", ("q19", "*/*")) is not None
    assert cache.get("g", ("q0", "*/*")) is None  # the least recently used went first
    cache.put("g", ("big", "*/*"), b"x" * 101, "text/plain")  # over an eighth: not kept
    assert cache.get("g", ("big", "*/*")) is None
    runner = CountingRunner()
    with _serving(create_app(runner, page=b"<html></html>", cache_bytes=0)) as client:
        for _ in range(3):
            assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert runner.calls == 3


def test_after_a_rebuild_every_worker_answers_from_the_new_graph(tmp_path: Path) -> None:
    """A worker replaced after the graph file was rebuilt loads the new graph; the others, still
    holding the old one, are retired as they come round, so answers never alternate."""
    import signal

    from evidence_graph.graph.service.pool import QueryPool, WorkerSettings

    graph = tmp_path / "evidence.ttl"
    graph.write_text("<urn:a> <urn:p> <urn:old> .\n", encoding="utf-8")
    ask = "SELECT ?o WHERE { <urn:a> <urn:p> ?o }"
    pool = QueryPool(WorkerSettings(str(graph), in_memory=True), size=2, timeout=30)
    try:

        def answer() -> str:
            data = pool.run(ask).body.decode()
            return "new" if "urn:new" in data else "old"

        assert {answer() for _ in range(4)} == {"old"}
        rebuilt = tmp_path / "evidence.ttl.tmp"
        rebuilt.write_text("<urn:a> <urn:p> <urn:new> .\n", encoding="utf-8")
        os.replace(rebuilt, graph)  # as a build writes its files
        first = pool.pids()[0]
        os.kill(first, signal.SIGKILL)  # as a timed-out query's worker is killed
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and seen[-6:] != ["new"] * 6:
            with contextlib.suppress(Exception):  # the killed worker's own query fails once
                seen.append(answer())
            time.sleep(0.05)
        assert seen[-6:] == ["new"] * 6, seen
        # Once a new answer was given, no old one followed.
        assert "old" not in seen[seen.index("new") :], seen
        assert first not in pool.pids()
    finally:
        pool.close()


def _in_own_loop(make: Any) -> Any:
    """`asyncio.run(make())` in a thread of its own (a browser test may have left this thread an
    event loop of its own)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as executor:
        return executor.submit(lambda: asyncio.run(make())).result(timeout=120)


def test_event_loop_callers_take_workers_in_turn_and_a_dropped_one_costs_its_worker(
    tmp_path: Path,
) -> None:
    """The server's callers wait for a worker on the event loop, first come first served; a
    caller that stops waiting mid-query (a cancelled request) must not leave its answer in the
    worker's pipe for the next caller: that worker is killed and replaced."""
    import asyncio

    from evidence_graph.graph.service.pool import QueryPool, WorkerSettings

    graph = tmp_path / "evidence.ttl"
    graph.write_text("".join(f"<urn:s{i}> <urn:p> {i} .\n" for i in range(300)), encoding="utf-8")
    pool = QueryPool(WorkerSettings(str(graph), in_memory=True), size=2, timeout=30)

    def value(output: Any) -> int:
        import json

        return int(json.loads(output.body)["results"]["bindings"][0]["o"]["value"])

    async def scenario() -> tuple[list[int], list[int]]:
        one = "SELECT ?o WHERE {{ <urn:s{i}> <urn:p> ?o }}"
        answers = await asyncio.gather(*(pool.run_async(one.format(i=i)) for i in range(40)))
        # A slow query whose caller gives up: its worker still computes an answer.
        slow = asyncio.ensure_future(pool.run_async(SLOW))
        await asyncio.sleep(0.3)
        slow.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await slow
        after = await asyncio.gather(*(pool.run_async(one.format(i=i)) for i in range(8)))
        return [value(a) for a in answers], [value(a) for a in after]

    try:
        first, after = _in_own_loop(scenario)
        assert first == list(range(40)) and after == list(range(8))
        deadline = time.monotonic() + 30
        while len(pool.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the killed worker's replacement opens the graph
        assert len(pool.pids()) == 2
    finally:
        pool.close()


def test_worker_count_left_to_the_server(tmp_path: Path) -> None:
    """Four per core, at most eight, within a quarter of the available memory, never below two;
    a pool grows to that many, each new worker answering from the same graph."""
    from evidence_graph.graph.service.pool import QueryPool, WorkerSettings, auto_workers

    gib = 1 << 30
    assert auto_workers(2, 100 << 20, 16 * gib) == 8
    assert auto_workers(1, 100 << 20, 16 * gib) == 4
    assert auto_workers(64, 100 << 20, 16 * gib) == 8
    assert auto_workers(2, 2 * gib, 16 * gib) == 2  # a big graph: two, as a quarter holds
    assert auto_workers(8, gib, 20 * gib) == 5
    assert auto_workers(2, None, 16 * gib) == auto_workers(2, gib, None) == 2

    graph = tmp_path / "evidence.ttl"
    graph.write_text("<urn:a> <urn:p> <urn:o> .\n", encoding="utf-8")
    pool = QueryPool(WorkerSettings(str(graph), in_memory=True), size=2, timeout=30)
    try:
        assert 2 <= pool.auto_size() <= 8
        pool.grow(4)
        assert pool.size == 4 and len(pool.pids()) == 4
        answers = {pool.run("SELECT ?o WHERE { <urn:a> <urn:p> ?o }").body for _ in range(8)}
        assert len(answers) == 1 and b"urn:o" in answers.pop()
    finally:
        pool.close()
