"""Benchmarks: the fast path against rdflib and against Oxigraph alone, side by side in one run.

Every measurement runs in a fresh child process (so peak memory is that child's ``ru_maxrss`` and
one run cannot warm another's caches), on synthetic corpora from `benchmarks/generate.py`:

1. end-to-end build (parse → curate → RDF → validate → write TriG + Turtle + JSON-LD), fast path
   (``--store oxigraph``, cold cache) vs the same pipeline on rdflib's memory store, serializers
   and pyshacl (``--store memory``), per corpus size;
2. the Oxigraph floor: a bare ``pyoxigraph.Store`` loading the build's quads and writing TriG, and
   loading its union triples and writing Turtle — the least any Oxigraph-based build can do;
3. every named query (graph/queries/*.rq) at the largest size: our `query` path vs rdflib's memory
   store vs raw pyoxigraph;
4. cold start: ``evidence-graph query -n cell-contents -p cell=drug/B4`` on the seed build vs
   ``python -c "import rdflib"``;
5. incremental rebuild after changing one cell of 1,000 vs a full build (outputs compared byte by
   byte with a clean build of the changed corpus);
plus the 200-cell fast build vs rdflib merely serializing the resulting graph.

    python benchmarks/run.py                       # sizes 10,100,1000,5000 (takes a while)
    python benchmarks/run.py --quick               # sizes 10,100; small query corpus
    python benchmarks/run.py --sizes 10,100,1000 --baseline-timeout 600

Results go to benchmarks/out/ (results.json, results.md) and stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evidence_graph.graph.base.files import GRAPH_OUTPUTS, SUMMARY_FILE, TRIG_FILE

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

# --------------------------------------------------------------------------- child tasks


def _build_kwargs(store: str, jobs: int | None) -> dict[str, Any]:
    """`build` keyword arguments: `jobs` only where the build takes it (older code does not)."""
    import inspect

    from evidence_graph.graph.pipeline.build import build

    kwargs: dict[str, Any] = {"store": store}
    if "jobs" in inspect.signature(build).parameters:
        kwargs["jobs"] = jobs
    return kwargs


def _timings(result: Any) -> Any:
    """The build's `Timings` (older installs kept them in ``fastbuild.LAST_TIMINGS``)."""
    if hasattr(result, "timings"):
        return result.timings
    from evidence_graph.graph.pipeline.fastbuild import LAST_TIMINGS  # type: ignore[import-not-found]

    return LAST_TIMINGS


def _workers_peak_mb() -> float:
    """The largest peak RSS among this process's finished children (the build's workers)."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _task_build(data: str, out: str, store: str, jobs: int | None = None) -> dict[str, Any]:
    from evidence_graph.graph.pipeline.build import build

    shutil.rmtree(out, ignore_errors=True)
    kwargs = _build_kwargs(store, jobs)
    start = time.perf_counter()
    result = build(Path(data), Path(out), **kwargs)
    seconds = time.perf_counter() - start
    info: dict[str, Any] = {"seconds": seconds, "triples": result.triples}
    if store == "oxigraph":
        timings = _timings(result)
        info["stages"] = timings.stages
        info["jobs"] = getattr(timings, "jobs", 1)
    info["workers_peak_mb"] = _workers_peak_mb()
    return info


def _task_rebuild(data: str, out: str, jobs: int | None = None) -> dict[str, Any]:
    """A fast build into an existing build directory (its cache warm)."""
    from evidence_graph.graph.pipeline.build import build

    start = time.perf_counter()
    result = build(Path(data), Path(out), **_build_kwargs("oxigraph", jobs))
    timings = _timings(result)
    return {
        "seconds": time.perf_counter() - start,
        "triples": result.triples,
        "reused": timings.reused,
        "parsed": timings.parsed,
        "stages": timings.stages,
        "jobs": getattr(timings, "jobs", 1),
        "store_rewritten": getattr(timings, "store_rewritten", None),
        "revalidated": getattr(timings, "revalidated", None),
        "workers_peak_mb": _workers_peak_mb(),
    }


def _task_floor(nquads: str, ntriples: str) -> dict[str, Any]:
    from pyoxigraph import DefaultGraph, RdfFormat, Store

    from evidence_graph.ontology.prefixes import FILE_PREFIXES as PREFIXES

    start = time.perf_counter()
    store = Store()
    store.bulk_load(path=nquads, format=RdfFormat.N_QUADS)
    trig = store.dump(format=RdfFormat.TRIG, prefixes=PREFIXES)
    union = Store()
    union.bulk_load(path=ntriples, format=RdfFormat.N_TRIPLES)
    ttl = union.dump(format=RdfFormat.TURTLE, from_graph=DefaultGraph(), prefixes=PREFIXES)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "bytes": len(trig or b"") + len(ttl or b"")}


def _task_rdflib_serialize(trig: str) -> dict[str, Any]:
    """rdflib alone: serialize an already-loaded graph as TriG and Turtle (loading not timed)."""
    from rdflib import Dataset, Graph

    ds = Dataset()
    ds.parse(trig, format="trig")
    union = Graph()
    for g in ds.graphs():
        union += g
    start = time.perf_counter()
    ds.serialize(format="trig")
    union.serialize(format="turtle")
    return {"seconds": time.perf_counter() - start, "triples": len(union)}


def _bound_queries(store: Any) -> dict[str, str]:
    """Every named query with its parameters bound to values that exist in the benchmark corpus."""
    from evidence_graph.graph.service.sparql import bind_params, named_queries
    from evidence_graph.ontology import ID

    bound: dict[str, str] = {}
    for name, query in named_queries().items():
        params: dict[str, str] = {}
        for param in query.params:
            if param.kind.startswith("iri:"):
                base = ID + param.kind.partition(":")[2]
                found = store.query(
                    "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
                    f'FILTER(STRSTARTS(STR(?s), "{base}")) }} ORDER BY ?s LIMIT 1'
                )
                rows = list(found)
                if rows:
                    params[param.name] = rows[0]["s"].value[len(base) :]
            elif param.example is not None:
                params[param.name] = param.example
        bound[name] = bind_params(query.text, params, query.params)
    return bound


QUERY_MEMORY_CAP = 8 << 30
"""Address-space cap of a query child: a query that needs more fails instead of exhausting the
shared machine (Oxigraph's union default graph can multiply rows; see README `scale`)."""


def _task_queries(build_dir: str, engine: str, budget: float, skip: list[str]) -> dict[str, Any]:
    """Time every named query on one engine; stops (and says so) when `budget` seconds run out.

    Each answer is appended to ``queries-<engine>.jsonl`` as soon as it is known, so that the
    parent can tell which query a crash (the memory cap) happened in and carry on without it.
    """
    import resource

    from pyoxigraph import RdfFormat, Store

    resource.setrlimit(resource.RLIMIT_AS, (QUERY_MEMORY_CAP, QUERY_MEMORY_CAP))
    start = time.perf_counter()
    nq = str(Path(build_dir) / "evidence.nq")
    bound_file = Path(build_dir) / "bound-queries.json"
    if not bound_file.is_file():
        reference = Store()
        reference.bulk_load(path=nq, format=RdfFormat.N_QUADS)
        bound_file.write_text(json.dumps(_bound_queries(reference)))
        del reference
    queries: dict[str, str] = json.loads(bound_file.read_text())
    log = (OUT / f"queries-{engine}.jsonl").open("a")
    if engine == "ours":
        from evidence_graph.graph.service.sparql import open_store, run

        t0 = time.perf_counter()
        store = open_store(build_dir)
        load = time.perf_counter() - t0

        def execute(text: str) -> int:
            return len(run(store, text, result_format="csv").body)

    elif engine == "oxigraph":
        t0 = time.perf_counter()
        raw = Store()
        raw.bulk_load(path=nq, format=RdfFormat.N_QUADS)
        load = time.perf_counter() - t0

        def execute(text: str) -> int:
            return sum(1 for _ in raw.query(text, use_default_graph_as_union=True))

    else:
        from rdflib import Dataset

        t0 = time.perf_counter()
        ds = Dataset(default_union=True)
        ds.parse(nq, format="nquads")
        load = time.perf_counter() - t0

        def execute(text: str) -> int:
            return sum(1 for _ in ds.query(text))

    if "_load" not in skip:
        log.write(json.dumps({"name": "_load", "seconds": load}) + "\n")
        log.flush()
    for name, text in queries.items():
        if name in skip:
            continue
        if time.perf_counter() - start > budget:
            log.write(json.dumps({"name": name, "seconds": None}) + "\n")
            continue
        log.write(json.dumps({"start": name}) + "\n")
        log.flush()
        t0 = time.perf_counter()
        rows = execute(text)
        log.write(json.dumps({"name": name, "seconds": time.perf_counter() - t0, "size": rows}))
        log.write("\n")
        log.flush()
    return {}


def queries_on(engine: str, build_dir: Path, budget: float) -> dict[str, Any]:
    """Run `_task_queries` in children until every query has an answer or a failure."""
    record = OUT / f"queries-{engine}.jsonl"
    record.unlink(missing_ok=True)
    times: dict[str, Any] = {}
    peak = 0.0
    for _ in range(20):
        result = child(
            "queries",
            timeout=budget + 600,
            build_dir=str(build_dir),
            engine=engine,
            budget=budget,
            skip=sorted(times),
        )
        peak = max(peak, float(result.get("peak_mb", 0.0)))
        started = None
        for line in record.read_text().splitlines() if record.is_file() else []:
            item = json.loads(line)
            if "start" in item:
                started = item["start"]
            else:
                times[item["name"]] = item["seconds"]
                started = None if item["name"] == started else started
        if "error" not in result and "timeout" not in result:
            break
        if started is None:
            times["_error"] = result
            break
        times[started] = {"error": "failed: over 8 GB" if "error" in result else "timed out"}
    times["peak_mb"] = peak
    return times


def _task_export(build_dir: str) -> dict[str, Any]:
    nq, nt = export_quads(Path(build_dir))
    return {"nquads": str(nq), "ntriples": str(nt)}


TASKS = {
    "export": _task_export,
    "build": _task_build,
    "rebuild": _task_rebuild,
    "floor": _task_floor,
    "rdflib_serialize": _task_rdflib_serialize,
    "queries": _task_queries,
}

# --------------------------------------------------------------------------- running children


def child(
    task: str, timeout: float | None = None, python: str = PYTHON, **kwargs: Any
) -> dict[str, Any]:
    """Run a task in a fresh interpreter (`python`: another install of the project, to compare
    with); adds wall time and the child's peak RSS (MB)."""
    spec = json.dumps({"task": task, "kwargs": kwargs})
    start = time.perf_counter()
    proc = subprocess.Popen(
        [python, str(Path(__file__).resolve()), "--child", spec],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return {"timeout": timeout}
        time.sleep(0.05)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        return {"error": f"exit {os.waitstatus_to_exitcode(status)}", "wall": wall}
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["wall"] = wall
    result.setdefault("peak_mb", usage.ru_maxrss / 1024)
    return result


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (a build's workers): on a shared,
    loaded machine the work done, where wall time also counts the waiting for a core."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_mb() -> float:
    """This process's peak RSS. Not ``ru_maxrss``: on Linux a child's ``ru_maxrss`` starts at its
    parent's RSS at fork time, so it would report the benchmark driver's memory, not the task's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wall_of(argv: Sequence[str], repeat: int = 5) -> float:
    """Median wall time of a command (interpreter start included)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --------------------------------------------------------------------------- preparing inputs


REAL_PREFIX = "real"
"""A corpus named ``real200`` holds 200 pages of the real pages' full text (`generate.from_seeds`);
a plain number names a synthetic corpus of that many cells."""


def corpus(name: int | str) -> Path:
    from generate import from_seeds, generate

    path = OUT / f"corpus-{name}"
    if not (path / "matrices.yaml").is_file():
        text = str(name)
        if text.startswith(REAL_PREFIX):
            from_seeds(path, int(text.removeprefix(REAL_PREFIX)))
        else:
            generate(path, int(text))
    return path


def export_quads(build_dir: Path) -> tuple[Path, Path]:
    """The build's quads as N-Quads and its union as sorted N-Triples (inputs of the floor)."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.bulk_load(path=str(build_dir / TRIG_FILE), format=RdfFormat.TRIG)
    nq = build_dir / "evidence.nq"
    store.dump(str(nq), format=RdfFormat.N_QUADS)
    lines = nq.read_bytes().splitlines()
    triples = {line[: line.rindex(b" <", 0, len(line) - 2)] for line in lines}  # graph dropped
    nt = build_dir / "union.nt"
    nt.write_bytes(b"".join(t + b" .\n" for t in sorted(triples)))
    return nq, nt


# --------------------------------------------------------------------------- the report


def fmt_s(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        if "timeout" in value:
            return f"> {value['timeout']:.0f} s (capped)"
        if "error" in value:
            return value["error"]
        if value.get("skipped"):
            return "not run"
        value = value.get("seconds")
    if value is None:
        return "—"
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def ratio(a: Any, b: Any) -> str:
    def sec(v: Any) -> float | None:
        if isinstance(v, dict):
            if "timeout" in v:
                return None
            v = v.get("seconds")
        return float(v) if v is not None else None

    x, y = sec(a), sec(b)
    if isinstance(b, dict) and "timeout" in b and x:
        return f"> {b['timeout'] / x:.1f}×"
    if x is None or y is None or x == 0:
        return "—"
    return f"{y / x:.1f}×"


def _incremental(
    base: Path, n: int, installs: dict[str, str], rebuilds: int, jobs: int | None, log: Any
) -> dict[str, dict[str, Any]]:
    """For each install (key → its python): a full build of `base`, then `rebuilds` times one
    page changed and the rebuild, then a clean build of the changed corpus to compare with byte
    for byte. The installs take turns at each step, so that a machine whose speed drifts slows
    them alike; a rebuild's figure is the median of its runs, a full build's the mean of the
    first full build and the clean one."""
    runs: dict[str, dict[str, Any]] = {}
    for name in installs:
        changed = OUT / f"corpus-{n}-{name}"
        shutil.rmtree(changed, ignore_errors=True)
        shutil.copytree(base, changed)
        runs[name] = {"corpus": changed, "out": OUT / f"build-{n}-{name}", "rebuilds": []}
    for name, python in installs.items():
        print(f"[bench] {name}: full build of {n}", file=log, flush=True)
        run = runs[name]
        run["full"] = child(
            "build", python=python, data=str(run["corpus"]), out=str(run["out"]),
            store="oxigraph", jobs=jobs,
        )  # fmt: skip
    for k in range(rebuilds):
        for name, python in installs.items():
            run = runs[name]
            page = sorted((run["corpus"] / "cells").glob("*/*.txt"))[(n // 2 + k) % n]
            text = page.read_text(encoding="utf-8")
            edited = text.replace("it follows the layout", "it copies the layout", 1)
            page.write_text(edited if edited != text else text + "\nOne line more.\n", "utf-8")
            print(f"[bench] {name}: rebuild after changing {page.name}", file=log, flush=True)
            again = child("rebuild", python=python, data=str(run["corpus"]), out=str(run["out"]),
                          jobs=jobs)  # fmt: skip
            run["rebuilds"].append(again)
    results: dict[str, dict[str, Any]] = {}
    for name, python in installs.items():
        run = runs[name]
        clean_dir = OUT / f"build-{n}-{name}-clean"
        clean = child(
            "build", python=python, data=str(run["corpus"]), out=str(clean_dir),
            store="oxigraph", jobs=jobs,
        )  # fmt: skip
        identical = all(
            (run["out"] / f).read_bytes() == (clean_dir / f).read_bytes()
            for f in (*GRAPH_OUTPUTS, SUMMARY_FILE)
        )
        timed = [r for r in run["rebuilds"] if r.get("seconds")]
        timed.sort(key=lambda r: r["seconds"])
        fulls = [r["seconds"] for r in (run["full"], clean) if r.get("seconds")]
        results[name] = {
            "cells": n,
            "full": {**run["full"], "seconds": sum(fulls) / len(fulls)} if fulls else run["full"],
            "full_runs": [run["full"], clean],
            "rebuild": timed[len(timed) // 2] if timed else run["rebuilds"][0],
            "rebuild_runs": [r.get("seconds") for r in run["rebuilds"]],
            "clean": clean,
            "identical": identical,
        }
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the build (see module doc).")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sizes",
        default="real200,1000,3300",
        help="corpora: a number of synthetic cells, or realN (N pages of the real pages' text)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="corpora real200,100; incremental on 100 cells"
    )
    parser.add_argument("--jobs", type=int, default=None, help="build --jobs (default: all cores)")
    parser.add_argument(
        "--rdflib-timeout",
        type=float,
        default=900.0,
        help="cap (seconds) on rdflib merely serialising a build; longer runs are reported capped",
    )
    parser.add_argument(
        "--serialise-max-triples",
        type=int,
        default=2_000_000,
        help="time rdflib's serialisation only of builds up to this many triples",
    )
    parser.add_argument(
        "--rdflib-pipeline",
        action="store_true",
        help="also time the whole build on rdflib's memory store (slow: minutes at 1,000 cells)",
    )
    parser.add_argument(
        "--baseline-timeout", type=float, default=1200.0, help="cap on each rdflib-pipeline build"
    )
    parser.add_argument(
        "--before",
        metavar="PYTHON",
        default=None,
        help="interpreter of another install of the project (e.g. the previous release): its "
        "build is timed on the same corpora, side by side",
    )
    parser.add_argument("--queries", action="store_true", help="also time every named query")
    parser.add_argument(
        "--query-size", type=int, default=None, help="cells of the query corpus (default: largest)"
    )
    parser.add_argument(
        "--rdflib-query-budget",
        type=float,
        default=900.0,
        help="seconds for all rdflib queries (loading included); the rest are reported as skipped",
    )
    parser.add_argument(
        "--incremental-size", type=int, default=1000, help="cells of the incremental corpus"
    )
    parser.add_argument(
        "--rebuilds",
        type=lambda text: max(1, int(text)),
        default=5,
        help="one-page rebuilds of the incremental corpus, each after changing another page "
        "(the median is reported)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated parts to skip: builds, floor, serialise, incremental, cold",
    )
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        answer = TASKS[spec["task"]](**spec["kwargs"])
        answer["peak_mb"] = _peak_mb()
        answer["cpu"] = _cpu_seconds()
        print(json.dumps(answer))
        return 0

    names = ["real200", "100"] if args.quick else [s for s in args.sizes.split(",") if s]
    skip = set(args.skip.split(","))
    if args.quick:
        args.incremental_size = min(args.incremental_size, 100)
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "corpora": names,
        "machine": f"{os.cpu_count()} cores",
        "load": os.getloadavg(),
        "builds": {},
    }
    log = sys.stderr

    def save() -> None:
        (OUT / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True))

    for name in names if "builds" not in skip else []:
        data = corpus(name)
        cells = len(list((data / "cells").glob("*/*.txt")))
        row: dict[str, Any] = {"cells": cells}
        print(f"[bench] {name}: build", file=log, flush=True)
        out = OUT / f"build-{name}"
        row["fast"] = child("build", data=str(data), out=str(out), store="oxigraph", jobs=args.jobs)
        if args.before:
            print(f"[bench] {name}: build with {args.before}", file=log, flush=True)
            row["before"] = child(
                "build",
                python=args.before,
                data=str(data),
                out=str(OUT / f"build-{name}-before"),
                store="oxigraph",
            )
            before_dir = OUT / f"build-{name}-before"
            row["before_identical"] = all(
                (before_dir / f).is_file()
                and (before_dir / f).read_bytes() == (out / f).read_bytes()
                for f in (*GRAPH_OUTPUTS, SUMMARY_FILE)
            )
            shutil.rmtree(before_dir, ignore_errors=True)
        if "error" not in row["fast"] and "floor" not in skip:
            exported = child("export", build_dir=str(out))
            print(f"[bench] {name}: Oxigraph floor", file=log, flush=True)
            row["floor"] = child("floor", nquads=exported["nquads"], ntriples=exported["ntriples"])
        small = row["fast"].get("triples", 0) <= args.serialise_max_triples
        if "error" not in row["fast"] and "serialise" not in skip and small:
            print(f"[bench] {name}: rdflib serialising", file=log, flush=True)
            row["rdflib_serialize"] = child(
                "rdflib_serialize", timeout=args.rdflib_timeout, trig=str(out / "evidence.trig")
            )
        if args.rdflib_pipeline:
            print(f"[bench] {name}: rdflib pipeline", file=log, flush=True)
            row["rdflib"] = child(
                "build",
                timeout=args.baseline_timeout,
                data=str(data),
                out=str(OUT / f"build-{name}-rdflib"),
                store="memory",
            )
            shutil.rmtree(OUT / f"build-{name}-rdflib", ignore_errors=True)
        results["builds"][name] = row
        save()

    if "incremental" not in skip:
        n = args.incremental_size
        base = corpus(n)
        installs = {"incremental": PYTHON}
        if args.before:
            installs["incremental_before"] = args.before
        results.update(_incremental(base, n, installs, args.rebuilds, args.jobs, log))
        save()

    if "cold" not in skip:
        seed = OUT / "seed-build"
        cli = str(Path(PYTHON).parent / "evidence-graph")
        subprocess.run(
            [cli, "build", "--out", str(seed)], cwd=ROOT, check=False, capture_output=True
        )
        query = [cli, "query", "-g", str(seed), "-n", "cell-contents", "-p", "cell=drug/B4"]
        print("[bench] cold start", file=log, flush=True)
        results["cold"] = {
            "query": wall_of(query),
            "import_rdflib": wall_of([PYTHON, "-c", "import rdflib"]),
            "python": wall_of([PYTHON, "-c", "pass"]),
        }
        save()

    if args.queries:
        n = args.query_size or max(int(x) for x in names if x.isdigit())
        build_dir = OUT / f"build-{n}"
        if not (build_dir / TRIG_FILE).is_file():
            child("build", data=str(corpus(n)), out=str(build_dir), store="oxigraph")
        if not (build_dir / "evidence.nq").is_file():
            child("export", build_dir=str(build_dir))
        q: dict[str, Any] = {"cells": n}
        for engine, budget in (
            ("ours", 600.0),
            ("oxigraph", 600.0),
            ("rdflib", args.rdflib_query_budget),
        ):
            print(f"[bench] queries at {n} cells: {engine}", file=log, flush=True)
            q[engine] = queries_on(engine, build_dir, budget)
        q["triples"] = results["builds"].get(str(n), {}).get("fast", {}).get("triples")
        results["queries"] = q
        save()

    report = render(results)
    (OUT / "results.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


def _over(a: Any, b: Any) -> str:
    if isinstance(a, int | float) and isinstance(b, int | float) and b > 0:
        return f"{a / b:.2f}"
    return "—"


def _stages(run: dict[str, Any]) -> str:
    """Seconds per build stage, largest first."""
    stages = run.get("stages") or {}
    parts = sorted(stages.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in parts)


def _cpu(ours: dict[str, Any], other: dict[str, Any] | None) -> str:
    """CPU seconds of a build (workers included) against the other run's, with their ratio."""
    a, b = ours.get("cpu"), (other or {}).get("cpu")
    if not a or not b:
        return "CPU not measured"
    return f"CPU {a:.1f} s vs {b:.1f} s ({a / b:.1f}×)"


def _peak(run: dict[str, Any]) -> str:
    """Peak resident memory of the build: its process, plus its largest worker when it had any."""
    main, worker = run.get("peak_mb", 0.0), run.get("workers_peak_mb", 0.0)
    jobs = run.get("jobs", 1)
    if worker and jobs > 1:
        return f"peak {main:.0f} MB (+ {jobs} workers ≤ {worker:.0f} MB each)"
    return f"peak {main:.0f} MB"


def render(results: dict[str, Any]) -> str:
    """One table of every measurement, each with the baseline measured in the same run."""
    load = results.get("load")
    lines = [
        f"Machine: {results.get('machine', '?')}, load average at start "
        + (", ".join(f"{x:.2f}" for x in load) if load else "?"),
        "",
        "| measurement | ours | baseline | ratio | notes |",
        "|---|---:|---:|---:|---|",
    ]
    builds = results.get("builds", {})
    for name, row in builds.items():
        fast, floor = row.get("fast", {}), row.get("floor")
        ser, base = row.get("rdflib_serialize"), row.get("rdflib")
        triples = fast.get("triples") or 0
        what = f"{name} ({row.get('cells', '?')} cells, {triples:,} triples)"
        tps = f"{triples / fast['seconds']:,.0f} triples/s" if fast.get("seconds") else ""
        lines.append(
            f"| build {what} vs Oxigraph floor (load + write the same quads) | {fmt_s(fast)} "
            f"| {fmt_s(floor)} | {ratio(floor, fast)} the floor | {tps}; {_peak(fast)}; "
            f"floor peak {(floor or {}).get('peak_mb', 0):.0f} MB; {_cpu(fast, floor)}; "
            f"stages: {_stages(fast)} |"
        )
        if ser:
            lines.append(
                f"| build {what} vs rdflib merely serialising it (TriG + Turtle) | {fmt_s(fast)} "
                f"| {fmt_s(ser)} | {ratio(fast, ser)} faster | rdflib loading not timed; "
                f"rdflib peak {ser.get('peak_mb', 0):.0f} MB |"
            )
        before = row.get("before")
        if before:
            lines.append(
                f"| build {what}: this build vs the `--before` install | {fmt_s(fast)} "
                f"| {fmt_s(before)} | {ratio(fast, before)} faster | before: "
                f"{_peak(before)}; {_cpu(fast, before)}; outputs byte-identical: "
                f"{'yes' if row.get('before_identical') else 'NO'}; before's stages: "
                f"{_stages(before)} |"
            )
        if base:
            lines.append(
                f"| build {what} vs the rdflib pipeline (`--store memory`) | {fmt_s(fast)} "
                f"| {fmt_s(base)} | {ratio(fast, base)} faster | rdflib pipeline peak "
                f"{base.get('peak_mb', 0):.0f} MB |"
            )
    sized = {
        int(n): r for n, r in builds.items() if n.isdigit() and r.get("fast", {}).get("seconds")
    }
    if 1000 in sized and len(sized) > 1:
        top = max(sized)
        if top > 1000:
            a, b = sized[1000]["fast"], sized[top]["fast"]
            lines.append(
                f"| linearity: build {top:,} cells vs 1,000 cells | {fmt_s(b)} | {fmt_s(a)} "
                f"| {b['seconds'] / a['seconds']:.2f}× for {top / 1000:.1f}× the cells "
                f"| triples {a.get('triples', 0):,} → {b.get('triples', 0):,} |"
            )
    for key, who in (("incremental", ""), ("incremental_before", "before: ")):
        inc = results.get(key)
        if not inc:
            continue
        rebuild, full = inc["rebuild"], inc["full"]
        share = (
            f"{100 * rebuild['seconds'] / full['seconds']:.0f} % of the full build"
            if rebuild.get("seconds") and full.get("seconds")
            else "—"
        )
        patched = rebuild.get("store_rewritten")
        store = (
            "store loaded afresh" if patched is None else f"{patched} graphs rewritten in the store"
        )
        checked = rebuild.get("revalidated")
        valid = "whole graph validated" if checked is None else f"{checked} nodes validated again"
        samples = ", ".join(f"{s:.2f}" for s in inc.get("rebuild_runs", []) if s)
        lines.append(
            f"| {who}rebuild after changing 1 page of {inc['cells']:,} vs full build "
            f"(median of {len(inc.get('rebuild_runs', [1]))} rebuilds: {samples} s; full: mean "
            f"of the first build and a clean one) "
            f"| {fmt_s(rebuild)} | {fmt_s(full)} | {share}"
            f" | {rebuild.get('reused', '?')} pages from cache; {store}; {valid}; byte-identical "
            f"to a clean build: {'yes' if inc['identical'] else 'NO'}; stages: {_stages(rebuild)} |"
        )
    cold = results.get("cold")
    if cold:
        lines.append(
            f"| cold start: `query -n cell-contents` on the seed build vs `import rdflib` "
            f"| {cold['query']:.2f} s | {cold['import_rdflib']:.2f} s "
            f"| {cold['import_rdflib'] / cold['query']:.1f}× | bare interpreter "
            f"{cold['python']:.2f} s |"
        )
    q = results.get("queries")
    if q:
        ours, raw, rdf = q.get("ours", {}), q.get("oxigraph", {}), q.get("rdflib", {})
        lines.append(
            f"| load/open graph for queries ({q['cells']} cells, {q.get('triples') or 0:,} "
            f"triples): ours / raw pyoxigraph / rdflib | {fmt_s(ours.get('_load'))} "
            f"| {fmt_s(rdf.get('_load'))} | {ratio(ours.get('_load'), rdf.get('_load'))} "
            f"| raw pyoxigraph {fmt_s(raw.get('_load'))} |"
        )
        names = [k for k in ours if not k.startswith("_") and k not in ("wall", "peak_mb")]
        for name in sorted(names):
            a, b, c = ours.get(name), rdf.get(name), raw.get(name)
            lines.append(
                f"| query `{name}`: ours vs rdflib memory store | {fmt_s(a)} | "
                f"{fmt_s(b) if b is not None else 'skipped (budget)'} | {ratio(a, b)} "
                f"| raw pyoxigraph {fmt_s(c)}; ours/raw {_over(a, c)} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
