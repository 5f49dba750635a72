"""Queries run in worker processes that can be killed: time and memory limits that stop the work.

Oxigraph cannot cancel a query, and some inputs crash it (a segfault or an abort takes the whole
process). So every query runs in a `graph.service.worker` process: over its time limit the worker
is killed (its cores and memory come back at once) and a fresh one takes its place; a crash ends
only the worker and becomes one `QueryFailed` message.

`QueryPool` keeps a few workers for a server; `run_isolated` starts one for a single query (the
CLI). Both check the query first (`graph.service.guard`).
"""

from __future__ import annotations

import collections
import faulthandler
import json
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..base.errors import EvidenceGraphError, QueryError, QueryFailed
from ..base.files import resolve_graph_path
from . import guard
from .sparql import Output

if TYPE_CHECKING:  # asyncio is imported by the server only: the command line starts faster
    import asyncio

DEFAULT_MEMORY_LIMIT_MB = 4096
"""Extra address space one worker may take for a query, beyond the graph it holds (MB)."""

_LENGTH = struct.Struct(">I")


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


@dataclass(frozen=True)
class WorkerSettings:
    """How workers open the graph and what they may use."""

    graph: str
    in_memory: bool = False
    memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB


class Forked:
    """A forked copy of this process running the worker loop, with `subprocess.Popen`'s surface.

    Forking skips starting a second interpreter (~0.3 s for a one-off query); it is only used
    from a single-threaded command line, never from the server (a threaded process).
    """

    def __init__(self, settings: WorkerSettings) -> None:
        from . import worker

        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 70
            try:
                for fd in (in_w, out_r, err_r):
                    os.close(fd)
                os.dup2(err_w, 2)  # the engine's own last words (a panic) go to the parent
                faulthandler.disable()  # a crash is reported by the parent, in one line
                source, out = os.fdopen(in_r, "rb"), os.fdopen(out_w, "wb")
                limit = settings.memory_limit_mb
                code = worker.work(settings.graph, settings.in_memory, limit, source, out, parent)
            finally:
                os._exit(code)
        for fd in (in_r, out_w, err_w):
            os.close(fd)
        self.pid = pid
        self.returncode: int | None = None
        self.stdin: IO[bytes] | None = os.fdopen(in_w, "wb")
        self.stdout: IO[bytes] | None = os.fdopen(out_r, "rb")
        self.stderr: IO[bytes] | None = os.fdopen(err_r, "rb")

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


class Worker:
    """One worker process, its pipes, and the last lines it wrote to stderr."""

    process: subprocess.Popen[bytes] | Forked

    def __init__(self, settings: WorkerSettings, fork: bool = False) -> None:
        command = [sys.executable, "-m", "evidence_graph.graph.service.worker", settings.graph]
        command += ["--parent", str(os.getpid())]
        if settings.in_memory:
            command.append("--memory")
        if settings.memory_limit_mb:
            command += ["--memory-limit", str(settings.memory_limit_mb)]
        if fork:
            self.process = Forked(settings)
        else:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # a Ctrl-C to the terminal is the parent's to handle
            )
        self.errors: collections.deque[str] = collections.deque(maxlen=20)
        self.generation: object = None  # which graph file it loaded (set by its pool)
        self._stderr = threading.Thread(
            target=self._drain_stderr, name="worker-stderr", daemon=True
        )
        self._stderr.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line.decode("utf-8", errors="replace").rstrip())

    def ready(self, timeout: float | None = None) -> None:
        """Wait for the worker to open the graph; its error, if it could not, as `QueryError`."""
        header, _ = self._receive(None if timeout is None else time.monotonic() + timeout)
        if not header.get("ok"):
            self.kill()
            raise QueryError(str(header.get("error", "the query worker could not start")))

    def ask(self, request: dict[str, Any], deadline: float | None) -> tuple[dict[str, Any], bytes]:
        """Send one request and wait for its reply until `deadline` (time.monotonic)."""
        self._send(request)
        return self._receive(deadline)

    async def ask_async(
        self, request: dict[str, Any], timeout: float
    ) -> tuple[dict[str, Any], bytes]:
        """`ask` on an event loop: the loop watches the reply pipe, no thread waits on it;
        `TimeoutError` after `timeout` seconds."""
        self._send(request)
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        import asyncio

        loop = asyncio.get_running_loop()
        reply = _Reply(loop)
        loop.add_reader(fd, reply.feed, fd)
        overdue = loop.call_later(timeout, reply.overdue)
        try:
            frames = await reply.done
        finally:
            overdue.cancel()
            loop.remove_reader(fd)
        if frames is None:
            raise self._crashed()
        return json.loads(frames[0]), frames[1]

    def _send(self, request: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        data = json.dumps(request).encode("utf-8")
        try:
            self.process.stdin.write(_LENGTH.pack(len(data)) + data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._crashed() from None

    def _receive(self, deadline: float | None) -> tuple[dict[str, Any], bytes]:
        header = json.loads(self._frame(deadline))
        body = self._frame(deadline)
        return header, body

    def _frame(self, deadline: float | None) -> bytes:
        (size,) = _LENGTH.unpack(self._read(_LENGTH.size, deadline))
        return self._read(size, deadline)

    def _read(self, size: int, deadline: float | None) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks: list[bytes] = []
        missing = size
        while missing:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            readable, _, _ = select.select([fd], [], [], wait)
            if not readable:
                raise TimeoutError
            chunk = os.read(fd, min(missing, 1 << 20))
            if not chunk:
                raise self._crashed()
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _crashed(self) -> QueryFailed:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.returncode or -signal.SIGKILL
        self._stderr.join(timeout=2)  # its last words (a panic, an allocation failure)
        said = " ".join(self.errors)
        if "memory allocation" in said or "MemoryError" in said:
            return QueryFailed(
                "the query needed more memory than allowed and was stopped", "memory"
            )
        lines = list(self.errors)
        panic = next((i for i, line in enumerate(lines) if "panicked" in line), None)
        if panic is not None:  # Rust: "thread … panicked at FILE:" then the reason
            reason = lines[panic + 1] if panic + 1 < len(lines) else lines[panic]
            panic_text = f"panicked: {reason.strip()}"
        else:
            panic_text = next((line for line in lines if "error" in line.lower()), "")
        how = _signal_name(code) if code < 0 else f"exit {code}"
        detail = f": {panic_text[:200]}" if panic_text else ""
        return QueryFailed(f"the query crashed the query engine ({how}){detail}", "crash")

    def kill(self) -> None:
        """SIGKILL this one worker and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def close(self) -> None:
        """Let the worker end by closing its input; kill it if it lingers."""
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()


class _Reply:
    """The two frames of one reply, gathered as the pipe becomes readable; None at end of file."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.done: asyncio.Future[tuple[bytes, bytes] | None] = loop.create_future()
        self._data = bytearray()

    def overdue(self) -> None:
        if not self.done.done():
            self.done.set_exception(TimeoutError())

    def feed(self, fd: int) -> None:
        if self.done.done():
            return
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.done.set_result(None)
            return
        self._data += chunk
        frames = _frames(self._data, 2)
        if frames is not None:
            self.done.set_result((frames[0], frames[1]))


def _frames(data: bytearray, count: int) -> list[bytes] | None:
    """The first `count` length-prefixed frames of `data`, or None while some are incomplete."""
    frames: list[bytes] = []
    at = 0
    for _ in range(count):
        if len(data) < at + _LENGTH.size:
            return None
        (size,) = _LENGTH.unpack_from(data, at)
        at += _LENGTH.size
        if len(data) < at + size:
            return None
        frames.append(bytes(data[at : at + size]))
        at += size
    return frames


def _timed_out(worker: Worker, limit: float) -> QueryFailed:
    """Kill `worker`, which ran past the time limit, and say so."""
    worker.kill()
    return QueryFailed(f"query timed out after {limit:g} s and was stopped", "timeout")


def _answer(header: dict[str, Any], body: bytes) -> Output:
    if not header.get("ok"):
        raise QueryError(str(header.get("error", "query failed")))
    return Output(body, str(header["media_type"]), header.get("rows"))


def _request(
    query: str, result_format: str, graph_media_type: str, width: int = 60
) -> dict[str, Any]:
    return {
        "query": query,
        "result_format": result_format,
        "graph_media_type": graph_media_type,
        "width": width,
    }


def _ask(
    worker: Worker, request: dict[str, Any], timeout: float | None, limit: float | None = None
) -> Output:
    """One request to `worker`; over `timeout` the worker is killed and `QueryFailed` raised."""
    limit = timeout if limit is None else limit
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        header, body = worker.ask(request, deadline)
    except TimeoutError:
        raise _timed_out(worker, limit or 0) from None
    except QueryFailed:
        worker.kill()
        raise
    return _answer(header, body)


def can_fork() -> bool:
    """Whether a one-off worker may be a fork of this process (POSIX, one thread, not macOS)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def run_isolated(
    graph: str | Path,
    query: str,
    *,
    result_format: str = "table",
    graph_media_type: str = "text/turtle",
    timeout: float | None = None,
    memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
    limits: guard.Limits | None = None,
    fork: bool | None = None,
    width: int = 60,
) -> Output:
    """Check `query`, then run it in a fresh worker over the graph at `graph` (for the CLI).

    The worker is a fork of this process where that is safe (`can_fork`), unless `fork` says.
    """
    guard.check_query(query, limits)
    settings = WorkerSettings(str(graph), in_memory=False, memory_limit_mb=memory_limit_mb)
    worker = Worker(settings, fork=can_fork() if fork is None else fork)
    try:
        worker.ready()
        return _ask(worker, _request(query, result_format, graph_media_type, width), timeout)
    except QueryFailed:
        raise
    finally:
        worker.close()


MAX_AUTO_WORKERS = 8
"""At most this many workers when their number is left to the server."""

MEMORY_SHARE = 0.25
"""Workers started beyond the first two may hold, together, this share of the available memory."""


def auto_workers(cores: int, worker_bytes: int | None, available_bytes: int | None) -> int:
    """How many workers to run when not told: four per core (a small query's worker spends more
    time waiting on its pipes and for a core than computing, so more queries in flight keep the
    cores busy: measured on 2 cores, 50 clients, distinct small queries, p99 98–130 ms with 2
    workers, 76–84 ms with 4, 49–65 ms with 8; since the endpoint left the framework's routing,
    4 and 8 are within the machine's noise), at most `MAX_AUTO_WORKERS`, and no more than
    `MEMORY_SHARE` of the available memory holds (each has its own copy of the graph); never fewer
    than two. Unknown sizes: two."""
    if not worker_bytes or not available_bytes:
        return 2
    by_memory = int(available_bytes * MEMORY_SHARE // worker_bytes)
    return max(2, min(MAX_AUTO_WORKERS, 4 * max(1, cores), by_memory))


def resident_bytes(pid: int) -> int | None:
    """Resident memory of process `pid` (Linux ``/proc``; None elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def available_bytes() -> int | None:
    """Memory available to new processes (Linux ``/proc/meminfo``; None elsewhere)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def graph_signature(graph: str | Path) -> tuple[str, int, int] | None:
    """Which file `graph` is now (path, size, modification time): changes when it is rebuilt."""
    try:
        target = resolve_graph_path(graph)
        info = target.stat()
    except (OSError, EvidenceGraphError):
        return None
    return str(target), info.st_size, info.st_mtime_ns


def _loaded(before: object, after: object) -> object:
    """The graph a worker loaded between two looks at the file: unknown if it changed meanwhile."""
    return after if before == after else (before, after)


class QueryPool:
    """A few workers over one graph; each query takes an idle one, a killed one is replaced.

    `generation` names the graph file the latest worker loaded (see `graph_signature`). A
    worker started after a rebuild (in place of a killed one) loads the new graph; from then
    on every worker still holding the old one is retired when it is next taken or given back
    and replaced, so all queries are answered from one graph, and answers kept from the old
    one (the server's answer cache) are dropped.
    """

    def __init__(
        self,
        settings: WorkerSettings,
        size: int = 2,
        timeout: float = 30.0,
        on_event: Callable[[str], None] | None = None,
        limits: guard.Limits | None = None,
    ) -> None:
        self.settings = settings
        self.limits = limits or guard.Limits()
        self.size = size
        self.timeout = timeout
        self.on_event = on_event or (lambda message: None)
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._waiting: collections.deque[asyncio.Future[Worker]] = collections.deque()
        self._closed = False
        self._lock = threading.Lock()
        self._all: set[Worker] = set()
        before = graph_signature(settings.graph)
        starting = [self._start() for _ in range(size)]
        for worker in starting:
            worker.ready()
        self.generation: object = _loaded(before, graph_signature(settings.graph))
        for worker in starting:
            worker.generation = self.generation
            self._idle.put(worker)

    def _release(self, worker: Worker) -> None:
        """Hand an idle `worker` to the longest-waiting event-loop caller, else to the idle queue.

        Handing over in turn (not letting callers race for the queue) keeps the wait of each
        query bounded by the queries ahead of it, which is what keeps the slowest answers fast.
        """
        with self._lock:
            while self._waiting:
                waiter = self._waiting.popleft()
                if not waiter.done():
                    break
            else:
                self._idle.put(worker)
                return
        loop = waiter.get_loop()

        def hand_over() -> None:
            if waiter.done():  # its caller stopped waiting meanwhile: the next one gets it
                self._release(worker)
            else:
                waiter.set_result(worker)

        import asyncio

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            hand_over()
        else:
            loop.call_soon_threadsafe(hand_over)

    def grow(self, size: int) -> None:
        """Start workers until the pool has `size` (each loads the graph before it is used)."""
        starting = [self._start() for _ in range(size - self.size)]
        for worker in starting:
            worker.ready()
            worker.generation = self.generation
            self.size += 1
            self._release(worker)

    def auto_size(self) -> int:
        """`auto_workers` for this machine, from what one of this pool's workers holds."""
        pids = self.pids()
        held = resident_bytes(pids[0]) if pids else None
        return auto_workers(os.cpu_count() or 1, held, available_bytes())

    def _start(self) -> Worker:
        worker = Worker(self.settings)
        with self._lock:
            self._all.add(worker)
        return worker

    def _give_back(self, worker: Worker) -> None:
        """Return `worker` to the idle ones, or retire it if it holds an older graph."""
        if worker.generation == self.generation:
            self._release(worker)
        else:
            self._replace(worker, close=True)

    def _replace(self, dead: Worker, close: bool = False) -> None:
        """Start a worker in place of `dead` (first letting it end, with `close`), in the
        background: opening the graph takes time."""
        with self._lock:
            self._all.discard(dead)
        if self._closed:
            if close:
                dead.close()
            return

        def start() -> None:
            if close:
                dead.close()
            try:
                before = graph_signature(self.settings.graph)
                worker = self._start()
                worker.ready()
                worker.generation = _loaded(before, graph_signature(self.settings.graph))
            except (QueryError, OSError) as exc:
                self.on_event(f"could not start a query worker: {exc}")
                return
            if worker.generation != self.generation:
                self.on_event("the graph file changed: every query worker reloads it")
                self.generation = worker.generation
            if self._closed:
                worker.close()
            else:
                self._release(worker)

        threading.Thread(target=start, name="worker-replace", daemon=True).start()

    def run(
        self, query: str, *, result_format: str = "json", graph_media_type: str = "text/turtle"
    ) -> Output:
        """Check and run `query` on an idle worker (waiting for one at most the time limit)."""
        guard.check_query(query, self.limits)
        started = time.monotonic()
        worker = self._take(started)
        remaining = max(0.001, self.timeout - (time.monotonic() - started))
        request = _request(query, result_format, graph_media_type)
        try:
            answer = _ask(worker, request, remaining, self.timeout)
        except QueryFailed as exc:
            self.on_event(f"worker {worker.pid} stopped: {exc}")
            self._replace(worker)
            raise
        except BaseException:
            if worker.process.poll() is None:
                self._give_back(worker)
            else:
                self._replace(worker)
            raise
        self._give_back(worker)
        return answer

    async def run_async(
        self, query: str, *, result_format: str = "json", graph_media_type: str = "text/turtle"
    ) -> Output:
        """`run` for an event loop (the server): waiting for a worker and for its answer holds
        no thread; over the time limit the worker is killed and replaced."""
        guard.check_query(query, self.limits)
        started = time.monotonic()
        worker = await self._take_async(started)
        remaining = max(0.001, self.timeout - (time.monotonic() - started))
        request = _request(query, result_format, graph_media_type)
        try:
            try:
                header, body = await worker.ask_async(request, remaining)
            except TimeoutError:
                raise _timed_out(worker, self.timeout) from None
            except QueryFailed:
                worker.kill()
                raise
        except QueryFailed as exc:
            self.on_event(f"worker {worker.pid} stopped: {exc}")
            self._replace(worker)
            raise
        except BaseException:  # cancelled mid-query: its answer would reach the next caller
            worker.kill()
            self._replace(worker)
            raise
        self._give_back(worker)
        return _answer(header, body)

    async def _take_async(self, started: float) -> Worker:
        """An idle worker holding the latest graph, awaited in turn, at most the time limit."""
        import asyncio

        while True:
            with self._lock:
                worker = None
                if not self._waiting:
                    try:
                        worker = self._idle.get_nowait()
                    except queue.Empty:
                        pass
                if worker is None:
                    waiter: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
                    self._waiting.append(waiter)
            if worker is None:
                remaining = self.timeout - (time.monotonic() - started)
                try:
                    worker = await asyncio.wait_for(waiter, max(0.001, remaining))
                except TimeoutError:
                    raise QueryFailed(
                        "every query worker is busy; try again shortly", "busy"
                    ) from None
            if worker.generation == self.generation:
                return worker
            self._give_back(worker)  # holds an older graph: retired and replaced

    def _take(self, started: float) -> Worker:
        """An idle worker holding the latest graph, waiting at most the time limit."""
        while True:
            remaining = self.timeout - (time.monotonic() - started)
            try:
                worker = self._idle.get(timeout=max(0.001, remaining))
            except queue.Empty:
                raise QueryFailed("every query worker is busy; try again shortly", "busy") from None
            if worker.generation == self.generation:
                return worker
            self._give_back(worker)  # holds an older graph: retired and replaced

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        with self._lock:
            return sorted(w.pid for w in self._all if w.process.poll() is None)

    def close(self) -> None:
        """Stop every worker this pool started."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.close()
