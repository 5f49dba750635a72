"""Both stores build the seeds into the same graph: Oxigraph (the default) against rdflib's memory
store (the reference) — quads, Turtle, summary and JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Iterable
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


def _prefixes(trig: bytes) -> dict[str, str]:
    """The ``@prefix`` lines heading a file Oxigraph wrote."""
    found = {}
    for line in trig.decode("utf-8").splitlines():
        if not line.startswith("@prefix "):
            break
        name, _, iri = line.removeprefix("@prefix ").partition(": <")
        found[name] = iri.removesuffix("> .")
    return found


def test_files_are_what_an_in_memory_store_of_the_sorted_lines_dumps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files are streamed from the lines, never dumped from a store: they must be exactly
    what in-memory Oxigraph stores loaded with the sorted lines write (as builds always did)."""
    from pyoxigraph import RdfFormat, Store

    from evidence_graph.graph.pipeline import oxigraph_sink
    from evidence_graph.graph.pipeline.oxigraph_sink import OxigraphSink

    loads: list[Path | None] = []
    seen: dict[str, bytes] = {}
    real_load, real_write = oxigraph_sink.load_parts, OxigraphSink.write

    def counted(parts: Iterable[bytes], path: Path | None = None) -> Store:
        loads.append(path)
        return real_load(parts, path)

    def write(sink: OxigraphSink) -> None:
        seen["named"] = b"".join(sink.chunks[g] for g in sorted(sink.chunks))
        seen["union"] = b"".join(sink._union())
        real_write(sink)

    monkeypatch.setattr(oxigraph_sink, "load_parts", counted)
    monkeypatch.setattr(OxigraphSink, "write", write)
    monkeypatch.setattr(oxigraph_sink, "JSONLD_COMPACT_LIMIT", 0)  # Oxigraph's JSON-LD writer
    build(DATA, tmp_path, store="oxigraph")
    # the persisted store, loaded once; and the union alone in memory, to validate it
    assert len(loads) == 2 and loads.count(None) == 1, loads

    trig = (tmp_path / "evidence.trig").read_bytes()
    prefixes = _prefixes(trig)
    assert "evg" in prefixes
    assert seen["named"].count(b"\n") > 2000
    named = Store()
    named.bulk_load(seen["named"], RdfFormat.N_QUADS)
    assert named.dump(format=RdfFormat.TRIG, prefixes=prefixes) == trig
    jsonld = named.dump(format=RdfFormat.JSON_LD, prefixes=prefixes)
    assert jsonld == (tmp_path / "evidence.jsonld").read_bytes()
    union = Store()
    union.bulk_load(seen["union"], RdfFormat.N_TRIPLES)
    turtle = union.dump(format=RdfFormat.TURTLE, from_graph=DefaultGraph(), prefixes=prefixes)
    assert turtle == (tmp_path / "evidence.ttl").read_bytes()


def test_a_large_build_validates_the_persisted_store(
    fast_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the in-memory limit, validation reads the persisted store (loaded in pieces): same
    files, same store; a violation fails the build and leaves no half-made store behind."""
    from evidence_graph.graph.base.errors import ValidationFailed
    from evidence_graph.graph.base.files import NEW_STORE_PREFIX
    from evidence_graph.graph.pipeline import oxigraph_sink
    from evidence_graph.graph.rdf import make as rdf
    from evidence_graph.ontology.namespace import EVG

    monkeypatch.setattr(oxigraph_sink, "VALIDATE_IN_MEMORY_LIMIT", 0)
    monkeypatch.setattr(oxigraph_sink, "LOAD_LINES", 500)
    out = tmp_path / "big"
    build(DATA, out, store="oxigraph")
    for name in ("evidence.trig", "evidence.ttl", "evidence.jsonld", "summary.json"):
        assert (out / name).read_bytes() == (fast_build / name).read_bytes(), name
    store = open_store(out)
    named = sum(1 for q in store if not isinstance(q.graph_name, DefaultGraph))
    assert named == len(_quads(fast_build / "evidence.trig"))
    union = Graph().parse(fast_build / "evidence.ttl", format="turtle")
    assert sum(1 for q in store if isinstance(q.graph_name, DefaultGraph)) == len(union)
    del store

    real_add = oxigraph_sink.OxigraphSink.add
    graph = rdf.graph_iri("cells/drug/B4.txt")

    def add(sink: oxigraph_sink.OxigraphSink, quads: Iterable[tuple[str, str, str, str]]) -> None:
        bad = (rdf.iri_term("cell/drug/B4"), rdf.nt(EVG.cellId), '"F9"', rdf.nt(graph))
        real_add(sink, [*quads, bad])

    monkeypatch.setattr(oxigraph_sink.OxigraphSink, "add", add)
    before = (out / "evidence.trig").read_bytes()
    with pytest.raises(ValidationFailed, match="cell"):
        build(DATA, out, store="oxigraph")
    assert (out / "evidence.trig").read_bytes() == before
    assert [p.name for p in out.iterdir() if p.name.startswith(NEW_STORE_PREFIX)] == []


def test_a_failure_while_writing_the_files_fails_the_build_and_keeps_the_last_one(
    fast_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while the graph files are written (a full disk) fails the build, and the
    previous build stays whole: its files, its store."""
    import shutil

    from evidence_graph.graph.pipeline import segments

    out = tmp_path / "out"
    shutil.copytree(fast_build, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(segments.SegmentedFiles, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        build(DATA, out, store="oxigraph")
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert open_store(out).query("ASK { ?s ?p ?o }")
