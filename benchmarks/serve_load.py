"""Load test of `evidence-graph serve` on loopback: many clients, half-open ones, a timed-out query.

1. load: C concurrent clients send N mixed requests (SELECT as JSON/CSV/XML by GET and POST,
   CONSTRUCT as Turtle, ASK, the query page, a bad query → 400, an update → 403), each on a new
   connection; every answer is checked (status and content). Reported: connection resets and
   other transport errors, wrong answers, p50/p99/max latency, server CPU (server and query
   workers) and client CPU per request. Four runs: closed loop (each client sends again as soon
   as answered) and paced (``--rate`` requests/s in all, latency counted from when each request
   was due), each with the same eight requests repeated (the server may answer from its cache)
   and with every query text distinct (it cannot).
2. half-open: ``--half-open`` clients connect and send half a request head, then nothing, while
   400 normal requests are sent at 100 req/s (server ``--client-timeout 3``): their figures, and
   when the server had closed the half-open connections.
3. timeout: one expensive query runs into the server's time limit while other clients keep asking
   small queries: their worst latency while it runs, the expensive query's answer, and how long
   after the limit the server's processes (server and query workers) fall back to idle CPU.
4. control (``--control``): each closed-loop run is repeated against a minimal server that spends
   the CPU time per request ours has just spent and sends back ours' answers (`CONTROL`): what
   this machine gives any server with that cost per request.

The default client is one asyncio event loop writing raw HTTP/1.1 (``--client threads``: one
`http.client` thread per client, which costs the shared cores more). With ``--baseline PROGRAM``
the same runs go against another `evidence-graph` (e.g. an older install), side by side.

    python benchmarks/serve_load.py                          # graph: a seed build made here
    python benchmarks/serve_load.py -g build --baseline /path/to/old/venv/bin/evidence-graph
    python benchmarks/serve_load.py --rate 0 --half-open 0   # only the closed-loop runs
    python benchmarks/serve_load.py --rounds 4 --control     # and a control server beside ours

Loopback only; every server is started here and stopped by its PID; bounded in requests and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
PROGRAM = str(Path(sys.executable).parent / "evidence-graph")

CELL = "https://w3id.org/evidence-graph/id/cell/drug/B4"
EVG = "https://w3id.org/evidence-graph/ontology#"
LISTINGS = (
    f"SELECT ?position WHERE {{ ?l <{EVG}inCell> <{CELL}> ; <{EVG}position> ?position }} "
    "ORDER BY ?position LIMIT {n}"
)
"""The listings of one cell; ``{n}`` (a LIMIT above their number) makes each text distinct."""
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


# --------------------------------------------------------------------------- the server


@contextmanager
def server(program: str, graph: Path, timeout: float, *extra: str) -> Iterator[tuple[str, int]]:
    """`program serve` on a free loopback port; yields (host:port, pid); SIGTERM to that PID."""
    command = [program, "serve", "-g", str(graph), "--port", "0", "--timeout", str(timeout)]
    with started(command + list(extra)) as found:
        yield found


@contextmanager
def started(command: list[str]) -> Iterator[tuple[str, int]]:
    """A server process that prints its URL first; yields (host:port, pid); SIGTERM to that PID."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        if "http://" not in line:
            raise SystemExit(f"{command[0]} did not start: {line!r}")
        address = line.split("http://")[1].split("/")[0]
        yield address, process.pid
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


# --------------------------------------------------------------------------- the control server

CONTROL = r"""
import asyncio, json, mmap, os, signal, socket, struct, sys, time

answers = {name.encode(): bytes.fromhex(raw) for name, raw in json.load(open(sys.argv[1])).items()}
processes = int(sys.argv[2])
cost = mmap.mmap(-1, 8)  # seconds of CPU per request, shared by the processes
END = b"\r\n\r\n"
REFUSED = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close" + END
COST_SET = b"HTTP/1.1 204 No Content\r\nConnection: close" + END


class Answer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.data = transport, b""

    def data_received(self, data):
        self.data += data
        head, sep, body = self.data.partition(END)
        if not sep:
            return
        fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
        if len(body) < int(fields.get(b"Content-Length", b"0")):
            return
        if head.startswith(b"POST /cost "):
            struct.pack_into("d", cost, 0, float(body) / 1000)
            reply = COST_SET
        elif fields.get(b"X-Kind") not in answers:
            reply = REFUSED
        else:
            until = time.process_time() + struct.unpack_from("d", cost)[0]
            while time.process_time() < until:
                pass
            reply = answers[fields[b"X-Kind"]]
        self.transport.write(reply)
        self.transport.close()


async def serve(listening, children):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    await loop.create_server(Answer, sock=listening)
    parent = os.getppid()
    while not stop.done():  # a child ends with the process that forked it
        await asyncio.wait([stop], timeout=1)
        if children is None and os.getppid() != parent:
            break
    for child in children or ():
        os.kill(child, signal.SIGTERM)
        os.waitpid(child, 0)


listening = socket.create_server(("127.0.0.1", 0), backlog=2048)
listening.setblocking(False)
print(f"control: http://127.0.0.1:{listening.getsockname()[1]}/", flush=True)
children = []
for _ in range(processes - 1):  # the others share the listening socket
    child = os.fork()
    if child == 0:
        children = None
        break
    children.append(child)
try:
    import uvloop
except ImportError:
    asyncio.run(serve(listening, children))
else:
    uvloop.run(serve(listening, children))
"""
"""The control server: one event loop per core sharing one listening socket, no framework, no
workers. It spends a set CPU time on each request (`POST /cost` with milliseconds sets it), then
sends back the answer `serve` gave to a request of the same kind (the request's ``X-Kind``
header), recorded before the runs. Run beside `serve` at the same CPU time per request, it shows
what this machine gives any server with that cost: the part of the latency that is the
machine's, not the server's."""


def recorded_answers(address: str) -> dict[str, str]:
    """The whole answer (status line, headers, body) `serve` at `address` gives to each kind of
    request, as hex, by kind name."""
    host, port = address.rsplit(":", 1)
    found: dict[str, str] = {}
    for kind in KINDS:
        with socket.create_connection((host, int(port)), timeout=30) as connection:
            connection.sendall(raw_request(address, kind))
            data = b"".join(iter(lambda: connection.recv(1 << 16), b""))
        found[kind.name] = data.hex()
    return found


@contextmanager
def control_server(answers: dict[str, str]) -> Iterator[tuple[str, int]]:
    """The control server (see `CONTROL`) on a free loopback port; yields (host:port, pid)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        path.write_text(json.dumps(answers))
        processes = str(os.cpu_count() or 1)
        with started([sys.executable, "-c", CONTROL, str(path), processes]) as found:
            yield found


def set_cost(address: str, milliseconds: float) -> None:
    """Tell the control server at `address` how much CPU time to spend on each request."""
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("POST", "/cost", body=f"{milliseconds:.4f}".encode())
        connection.getresponse().read()
    finally:
        connection.close()


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and its live children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Kind:
    """One kind of request and the check its answer must pass."""

    name: str
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    check: Callable[[int, bytes], bool]


def _form(query: str) -> bytes:
    return urllib.parse.urlencode({"query": query}).encode()


def _get(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def _positions_json(status: int, body: bytes) -> bool:
    if status != 200:
        return False
    rows = json.loads(body)["results"]["bindings"]
    return [int(r["position"]["value"]) for r in rows] == list(range(1, 15))


def kinds(n: int) -> list[Kind]:
    """One request of each kind; `n` (≥ 0) varies the query texts (same answers)."""
    listings = LISTINGS.replace("{n}", str(1000 + n))
    construct = f"CONSTRUCT {{ <{CELL}> ?p ?o }} WHERE {{ <{CELL}> ?p ?o }} LIMIT {1000 + n}"
    ask = f"ASK {{ <{CELL}> ?p ?o FILTER(?o != {n}) }}"
    return [
        Kind("select-json-get", "GET", _get(listings), None, {}, _positions_json),
        Kind(
            "select-csv-post",
            "POST",
            "/sparql",
            _form(listings),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
            lambda s, b: s == 200 and b.decode().split() == ["position", *map(str, range(1, 15))],
        ),
        Kind(
            "select-xml-direct",
            "POST",
            "/sparql",
            listings.encode(),
            {
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+xml",
            },
            lambda s, b: s == 200 and b.count(b"<result>") == 14,
        ),
        Kind(
            "construct-turtle",
            "GET",
            _get(construct),
            None,
            {"Accept": "text/turtle"},
            lambda s, b: s == 200 and b'"B4"' in b,
        ),
        Kind(
            "ask",
            "GET",
            _get(ask),
            None,
            {},
            lambda s, b: s == 200 and json.loads(b).get("boolean") is True,
        ),
        Kind("page", "GET", "/", None, {}, lambda s, b: s == 200 and b"<html" in b.lower()),
        Kind(
            "bad-query", "GET", _get("SELECT ?x WHERE { ?x ?y }"), None, {}, lambda s, b: s == 400
        ),
        Kind(
            "update",
            "POST",
            "/sparql",
            b"update=" + urllib.parse.quote(f'INSERT DATA {{ <{CELL}> <urn:p> "x" }}').encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            lambda s, b: s == 403,
        ),
    ]


KINDS = kinds(0)


@dataclass
class Outcome:
    kind: str
    seconds: float
    transport_error: str | None = None
    wrong: bool = False


def send(address: str, kind: Kind, timeout: float = 30.0) -> Outcome:
    """One request on a new connection, timed from connect to the last byte of the answer."""
    host, port = address.rsplit(":", 1)
    start = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        headers = {**kind.headers, "X-Kind": kind.name}
        connection.request(kind.method, kind.path, body=kind.body, headers=headers)
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - start
        return Outcome(kind.name, seconds, wrong=not kind.check(response.status, body))
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(kind.name, time.perf_counter() - start, transport_error=type(exc).__name__)
    finally:
        connection.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def raw_request(address: str, kind: Kind) -> bytes:
    """The bytes of `kind` as one HTTP/1.1 request that asks the server to close afterwards (and
    names its kind in an ``X-Kind`` header)."""
    head = [f"{kind.method} {kind.path} HTTP/1.1", f"Host: {address}", "Connection: close"]
    head.append(f"X-Kind: {kind.name}")  # ignored by `serve`; the control server answers by it
    head += [f"{name}: {value}" for name, value in kind.headers.items()]
    if kind.body is not None:
        head.append(f"Content-Length: {len(kind.body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (kind.body or b"")


def _parse(data: bytes) -> tuple[int, bytes]:
    """Status and body of a whole answer (read until the server closed); ValueError if cut."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no complete answer")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and int(value) != len(body):
            raise ValueError("answer cut short")
        if name.strip().lower() == b"transfer-encoding":
            raise ValueError("chunked answers are not expected here")
    return status, body


async def send_async(host: str, port: int, kind: Kind, raw: bytes, timeout: float) -> Outcome:
    """`send` on asyncio streams: a new connection, the raw request, the answer until close."""
    start = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(raw)
                data = await reader.read(-1)
            finally:
                writer.close()
        seconds = time.perf_counter() - start
        if not data:
            return Outcome(kind.name, seconds, transport_error="RemoteDisconnected")
        status, body = _parse(data)
        return Outcome(kind.name, seconds, wrong=not kind.check(status, body))
    except (OSError, TimeoutError, ValueError, IndexError) as exc:
        return Outcome(kind.name, time.perf_counter() - start, transport_error=type(exc).__name__)


def _event_loop_run(coroutine: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _summary(outcomes: list[Outcome], clients: int, rate: float, wall: float) -> dict[str, Any]:
    ok = [o.seconds for o in outcomes if o.transport_error is None]
    errors: dict[str, int] = {}
    for o in outcomes:
        if o.transport_error:
            errors[o.transport_error] = errors.get(o.transport_error, 0) + 1
    return {
        "requests": len(outcomes),
        "clients": clients,
        "transport_errors": errors,
        "resets": sum(v for k, v in errors.items() if "Reset" in k or "Disconnected" in k),
        "wrong": sum(o.wrong for o in outcomes),
        "p50_ms": round(percentile(ok, 50) * 1000, 1) if ok else None,
        "p99_ms": round(percentile(ok, 99) * 1000, 1) if ok else None,
        "max_ms": round(max(ok) * 1000, 1) if ok else None,
        "requests_per_s": round(len(outcomes) / wall, 1),
        "rate": rate or "as fast as answered",
    }


def load(
    address: str,
    clients: int,
    requests: int,
    rate: float = 0.0,
    distinct: bool = False,
    client: str = "async",
    offset: int = 0,
) -> dict[str, Any]:
    """`requests` mixed requests from `clients` concurrent clients, every answer checked.

    `rate` 0: each client sends its next request as soon as it has the last answer (the server
    saturated). `rate` R: request i is due at i/R seconds, whoever sends it, and its latency is
    counted from when it was due (so a slow server cannot hide its queue). `distinct`: every
    query text differs (no answer can come from the server's cache); else the same eight
    requests repeat (`offset` keeps distinct texts of different runs apart). `client` "async":
    one event loop, raw HTTP/1.1 (little client CPU); "threads": one `http.client` thread per
    client.
    """
    plan = [(kinds(offset + i + 1) if distinct else KINDS)[i % len(KINDS)] for i in range(requests)]
    for kind in KINDS:  # warm up every path once
        send(address, kind)
    cpu = time.process_time()
    if client == "threads":
        outcomes, wall = _load_threads(address, clients, plan, rate)
    else:
        outcomes, wall = _event_loop_run(_load_async(address, clients, plan, rate))
    result = _summary(outcomes, clients, rate, wall)
    result["client_cpu_ms_per_request"] = round((time.process_time() - cpu) / requests * 1000, 2)
    result["queries"] = "distinct" if distinct else "repeated"
    result["client"] = client
    return result


async def _load_async(
    address: str, clients: int, plan: list[Kind], rate: float
) -> tuple[list[Outcome], float]:
    host, port_text = address.rsplit(":", 1)
    port = int(port_text)
    raws = [raw_request(address, kind) for kind in plan]
    outcomes: list[Outcome | None] = [None] * len(plan)
    position = 0
    started = time.perf_counter()

    async def one_client() -> None:
        nonlocal position
        while position < len(plan):
            i = position
            position += 1
            due = started + i / rate if rate else 0.0
            if rate:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            outcome = await send_async(host, port, plan[i], raws[i], 30.0)
            if rate:
                outcome.seconds = time.perf_counter() - due
            outcomes[i] = outcome

    await asyncio.gather(*(one_client() for _ in range(clients)))
    wall = time.perf_counter() - started
    return [o for o in outcomes if o is not None], wall


def _load_threads(
    address: str, clients: int, plan: list[Kind], rate: float
) -> tuple[list[Outcome], float]:
    started = time.perf_counter()

    def one(i: int) -> Outcome:
        if not rate:
            return send(address, plan[i])
        due = started + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        outcome = send(address, plan[i])
        outcome.seconds = time.perf_counter() - due
        return outcome

    with ThreadPoolExecutor(clients) as executor:
        outcomes = list(executor.map(one, range(len(plan))))
    return outcomes, time.perf_counter() - started


def half_open(address: str, count: int, requests: int, rate: float, watch: float) -> dict[str, Any]:
    """`count` clients connect and send half a request head, then nothing; meanwhile `requests`
    normal requests (paced at `rate`) are sent and checked; reported: their figures, and when
    the server had closed the half-open connections (its client timeout)."""
    return _event_loop_run(_half_open(address, count, requests, rate, watch))  # type: ignore[no-any-return]


async def _half_open(
    address: str, count: int, requests: int, rate: float, watch: float
) -> dict[str, Any]:
    host, port_text = address.rsplit(":", 1)
    port = int(port_text)
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    failed = 0
    started = time.perf_counter()
    for _ in range(count):
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        except (OSError, TimeoutError):
            failed += 1
            continue
        writer.write(b"GET /sparql HTTP/1.1\r\nHost: " + address.encode())
        opened.append((reader, writer))
    opened_after = time.perf_counter() - started
    closed_at: list[float] = []

    async def until_closed(reader: asyncio.StreamReader) -> None:
        try:
            await reader.read(-1)
        except OSError:
            pass
        closed_at.append(time.perf_counter() - started)

    watchers = [asyncio.create_task(until_closed(reader)) for reader, _ in opened]
    plan = [KINDS[i % len(KINDS)] for i in range(requests)]
    outcomes, wall = await _load_async(address, 50, plan, rate)
    during = _summary(outcomes, 50, rate, wall)
    done, _ = await asyncio.wait(watchers, timeout=watch) if watchers else (set(), set())
    for task in watchers:
        task.cancel()
    for _, writer in opened:
        writer.close()
    return {
        "half_open": count,
        "connected": len(opened),
        "connect_failed": failed,
        "connected_in_s": round(opened_after, 2),
        "meanwhile": during,
        "closed_by_server": len(done),
        "all_closed_after_s": round(max(closed_at), 2) if closed_at else None,
        "watched_s": watch,
    }


def under_timeout(address: str, pid: int, limit: float, watch: float) -> dict[str, Any]:
    """An expensive query against the time limit; small queries alongside; CPU after the limit."""
    ask = KINDS[4]
    latencies: list[float] = []
    wrong = 0
    result: dict[str, Any] = {}

    def expensive() -> None:
        outcome_start = time.perf_counter()
        host, port = address.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=limit + 60)
        try:
            connection.request("GET", _get(EXPENSIVE))
            response = connection.getresponse()
            result["status"] = response.status
            result["answer"] = response.read().decode(errors="replace").strip()[:80]
        except (OSError, http.client.HTTPException) as exc:
            result["status"] = type(exc).__name__
        finally:
            connection.close()
        result["answered_after_s"] = round(time.perf_counter() - outcome_start, 2)

    thread = threading.Thread(target=expensive)
    started = time.perf_counter()
    thread.start()
    time.sleep(0.2)
    while thread.is_alive() and time.perf_counter() - started < limit + 30:
        outcome = send(address, ask)
        latencies.append(outcome.seconds)
        wrong += outcome.wrong or outcome.transport_error is not None
        time.sleep(0.02)
    thread.join()
    limit_at = started + limit
    # CPU of the server's processes, in 0.25 s windows, from the limit on.
    idle_after: float | None = None
    previous = tree_cpu_seconds(pid)
    previous_at = time.perf_counter()
    while time.perf_counter() - limit_at < watch:
        time.sleep(0.25)
        now, now_at = tree_cpu_seconds(pid), time.perf_counter()
        busy = (now - previous) / (now_at - previous_at)
        if busy < 0.05:
            idle_after = max(0.0, now_at - limit_at)
            break
        previous, previous_at = now, now_at
    return {
        "limit_s": limit,
        "expensive_status": result.get("status"),
        "expensive_answer": result.get("answer"),
        "expensive_answered_after_s": result.get("answered_after_s"),
        "others_answered": len(latencies),
        "others_wrong_or_failed": wrong,
        "others_max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "others_p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
        "cpu_idle_after_limit_s": None if idle_after is None else round(idle_after, 2),
        "cpu_watched_s": watch,
    }


def seed_graph() -> Path:
    """A build of the repository's corpus (data/), made once under benchmarks/out/."""
    out = OUT / "serve-graph"
    if not (out / "evidence.trig").exists():
        subprocess.run(
            [PROGRAM, "build", "--data", str(ROOT / "data"), "--out", str(out)],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
    return out


def measure(programs: dict[str, str], graph: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every run against every program: the load runs interleaved (both servers up, programs
    alternating run by run, the order reversed each round) so a busy machine weighs on both.
    With ``args.control`` the control server (`CONTROL`) takes each closed-loop run after ours, at
    the CPU time per request ours has just spent."""
    results: dict[str, Any] = {
        name: {"program": program, "runs": {}} for name, program in programs.items()
    }
    names = list(programs)
    with contextlib.ExitStack() as stack:
        servers = {
            name: stack.enter_context(server(program, graph, 30))
            for name, program in programs.items()
        }
        overhead = 0.0
        if args.control:
            answers = recorded_answers(servers["ours"][0])
            servers["control"] = stack.enter_context(control_server(answers))
            overhead = control_overhead(*servers["control"], args)
            results["control"] = {
                "program": "control server (benchmarks/serve_load.py, CONTROL)",
                "own_cpu_ms_per_request": round(overhead, 3),
                "runs": {},
            }
        runs = 0
        for round_ in range(args.rounds):
            order = names if round_ % 2 == 0 else names[::-1]
            for distinct in (False, True):
                for rate in (0.0, args.rate) if args.rate else (0.0,):
                    queries = "distinct" if distinct else "repeated"
                    key = f"{'paced' if rate else 'closed'}-{queries}-round{round_ + 1}"
                    for name in order + (["control"] if args.control and not rate else []):
                        address, pid = servers[name]
                        if name == "control":
                            spent = results["ours"]["runs"][key]["server_cpu_ms_per_request"]
                            set_cost(address, max(0.0, spent - overhead))
                        cpu = tree_cpu_seconds(pid)
                        runs += 1  # every run's distinct texts are new to every server
                        run = load(
                            address,
                            args.clients,
                            args.requests,
                            rate,
                            distinct,
                            args.client,
                            offset=runs * args.requests,
                        )
                        if not rate:
                            run["server_cpu_ms_per_request"] = round(
                                (tree_cpu_seconds(pid) - cpu) / (args.requests + len(KINDS)) * 1000,
                                2,
                            )
                        results[name]["runs"][key] = run
    for name, program in programs.items():
        if args.half_open:
            client_timeout = 3.0
            extra = ("--client-timeout", str(client_timeout))
            with server(program, graph, 30, *extra) as (address, _):
                held = half_open(address, args.half_open, 400, 100.0, 15.0)
                held["client_timeout_s"] = client_timeout
                results[name]["half_open"] = held
        with server(program, graph, args.limit) as (address, pid):
            results[name]["timeout"] = under_timeout(address, pid, args.limit, args.watch)
    return results


def control_overhead(address: str, pid: int, args: argparse.Namespace) -> float:
    """CPU milliseconds the control server spends per request of its own (no set cost): a
    closed-loop run of distinct requests."""
    set_cost(address, 0.0)
    cpu = tree_cpu_seconds(pid)
    load(address, args.clients, args.requests, 0.0, True, args.client, offset=0)
    return (tree_cpu_seconds(pid) - cpu) / (args.requests + len(KINDS)) * 1000


def _line(name: str, key: str, run: dict[str, Any]) -> str:
    errors = sum(run["transport_errors"].values()) - run["resets"]
    cpu = run.get("server_cpu_ms_per_request")
    return (
        f"{name} {key}: {run['requests']} requests / {run['clients']} clients "
        f"({run['rate']} req/s): resets {run['resets']}, other transport errors {errors}, "
        f"wrong {run['wrong']}, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, "
        f"max {run['max_ms']} ms, {run['requests_per_s']} req/s"
        + (f"; server CPU {cpu} ms/request" if cpu is not None else "")
        + (
            f"; client CPU {run['client_cpu_ms_per_request']} ms/request"
            if "client_cpu_ms_per_request" in run
            else ""
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-g", "--graph", type=Path, default=None, help="built graph to serve")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--rate", type=float, default=200.0, help="requests/s of the paced run (0: none)"
    )
    parser.add_argument("--limit", type=float, default=3.0, help="server --timeout (s)")
    parser.add_argument("--watch", type=float, default=10.0, help="seconds to watch CPU")
    parser.add_argument("--baseline", help="another evidence-graph program to run the same way")
    parser.add_argument(
        "--client",
        choices=("async", "threads"),
        default="async",
        help="load client: one event loop (async) or one http.client thread per client",
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the load runs")
    parser.add_argument(
        "--control",
        action="store_true",
        help="also run each closed-loop run against a minimal server at ours' CPU per request",
    )
    parser.add_argument(
        "--half-open",
        type=int,
        default=3000,
        help="half-open clients held while others are answered (0: no such run)",
    )
    args = parser.parse_args(argv)
    graph = args.graph or seed_graph()
    programs = {"ours": PROGRAM}
    if args.baseline:
        programs["baseline"] = args.baseline
    results = measure(programs, graph, args)
    OUT.mkdir(exist_ok=True)
    (OUT / "serve_load.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, result in results.items():
        for key, run in result["runs"].items():
            print(_line(name, key, run))
        held = result.get("half_open")
        if held:
            print(
                f"{name}: {held['connected']} of {held['half_open']} half-open clients held "
                f"({held['connect_failed']} could not connect); meanwhile "
                + _line("", "", held["meanwhile"]).split(": ", 1)[1]
            )
            print(
                f"{name}: the server closed {held['closed_by_server']} of them, the last "
                f"{held['all_closed_after_s']} s after they connected "
                f"(client timeout {held['client_timeout_s']:g} s)"
            )
        timed = result.get("timeout")
        if timed is None:
            continue
        print(
            f"{name}: expensive query vs {timed['limit_s']:g} s limit: {timed['expensive_status']} "
            f"after {timed['expensive_answered_after_s']} s; meanwhile {timed['others_answered']} "
            f"small queries, worst {timed['others_max_ms']} ms, p50 {timed['others_p50_ms']} ms, "
            f"{timed['others_wrong_or_failed']} failed; CPU idle "
            + (
                f"{timed['cpu_idle_after_limit_s']} s after the limit"
                if timed["cpu_idle_after_limit_s"] is not None
                else f"NOT within {timed['cpu_watched_s']:g} s"
            )
        )
    if "control" in results:
        for key, theirs in results["control"]["runs"].items():
            ours = results["ours"]["runs"][key]
            print(
                f"{key}: p99 ours {ours['p99_ms']} ms, control {theirs['p99_ms']} ms "
                f"(CPU per request {ours['server_cpu_ms_per_request']} and "
                f"{theirs['server_cpu_ms_per_request']} ms)"
            )
    if "baseline" in results:
        for key, ours in results["ours"]["runs"].items():
            base = results["baseline"]["runs"].get(key)
            if base and ours["p99_ms"] and base["p99_ms"]:
                print(f"{key}: p99 ratio baseline/ours {base['p99_ms'] / ours['p99_ms']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
