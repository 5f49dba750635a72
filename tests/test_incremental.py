"""Incremental fast builds: unchanged pages come from the cache; output equals a clean build."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from evidence_graph.graph.pipeline import page_cache
from evidence_graph.graph.pipeline.build import build

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

FILES = ("evidence.trig", "evidence.ttl", "evidence.jsonld", "summary.json")


def _same(a: Path, b: Path) -> None:
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    generate(data, 30)
    return data


def test_unchanged_pages_are_not_parsed_again(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    t = build(corpus, out, store="oxigraph").timings
    assert (t.parsed, t.reused) == (30, 0)
    first = {name: (out / name).read_bytes() for name in FILES}
    t = build(corpus, out, store="oxigraph").timings
    assert (t.parsed, t.reused) == (0, 30)
    assert {name: (out / name).read_bytes() for name in FILES} == first


def test_one_changed_page_rebuilds_alone_and_matches_a_clean_build(
    corpus: Path, tmp_path: Path
) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean"
    build(corpus, out, store="oxigraph")
    page = corpus / "cells" / "synthetic1" / "C3.txt"
    text = page.read_text(encoding="utf-8")
    assert "it follows the layout" in text
    page.write_text(text.replace("it follows the layout", "it copies the layout", 1), "utf-8")
    t = build(corpus, out, store="oxigraph").timings
    assert (t.parsed, t.reused) == (1, 29)
    assert "it copies the layout" in (out / "evidence.trig").read_text(encoding="utf-8")
    build(corpus, clean, store="oxigraph")
    _same(out, clean)


def test_removed_and_added_pages(corpus: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean"
    build(corpus, out, store="oxigraph")
    (corpus / "cells" / "synthetic1" / "A1.txt").unlink()
    shutil.copyfile(
        ROOT / "data" / "cells" / "drug" / "B4.txt", corpus / "cells" / "synthetic1" / "A1.txt"
    )  # the same path now holds another page
    (corpus / "claims" / "synthetic1.yaml").unlink()  # its claims quote the old A1
    t = build(corpus, out, store="oxigraph").timings
    assert t.parsed == 1
    build(corpus, clean, store="oxigraph")
    _same(out, clean)
    assert "Can therapists be too accommodating" in (out / "evidence.ttl").read_text("utf-8")


def test_a_code_change_invalidates_the_cache(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(corpus, out, store="oxigraph")
    monkeypatch.setattr(page_cache, "code_version", lambda: "another-version")
    t = build(corpus, out, store="oxigraph").timings
    assert t.parsed == 30
