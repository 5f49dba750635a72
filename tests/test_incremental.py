"""Incremental fast builds: unchanged pages come from the cache; output equals a clean build."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from evidence_graph.graph.pipeline import page_cache, persisted_store
from evidence_graph.graph.pipeline.build import build

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

FILES = ("evidence.trig", "evidence.ttl", "evidence.jsonld", "summary.json")


def _same(a: Path, b: Path) -> None:
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert _store_lines(a) == _store_lines(b)


def _store_lines(build_dir: Path) -> list[str]:
    """Every quad of a build's persisted store, named graphs and default graph, sorted."""
    store = persisted_store.open_persisted(build_dir)
    assert store is not None
    return sorted(str(q) for q in store.quads_for_pattern(None, None, None, None))


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


NO_YEAR = "K A study that gives no year in small towns. It was studied with 40 participants.\n\n"
"""A new listing whose document has no year: a SHACL warning about that document."""


def test_a_rebuild_patches_the_store_and_validates_again_only_what_changed(
    corpus: Path, tmp_path: Path
) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean"
    first = build(corpus, out, store="oxigraph")
    assert first.timings.store_rewritten is None and first.timings.revalidated is None
    assert not first.warnings
    page = corpus / "cells" / "synthetic1" / "C3.txt"
    text = page.read_text(encoding="utf-8")
    at = text.index("\nK ") + 1
    page.write_text(text[:at] + NO_YEAR + text[at:], encoding="utf-8")
    changed = build(corpus, out, store="oxigraph")
    t = changed.timings
    assert t.store_rewritten is not None and 1 <= t.store_rewritten < first.graphs
    assert t.revalidated is not None and 0 < t.revalidated < first.triples // 10
    assert any("has no year" in w and "study-that-gives-no-year" in w for w in changed.warnings)
    build(corpus, clean, store="oxigraph")
    _same(out, clean)  # files, warnings and every quad of the store
    page.write_text(text, encoding="utf-8")  # and back: the warning goes with the listing
    back = build(corpus, out, store="oxigraph")
    assert not back.warnings and back.timings.revalidated is not None
    shutil.rmtree(clean)
    build(corpus, clean, store="oxigraph")
    _same(out, clean)


def test_a_store_patched_many_times_answers_in_a_shut_in_worker(
    corpus: Path, tmp_path: Path
) -> None:
    """Patched copies are left as RocksDB compacts them (not compacted by the build): a query
    worker, which may open no file once shut in, still reads every quad of every graph."""
    from evidence_graph.graph.service.pool import run_isolated

    out = tmp_path / "out"
    build(corpus, out, store="oxigraph")
    page = corpus / "cells" / "synthetic1" / "C3.txt"
    text = page.read_text(encoding="utf-8")
    for round_ in range(8):  # each patch flushes new table files into the copy
        changed = text.replace("it follows the layout", f"it follows layout {round_}", 1)
        page.write_text(changed, encoding="utf-8")
        assert build(corpus, out, store="oxigraph").timings.store_rewritten is not None
    tables = [f for f in (out / "store").iterdir() if f.suffix == ".sst"]
    assert len(tables) > 1
    quads = len(_store_lines(out))
    query = "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
    answer = run_isolated(out, query, result_format="json")
    assert f'"value":"{quads}"' in answer.body.decode("utf-8").replace(" ", "")


def test_a_rebuild_copies_the_unchanged_segments_of_the_files(corpus: Path, tmp_path: Path) -> None:
    """Segments (a named graph in TriG and JSON-LD, a run of subjects in Turtle) the last build
    wrote the same are copied from its files: a mark put into one of them, size and time kept,
    shows up in the rebuilt file; once the files are not the ones recorded, nothing is copied."""
    out = tmp_path / "out"
    build(corpus, out, store="oxigraph")
    trig = out / "evidence.trig"
    data = trig.read_bytes()
    at = data.index(b"synthetic2/A1")  # another page than the one changed below
    marked = data[:at] + b"SYNTHETIC2/A1" + data[at + len(b"synthetic2/A1") :]
    info = trig.stat()
    trig.write_bytes(marked)
    os.utime(trig, ns=(info.st_atime_ns, info.st_mtime_ns))
    page = corpus / "cells" / "synthetic1" / "C3.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("it follows the layout", "it copies the layout", 1), "utf-8")
    build(corpus, out, store="oxigraph")
    assert b"SYNTHETIC2/A1" in trig.read_bytes()  # copied, not written again
    assert b"it copies the layout" in trig.read_bytes()
    trig.write_bytes(marked)  # the same bytes, another time: the record no longer vouches
    (out / ".cache" / "segments.json").write_text('{"evidence.ttl": [1, 2]}', "utf-8")
    page.write_text(text, "utf-8")
    build(corpus, out, store="oxigraph")
    assert b"SYNTHETIC2/A1" not in trig.read_bytes()
    clean = tmp_path / "clean"
    build(corpus, clean, store="oxigraph")
    _same(out, clean)


def test_subject_runs_keep_their_boundaries_around_a_change() -> None:
    """A change moves no run boundary but its own run's: the other runs keep their keys."""
    from evidence_graph.graph.pipeline.segments import subject_runs

    lines = [f"<urn:s{i:05d}> <urn:p> {j} .\n".encode() for i in range(3000) for j in range(3)]
    before = [s.key for s in subject_runs(lines)]
    changed = list(lines)
    changed[4500] = b"<urn:s01500> <urn:p> 99 .\n"
    after = [s.key for s in subject_runs(changed)]
    assert 10 < len(before) < 200 and len(after) == len(before)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    assert b"".join(s.lines() for s in subject_runs(lines)) == b"".join(lines)
