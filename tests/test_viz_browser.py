"""The graph page and the matrix view in headless Chromium, with every http(s) request blocked.

Real browser, real pages: the page loads with no console errors, draws every node of the
projection, its legend filters work, search finds a node, a hash focuses a neighbourhood; the
hostile title shows as text and runs nothing; screenshots land in the test's tmp dir.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_DATA

from evidence_graph.graph.explore.pages import graph_page, matrix_page
from evidence_graph.graph.explore.projection import matrix_cells, project
from evidence_graph.graph.reading.load import load_dataset

FIXTURE = TEST_DATA / "explore-fixture.trig"
HOSTILE_KEY = "doc/2010-hostile"
HOSTILE_TITLE = "Hostile <img src=x onerror=\"window.__pwned='title'\"> title & friends"


@pytest.fixture(scope="module")
def browser(chromium_browser: Any) -> Any:
    return chromium_browser


class Opened:
    """A page opened offline, with what it logged and what it tried to fetch."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.route("http://**/*", self._block)
        self.page.route("https://**/*", self._block)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)

    def _block(self, route: Any) -> None:
        self.requests.append(route.request.url)
        route.abort()

    def close(self) -> None:
        self.context.close()


def open_page(browser: Any, path: Path) -> Opened:
    return Opened(browser, path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _apart_boxes(page: Any) -> list[dict[str, float]]:
    """The bounding boxes of the shown nodes (with their labels) of a vis page, asserting that no
    two overlap."""
    boxes: list[dict[str, float]] = page.evaluate(
        """() => { const n = window.evidenceGraph.network;
             return window.evidenceGraph.visibleNodeIds().map(id => n.getBoundingBox(id)); }"""
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (a["right"] <= b["left"] or b["right"] <= a["left"]
                     or a["bottom"] <= b["top"] or b["bottom"] <= a["top"])  # fmt: skip
            assert apart, (a, b)
    return boxes


def test_seed_graph_page_draws_every_node_offline(
    browser: Any, seed_graph: Path, tmp_path: Path
) -> None:
    g = project(load_dataset(seed_graph))
    page_file = write(tmp_path / "evidence.html", graph_page(g))
    opened = open_page(browser, page_file)
    page = opened.page
    try:
        assert opened.problems == [] and opened.requests == []
        # The overview: claims, the documents bearing on them, the cells listing those; no topics.
        evidence = {"supports", "challenges", "inconclusive"}
        claims = {n for n, d in g.nodes(data=True) if d["class"] == "Claim"}
        docs = {s for s, t, d in g.edges(data=True) if d["relation"] in evidence}
        cells = {
            t for s, t, d in g.edges(data=True)
            if d["relation"] == "listedIn" and s in docs and g.nodes[t]["class"] == "Cell"
        }  # fmt: skip
        shown = set(page.evaluate("window.evidenceGraph.visibleNodeIds()"))
        assert shown == claims | docs | cells
        assert page.locator("#summary").inner_text().startswith(f"{len(shown)} of {len(g)} nodes")
        legend = page.locator('#legend-classes input[data-cls="Concept"] ~ .count').inner_text()
        concepts = sum(1 for _, d in g.nodes(data=True) if d["class"] == "Concept")
        assert legend == f"0 / {concepts}"  # legend counts follow what is shown
        claim_count = page.locator('#legend-classes input[data-cls="Claim"] ~ .count').inner_text()
        assert claim_count == str(len(claims))
        # Nothing sits on another node or its label, and labels are drawn at a legible size.
        _apart_boxes(page)
        scale = page.evaluate("window.evidenceGraph.network.getScale()")
        assert 15 * scale >= 9, scale  # 15 px labels drawn at 9 px or more
        page.screenshot(path=str(tmp_path / "seed-overview.png"))
        # Everything: every node of the projection, laid out again.
        page.locator('input[name="view"][value="all"]').check()
        assert page.evaluate("window.evidenceGraph.visibleNodeIds().length") == len(g)
        assert page.evaluate("window.evidenceGraph.visibleEdgeIds().length") == g.number_of_edges()
        drawn = page.evaluate("Object.keys(window.evidenceGraph.network.getPositions()).length")
        assert drawn == len(g)
        assert sorted(page.evaluate("window.evidenceGraph.nodes.getIds()")) == sorted(g.nodes)
        # The canvas is really painted (not blank): some pixels differ from the background.
        painted = page.evaluate(
            """() => { const c = document.querySelector('#network canvas');
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] < 200) n++; }
                 return n; }"""
        )
        assert painted > 1000
        legend = page.locator("#legend-classes li").all_inner_texts()
        assert any(t.startswith("Cell") for t in legend) and any("Study" in t for t in legend)
        assert page.locator("#legend-relations input").count() >= 5
        shot = tmp_path / "seed-graph.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
        # Focus through the hash the matrix view links to.
        page.evaluate("location.hash = '#focus=' + encodeURIComponent('cell/drug/B4') + '&depth=1'")
        page.wait_for_function("!document.getElementById('focus-banner').hidden")
        shown = set(page.evaluate("window.evidenceGraph.visibleNodeIds()"))
        expected = {"cell/drug/B4", *g.successors("cell/drug/B4"), *g.predecessors("cell/drug/B4")}
        assert shown == {n for n in expected if g.nodes[n]["class"] != "Concept"}
        page.screenshot(path=str(tmp_path / "seed-focus-B4.png"))
        # #focus= takes what --focus takes: a title fragment, a claim id, an IRI.
        for text, key in (
            ("too accommodating", "doc/2009-can-therapists-be-too-accommodating"),
            ("helping-alliance-inverted-u", "claim/helping-alliance-inverted-u"),
            ("https://w3id.org/evidence-graph/id/cell/drug/B3", "cell/drug/B3"),
        ):
            page.evaluate(f"location.hash = '#focus=' + encodeURIComponent({text!r}) + '&depth=1'")
            page.wait_for_function(
                f"window.evidenceGraph.network.getSelectedNodes()[0] === {key!r}"
            )
        page.evaluate("location.hash = '#focus=therap&depth=1'")
        page.wait_for_function(
            "document.getElementById('focus-text').textContent.includes('match')"
        )
        assert "nodes match “therap”" in page.locator("#focus-text").inner_text()
        # A picked claim's details are in view, beside it, with each evidence edge and its quotes.
        page.evaluate("window.evidenceGraph.select('claim/stronger-relationships-better-outcomes')")
        panel = page.locator("#details")
        box = panel.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + 40 < 900 and box["x"] > 330
        at = page.evaluate(
            """() => { const n = window.evidenceGraph.network;
                 const id = 'claim/stronger-relationships-better-outcomes';
                 return n.canvasToDOM(n.getPositions([id])[id]); }"""
        )
        assert 0 < at["x"] < box["x"] - 330  # the node is not under the panel
        text = panel.inner_text()
        assert "supported by ←" in text and "challenged by ←" in text
        assert (
            "“it was only towards the very top of this range that outcomes started to worsen”"
            in text
        )
        page.screenshot(path=str(tmp_path / "seed-details.png"))
        assert opened.problems == [] and opened.requests == []
    finally:
        opened.close()


def test_legend_filters_and_search(browser: Any, tmp_path: Path) -> None:
    g = project(load_dataset(FIXTURE))
    opened = open_page(browser, write(tmp_path / "fixture.html", graph_page(g)))
    page = opened.page
    try:
        page.locator('input[name="view"][value="all"]').check()
        studies = {n for n, d in g.nodes(data=True) if d["class"] == "Study"}
        assert studies
        page.locator('#legend-classes input[data-cls="Study"]').uncheck()
        shown = set(page.evaluate("window.evidenceGraph.visibleNodeIds()"))
        assert shown == set(g.nodes) - studies
        edges = page.evaluate("window.evidenceGraph.visibleEdgeIds().length")
        assert edges == sum(1 for s, t in g.edges() if s not in studies and t not in studies)
        page.locator('#legend-classes input[data-cls="Study"]').check()
        assert len(page.evaluate("window.evidenceGraph.visibleNodeIds()")) == len(g)
        listed = sum(1 for *_, d in g.edges(data=True) if d["relation"] == "listedIn")
        page.locator('#legend-relations input[data-rel="listedIn"]').uncheck()
        after = page.evaluate("window.evidenceGraph.visibleEdgeIds().length")
        assert after == g.number_of_edges() - listed
        page.locator('#legend-relations input[data-rel="listedIn"]').check()
        page.fill("#search", "accommodating")
        result = page.locator("#results button")
        assert result.count() == 1 and "Can therapists be too accommodating?" in result.inner_text()
        result.click()
        assert page.evaluate("window.evidenceGraph.network.getSelectedNodes()") == [
            "doc/2009-too-accommodating"
        ]
        details = page.locator("#details").inner_text()
        assert "Can therapists be too accommodating?" in details and "2009" in details
        page.screenshot(path=str(tmp_path / "fixture-selected.png"))
        assert opened.problems == [] and opened.requests == []
    finally:
        opened.close()


def test_hostile_title_is_text_and_runs_nothing(browser: Any, tmp_path: Path) -> None:
    g = project(load_dataset(FIXTURE))
    assert g.nodes[HOSTILE_KEY]["title"] == HOSTILE_TITLE
    opened = open_page(browser, write(tmp_path / "hostile.html", graph_page(g)))
    page = opened.page
    try:
        page.fill("#search", "hostile")
        page.locator("#results button").first.click()
        details = page.locator("#details")
        assert HOSTILE_TITLE in details.inner_text()
        assert "<script>window.__pwned = 'annotation'</script>" in details.inner_text()
        # Hover the node so vis-network builds its tooltip from our element.
        pos = page.evaluate(
            f"window.evidenceGraph.network.canvasToDOM("
            f"window.evidenceGraph.network.getPositions(['{HOSTILE_KEY}'])['{HOSTILE_KEY}'])"
        )
        box = page.locator("#network").bounding_box()
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
        assert HOSTILE_TITLE in page.locator("div.vis-tooltip").inner_text()
        page.wait_for_timeout(300)  # give any injected handler the chance to fire
        assert page.evaluate("window.__pwned") is None
        assert page.locator("img").count() == 0 and page.locator("b").count() == 0
        assert page.locator("script").count() == 3  # data block, vis-network, the page script
        page.screenshot(path=str(tmp_path / "hostile-tooltip.png"))
        assert opened.problems == [] and opened.requests == []
    finally:
        opened.close()


def test_matrix_view_offline_and_links_to_focus(
    browser: Any, seed_graph: Path, tmp_path: Path
) -> None:
    ds = load_dataset(seed_graph)
    g = project(ds)
    write(tmp_path / "evidence.html", graph_page(g))
    opened = open_page(browser, write(tmp_path / "matrix.html", matrix_page(g, matrix_cells(ds))))
    page = opened.page
    try:
        assert page.locator("table.matrix").count() == 2
        assert page.locator('table[data-matrix="drug"] td').count() == 25
        b4 = page.locator('table[data-matrix="drug"] td[data-cell="B4"]')
        assert "page" in (b4.get_attribute("class") or "")
        listed = {
            s
            for s, t, d in g.edges(data=True)
            if t == "cell/drug/B4" and d["relation"] == "listedIn"
        }
        assert b4.get_attribute("data-documents") == str(len(listed))
        assert f"{len(listed)} documents" in b4.inner_text() and "evidence on" in b4.inner_text()
        slices = b4.locator("svg.bubble path, svg.bubble circle")
        kinds = {
            c.split("-")[1] for c in slices.evaluate_all("e => e.map(x => x.getAttribute('class'))")
        }
        assert {"supports", "challenges", "none"} <= kinds
        a1 = page.locator('table[data-matrix="drug"] td[data-cell="A1"]')
        assert "gap" in (a1.get_attribute("class") or "") and "gap" in a1.inner_text()
        # Hover lists the cell's documents and what each says.
        b4.hover()
        tip = page.locator("#tip")
        assert tip.is_visible() and "Can therapists be too accommodating?" in tip.inner_text()
        assert "challenges: " in tip.inner_text()
        page.screenshot(path=str(tmp_path / "matrix-hover.png"))
        # Filters: without seminal listings B4 counts fewer documents; without curated claims
        # every document is "no claim yet".
        seminal = {
            s for s, t, d in g.edges(data=True)
            if t == "cell/drug/B4" and d["relation"] == "listedIn" and d.get("role") == "seminal"
        }  # fmt: skip
        page.locator('#filters input[value="seminal"]').uncheck()
        assert b4.get_attribute("data-documents") == str(len(listed - seminal))
        page.locator('#filters input[value="seminal"]').check()
        page.locator('#filters input[value="curated"]').uncheck()
        kinds = b4.locator("svg.bubble circle, svg.bubble path").evaluate_all(
            "e => e.map(x => x.getAttribute('class'))"
        )
        assert kinds == ["slice-none"]
        page.locator('#filters input[value="curated"]').check()
        page.screenshot(path=str(tmp_path / "matrix.png"), full_page=True)
        assert opened.problems == [] and opened.requests == []
        b4.locator("a").click()
        page.wait_for_function("document.body.dataset.ready === '1' && window.evidenceGraph")
        page.wait_for_function("!document.getElementById('focus-banner').hidden")
        shown = set(page.evaluate("window.evidenceGraph.visibleNodeIds()"))
        assert "cell/drug/B4" in shown and len(shown) < len(g)
        # Depth 2: the cell's documents and the claims their evidence bears on.
        claims = {
            t for d in g.predecessors("cell/drug/B4") for t in g.successors(d)
            if g.nodes[t]["class"] == "Claim"
        }  # fmt: skip
        assert claims and claims <= shown
        assert opened.problems == [] and opened.requests == []
    finally:
        opened.close()


def real_problems(opened: Opened) -> list[str]:
    """Console problems, less the software-GL driver's performance notes (not the page's doing)."""
    return [p for p in opened.problems if "GL Driver Message" not in p]


@pytest.mark.slow
def test_twenty_thousand_nodes_draw_with_webgl_and_answer_search_and_focus(
    browser: Any, tmp_path: Path
) -> None:
    """A synthetic 20k-node projection: sigma.js page, drawn offline, searchable, focusable."""
    import sys

    from conftest import ROOT
    from PIL import Image

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from viz_draw import synthetic_projection

    g = synthetic_projection(20_000)
    html = graph_page(g)
    assert "graphology" in html and "vis.Network" not in html
    opened = open_page(browser, write(tmp_path / "big.html", html))
    page = opened.page
    try:
        assert real_problems(opened) == [] and opened.requests == []
        assert page.evaluate("window.evidenceGraph.visibleNodeIds().length") == 20_000
        assert page.evaluate("window.evidenceGraph.graph.size") == g.number_of_edges()
        print(f"20k nodes: first draw {page.evaluate('window.__firstDraw') / 1000:.2f} s")
        shot = tmp_path / "big.png"
        page.screenshot(path=str(shot))
        picture = Image.open(shot).convert("L").crop((340, 0, 1400, 900))
        dark = sum(picture.histogram()[:200])
        assert dark > 20_000  # nodes and edges really drawn, not a blank canvas
        # Search answers, and picking a hit selects it and shows its details.
        page.fill("#search", "claim 1234")
        page.wait_for_selector("#results button")
        first = page.locator("#results button").first
        assert "Claim 1234" in first.inner_text() or "claim" in first.get_attribute("data-node")
        first.click()
        assert page.locator("#details").is_visible()
        # Focus: the hash narrows the drawing to a neighbourhood.
        key = page.evaluate("window.evidenceGraph.data.nodes[0][0]")
        page.evaluate(f"location.hash = '#focus=' + encodeURIComponent({key!r}) + '&depth=1'")
        page.wait_for_function("!document.getElementById('focus-banner').hidden")
        shown = page.evaluate("window.evidenceGraph.visibleNodeIds()")
        assert key in shown and len(shown) == 1 + len(
            set(g.successors(key)) | set(g.predecessors(key))
        )
        page.screenshot(path=str(tmp_path / "big-focus.png"))
        assert real_problems(opened) == [] and opened.requests == []
    finally:
        opened.close()


def test_large_page_relays_out_on_filter_and_counts_what_is_shown(
    browser: Any, tmp_path: Path
) -> None:
    """The WebGL page (5k nodes): a class filter or focus moves what is shown; counts follow."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from viz_draw import synthetic_projection

    g = synthetic_projection(5_000)
    opened = open_page(browser, write(tmp_path / "large.html", graph_page(g)))
    page = opened.page
    positions = """() => { const g = window.evidenceGraph.graph, out = {};
        g.forEachNode((k, a) => { out[k] = [a.x, a.y]; }); return out; }"""
    counts = "() => [...document.querySelectorAll('.legend .count')].map(e => e.textContent)"
    try:
        before = page.evaluate(positions)
        legend = page.evaluate(counts)
        assert all("/" not in c for c in legend)
        page.locator('input[data-cls="Study"]').uncheck()
        after = page.evaluate(positions)
        shown = set(page.evaluate("window.evidenceGraph.visibleNodeIds()"))
        studies = {k for k, d in g.nodes(data=True) if d["class"] == "Study"}
        assert shown == set(g) - studies
        moved = [k for k in shown if after[k] != before[k]]
        assert len(moved) > 0.9 * len(shown)  # what is shown is laid out anew
        # No two shown nodes on one spot, and the picture spans the same kind of disc.
        assert len({tuple(after[k]) for k in shown}) == len(shown)
        # Legend and summary count what is shown: classes and relations.
        study_count = page.locator('input[data-cls="Study"]').locator("xpath=..").inner_text()
        assert f"0 / {len(studies)}" in study_count
        listed = sum(1 for s, _t, d in g.edges(data=True) if d["relation"] == "listedIn")
        listed_shown = sum(
            1
            for s, t, d in g.edges(data=True)
            if d["relation"] == "listedIn" and s in shown and t in shown
        )
        relation = page.locator('input[data-rel="listedIn"]').locator("xpath=..").text_content()
        assert f"{listed_shown} / {listed}" in relation
        summary = page.locator("#summary").inner_text()
        assert summary.startswith(f"{len(shown)} of {len(g)} nodes")
        page.screenshot(path=str(tmp_path / "large-filtered.png"))
        # All classes back: the computed positions come back too.
        page.locator('input[data-cls="Study"]').check()
        assert page.evaluate(positions) == before
        assert page.evaluate(counts) == legend
        # A focus lays out its neighbourhood on its own, and the camera frames it.
        key = next(k for k in g if k.startswith("cell/"))
        page.evaluate(f"location.hash = '#focus=' + encodeURIComponent({key!r}) + '&depth=1'")
        page.wait_for_function("!document.getElementById('focus-banner').hidden")
        focus = set(page.evaluate("window.evidenceGraph.visibleNodeIds()"))
        focused = page.evaluate(positions)
        assert key in focus and all(focused[k] != before[k] for k in focus if k != key)
        # Each edge from the centre is a spoke: no other shown node lies on it.
        cx, cy = focused[key]
        for n in set(g.predecessors(key)) | set(g.successors(key)):
            nx_, ny_ = focused[n]
            length = math.hypot(nx_ - cx, ny_ - cy)
            assert length > 0, n
            for m in focus - {key, n}:
                mx, my = focused[m]
                along = ((mx - cx) * (nx_ - cx) + (my - cy) * (ny_ - cy)) / length**2
                off = abs((mx - cx) * (ny_ - cy) - (my - cy) * (nx_ - cx)) / length
                assert not (0 < along < 1 and off < 5), (n, m)
        ratio = page.evaluate("window.evidenceGraph.renderer.getCamera().ratio")
        assert ratio < 0.5
        assert real_problems(opened) == [] and opened.requests == []
    finally:
        opened.close()


def test_overview_with_drafted_claims_keeps_labels_legible(browser: Any, tmp_path: Path) -> None:
    """Many claims (a --drafts build): the page opens at a legible zoom, the rest a pan away."""
    from conftest import ROOT

    from evidence_graph.graph.pipeline.build import build

    out = tmp_path / "drafts"
    build(ROOT / "data", out, store="oxigraph", drafts=True)
    g = project(load_dataset(out / "evidence.trig"))
    drafts = [n for n, d in g.nodes(data=True) if d.get("status") == "draft"]
    assert len(drafts) > 10
    opened = open_page(browser, write(tmp_path / "drafts.html", graph_page(g)))
    page = opened.page
    try:
        scale = page.evaluate("window.evidenceGraph.network.getScale()")
        assert 15 * scale >= 10.5, scale  # 15 px labels drawn at 10.5 px or more
        # Nothing on top of anything else, and the columns fit the window's height.
        boxes = _apart_boxes(page)
        top = min(b["top"] for b in boxes)
        bottom = max(b["bottom"] for b in boxes)
        assert (bottom - top) * scale <= 900
        # The cells (where reading starts) are in view; the note offers the whole picture.
        cell = page.evaluate(
            "window.evidenceGraph.network.canvasToDOM(window.evidenceGraph.network.getPositions(['cell/drug/B4'])['cell/drug/B4'])"
        )
        assert 0 <= cell["x"] <= 1060 and 0 <= cell["y"] <= 900
        note = page.locator("#fit-all")
        assert note.is_visible() and note.inner_text().startswith("More to the right")
        page.screenshot(path=str(tmp_path / "drafts-overview.png"))
        note.click()
        assert page.evaluate("window.evidenceGraph.network.getScale()") < scale
        assert not note.is_visible()
        assert real_problems(opened) == [] and opened.requests == []
    finally:
        opened.close()
