"""The public API at `evidence_graph`: lazy, and each entry point does its one job."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
from conftest import DATA

import evidence_graph as eg


def test_import_loads_no_rdf_library() -> None:
    code = (
        "import sys, evidence_graph; "
        "print(sorted(m for m in ('rdflib', 'pyoxigraph', 'networkx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_parse_build_open_query_project(tmp_path: Path) -> None:
    cell = eg.parse_page(DATA / "cells" / "drug" / "B4.txt")
    assert (cell.matrix, cell.cell) == ("drug", "B4") and len(cell.entries) == 14
    result = eg.build(DATA, tmp_path / "out", store="memory")
    assert isinstance(result, eg.BuildResult) and result.cells == ("drug/B3", "drug/B4")
    assert result.timings.stages and result.timings.parsed == 2
    ds = eg.open_graph(tmp_path / "out")
    assert len(ds) > 2000
    answer = eg.run_query(
        tmp_path / "out", "cell-contents", {"cell": "drug/B4"}, result_format="csv"
    )
    assert answer.rows is None and b"Can therapists be too accommodating?" in answer.body
    g = eg.to_networkx(ds)
    assert isinstance(g, nx.MultiDiGraph) and "cell/drug/B4" in g


def test_unknown_name_is_an_attribute_error() -> None:
    try:
        eg.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
