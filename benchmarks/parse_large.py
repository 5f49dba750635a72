"""Parse time of very large cell pages: 10,000 and 100,000 entries (the parser must stay linear).

Each page is generated in memory in the site's format: title, labels, legend, then entries of
every marker with a positional reference in every annotation (the forms `graph/parsing/positional`
reads: related pairs, counts, several kinds, link lists, roles), then a short commentary. Every size
is parsed in a fresh child process, so its peak memory (``ru_maxrss``) is its own; the process's
CPU time is reported beside the wall-clock time, since a shared machine stretches the latter.

    python benchmarks/parse_large.py                 # 10,000 and 100,000 entries
    python benchmarks/parse_large.py --sizes 1000,10000

Results are printed and written to benchmarks/out/parse_large.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

_POINTERS = (
    "Related study below.",
    "Related study above.",
    "Similar trials from two other regions below.",
    "The related review and guidance below take this further.",
    "Identified by reviews (1; below).",
    "See the document listed above.",
    "More on this below and in cell C2 of the Alcohol Treatment Matrix.",
    "Also listed below as guidance.",
    "Retention was above average.",
    "Its method is the one (related review below) recommends.",
)


def page(entries: int) -> str:
    """A cell page with `entries` entries, each annotation carrying a positional reference."""
    lines = [
        "Drug Treatment Matrix cell B4: Practitioners; Psychosocial therapies",
        "",
        "Practitioners; Psychosocial therapies",
        "",
        "A generated summary paragraph, long enough to be read as the page's summary.",
        "",
        "S Seminal studiesK Key studiesR ReviewsG Guidancemore Search for more studies",
        "",
    ]
    for n in range(entries):
        marker = "SKKRG"[n % 5]
        pointer = _POINTERS[n % len(_POINTERS)]
        lines += [
            f"{marker} Generated listing number {n} ({1950 + n % 70}). A generated annotation "
            f"for listing {n}, about therapists and their clients. {pointer}",
            "",
        ]
    lines += [
        "Search for all relevant Effectiveness Bank analyses.",
        "",
        "",
        "What is this cell about? A generated commentary.",
        "",
    ]
    return "\n".join(lines)


def _child(entries: int) -> dict[str, float | int]:
    from evidence_graph.graph.parsing import parse_text

    text = page(entries)
    start, cpu = time.perf_counter(), time.process_time()
    cell = parse_text(text, "cells/drug/B4.txt")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    refs = cell.positional_refs
    return {
        "entries": len(cell.entries),
        "megabytes": round(len(text.encode()) / 1e6, 1),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "refs_resolved": refs.resolved,
        "refs_ambiguous": refs.ambiguous,
        "refs_unresolved": refs.unresolved,
        "refs_not_understood": refs.not_understood,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child)))
        return 0
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(done.stdout)
        rows.append(row)
        print(
            f"{row['entries']:>7} entries ({row['megabytes']} MB): {row['seconds']:>6.2f} s "
            f"({row['cpu_seconds']:.2f} s CPU), "
            f"peak {row['peak_rss_mb']} MB; refs resolved {row['refs_resolved']}, ambiguous "
            f"{row['refs_ambiguous']}, no target {row['refs_unresolved']}, not understood "
            f"{row['refs_not_understood']}",
            flush=True,
        )
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        ratio = (b["cpu_seconds"] / max(a["cpu_seconds"], 1e-9)) / (b["entries"] / a["entries"])
        print(f"CPU time per entry, largest vs smallest: {ratio:.2f}× (1.0 = linear)")
    OUT.mkdir(exist_ok=True)
    (OUT / "parse_large.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
