"""Load test of `evidence-graph serve` on loopback: many clients, a timed-out query, CPU after it.

1. load: C concurrent clients send N mixed requests (SELECT as JSON/CSV/XML by GET and POST,
   CONSTRUCT as Turtle, ASK, the query page, a bad query → 400, an update → 403), each on a new
   connection; every answer is checked (status and content). Reported: connection resets and
   other transport errors, wrong answers, p50/p99/max latency, server CPU per request. Run
   twice: saturating (each client sends again as soon as answered) and paced (``--rate``
   requests/s in all, latency counted from when each request was due).
2. timeout: one expensive query runs into the server's time limit while other clients keep asking
   small queries: their worst latency while it runs, the expensive query's answer, and how long
   after the limit the server's processes (server and query workers) fall back to idle CPU.

With ``--baseline PROGRAM`` the same runs go against another `evidence-graph` (e.g. an older
install) started the same way, side by side.

    python benchmarks/serve_load.py                          # graph: a seed build made here
    python benchmarks/serve_load.py -g build --baseline /path/to/old/venv/bin/evidence-graph
    python benchmarks/serve_load.py --rate 0      # only the saturating run

Loopback only; every server is started here and stopped by its PID; bounded in requests and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
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
    "ORDER BY ?position"
)
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


# --------------------------------------------------------------------------- the server


@contextmanager
def server(program: str, graph: Path, timeout: float) -> Iterator[tuple[str, int]]:
    """`program serve` on a free loopback port; yields (host:port, pid); SIGTERM to that PID."""
    process = subprocess.Popen(
        [program, "serve", "-g", str(graph), "--port", "0", "--timeout", str(timeout)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        if "http://" not in line:
            raise SystemExit(f"{program} serve did not start: {line!r}")
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


KINDS = [
    Kind("select-json-get", "GET", _get(LISTINGS), None, {}, _positions_json),
    Kind(
        "select-csv-post",
        "POST",
        "/sparql",
        _form(LISTINGS),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
        lambda s, b: s == 200 and b.decode().split() == ["position", *map(str, range(1, 15))],
    ),
    Kind(
        "select-xml-direct",
        "POST",
        "/sparql",
        LISTINGS.encode(),
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"},
        lambda s, b: s == 200 and b.count(b"<result>") == 14,
    ),
    Kind(
        "construct-turtle",
        "GET",
        _get(f"CONSTRUCT {{ <{CELL}> ?p ?o }} WHERE {{ <{CELL}> ?p ?o }}"),
        None,
        {"Accept": "text/turtle"},
        lambda s, b: s == 200 and b'"B4"' in b,
    ),
    Kind(
        "ask",
        "GET",
        _get(f"ASK {{ <{CELL}> ?p ?o }}"),
        None,
        {},
        lambda s, b: s == 200 and json.loads(b).get("boolean") is True,
    ),
    Kind("page", "GET", "/", None, {}, lambda s, b: s == 200 and b"<html" in b.lower()),
    Kind("bad-query", "GET", _get("SELECT ?x WHERE { ?x ?y }"), None, {}, lambda s, b: s == 400),
    Kind(
        "update",
        "POST",
        "/sparql",
        b"update=" + urllib.parse.quote(f'INSERT DATA {{ <{CELL}> <urn:p> "x" }}').encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
        lambda s, b: s == 403,
    ),
]


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
        connection.request(kind.method, kind.path, body=kind.body, headers=kind.headers)
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


def load(address: str, clients: int, requests: int, rate: float = 0.0) -> dict[str, Any]:
    """`requests` mixed requests from `clients` threads at once.

    `rate` 0: each client sends its next request as soon as it has the last answer (the server
    saturated). `rate` R: request i is due at i/R seconds, whoever sends it, and its latency is
    counted from when it was due (so a slow server cannot hide its queue).
    """
    plan = [KINDS[i % len(KINDS)] for i in range(requests)]
    for kind in KINDS:  # warm up every path once
        send(address, kind)
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
        outcomes = list(executor.map(one, range(requests)))
    wall = time.perf_counter() - started
    ok = [o.seconds for o in outcomes if o.transport_error is None]
    errors: dict[str, int] = {}
    for o in outcomes:
        if o.transport_error:
            errors[o.transport_error] = errors.get(o.transport_error, 0) + 1
    return {
        "requests": requests,
        "clients": clients,
        "transport_errors": errors,
        "resets": sum(v for k, v in errors.items() if "Reset" in k or "Disconnected" in k),
        "wrong": sum(o.wrong for o in outcomes),
        "p50_ms": round(percentile(ok, 50) * 1000, 1) if ok else None,
        "p99_ms": round(percentile(ok, 99) * 1000, 1) if ok else None,
        "max_ms": round(max(ok) * 1000, 1) if ok else None,
        "requests_per_s": round(requests / wall, 1),
        "rate": rate or "as fast as answered",
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


def measure(program: str, graph: Path, args: argparse.Namespace) -> dict[str, Any]:
    with server(program, graph, timeout=30) as (address, pid):
        cpu = tree_cpu_seconds(pid)
        loaded = load(address, args.clients, args.requests)
        loaded["server_cpu_ms_per_request"] = round(
            (tree_cpu_seconds(pid) - cpu) / (args.requests + len(KINDS)) * 1000, 2
        )
        paced = load(address, args.clients, args.requests, args.rate) if args.rate else None
    with server(program, graph, timeout=args.limit) as (address, pid):
        timed = under_timeout(address, pid, args.limit, args.watch)
    return {"program": program, "load": loaded, "paced": paced, "timeout": timed}


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
    args = parser.parse_args(argv)
    graph = args.graph or seed_graph()
    results = {"ours": measure(PROGRAM, graph, args)}
    if args.baseline:
        results["baseline"] = measure(args.baseline, graph, args)
    OUT.mkdir(exist_ok=True)
    (OUT / "serve_load.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, result in results.items():
        load_, timed = result["load"], result["timeout"]
        for run in (load_, result["paced"]):
            if run is None:
                continue
            print(
                f"{name}: {run['requests']} requests / {run['clients']} clients "
                f"({run['rate']} req/s): resets {run['resets']}, other transport errors "
                f"{sum(run['transport_errors'].values()) - run['resets']}, wrong {run['wrong']}, "
                f"p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, max {run['max_ms']} ms, "
                f"{run['requests_per_s']} req/s"
            )
        print(f"{name}: server CPU {load_['server_cpu_ms_per_request']} ms per request")
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
    if "baseline" in results:
        ours, base = results["ours"]["load"], results["baseline"]["load"]
        if ours["p99_ms"] and base["p99_ms"]:
            print(f"p99 ratio baseline/ours: {base['p99_ms'] / ours['p99_ms']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
