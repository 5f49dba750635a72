"""First-draw time of the graph page in headless Chromium, by size and renderer.

For each size a synthetic projection (cells, documents, claims, topics, publishers, linked the way
the real projection is) is written as a page, opened in headless Chromium with every outside
request blocked, and timed from navigation start to the first frame drawn (`data-ready`). Above
`LARGE_GRAPH` nodes the page draws with sigma.js (WebGL); at and below it with vis-network. The
baseline is vis-network at the same size, measured in the same run where it still finishes in
reasonable time (set with --vis-up-to); the ratio column is sigma / vis-network.

    python benchmarks/viz_draw.py                       # 1k, 5k, 20k nodes
    python benchmarks/viz_draw.py --sizes 1000,20000 --repeat 3

Search and focus on the 20k page are timed too (a search, then a focus on its first hit).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def synthetic_projection(n: int, seed: int = 1) -> nx.MultiDiGraph:
    """A projection-shaped graph of `n` nodes: documents listed in cells and bearing on claims."""
    rng = random.Random(seed)
    shares = [
        ("Cell", 0.03),
        ("Study", 0.35),
        ("Review", 0.12),
        ("Guidance", 0.08),
        ("Claim", 0.22),
        ("Concept", 0.10),
        ("Organisation", 0.10),
    ]
    g = nx.MultiDiGraph()
    by_class: dict[str, list[str]] = {}
    for i in range(n):
        r, acc, cls = rng.random(), 0.0, shares[-1][0]
        for name, share in shares:
            acc += share
            if r <= acc:
                cls = name
                break
        key = f"{cls.lower()}/{i:06d}"
        g.add_node(
            key,
            **{
                "class": cls,
                "label": f"{cls} {i}",
                "title": f"{cls} {i} on topic {i % 97}",
                "iri": f"https://w3id.org/evidence-graph/id/{key}",
            },
        )
        by_class.setdefault(cls, []).append(key)
    for cls, _ in shares:
        by_class.setdefault(cls, [f"{cls.lower()}/none"])
        for key in by_class[cls]:
            if key not in g:
                g.add_node(key, **{"class": cls, "label": key, "title": key, "iri": key})
    docs = by_class["Study"] + by_class["Review"] + by_class["Guidance"]
    claims = by_class["Claim"]
    for d in docs:
        cell = rng.choice(by_class["Cell"])
        g.add_edge(d, cell, relation="listedIn", role=rng.choice(["seminal", "key", "review"]))
        near = (int(cell.split("/")[1]) * 7 + rng.randrange(8)) % len(claims)
        direction = rng.choice(["supports", "supports", "challenges", "inconclusive"])
        g.add_edge(d, claims[near], relation=direction, quote="…", quotes=1)
    for c in claims:
        g.add_edge(c, rng.choice(by_class["Concept"]), relation="subject")
    for o in by_class["Organisation"]:
        for _ in range(2):
            g.add_edge(rng.choice(docs), o, relation="publisher")
    return g


def first_draw(browser: Any, page_file: Path, timeout_ms: int = 120_000) -> dict[str, float]:
    """Seconds from navigation start to the first drawn frame, in a fresh offline page."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.route("http://**/*", lambda route: route.abort())
    page.route("https://**/*", lambda route: route.abort())
    try:
        page.goto(page_file.as_uri(), timeout=timeout_ms)
        page.wait_for_function("document.body.dataset.ready === '1'", timeout=timeout_ms)
        drawn = page.evaluate("window.__firstDraw || performance.now()")
        result = {"first_draw": drawn / 1000.0}
        if page.evaluate("!!(window.evidenceGraph && window.evidenceGraph.matches)"):
            start = time.perf_counter()
            hit = page.evaluate("window.evidenceGraph.matches('on topic 42')[0]")
            page.fill("#search", "on topic 42")
            page.wait_for_selector("#results button")
            result["search"] = time.perf_counter() - start
            start = time.perf_counter()
            page.evaluate(f"location.hash = '#focus=' + encodeURIComponent({hit!r}) + '&depth=1'")
            page.wait_for_function("!document.getElementById('focus-banner').hidden")
            page.evaluate("new Promise(r => requestAnimationFrame(() => r(1)))")
            result["focus"] = time.perf_counter() - start
        if problems:
            raise RuntimeError(f"console errors: {problems[:3]}")
        return result
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--vis-up-to", type=int, default=5000, help="largest vis-network baseline")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from evidence_graph.graph.explore import pages

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for n in sizes:
            g = synthetic_projection(n)
            start = time.perf_counter()
            sigma_html = pages.large_graph_page(g)
            sigma_build = time.perf_counter() - start
            sigma_file = Path(tmp) / f"sigma-{n}.html"
            sigma_file.write_text(sigma_html, encoding="utf-8")
            sigma = [first_draw(browser, sigma_file) for _ in range(args.repeat)]
            vis: list[dict[str, float]] = []
            if n <= args.vis_up_to:
                vis_file = Path(tmp) / f"vis-{n}.html"
                saved = pages.LARGE_GRAPH
                pages.LARGE_GRAPH = max(n, saved)
                try:
                    vis_file.write_text(pages.graph_page(g), encoding="utf-8")
                finally:
                    pages.LARGE_GRAPH = saved
                vis = [first_draw(browser, vis_file) for _ in range(args.repeat)]
            rows.append((n, g.number_of_edges(), sigma_build, sigma, vis))
            print(f"measured {n} nodes", file=sys.stderr)
        browser.close()

    def med(runs: list[dict[str, float]], key: str) -> float | None:
        values = [r[key] for r in runs if key in r]
        return statistics.median(values) if values else None

    print("| nodes | edges | page written (s) | sigma first draw (s) | search (s) | focus (s) "
          "| vis-network first draw (s) | sigma / vis |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for n, m, build, sigma, vis in rows:
        s, v = med(sigma, "first_draw"), med(vis, "first_draw")
        search, focus = med(sigma, "search"), med(sigma, "focus")

        def fmt(x: float | None) -> str:
            return f"{x:.2f}" if x is not None else "—"

        ratio = f"{s / v:.2f}" if s is not None and v else "—"
        cells = [str(n), str(m), f"{build:.1f}", fmt(s), fmt(search), fmt(focus), fmt(v), ratio]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
