"""Incremental fast builds: unchanged pages come from the cache; output equals a clean build."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import zlib
from pathlib import Path

import pytest
from conftest import ROOT

from evidence_graph.graph.base.records import Cell
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


def _curated_cells(monkeypatch: pytest.MonkeyPatch) -> list[Cell]:
    """The cells the next builds hand to the curation (filled as they do)."""
    from evidence_graph.graph.pipeline import build as build_module

    seen: list[Cell] = []
    curate = build_module.curate

    def spying(data_dir: Path, cells: list[Cell], *args: object, **kwargs: object) -> object:
        seen.extend(cells)
        return curate(data_dir, cells, *args, **kwargs)

    monkeypatch.setattr(build_module, "curate", spying)
    return seen


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
    changed = sorted([*lines[:4500], b"<urn:s01500> <urn:p> 99 .\n", *lines[4501:]])
    after = [s.key for s in subject_runs(changed)]
    assert 10 < len(before) < 200 and len(after) == len(before)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    assert b"".join(s.lines() for s in subject_runs(lines)) == b"".join(reversed(lines))


def _runs_line_by_line(lines: list[bytes]) -> list[bytes]:
    """The runs by their definition, reading the lines one by one in file order."""
    from evidence_graph.graph.pipeline.segments import SUBJECTS_PER_RUN

    runs: list[bytes] = []
    run: list[bytes] = []
    previous: bytes | None = None
    for line in reversed(lines):
        subject = line.split(b" ", 1)[0]
        if subject != previous and previous is not None:
            if zlib.crc32(previous) % SUBJECTS_PER_RUN == 0:
                runs.append(b"".join(run))
                run = []
        run.append(line)
        previous = subject
    if run:
        runs.append(b"".join(run))
    return runs


def test_subject_runs_are_found_by_bisection_as_line_by_line() -> None:
    """Subjects that begin other subjects (``<urn:a1>``, ``<urn:a1x>``, ``_:b1``, ``_:b10``) and
    subjects of one line or many are cut exactly where reading line by line cuts them."""
    from evidence_graph.graph.pipeline.segments import subject_runs

    subjects = [f"<urn:a{i}>" for i in range(400)] + [f"<urn:a{i}x>" for i in range(0, 400, 7)]
    subjects += [f"_:b{i}" for i in range(300)]
    lines = sorted(
        {
            f'{s} <urn:p{j}> "{k}" .\n'.encode()
            for n, s in enumerate(subjects)
            for j in range(1 + n % 4)
            for k in range(1 + n % 3)
        }
    )
    runs = [s.lines() for s in subject_runs(lines)]
    assert len(runs) > 5
    assert runs == _runs_line_by_line(lines)
    assert list(subject_runs([])) == []


@pytest.fixture()
def composed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The claims files read as YAML (not recalled from the claims memo), in order."""
    from evidence_graph.graph.curation import claims

    names: list[str] = []
    compose = claims._compose

    def counting(path: Path, data: bytes) -> object:
        names.append(path.name)
        return compose(path, data)

    monkeypatch.setattr(claims, "_compose", counting)
    return names


def test_claims_files_are_recalled_unless_a_cell_they_consulted_changed(
    corpus: Path, tmp_path: Path, composed: list[str]
) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean"
    first = build(corpus, out, store="oxigraph")
    assert composed == ["synthetic1.yaml", "synthetic2.yaml"]
    composed.clear()
    again = build(corpus, out, store="oxigraph")
    assert composed == [] and again.quotes_checked == first.quotes_checked
    # text inserted above the quotes of a page that synthetic1.yaml quotes: their offsets move
    page = corpus / "cells" / "synthetic1" / "C3.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("Addiction web site", "Addiction's own web site", 1), "utf-8")
    build(corpus, out, store="oxigraph")
    assert composed == ["synthetic1.yaml"]
    build(corpus, clean, store="oxigraph", cache=False)
    _same(out, clean)  # the selectors' offsets, as a clean build makes them


def test_a_new_listing_of_a_quoted_document_reloads_its_claims_file(
    corpus: Path, tmp_path: Path, composed: list[str]
) -> None:
    """The claims loader prefers a quote found in the document's own listing among every cell
    listing it: another page listing the document changes what the file may yield. (Here a page
    only synthetic1.yaml quotes comes to list a document synthetic2.yaml quotes.)"""
    out, clean = tmp_path / "out", tmp_path / "clean"
    build(corpus, out, store="oxigraph")
    composed.clear()
    source = (corpus / "cells" / "synthetic2" / "A1.txt").read_text(encoding="utf-8")
    page = corpus / "cells" / "synthetic1" / "B2.txt"
    text = page.read_text(encoding="utf-8")
    listing = next(p for p in source.split("\n\n") if p.startswith("K "))
    at = text.index("\nK ") + 1
    page.write_text(text[:at] + listing + "\n\n" + text[at:], encoding="utf-8")
    build(corpus, out, store="oxigraph")
    assert composed == ["synthetic1.yaml", "synthetic2.yaml"]
    build(corpus, clean, store="oxigraph", cache=False)
    _same(out, clean)


def test_a_recalled_claims_file_still_fails_on_what_changed_elsewhere(
    corpus: Path, tmp_path: Path
) -> None:
    """Nothing the memo holds hides a problem: a quote gone from its page, a relation to a claim
    removed from another file and an id used twice are reported as without a memo."""
    from evidence_graph.graph.base.errors import QuotesNotFound, SourceError

    out = tmp_path / "out"
    claims_dir = corpus / "claims"
    first = claims_dir / "synthetic1.yaml"
    second = claims_dir / "synthetic2.yaml"
    original = first.read_text(encoding="utf-8")
    target = second.read_text(encoding="utf-8").split("- id: ", 2)[1].split("\n", 1)[0]
    related = original.replace(
        "  effect_shape: linear-positive\n",
        f"  effect_shape: linear-positive\n  relations:\n  - kind: related\n    claim: {target}\n",
        1,
    )
    first.write_text(related, encoding="utf-8")
    build(corpus, out, store="oxigraph")

    kept = second.read_text(encoding="utf-8")
    second.write_text(kept.replace(f"- id: {target}\n", "- id: renamed-claim\n", 1), "utf-8")
    with pytest.raises(SourceError) as error:
        build(corpus, out, store="oxigraph")
    assert error.value.line == 9 and f"unknown claim '{target}'" in str(error.value)
    assert str(first) in str(error.value)

    copy = claims_dir / "synthetic0.yaml"  # read before synthetic1.yaml, recalled after it
    copy.write_text(kept, encoding="utf-8")
    with pytest.raises(SourceError) as error:
        build(corpus, out, store="oxigraph")
    assert "is already used at" in str(error.value) and str(copy) in str(error.value)
    copy.unlink()
    second.write_text(kept, encoding="utf-8")
    build(corpus, out, store="oxigraph")

    page = corpus / "cells" / "synthetic1" / "A1.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("332 participants", "333 participants", 1), "utf-8")
    with pytest.raises(QuotesNotFound):
        build(corpus, out, store="oxigraph")


def test_a_corrupt_or_foreign_claims_memo_is_ignored(
    corpus: Path, tmp_path: Path, composed: list[str]
) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean"
    build(corpus, out, store="oxigraph")
    memo = out / ".cache" / page_cache.CLAIMS_MEMO_FILE
    data = memo.read_text(encoding="utf-8")
    for planted in (
        data[: len(data) // 2],
        data.replace(page_cache.CLAIMS_FORMAT, "another format"),
        data.replace('"checked": ', '"checked": "', 1),
        data.replace('"claims": [[', '"claims": [[7, ', 1),  # a claim with a field too many
        "[1, 2]",
    ):
        memo.write_text(planted, encoding="utf-8")
        composed.clear()
        build(corpus, out, store="oxigraph")
        assert composed, planted[:40]
    build(corpus, clean, store="oxigraph", cache=False)
    _same(out, clean)


def test_a_rebuild_counts_again_only_the_graphs_that_changed(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The union's counts are the sum of each graph's (kept by digest in .cache/graphs.json) less
    the lines several graphs hold: equal to a clean build's, with only changed graphs read."""
    from evidence_graph.graph.pipeline import graph_facts

    out, clean = tmp_path / "out", tmp_path / "clean"
    build(corpus, out, store="oxigraph")
    counted: list[str] = []
    count = graph_facts.graph_facts

    def counting(chunk: bytes, graph: str) -> graph_facts.GraphFacts:
        counted.append(graph)
        return count(chunk, graph)

    monkeypatch.setattr(graph_facts, "graph_facts", counting)
    page = corpus / "cells" / "synthetic1" / "C3.txt"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("it follows the layout", "it copies the layout", 1), "utf-8")
    first = build(corpus, out, store="oxigraph")
    assert 1 <= len(counted) <= 4 and any("synthetic1/C3" in g for g in counted)
    build(corpus, clean, store="oxigraph", cache=False)
    _same(out, clean)
    assert first.graphs > 30

    facts = out / ".cache" / graph_facts.GRAPH_FACTS_FILE
    data = facts.read_text(encoding="utf-8")
    whole, one = first.graphs // 2, 5  # graphs read again: all of them, or the bad entry's
    for planted, most in (
        (data[: len(data) // 2], whole),
        (data.replace('"format":"', '"format":"another ', 1), whole),
        ('{"graphs": []}', whole),
        (data.replace('"t":{"', '"t":{"<urn:x>":"3","', 1), one),
        (data.replace(':{"p":{', ':{"p":{"<urn:x>":-3,', 1), one),
    ):
        facts.write_text(planted, encoding="utf-8")
        counted.clear()
        now = page.read_text(encoding="utf-8")
        page.write_text(text if now != text else now.replace("follows", "copies", 1), "utf-8")
        build(corpus, out, store="oxigraph")
        assert (len(counted) > whole) if most == whole else (1 <= len(counted) <= one), (
            planted[:60],
            counted,
        )
        shutil.rmtree(clean)
        build(corpus, clean, store="oxigraph", cache=False)
        _same(out, clean)


def test_the_counts_are_those_of_the_union_read_back(corpus: Path, tmp_path: Path) -> None:
    """summary.json's counts, made from each graph's counts less the lines several graphs hold,
    against the union counted afresh from evidence.trig (every graph but the ontology's)."""
    from collections import Counter

    from pyoxigraph import NamedNode, RdfFormat, parse

    from evidence_graph.graph.rdf.make import ONTOLOGY_GRAPH
    from evidence_graph.ontology.prefixes import shorten

    out = tmp_path / "out"
    for _ in range(2):  # a clean build, then a rebuild after a change
        build(corpus, out, store="oxigraph")
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        ontology = NamedNode(str(ONTOLOGY_GRAPH))
        with (out / "evidence.trig").open("rb") as trig:
            quads = [q for q in parse(trig, RdfFormat.TRIG) if q.graph_name != ontology]
        union = {q.triple for q in quads}
        rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        relations = Counter(
            shorten(t.predicate.value) for t in union if t.predicate.value != rdf_type
        )
        classes = Counter(shorten(t.object.value) for t in union if t.predicate.value == rdf_type)
        assert len(quads) > len(union) == summary["triples"]  # lines several graphs hold: once
        assert summary["relations"] == dict(sorted(relations.items()))
        assert summary["classes"] == dict(sorted(classes.items()))
        page = corpus / "cells" / "synthetic1" / "A1.txt"
        page.write_text(
            page.read_text("utf-8").replace("332 participants", "3 participants"), "utf-8"
        )
        (corpus / "claims" / "synthetic1.yaml").unlink(missing_ok=True)  # quotes "332 partic…"


def test_a_page_from_the_cache_has_the_lines_its_parse_gave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page cache keeps no lines: a page taken from it has them split again from its bytes,
    exactly as parsing splits them (a byte-order mark; CRLF, lone CR and LF line ends)."""
    from evidence_graph.graph.base.codec import field_index
    from evidence_graph.graph.parsing import parse_file

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    page = sorted((data / "cells").glob("*/*.txt"))[0]
    lines = page.read_text(encoding="utf-8").split("\n")
    ends = ["\r\n"] * 5 + ["\r"] * 3 + ["\n"] * len(lines)
    text = "".join(line + end for line, end in zip(lines[:-1], ends, strict=False)) + lines[-1]
    page.write_bytes(("\ufeff" + text).encode("utf-8"))
    out = tmp_path / "out"
    build(data, out)
    for entry in (out / ".cache").glob("*.json"):
        head = json.loads(entry.read_bytes().split(b"\n", 1)[0])
        assert "cell" not in head or head["cell"][field_index(Cell, "lines")] == []

    seen = _curated_cells(monkeypatch)
    assert build(data, out).timings.reused == len(seen) == 2
    for cell in seen:
        assert cell.lines == parse_file(Path(cell.source)).lines
        assert len(cell.lines) > 100
    assert not any("\r" in line or "\ufeff" in line for line in parse_file(page).lines)


def test_a_namespace_new_to_the_text_gets_its_prefix_in_a_rebuild(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild looks for a namespace the previous build's text lacked only in the graphs whose
    text is new: a dataset description brings void:, dcat: and foaf: into the files, and takes
    them out again, as a clean build does; a prefix the previous build did not look for is
    looked for everywhere."""
    from evidence_graph.graph.pipeline import oxigraph_sink

    out, clean = tmp_path / "out", tmp_path / "clean"
    build(corpus, out)
    assert b"@prefix void:" not in (out / "evidence.ttl").read_bytes()
    shutil.copy(ROOT / "data" / "dataset.yaml", corpus / "dataset.yaml")
    build(corpus, out)
    for prefix in (b"void", b"dcat", b"foaf"):
        assert b"@prefix " + prefix + b":" in (out / "evidence.ttl").read_bytes()
    build(corpus, clean)
    _same(out, clean)

    (corpus / "dataset.yaml").unlink()
    build(corpus, out)
    shutil.rmtree(clean)
    build(corpus, clean)
    _same(out, clean)
    assert b"@prefix void:" not in (out / "evidence.ttl").read_bytes()

    cells = "https://w3id.org/evidence-graph/id/cell/"
    more = {**oxigraph_sink.FILE_PREFIXES, "cellid": cells}
    monkeypatch.setattr(oxigraph_sink, "FILE_PREFIXES", more)
    build(corpus, out)
    assert f"@prefix cellid: <{cells}>".encode() in (out / "evidence.ttl").read_bytes()


def test_the_graph_digests_taken_from_the_cache_are_those_of_the_text(
    corpus: Path, tmp_path: Path
) -> None:
    """A page taken from the cache brings its named graph's digest (checked when the entry is
    read) instead of hashing the graph again: the store's record of every graph's digest is the
    SHA-256 of that graph's sorted N-Quads, as read back from the store."""
    from pyoxigraph import NamedNode, RdfFormat

    from evidence_graph.graph.base.files import STAMP_FILE, STORE_DIR, STORE_RECORD_FILE
    from evidence_graph.graph.pipeline.persisted_store import open_persisted

    out = tmp_path / "out"
    build(corpus, out)
    page = sorted((corpus / "cells").glob("*/*.txt"))[3]
    page.write_text(page.read_text(encoding="utf-8") + "\nOne line more.\n", encoding="utf-8")
    result = build(corpus, out)
    assert result.timings.reused == len(list((corpus / "cells").glob("*/*.txt"))) - 1
    text = (out / STORE_DIR / STORE_RECORD_FILE).read_text(encoding="utf-8")
    record = persisted_store.StoreRecord.from_json(text)
    store = open_persisted(out)
    assert store is not None and record is not None and len(record.graphs) > 30
    for graph, digest in record.graphs:
        lines = store.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(graph[1:-1])) or b""
        quads = lines.replace(b" .\n", f" {graph} .\n".encode()).splitlines(keepends=True)
        assert hashlib.sha256(b"".join(sorted(quads))).hexdigest() == digest, graph
    # the stamp's quad count (taken from the graphs' facts in a rebuild) is the store's
    stamp = persisted_store.Stamp.parse((out / STAMP_FILE).read_text("utf-8"))
    assert stamp is not None and stamp.quads == len(store)


def test_a_page_from_the_cache_is_named_by_where_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data directory moved (or named another way) since the cache was made: pages taken from
    the cache name their file where it is now, as parsing would, so messages point at it."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    out = tmp_path / "out"
    build(data, out)
    moved = tmp_path / "moved"
    data.rename(moved)
    seen = _curated_cells(monkeypatch)
    assert build(moved, out).timings.reused == len(seen) == 2
    assert sorted(cell.source for cell in seen) == sorted(
        str(p) for p in (moved / "cells").glob("*/*.txt")
    )
