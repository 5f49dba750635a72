"""Real SPARQL servers for the tests: Oxigraph, Virtuoso, and `evidence-graph serve` itself.

Each fixture starts its own process on a free loopback port with its data in a temporary directory,
waits until it answers, and stops exactly the PID it started. A missing program skips the test on a
laptop and fails it under CI=true (`require_program`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from conftest import ROOT, require_program

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Server:
    """A running SPARQL server: where to write graphs and where to query."""

    store_url: str
    query_url: str
    user: str | None = None
    password: str | None = None
    auth: str = "basic"
    pid: int = 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(url: str, process: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"server exited with {process.returncode}: {log.read_text(errors='replace')}"
            )
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    stop(process)
    pytest.fail(f"server at {url} not ready after {seconds} s: {log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the one PID we started; SIGKILL to that same PID if it lingers."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def _program(name: str, how: str) -> str:
    local = VENV_BIN / name
    return str(local) if local.exists() else require_program(name, how)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`oxigraph serve` on loopback with a store in a temporary directory, union default graph."""
    program = _program("oxigraph", "pip install oxigraph (the dev extra installs it)")
    where = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = where / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [program, "serve", "--location", str(where / "db"), "--bind", f"127.0.0.1:{port}",
             "--union-default-graph"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process, 30, log)
        yield Server(
            f"http://127.0.0.1:{port}/store", f"http://127.0.0.1:{port}/query", pid=process.pid
        )
    finally:
        stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {db}, /usr/share/virtuoso-opensource-7/vad
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 200M
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 5
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 5
MaxKeepAlives = 5
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
DeferInferenceRulesInit = 0
"""


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`virtuoso-t` on loopback ports with a fresh database in a temporary directory (dba/dba)."""
    program = require_program(
        "virtuoso-t", "apt-get install virtuoso-opensource (Debian; .ci/run installs it)"
    )
    where = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = where / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=where, sql_port=sql_port, http_port=http_port))
    log = where / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [program, "+foreground", "+configfile", str(ini)],
            cwd=where, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until(f"{base}/sparql?query=ASK%7B%7D", process, 90, log)
        yield Server(
            f"{base}/sparql-graph-crud-auth",
            f"{base}/sparql",
            user="dba",
            password="dba",
            auth="digest",
            pid=process.pid,
        )
    finally:
        stop(process)


@pytest.fixture(scope="module")
def evidence_graph_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`evidence-graph serve --port 0` over the graph named by the module's `served_graph`
    fixture; yields the base URL (http://127.0.0.1:PORT)."""
    graph = request.getfixturevalue("served_graph")
    log = tmp_path_factory.mktemp("serve") / "access.log"
    command = [sys.executable, "-c", "from evidence_graph.graph.cli import cli; cli()"]
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [*command, "serve", "-g", str(graph), "--port", "0", "--timeout", "10"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=errors,
        )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        if "http://" not in first:
            process.wait(timeout=10)
            pytest.fail(f"serve did not start: {first}{log.read_text(errors='replace')}")
        base = first.split("SPARQL endpoint: ")[1].split("/sparql")[0]
        yield base
    finally:
        stop(process)
