"""Both stores build the seeds into the same graph: Oxigraph (the default) against rdflib's memory
store (the reference) — quads, Turtle, summary and JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA
from pyoxigraph import DefaultGraph
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from evidence_graph.graph.pipeline.build import build
from evidence_graph.graph.service.sparql import open_store


@pytest.fixture(scope="module")
def fast_build(seed_build: Path) -> Path:
    """The seed build on Oxigraph (the default store)."""
    return seed_build


def _quads(path: Path) -> set[tuple[object, ...]]:
    ds = Dataset()
    ds.parse(path, format="trig")
    return set(ds.quads())


def test_the_two_builds_are_two_stores(memory_build: Path, fast_build: Path) -> None:
    """Guard against comparing a store with itself: only Oxigraph persists its store."""
    assert (fast_build / "store" / "CURRENT").is_file()
    assert not (memory_build / "store").exists()


def test_same_named_graphs_as_the_memory_store(memory_build: Path, fast_build: Path) -> None:
    memory, fast = _quads(memory_build / "evidence.trig"), _quads(fast_build / "evidence.trig")
    assert len(fast) > 2000
    assert fast == memory  # no blank nodes, so equal quads = isomorphic datasets


def test_same_union_turtle_and_summary(memory_build: Path, fast_build: Path) -> None:
    memory = Graph().parse(memory_build / "evidence.ttl", format="turtle")
    fast = Graph().parse(fast_build / "evidence.ttl", format="turtle")
    assert isomorphic(memory, fast)
    summary = json.loads((fast_build / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads((memory_build / "summary.json").read_text(encoding="utf-8"))
    assert (fast_build / "summary.json").read_bytes() == (
        memory_build / "summary.json"
    ).read_bytes()
    assert summary["triples"] > 2000


def test_jsonld_holds_the_same_quads(fast_build: Path, memory_build: Path) -> None:
    ds = Dataset()
    ds.parse(fast_build / "evidence.jsonld", format="json-ld")
    assert set(ds.quads()) == _quads(memory_build / "evidence.trig")
    # Small builds compact JSON-LD with the project context, exactly as the memory store does.
    fast = (fast_build / "evidence.jsonld").read_bytes()
    assert fast == (memory_build / "evidence.jsonld").read_bytes()


def test_output_is_byte_identical_across_builds(fast_build: Path, tmp_path: Path) -> None:
    build(DATA, tmp_path, store="oxigraph")
    for name in ("evidence.trig", "evidence.ttl", "evidence.jsonld", "summary.json"):
        assert (tmp_path / name).read_bytes() == (fast_build / name).read_bytes(), name


def test_persisted_store_reopens_read_only(fast_build: Path) -> None:
    store = open_store(fast_build)
    assert (fast_build / "store" / "CURRENT").is_file()
    quads = len(_quads(fast_build / "evidence.trig"))
    named = sum(1 for q in store if not isinstance(q.graph_name, DefaultGraph))
    assert named == quads  # and the default graph holds their union (tests/test_union.py)
    with pytest.raises((OSError, RuntimeError)):
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_a_later_memory_build_is_not_shadowed_by_a_stale_store(tmp_path: Path) -> None:
    build(DATA, tmp_path, store="oxigraph")
    assert (tmp_path / "store.stamp").is_file()
    build(DATA, tmp_path, store="memory")
    store = open_store(tmp_path)
    # Loaded from the new TriG (writable in-memory store), not the old RocksDB directory.
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    named = sum(1 for q in store if not isinstance(q.graph_name, DefaultGraph))
    assert named == len(_quads(tmp_path / "evidence.trig")) + 1
