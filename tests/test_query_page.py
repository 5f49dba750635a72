"""The query page of `serve` (YASGUI, vendored) in headless Chromium, every outside request blocked.

A named query runs from its ready tab, the table shows with paging and sorting, a download works,
completion offers this graph's prefixes and terms only, a permalink restores a query, result IRIs
open this server's resource pages, and nothing is logged to the console as an error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from servers import evidence_graph_server

from evidence_graph.graph.service import serve, sparql
from evidence_graph.ontology.prefixes import PREFIXES

__all__ = ["evidence_graph_server"]  # fixture, imported for pytest

ID = "https://w3id.org/evidence-graph/id/"


@pytest.fixture(scope="module")
def served_graph(seed_graph: Path) -> Path:
    return seed_graph


class Opened:
    """The query page in a fresh context: what it logged and what it tried to fetch elsewhere."""

    def __init__(self, browser: Any, base: str, path: str = "/") -> None:
        self.base = base
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 900}
        )
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(base + path)
        self.page.wait_for_function("document.body.dataset.ready === '1'", timeout=30_000)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def run_active(self) -> None:
        self.page.locator(".tabPanel.active .yasqe_queryButton").click()
        self.page.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr td")


@pytest.fixture
def opened(evidence_graph_server: str, chromium_browser: Any) -> Iterator[Opened]:
    page = Opened(chromium_browser, evidence_graph_server)
    try:
        yield page
    finally:
        page.context.close()
    assert page.blocked == [], page.blocked
    assert page.errors == [], page.errors


def test_named_query_runs_with_table_paging_sorting_and_download(
    opened: Opened, tmp_path: Path
) -> None:
    page = opened.page
    buttons = page.locator("#examples button")
    assert buttons.count() == len(sparql.named_queries())
    assert (
        "cell = drug/B4" in page.locator('#examples button[data-name="cell-contents"]').inner_text()
    )
    page.locator('#examples button[data-name="cell-contents"]').click()
    assert page.locator(".tabPanel.active .tabName, .tab.active").first.inner_text().strip() != ""
    opened.run_active()
    rows = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    assert rows.count() == 14
    assert "Can therapists be too accommodating?" in rows.nth(3).inner_text()
    assert "seminal" in rows.nth(0).inner_text()
    page.screenshot(path=str(tmp_path / "query-page.png"))
    # Each header's title and each cell's text lie inside their own column, apart from the next.
    overlaps = page.evaluate(
        """() => {
        const table = document.querySelector('.tabPanel.active .yasr table.dataTable');
        const inside = (el, box) => { const r = el.getBoundingClientRect();
            return r.left >= box.left - 0.5 && r.right <= box.right + 0.5; };
        const bad = [];
        table.querySelectorAll('thead th').forEach(th => {
            const title = th.querySelector('.dt-column-title');
            const box = th.getBoundingClientRect();
            if (title && !inside(title, box)) bad.push('header ' + title.textContent);
        });
        // What shows of a cell's text: its span, cut (ellipsis) at the cell's box.
        const shown = td => { const t = td.querySelector('span').getBoundingClientRect(),
            b = td.firstElementChild.getBoundingClientRect();
            return { left: Math.max(t.left, b.left), right: Math.min(t.right, b.right) }; };
        table.querySelectorAll('tbody tr:first-child td').forEach((td, i, tds) => {
            if (!td.querySelector('span') || !tds[i + 1]) return;
            if (shown(tds[i + 1]).left - shown(td).right < 4)
                bad.push('cell ' + td.textContent + ' touches the next');
        });
        return bad; }"""
    )
    assert overlaps == [], overlaps
    # Sorting: by year, the oldest document first.
    page.locator(".tabPanel.active .yasr table.dataTable thead th", has_text="year").click()
    assert "1957" in rows.nth(0).inner_text()
    # Paging: ten rows a page, then the rest.
    page.locator(".tabPanel.active .yasr select.tableSizer").select_option("10")
    assert rows.count() == 10
    # Download: the table as CSV.
    with page.expect_download() as info:
        page.locator(".tabPanel.active .yasr_downloadIcon").click()
    download = info.value
    target = tmp_path / (download.suggested_filename or "result.csv")
    download.save_as(target)
    table = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(table) == 15 and "Can therapists be too accommodating?" in {
        c for r in table for c in r
    }
    # Result IRIs open this server's resource pages.
    links = page.locator(".tabPanel.active .yasr table.dataTable tbody a.iri", has_text="id:doc/")
    link = links.first
    assert link.get_attribute("href").startswith(opened.base + "/id/doc/")


def test_completion_offers_our_prefixes_and_terms_only(opened: Opened) -> None:
    page = opened.page

    def hints(text: str) -> list[str]:
        page.evaluate(
            """text => { const y = window.evidenceQuery.yasgui.getTab().getYasqe();
                 y.setValue(text); y.focus();
                 y.getDoc().setCursor(y.getDoc().lastLine(), text.split('\\n').pop().length);
                 y.autocomplete(); }""",
            text,
        )
        page.wait_for_selector(".CodeMirror-hints li", timeout=5_000)
        found: list[str] = page.locator(".CodeMirror-hints li").all_inner_texts()
        page.keyboard.press("Escape")
        return found

    prefixes = hints("PREFIX ")
    assert "evg: <https://w3id.org/evidence-graph/ontology#>" in prefixes
    assert len(prefixes) == len(PREFIXES)  # ours only: no dbo:, foaf:, schema: …
    properties = hints(
        "PREFIX evg: <https://w3id.org/evidence-graph/ontology#>\nSELECT * WHERE { ?s evg:in"
    )
    assert "evg:inCell" in properties and all(p.startswith("evg:in") for p in properties)
    classes = hints(
        "PREFIX evg: <https://w3id.org/evidence-graph/ontology#>\nSELECT * WHERE { ?s a evg:Cl"
    )
    assert classes == ["evg:Claim"]


def test_permalink_restores_the_query(evidence_graph_server: str, chromium_browser: Any) -> None:
    cell = "<https://w3id.org/evidence-graph/ontology#MatrixCell>"
    query = f"SELECT ?cell WHERE {{ ?cell a {cell} }} LIMIT 3"
    endpoint = evidence_graph_server + "/sparql"
    path = f"/#query={quote(query)}&endpoint={quote(endpoint, safe='')}"
    opened = Opened(chromium_browser, evidence_graph_server, path)
    try:
        value = opened.page.evaluate("window.evidenceQuery.yasgui.getTab().getYasqe().getValue()")
        assert value == query
        opened.run_active()
        assert opened.page.locator(".tabPanel.active .yasr table.dataTable tbody tr").count() == 3
        link = opened.page.evaluate("window.evidenceQuery.yasgui.getTab().getShareableLink()")
        assert link.startswith(evidence_graph_server + "/") and quote("MatrixCell") in link
    finally:
        opened.context.close()
    assert opened.blocked == [] and opened.errors == []


def test_page_lists_this_graphs_terms(seed_graph: Path) -> None:
    store = sparql.open_store(seed_graph, memory=True)

    class InProcess:
        """A runner over one store (the server uses its worker pool)."""

        def run(
            self, query: str, *, result_format: str = "json", graph_media_type: str = "text/turtle"
        ) -> sparql.Output:
            return sparql.run(store, query, result_format=result_format)

    terms = serve.vocabulary(InProcess())
    assert "https://w3id.org/evidence-graph/ontology#inCell" in terms["property"]
    assert "https://w3id.org/evidence-graph/ontology#Claim" in terms["class"]
    page = serve.query_page(sparql.named_queries(), terms).decode("utf-8")
    assert "prefix.cc" not in page and "lov.linkeddata" not in page
    assert 'src="static/yasgui.min.js"' in page and 'href="static/yasgui.min.css"' in page
    config = page.split('id="query-config">')[1].split("</script>")[0]
    assert "<" not in config and "\\u003chttps://w3id.org/evidence-graph/id/cell/drug/B4>" in config
    for name in serve.STATIC_FILES:
        body, media_type = serve.static_file(name) or (b"", "")
        assert len(body) > 4_000 and media_type.startswith(("text/javascript", "text/css"))
    assert serve.static_file("../serve.py") is None


def test_named_query_draws_as_a_chart(opened: Opened, tmp_path: Path) -> None:
    """The Chart plugin (plain SVG) draws a named query's counts as bars, split by a column."""
    page = opened.page
    page.locator('#examples button[data-name="cells"]').click()
    opened.run_active()
    table = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    rows = table.count()
    shown = table.all_inner_texts()
    page.locator(".tabPanel.active .yasr .select_chart").click()
    bars = page.locator(".tabPanel.active .yasr svg.evg-chart rect.evg-chart-bar")
    bars.first.wait_for()
    # One bar per cell (by its label), its length the sum of ?listings over the cell's roles.
    labels = page.locator(".tabPanel.active .yasr svg.evg-chart text.evg-chart-label")
    assert bars.count() == labels.count() == 2  # the two cells of the seed graph
    assert all(any(label in row for row in shown) for label in labels.all_text_contents())
    totals = [int(t) for t in page.locator(".evg-chart text.evg-chart-total").all_text_contents()]
    values = [
        int(v)
        for v in page.evaluate(
            "[...document.querySelectorAll('.tabPanel.active rect.evg-chart-bar')]"
            ".map(r => r.getAttribute('data-value'))"
        )
    ]
    assert sum(totals) == sum(values) > 0
    # Split (pivot) by role: each cell's bar is stacked from its roles, with a legend.
    page.locator(".tabPanel.active .evg-chart-controls select[name=split]").select_option("role")
    legend = page.locator(".tabPanel.active .evg-chart text.evg-chart-legend").all_text_contents()
    assert "review" in legend and "seminal" in legend
    series = page.evaluate(
        "[...new Set([...document.querySelectorAll('.tabPanel.active rect.evg-chart-bar')]"
        ".map(r => r.getAttribute('data-series')))]"
    )
    assert set(series) == set(legend)
    assert bars.count() == rows  # one segment per (cell, role) row
    page.screenshot(path=str(tmp_path / "query-chart.png"))
    # The chart downloads as SVG.
    with page.expect_download() as info:
        page.locator(".tabPanel.active .yasr_downloadIcon").click()
    svg = info.value
    target = tmp_path / (svg.suggested_filename or "chart.svg")
    svg.save_as(target)
    assert target.suffix == ".svg" and "evg-chart-bar" in target.read_text(encoding="utf-8")
