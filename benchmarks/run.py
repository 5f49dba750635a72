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


def _task_build(data: str, out: str, store: str) -> dict[str, Any]:
    from evidence_graph.graph.pipeline.build import build

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = build(Path(data), Path(out), store=store)
    seconds = time.perf_counter() - start
    info: dict[str, Any] = {"seconds": seconds, "triples": result.triples}
    if store == "oxigraph":
        info["stages"] = result.timings.stages
    return info


def _task_rebuild(data: str, out: str) -> dict[str, Any]:
    """A fast build into an existing build directory (its cache warm)."""
    from evidence_graph.graph.pipeline.build import build

    start = time.perf_counter()
    result = build(Path(data), Path(out), store="oxigraph")
    return {
        "seconds": time.perf_counter() - start,
        "triples": result.triples,
        "reused": result.timings.reused,
        "parsed": result.timings.parsed,
        "stages": result.timings.stages,
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


def child(task: str, timeout: float | None = None, **kwargs: Any) -> dict[str, Any]:
    """Run a task in a fresh interpreter; adds wall time and the child's peak RSS (MB)."""
    spec = json.dumps({"task": task, "kwargs": kwargs})
    start = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, str(Path(__file__).resolve()), "--child", spec],
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


def corpus(cells: int) -> Path:
    from generate import generate

    path = OUT / f"corpus-{cells}"
    if not (path / "matrices.yaml").is_file():
        generate(path, cells)
    return path


def export_quads(build_dir: Path) -> tuple[Path, Path]:
    """The build's quads as N-Quads and its union as sorted N-Triples (inputs of the floor)."""
    from pyoxigraph import RdfFormat, Store

    from evidence_graph.graph.rdf import nquads

    store = Store()
    store.bulk_load(path=str(build_dir / TRIG_FILE), format=RdfFormat.TRIG)
    nq = build_dir / "evidence.nq"
    store.dump(str(nq), format=RdfFormat.N_QUADS)
    chunks: dict[str, list[bytes]] = {}
    for line in nq.read_bytes().splitlines(keepends=True):
        graph = line[line.rindex(b" <", 0, len(line) - 3) + 1 : -3].decode()
        chunks.setdefault(graph, []).append(line)
    nt = build_dir / "union.nt"
    nt.write_bytes(nquads.union_ntriples({g: b"".join(v) for g, v in chunks.items()}))
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the fast path (see module doc).")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10,100,1000,5000", help="corpus sizes in cells")
    parser.add_argument("--quick", action="store_true", help="sizes 10,100 and short budgets")
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=1200.0,
        help="cap (seconds) on each rdflib-pipeline build; larger runs are reported as capped",
    )
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
        "--reuse-baseline",
        action="store_true",
        help="keep the other figures of benchmarks/out/results.json and reuse its rdflib builds",
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip rdflib builds not already measured"
    )
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: 1,2,3,4,5,6")
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        answer = TASKS[spec["task"]](**spec["kwargs"])
        answer["peak_mb"] = _peak_mb()
        print(json.dumps(answer))
        return 0

    sizes = [10, 100] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    skip = set(args.skip.split(","))
    if args.quick:
        args.baseline_timeout = min(args.baseline_timeout, 300)
        args.rdflib_query_budget = min(args.rdflib_query_budget, 120)
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"sizes": sizes, "machine": f"{os.cpu_count()} cores", "builds": {}}
    previous: dict[str, Any] = {}
    if args.reuse_baseline and (OUT / "results.json").is_file():
        previous = json.loads((OUT / "results.json").read_text())
        results = {**previous, "sizes": sizes, "builds": dict(previous.get("builds", {}))}
    log = sys.stderr

    def save() -> None:
        (OUT / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True))

    # 1 + 2: builds and the floor
    for n in sizes:
        if "1" in skip:
            break
        data = corpus(n)
        row: dict[str, Any] = {}
        print(f"[bench] {n} cells: fast build", file=log, flush=True)
        row["fast"] = child("build", data=str(data), out=str(OUT / f"build-{n}"), store="oxigraph")
        earlier = previous.get("builds", {}).get(str(n), {}).get("rdflib")
        if earlier is not None:
            row["rdflib"] = earlier
        elif args.no_baseline:
            row["rdflib"] = {"skipped": True}
        else:
            print(f"[bench] {n} cells: rdflib build", file=log, flush=True)
            row["rdflib"] = child(
                "build",
                timeout=args.baseline_timeout,
                data=str(data),
                out=str(OUT / f"build-{n}-rdflib"),
                store="memory",
            )
        shutil.rmtree(OUT / f"build-{n}-rdflib", ignore_errors=True)
        if "2" not in skip and "error" not in row["fast"]:
            exported = child("export", build_dir=str(OUT / f"build-{n}"))
            nq, nt = exported["nquads"], exported["ntriples"]
            print(f"[bench] {n} cells: oxigraph floor", file=log, flush=True)
            row["floor"] = child("floor", nquads=str(nq), ntriples=str(nt))
        results["builds"][str(n)] = row
        save()

    # 6: 200 cells, fast build vs rdflib merely serializing the result
    if "6" not in skip:
        data = corpus(200)
        print("[bench] 200 cells: fast build vs rdflib serialize", file=log, flush=True)
        fast = child("build", data=str(data), out=str(OUT / "build-200"), store="oxigraph")
        ser = child("rdflib_serialize", trig=str(OUT / "build-200" / TRIG_FILE))
        results["serialize200"] = {"fast": fast, "rdflib_serialize": ser}
        save()

    # 5: incremental rebuild after changing one cell of 1,000
    if "5" not in skip:
        n = 100 if args.quick else 1000
        base = corpus(n)
        changed = OUT / f"corpus-{n}-changed"
        shutil.rmtree(changed, ignore_errors=True)
        shutil.copytree(base, changed)
        inc = OUT / f"build-{n}-incremental"
        print(f"[bench] incremental: full build of {n}", file=log, flush=True)
        full = child("build", data=str(changed), out=str(inc), store="oxigraph")
        page = sorted((changed / "cells").glob("*/*.txt"))[n // 2]
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("it follows the layout", "it copies the layout", 1), "utf-8")
        print(f"[bench] incremental: rebuild after changing {page.name}", file=log, flush=True)
        again = child("rebuild", data=str(changed), out=str(inc))
        clean = child(
            "build", data=str(changed), out=str(OUT / f"build-{n}-clean"), store="oxigraph"
        )
        identical = all(
            (inc / f).read_bytes() == (OUT / f"build-{n}-clean" / f).read_bytes()
            for f in (*GRAPH_OUTPUTS, SUMMARY_FILE)
        )
        results["incremental"] = {
            "cells": n,
            "full": full,
            "rebuild": again,
            "clean": clean,
            "identical": identical,
        }
        save()

    # 4: cold start on the seed build
    if "4" not in skip:
        seed = OUT / "seed-build"
        subprocess.run(
            [str(Path(PYTHON).parent / "evidence-graph"), "build", "--out", str(seed)],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        cli = str(Path(PYTHON).parent / "evidence-graph")
        query = [cli, "query", "-g", str(seed), "-n", "cell-contents", "-p", "cell=drug/B4"]
        print("[bench] cold start", file=log, flush=True)
        results["cold"] = {
            "query": wall_of(query),
            "import_rdflib": wall_of([PYTHON, "-c", "import rdflib"]),
            "python": wall_of([PYTHON, "-c", "pass"]),
        }
        save()

    # 3: named queries at the largest size
    if "3" not in skip:
        n = args.query_size or max(sizes)
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


def render(results: dict[str, Any]) -> str:
    """One table of every measurement, with the ratios."""
    lines = [
        "| measurement | fast path | baseline | ratio | notes |",
        "|---|---:|---:|---:|---|",
    ]
    for n, row in results.get("builds", {}).items():
        fast, base, floor = row.get("fast", {}), row.get("rdflib", {}), row.get("floor")
        triples = fast.get("triples") or 0
        tps = f"{triples / fast['seconds']:,.0f} triples/s" if fast.get("seconds") else ""
        lines.append(
            f"| build {n} cells ({triples:,} triples) vs rdflib pipeline | {fmt_s(fast)} "
            f"| {fmt_s(base)} | {ratio(fast, base)} | {tps}; peak {fast.get('peak_mb', 0):.0f} MB"
            f" vs {base.get('peak_mb', 0):.0f} MB |"
        )
        if floor:
            lines.append(
                f"| build {n} cells vs Oxigraph floor (load + write) | {fmt_s(fast)} "
                f"| {fmt_s(floor)} | {ratio(floor, fast)} slower | floor peak "
                f"{floor.get('peak_mb', 0):.0f} MB |"
            )
    ser = results.get("serialize200")
    if ser:
        lines.append(
            f"| 200 cells: whole fast build vs rdflib only serializing TriG+Turtle "
            f"| {fmt_s(ser['fast'])} | {fmt_s(ser['rdflib_serialize'])} "
            f"| {ratio(ser['fast'], ser['rdflib_serialize'])} | "
            f"{ser['rdflib_serialize'].get('triples', 0):,} triples |"
        )
    inc = results.get("incremental")
    if inc:
        lines.append(
            f"| rebuild after changing 1 cell of {inc['cells']:,} vs full build "
            f"| {fmt_s(inc['rebuild'])} | {fmt_s(inc['full'])} "
            f"| {ratio(inc['rebuild'], inc['full'])}"
            f" | {inc['rebuild'].get('reused', '?')} pages from cache; output byte-identical to a "
            f"clean build: {'yes' if inc['identical'] else 'NO'} |"
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
