"""Builds that cannot leave a broken state: kill -9 anywhere, concurrent builds, a planted cache.

After a build killed at any moment, `query` gives the old graph's answers, the new graph's, or one
clear error — never an empty answer with exit 0 — and the next build removes what it left.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA, ROOT
from servers import free_port

from evidence_graph.graph.base.files import (
    CACHE_DIR,
    LOCK_FILE,
    NEW_STORE_PREFIX,
    OLD_STORE_PREFIX,
    STAMP_FILE,
    STORE_DIR,
    STORE_ID_FILE,
)
from evidence_graph.graph.pipeline.build import build
from evidence_graph.graph.pipeline.graph_facts import GRAPH_FACTS_FILE
from evidence_graph.graph.pipeline.page_cache import CLAIMS_MEMO_FILE
from evidence_graph.graph.pipeline.segments import SEGMENTS_FILE

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

CLI = str(Path(sys.executable).parent / "evidence-graph")
COUNT = "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a evg:Listing }"
OUTPUTS = ("evidence.trig", "evidence.ttl", "evidence.jsonld", "summary.json")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it (bounded in time)."""
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


def listings(out: Path) -> tuple[int, int | None, str]:
    """(exit code, listing count or None, stderr) of `query` over the build directory `out`."""
    result = run("query", "-g", str(out), "--format", "csv", COUNT)
    if result.returncode != 0:
        return result.returncode, None, result.stderr
    lines = result.stdout.strip().splitlines()
    return 0, int(lines[1]) if len(lines) == 2 else None, result.stderr


def assert_one_clear_error(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.strip().splitlines() if line]
    assert lines and lines[0].startswith("Error: "), stderr
    assert len(lines) <= 2, stderr  # the message and its hint


def leftovers(out: Path) -> list[str]:
    names = [p.name for p in out.iterdir()]
    if (out / CACHE_DIR).is_dir():
        names += [f"{CACHE_DIR}/{p.name}" for p in (out / CACHE_DIR).iterdir()]
    return sorted(
        n
        for n in names
        if n.endswith(".tmp") or Path(n).name.startswith((NEW_STORE_PREFIX, OLD_STORE_PREFIX))
    )


# --- the store must be the one its stamp describes ---------------------------------------------


@pytest.fixture()
def seed_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build(DATA, out)
    code, count, _ = listings(out)
    assert (code, count) == (0, 27)
    return out


def _wipe(out: Path) -> None:
    shutil.rmtree(out / STORE_DIR)
    (out / STORE_DIR).mkdir()


def _empty_store(out: Path) -> None:
    from pyoxigraph import Store

    store_id = (out / STORE_DIR / STORE_ID_FILE).read_text()
    shutil.rmtree(out / STORE_DIR)
    Store(str(out / STORE_DIR)).flush()
    (out / STORE_DIR / STORE_ID_FILE).write_text(store_id)


def _other_store(out: Path) -> None:
    (out / STORE_DIR / STORE_ID_FILE).write_text("0123\n")


def _corrupt(out: Path) -> None:
    (out / STORE_DIR / "CURRENT").write_text("garbage\n")


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (_wipe, "has no id"),
        (_empty_store, "is empty"),
        (_other_store, "is another store"),
        (_corrupt, "cannot be read"),
    ],
)
def test_query_and_push_refuse_a_store_its_stamp_does_not_describe(
    seed_out: Path, spoil: object, words: str
) -> None:
    assert callable(spoil)
    spoil(seed_out)
    code, count, stderr = listings(seed_out)
    assert code == 1 and count is None
    assert_one_clear_error(stderr)
    assert words in stderr and "run `evidence-graph build` again" in stderr
    endpoint = f"http://127.0.0.1:{free_port()}/store"  # never reached: the store is refused
    pushed = run("push", "-g", str(seed_out), "--endpoint", endpoint, "--timeout", "5")
    assert pushed.returncode == 1 and words in pushed.stderr
    assert "0 graphs" not in pushed.stdout
    assert_one_clear_error(pushed.stderr)


def test_a_stamp_of_the_older_layout_reads_the_graph_files(seed_out: Path) -> None:
    """The state the old build left when killed (store wiped, stamp still matching)."""
    stamp = seed_out / STAMP_FILE
    stamp.write_text(stamp.read_text().split(" id=")[0] + "\n")
    _wipe(seed_out)
    assert listings(seed_out)[:2] == (0, 27)


def test_a_memory_build_drops_the_stale_store(seed_out: Path) -> None:
    build(DATA, seed_out, store="memory")
    assert not (seed_out / STORE_DIR).exists() and not (seed_out / STAMP_FILE).exists()
    assert listings(seed_out)[:2] == (0, 27)


# --- kill -9 at any moment ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("corpora")
    small, large = root / "small", root / "large"
    generate(small, 12)
    generate(large, 18)
    return small, large


KILL_AT = """
import os, signal, sys
from evidence_graph.graph.cli import cli
from evidence_graph.graph.pipeline import oxigraph_sink, persisted_store

point, data, out = sys.argv[1:4]


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def around(module, name, before=None, after=None):
    original = getattr(module, name)

    def patched(*args, **kwargs):
        if before == point:
            die()
        result = original(*args, **kwargs)
        if after == point:
            die()
        return result

    setattr(module, name, patched)


# The steps of the sink's finalise, in order: the store is written, the stamp removed, the
# graph files moved in, then the store directories swapped and the stamp written.
around(oxigraph_sink, "remove_stamp", before="store-written", after="stamp-removed")
around(oxigraph_sink, "swap_store", before="files-moved")


class WatchedOs:
    # swap_store's renames: the old store aside, the new one in, the new stamp in place.
    def __getattr__(self, name):
        return getattr(os, name)

    def replace(self, source, target):
        os.replace(source, target)
        source, target = os.path.basename(source), os.path.basename(target)
        step = {
            source == persisted_store.STORE_DIR: "store-moved-aside",
            target == persisted_store.STORE_DIR: "store-moved-in",
            target == persisted_store.STAMP_FILE: "stamp-written",
        }.get(True)
        if step == point:
            die()


persisted_store.os = WatchedOs()
cli.main(["build", "--data", data, "--out", out], standalone_mode=True)
"""
"""A build run from outside the product that kills itself (SIGKILL) at one step of the sink's
finalise, by wrapping the pipeline functions that make that step (a build that never reaches
the step ends normally, and the test sees it)."""

CRASH_POINTS = (
    "store-written",
    "stamp-removed",
    "files-moved",
    "store-moved-aside",
    "store-moved-in",
    "stamp-written",
)


STATE_AT = {  # (stamp there, store/ there) once killed at each point
    "store-written": (True, True),
    "stamp-removed": (False, True),
    "files-moved": (False, True),
    "store-moved-aside": (False, False),
    "store-moved-in": (False, True),
    "stamp-written": (True, True),
}


def _killed_build(data: Path, out: Path, *, after: float | None, point: str | None) -> int:
    """Run `build` and SIGKILL it `after` seconds, or have it kill itself at `point`; its exit
    code."""
    if point:
        command = [sys.executable, "-c", KILL_AT, point, str(data), str(out)]
    else:
        command = [CLI, "build", "--data", str(data), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if after is not None:
            try:
                process.wait(after)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
        return process.wait(120)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)


def test_kill_9_at_any_moment_leaves_old_answers_new_answers_or_one_error(
    corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    small, large = corpora
    out = tmp_path / "out"
    started = time.monotonic()
    build(large, tmp_path / "probe")  # how long a build takes here (cold cache)
    seconds = time.monotonic() - started
    expected = {}
    for data in (small, large):
        build(data, out)
        code, count, _ = listings(out)
        assert code == 0 and count
        expected[data] = count
    assert expected[small] != expected[large]

    # Every step of the swap, then moments spread over a whole build (cold and warm cache).
    kills: list[tuple[str | None, float | None]] = [(point, None) for point in CRASH_POINTS]
    kills += [(None, seconds * f) for f in (0.1, 0.35, 0.6, 0.85)]
    seen_errors = 0
    for i, (point, after) in enumerate(kills):
        data = large if i % 2 == 0 else small
        if i == len(CRASH_POINTS):
            shutil.rmtree(out / CACHE_DIR)  # the timed kills start from a cold cache
        code = _killed_build(data, out, after=after, point=point)
        if point:  # the step was reached: the build died there, leaving that step's state
            assert code == -signal.SIGKILL, (point, code)
            state = ((out / STAMP_FILE).exists(), (out / STORE_DIR).exists())
            assert state == STATE_AT[point], (point, state)
        code, count, stderr = listings(out)
        where = f"killed at {point or f'{after:.2f} s'}"
        if code == 0:
            assert count in set(expected.values()), (where, count)
        else:
            seen_errors += 1
            assert_one_clear_error(stderr)
    # The swap is ordered so that no point needs the error: every kill leaves a readable graph.
    assert seen_errors == 0

    assert run("build", "--data", str(large), "--out", str(out)).returncode == 0
    assert leftovers(out) == []
    assert listings(out)[:2] == (0, expected[large])


def test_the_next_build_removes_what_a_killed_one_left(
    corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    small, _ = corpora
    out = tmp_path / "out"
    build(small, out)
    # A build killed after writing its new store, before moving anything.
    assert _killed_build(small, out, after=None, point="store-written") == -signal.SIGKILL
    left = leftovers(out)
    assert any(n.startswith(NEW_STORE_PREFIX) for n in left), left
    assert any(n.endswith(".tmp") for n in left), left
    (out / CACHE_DIR / "abc.json.1234.tmp").write_bytes(b"half a cache entry")
    build(small, out)
    assert leftovers(out) == []


# --- concurrent builds -------------------------------------------------------------------------


def test_a_second_build_into_the_same_directory_is_refused_naming_the_first(
    corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    _, large = corpora
    out, log = tmp_path / "out", tmp_path / "first.log"
    with log.open("wb") as handle:
        first = subprocess.Popen(
            [CLI, "build", "--data", str(large), "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=handle,
        )
    try:
        deadline = time.monotonic() + 60
        while not (out / LOCK_FILE).is_file() or not (out / LOCK_FILE).read_text().strip():
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.02)
        second = run("build", "--data", str(large), "--out", str(out))
        assert first.poll() is None, "the first build ended before the second one started"
        assert second.returncode == 1
        assert_one_clear_error(second.stderr)
        assert f"another build is writing here (process {first.pid})" in second.stderr
        assert first.wait(300) == 0, log.read_text()
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
    code, count, _ = listings(out)
    assert code == 0 and count
    assert leftovers(out) == []


# --- the cache holds data, not code ------------------------------------------------------------


class _Planted:
    """Unpickling this creates a file: proof that loading the cache ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_or_corrupt_cache_file_runs_no_code_and_is_rebuilt(tmp_path: Path) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean"
    build(DATA, clean)
    build(DATA, out)
    cache = out / CACHE_DIR
    memos = (SEGMENTS_FILE, CLAIMS_MEMO_FILE, GRAPH_FACTS_FILE)
    entries = sorted(p for p in cache.glob("*.json") if p.name not in memos)
    assert len(entries) == 2  # one per page: a line of JSON, then the page's N-Quads
    head, _, body = entries[0].read_bytes().partition(b"\n")
    assert json.loads(head)["format"].startswith("evidence-graph page cache")
    assert body.startswith(b"<https://w3id.org/evidence-graph/")
    marker = tmp_path / "code-ran"
    payload = pickle.dumps(_Planted(marker))
    # A pickle under every name (old and new), and entries that are corrupt or foreign.
    for entry in entries:
        entry.with_suffix(".pickle").write_bytes(payload)
    entries[0].write_bytes(payload)
    (cache / CLAIMS_MEMO_FILE).write_bytes(payload)
    (cache / GRAPH_FACTS_FILE).write_bytes(payload)
    # Quads changed behind the digest's back.
    entries[1].write_bytes(entries[1].read_bytes().replace(b"#Listing>", b"#Lasting>"))
    result = build(DATA, out)
    assert not marker.exists()
    assert (result.timings.parsed, result.timings.reused) == (2, 0)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    # Rebuilt entries are used again; an entry of another page under this page's name is not.
    assert build(DATA, out).timings.reused == 2
    entries[0].write_bytes(entries[1].read_bytes())
    assert build(DATA, out).timings.parsed == 1
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


# --- readers while a build swaps the store in --------------------------------------------------

SLOW_SWAP = """
import os, sys, time
from evidence_graph.graph.cli import cli
from evidence_graph.graph.pipeline import persisted_store

data, out = sys.argv[1:3]


class SlowOs:
    # Each rename of the swap is followed by 0.3 s: readers meet every state in between.
    def __getattr__(self, name):
        return getattr(os, name)

    def replace(self, source, target):
        os.replace(source, target)
        time.sleep(0.3)


persisted_store.os = SlowOs()
cli.main(["build", "--data", data, "--out", out], standalone_mode=True)
"""
"""A real build (run from outside the product) whose store swap is slowed down."""


class _SlowOpen:
    """pyoxigraph's Store as the reader sees it, opening a store only once a build has moved it
    aside (or after 2 s): the worst moment, made certain, between checking and opening."""

    @staticmethod
    def read_only(path: str) -> object:
        from pyoxigraph import Store

        deadline = time.monotonic() + 2
        while Path(path).exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        return Store.read_only(path)


def test_readers_during_a_swap_get_the_old_or_the_new_graph(
    corpora: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidence_graph.graph.pipeline import persisted_store
    from evidence_graph.graph.service import sparql

    monkeypatch.setattr(persisted_store, "Store", _SlowOpen)
    small, large = corpora
    out = tmp_path / "out"
    expected = {}
    for data in (large, small):
        build(data, out)
        expected[data] = listings(out)[1]
    assert expected[small] != expected[large]
    counts: list[int] = []
    errors: list[str] = []
    for data in (large, small):
        builder = subprocess.Popen(
            [sys.executable, "-c", SLOW_SWAP, str(data), str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            while builder.poll() is None:
                try:  # what `query` and `push` do: open the build directory, ask
                    store = sparql.open_store(out)
                    answer = sparql.run(store, sparql.with_prefixes(COUNT), result_format="csv")
                    counts.append(int(answer.body.decode().split()[1]))
                except Exception as exc:  # noqa: BLE001  (any failure is what this test counts)
                    errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            if builder.poll() is None:
                os.kill(builder.pid, signal.SIGKILL)
            _, stderr = builder.communicate(timeout=60)
        assert builder.returncode == 0, stderr
    assert errors == []
    assert set(counts) == set(expected.values()), counts  # both graphs seen, nothing else
    assert len(counts) >= 4


def _children(pid: int) -> list[int]:
    """Live child processes of `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_a_killed_build_leaves_no_worker_process_behind(tmp_path: Path) -> None:
    """The page workers of a build killed with SIGKILL end on their own (a forked worker holds
    both ends of its pipes, so it would otherwise wait for work for ever)."""
    if not Path("/proc/self/stat").is_file():
        pytest.skip("needs Linux /proc to find the workers")
    data = tmp_path / "data"
    generate(data, 150)
    command = [CLI, "build", "--data", str(data), "--out", str(tmp_path / "out"), "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2 and process.poll() is None:
            time.sleep(0.05)
            workers = _children(process.pid)
        assert len(workers) >= 2, "the build never started its workers"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
            time.sleep(0.1)
        left = [w for w in workers if Path(f"/proc/{w}").exists()]
        for pid in left:  # stopped here by the PIDs seen, whatever the outcome
            os.kill(pid, signal.SIGKILL)
        assert not left, f"workers {left} outlived their build"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)


def test_a_helper_whose_starter_is_already_gone_ends_at_once() -> None:
    """A helper started just before its build (or server) was killed finds, when it starts
    watching, that the process that started it is gone: it ends at once. (Watching whatever its
    parent then is, it would wait for ever on pipes whose other ends only it holds.)"""
    code = (
        "import sys, time\n"
        "from evidence_graph.graph.base.processes import end_with_parent\n"
        "end_with_parent(int(sys.argv[1]))\n"
        "time.sleep(30)\n"
    )
    gone = subprocess.run([sys.executable, "-c", code, "1"], timeout=20)
    assert gone.returncode == 3  # its parent is this test, not the process it was told of
    alive = subprocess.Popen([sys.executable, "-c", code, str(os.getpid())])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            alive.wait(2)  # its parent is the one it was told of: it stays
    finally:
        alive.kill()
        alive.wait(10)


def test_page_workers_watch_the_build_that_started_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page worker is told the build's PID (not whatever its parent is when it starts)."""
    from evidence_graph.graph.pipeline import pages

    told = tmp_path / "told"
    told.mkdir()

    def noting(parent: int) -> None:  # runs in each forked worker
        (told / str(os.getpid())).write_text(f"{parent} {os.getppid()}")

    monkeypatch.setattr(pages, "end_with_parent", noting)
    data = tmp_path / "data"
    generate(data, 8)
    build(data, tmp_path / "out", jobs=2)
    notes = [p.read_text().split() for p in told.iterdir()]
    assert len(notes) == 2 and all(n == [str(os.getpid())] * 2 for n in notes), notes
