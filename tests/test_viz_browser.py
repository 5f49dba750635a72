"""The graph page and the matrix view in headless Chromium, with every http(s) request blocked.

Real browser, real pages: the page loads with no console errors, draws every node of the
projection, its legend filters work, search finds a node, a hash focuses a neighbourhood; the
hostile title shows as text and runs nothing; screenshots land in the test's tmp dir.
"""

from __future__ import annotations

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


def test_seed_graph_page_draws_every_node_offline(
    browser: Any, seed_graph: Path, tmp_path: Path
) -> None:
    g = project(load_dataset(seed_graph))
    page_file = write(tmp_path / "evidence.html", graph_page(g))
    opened = open_page(browser, page_file)
    page = opened.page
    try:
        assert opened.problems == [] and opened.requests == []
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
        assert shown == expected
        page.screenshot(path=str(tmp_path / "seed-focus-B4.png"))
        assert opened.problems == [] and opened.requests == []
    finally:
        opened.close()


def test_legend_filters_and_search(browser: Any, tmp_path: Path) -> None:
    g = project(load_dataset(FIXTURE))
    opened = open_page(browser, write(tmp_path / "fixture.html", graph_page(g)))
    page = opened.page
    try:
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
        text = b4.inner_text()
        assert "S " in text and "listings" in text
        assert "page" not in (
            page.locator('table[data-matrix="drug"] td[data-cell="A1"]').get_attribute("class")
            or ""
        )
        page.screenshot(path=str(tmp_path / "matrix.png"), full_page=True)
        assert opened.problems == [] and opened.requests == []
        b4.locator("a").click()
        page.wait_for_function("document.body.dataset.ready === '1' && window.evidenceGraph")
        page.wait_for_function("!document.getElementById('focus-banner').hidden")
        shown = set(page.evaluate("window.evidenceGraph.visibleNodeIds()"))
        assert "cell/drug/B4" in shown and len(shown) < len(g)
        assert opened.problems == [] and opened.requests == []
    finally:
        opened.close()
