"""A query worker: a separate process that holds the graph read-only and answers queries.

Run as ``python -m evidence_graph.graph.service.worker GRAPH [--memory] [--memory-limit MB]
[--parent PID]`` (the process that starts it: the worker ends when that one is gone);
`graph.service.pool` starts, feeds and, when a query runs over its time, kills it. A crash
(Oxigraph segfaults on some inputs, or panics and aborts) ends only this process.

Once the graph is open the worker shuts itself in: it may open no new file descriptor (so no
socket: a query cannot reach another host, whatever it says) and its address space is capped.

Frames on stdin/stdout: a 4-byte big-endian length, then that many bytes. A request is one JSON
frame; a reply is a JSON frame then a body frame.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
from typing import Any, BinaryIO

from ..base.errors import EvidenceGraphError
from ..base.processes import end_with_parent

_LENGTH = struct.Struct(">I")

FEDERATION_REFUSED = "federated queries are refused: this graph never sends requests to other hosts"


def write_frame(stream: BinaryIO, data: bytes) -> None:
    """One length-prefixed frame."""
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)


def read_frame(stream: BinaryIO) -> bytes | None:
    """One length-prefixed frame, or None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


def reply(stream: BinaryIO, header: dict[str, Any], body: bytes = b"") -> None:
    """A JSON header frame and a body frame, flushed."""
    write_frame(stream, json.dumps(header).encode("utf-8"))
    write_frame(stream, body)
    stream.flush()


def yield_to_server() -> None:
    """Ask the scheduler not to let this worker, woken by a query, take the core from the
    server's event loop, which every request passes through (Linux ``SCHED_BATCH``: no
    privilege needed; elsewhere nothing)."""
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_BATCH"):
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        except OSError:
            pass


def _lowest_free_fd() -> int:
    probe = os.dup(0)
    os.close(probe)
    return probe


def shut_in(memory_limit_mb: int | None) -> None:
    """No new file descriptors (hence no sockets) from now on; address space capped."""
    try:
        import resource
    except ImportError:  # not POSIX: nothing to tighten
        return
    lowest = _lowest_free_fd()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # New descriptors take the lowest free number: a limit at that number admits none.
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest, hard))
    if memory_limit_mb:
        now = _address_space()
        _, hard_as = resource.getrlimit(resource.RLIMIT_AS)
        limit = now + memory_limit_mb * 1024 * 1024
        if hard_as != resource.RLIM_INFINITY:
            limit = min(limit, hard_as)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard_as))


def _address_space() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def main(argv: list[str] | None = None) -> int:
    """Command line of a worker process: answer on stdin/stdout."""
    parser = argparse.ArgumentParser(prog="evidence-graph-worker")
    parser.add_argument("graph")
    parser.add_argument("--memory", action="store_true", help="load the graph into memory")
    parser.add_argument("--memory-limit", type=int, default=None, metavar="MB")
    parser.add_argument("--parent", type=int, default=None, metavar="PID")
    args = parser.parse_args(argv)
    parent = os.getppid() if args.parent is None else args.parent
    return work(
        args.graph, args.memory, args.memory_limit, sys.stdin.buffer, sys.stdout.buffer, parent
    )


def work(
    graph: str,
    memory: bool,
    memory_limit_mb: int | None,
    source: BinaryIO,
    out: BinaryIO,
    parent: int,
) -> int:
    """Open the graph, say ready, then answer requests until `source` closes or the process
    `parent` (that started this one) is gone."""
    from pyoxigraph import serialize  # noqa: F401  (imported before the descriptors are shut)

    from . import sparql

    try:
        store = sparql.open_store(graph, memory=memory)
        for fmt in ("json", "table"):  # warm every code path before shutting in
            sparql.run(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", result_format=fmt)
        sparql.run(store, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1")
        for bad in ("SELECT ?x WHERE { ?x ?y }", "INSERT DATA { <a:b> <a:c> <a:d> }"):
            try:  # the error paths too: nothing may need a file once shut in
                sparql.run(store, bad)
            except EvidenceGraphError:
                pass
    except EvidenceGraphError as exc:
        reply(out, {"ok": False, "error": str(exc)})
        return 1
    end_with_parent(parent)
    yield_to_server()
    shut_in(memory_limit_mb)
    reply(out, {"ok": True, "ready": True, "pid": os.getpid()})
    while True:
        frame = read_frame(source)
        if frame is None:
            return 0
        request = json.loads(frame)
        try:
            answer = sparql.run(
                store,
                request["query"],
                result_format=request.get("result_format", "table"),
                graph_media_type=request.get("graph_media_type", "text/turtle"),
                width=int(request.get("width", 60)),
            )
        except EvidenceGraphError as exc:
            message = str(exc)
            if "os error 24" in message or "Too many open files" in message:
                message = FEDERATION_REFUSED
            reply(out, {"ok": False, "error": message})
            continue
        except (OSError, RuntimeError, ValueError) as exc:  # raised while results stream out
            text = " ".join(str(exc).split())[:300]
            message = FEDERATION_REFUSED if "os error 24" in text else f"query failed: {text}"
            reply(out, {"ok": False, "error": message})
            continue
        except MemoryError:
            reply(out, {"ok": False, "error": "the query needed more memory than allowed"})
            continue
        reply(out, {"ok": True, "media_type": answer.media_type, "rows": answer.rows}, answer.body)


if __name__ == "__main__":
    sys.exit(main())
