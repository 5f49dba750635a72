"""The build over the seeds: what SPARQL over build/evidence.trig answers, determinism, errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA
from rdflib import Dataset

from evidence_graph.graph.base.errors import SourceError
from evidence_graph.graph.base.files import (
    CACHE_DIR,
    LOCK_FILE,
    STAMP_FILE,
    STORE_DIR,
    SWAP_LOCK_FILE,
)
from evidence_graph.graph.cli import cli
from evidence_graph.graph.pipeline.build import build
from evidence_graph.graph.reading.load import load_dataset

PREFIXES = """
PREFIX evg: <https://w3id.org/evidence-graph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX id: <https://w3id.org/evidence-graph/id/>
"""
OUTPUTS = ("evidence.trig", "evidence.ttl", "evidence.jsonld", "summary.json")


@pytest.fixture(scope="module")
def ds(seed_graph: Path) -> Dataset:
    return load_dataset(seed_graph)


def rows(ds: Dataset, query: str) -> list[tuple[str, ...]]:
    return [tuple(str(v) for v in row) for row in ds.query(PREFIXES + query)]  # type: ignore[union-attr]


def test_listing_counts(ds: Dataset) -> None:
    found = rows(
        ds,
        """SELECT ?cell (COUNT(DISTINCT ?l) AS ?n) WHERE {
             ?l a evg:Listing ; evg:inCell ?c . ?c evg:cellId ?cell }
           GROUP BY ?cell ORDER BY ?cell""",
    )
    assert found == [("B3", "13"), ("B4", "14")]


def test_listings_have_role_position_document(ds: Dataset) -> None:
    found = rows(
        ds,
        """SELECT ?pos ?role ?title ?year WHERE {
             ?l evg:inCell <https://w3id.org/evidence-graph/id/cell/drug/B4> ;
                evg:position ?pos ; evg:role ?role ; evg:lists ?d .
             ?d dcterms:title ?title ; dcterms:date ?year } ORDER BY ?pos""",
    )
    assert len(found) == 14
    assert [r[0] for r in found] == [str(n) for n in range(1, 15)]
    first = found[0]
    assert first[1].endswith("#Seminal")
    assert first[2].startswith("Fundamentals of effective therapy")
    assert first[3] == "1957"
    assert found[5][1].endswith("#ReviewRole") and found[13][1].endswith("#GuidanceRole")


@pytest.mark.parametrize(("cell", "expected"), [("B4", (5, 5, 4)), ("B3", (7, 2, 4))])
def test_document_types(ds: Dataset, cell: str, expected: tuple[int, int, int]) -> None:
    found = dict(
        rows(
            ds,
            f"""SELECT ?type (COUNT(DISTINCT ?l) AS ?n) WHERE {{
                  ?l evg:inCell/evg:cellId "{cell}" ; evg:lists ?d . ?d a ?type .
                  FILTER(?type IN (evg:Study, evg:Review, evg:Guidance)) }} GROUP BY ?type""",
        )
    )
    ns = "https://w3id.org/evidence-graph/ontology#"
    assert (int(found[ns + "Study"]), int(found[ns + "Review"]), int(found[ns + "Guidance"])) == (
        expected
    )


def test_publishers_are_organisations(ds: Dataset) -> None:
    found = rows(
        ds,
        """SELECT ?name WHERE {
             ?d dcterms:title "What UK doctors should do and be able to do" ;
                dcterms:publisher ?org . ?org a evg:Organisation ; rdfs:label ?name }
           ORDER BY ?name""",
    )
    assert found == [
        ("Royal College of General Practitioners",),
        ("Royal College of Psychiatrists",),
    ]
    apa = rows(
        ds,
        """SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {
             ?d dcterms:publisher/rdfs:label "American Psychological Association" }""",
    )
    assert apa == [("3",)]


def test_section_counts(ds: Dataset) -> None:
    found = rows(
        ds,
        """SELECT ?cell (COUNT(?s) AS ?n) WHERE {
             ?s a evg:Section ; evg:heading ?h ; evg:text ?t ; dcterms:isPartOf/evg:cellId ?cell }
           GROUP BY ?cell ORDER BY ?cell""",
    )
    assert found == [("B3", "5"), ("B4", "6")]


def test_cross_references_land_on_typed_cells(ds: Dataset) -> None:
    found = rows(
        ds,
        """SELECT DISTINCT ?m ?id WHERE {
             ?x evg:refersTo ?c . ?c a evg:MatrixCell ; evg:cellId ?id ;
             evg:inMatrix/evg:matrixKey ?m } ORDER BY ?m ?id""",
    )
    assert found == [
        ("alcohol", "B1"),
        ("alcohol", "B3"),
        ("drug", "A2"),
        ("drug", "A4"),
        ("drug", "B2"),
        ("drug", "E2"),
    ]
    label = rows(
        ds, "SELECT ?l WHERE { <https://w3id.org/evidence-graph/id/cell/drug/A4> rdfs:label ?l }"
    )
    assert label == [("Drug Treatment Matrix cell A4: Interventions; Psychosocial therapies",)]


def test_related_and_includes(ds: Dataset) -> None:
    related = rows(
        ds,
        """SELECT ?y WHERE {
             ?a dcterms:date "1988"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
                dcterms:title ?t ; evg:relatedTo ?b . ?b dcterms:title ?y .
             FILTER(CONTAINS(?t, "methadone counsellor")) }""",
    )
    assert related == [("Quasi-random allocation exposes impact of methadone counsellors",)]
    back = rows(
        ds,
        """SELECT ?t WHERE { ?b dcterms:title
             "Quasi-random allocation exposes impact of methadone counsellors" ;
             evg:relatedTo ?a . ?a dcterms:title ?t }""",
    )
    assert back == [("Quasi-randomisation reveals methadone counsellor is an ‘active ingredient’",)]
    includes = rows(
        ds,
        """SELECT ?t WHERE {
             ?trio dcterms:title "Treatment staff matter as much as the drug" ; evg:includes ?d .
             ?d dcterms:title ?t }""",
    )
    assert includes == [("Quasi-random allocation exposes impact of methadone counsellors",)]


def test_named_graphs_have_provenance_with_relative_paths(ds: Dataset) -> None:
    found = rows(
        ds,
        """SELECT ?g ?path ?sha WHERE { GRAPH ?g {
             ?g prov:wasDerivedFrom ?src . ?src evg:sourcePath ?path ; evg:sha256 ?sha } }
           ORDER BY ?path""",
    )
    paths = [r[1] for r in found]
    assert "cells/drug/B3.txt" in paths and "cells/drug/B4.txt" in paths
    assert "matrices.yaml" in paths
    for g, path, sha in found:
        assert g == f"https://w3id.org/evidence-graph/id/graph/{path}"
        assert not path.startswith("/") and len(sha) == 64
    import hashlib

    b4 = dict((r[1], r[2]) for r in found)["cells/drug/B4.txt"]
    assert b4 == hashlib.sha256((DATA / "cells/drug/B4.txt").read_bytes()).hexdigest()


def test_listing_edges_live_in_their_source_graph(ds: Dataset) -> None:
    found = rows(
        ds,
        """SELECT ?path ?line WHERE { GRAPH ?g {
             <https://w3id.org/evidence-graph/id/listing/drug/B3/1> evg:sourceLine ?line .
             ?a evg:relatedTo ?b . ?g prov:wasDerivedFrom/evg:sourcePath ?path } } LIMIT 1""",
    )
    assert found == [("cells/drug/B3.txt", "50")]


def test_no_absolute_paths_in_output(seed_build: Path) -> None:
    for name in OUTPUTS:
        text = (seed_build / name).read_text(encoding="utf-8")
        assert str(DATA) not in text and str(seed_build) not in text


def test_summary(seed_build: Path) -> None:
    summary = json.loads((seed_build / "summary.json").read_text(encoding="utf-8"))
    assert summary["cells"] == ["drug/B3", "drug/B4"]
    assert summary["classes"]["evg:Listing"] == 27
    assert summary["classes"]["evg:MatrixCell"] == 50
    assert summary["relations"]["evg:lists"] == 27


def test_two_builds_are_byte_identical(seed_build: Path, tmp_path: Path) -> None:
    build(DATA, tmp_path)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (seed_build / name).read_bytes(), name


def test_source_date_epoch_adds_a_timestamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(DATA, tmp_path)
    assert "2023-11-14T22:13:20" in (tmp_path / "evidence.trig").read_text(encoding="utf-8")


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_every_timestamp_of_a_build_has_one_lexical_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str
) -> None:
    """Graph provenance, drafts' provenance and the dataset's dcterms:modified: the same instant
    written the same way in every file (rdflib reads "…Z" back as "…+00:00")."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(DATA, tmp_path, store=store, drafts=True)
    for name in ("evidence.trig", "evidence.ttl", "evidence.jsonld"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        forms = set(re.findall(r'"2023-11-14T22:13:20([^"]*)"', text))
        assert forms == {"+00:00"}, (name, forms)
        assert text.count("2023-11-14T22:13:20") >= 3, name


# --- errors -------------------------------------------------------------------------------------


def data_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA / "cells", data / "cells")
    shutil.copy(DATA / "matrices.yaml", data / "matrices.yaml")
    return data


def built_output(tmp_path: Path, data: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    build(data, out)
    return out, {name: (out / name).read_bytes() for name in OUTPUTS}


def assert_untouched(out: Path, before: dict[str, bytes]) -> None:
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
    # No temporary files left; the default (Oxigraph) store also keeps its cache and store, and
    # the lock files stay (removing one would race with a process waiting for it).
    kept = {CACHE_DIR, STORE_DIR, STAMP_FILE, LOCK_FILE, SWAP_LOCK_FILE}
    assert sorted(p.name for p in out.iterdir() if p.name not in kept) == sorted(OUTPUTS)


def run_build(data: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_cli_build_prints_summary(tmp_path: Path) -> None:
    code, output = run_build(DATA, tmp_path / "out")
    assert code == 0, output
    assert "Built 2 cells" in output and "evg:Listing" in output


def test_missing_data_dir(tmp_path: Path) -> None:
    code, output = run_build(tmp_path / "nope", tmp_path / "out")
    assert code != 0
    assert "nope: data directory does not exist" in output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()


def test_duplicate_cell_names_both_files(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    out, before = built_output(tmp_path, data)
    shutil.copy(data / "cells/drug/B4.txt", data / "cells/drug/B4-copy.txt")
    code, output = run_build(data, out)
    assert code != 0
    assert "B4-copy.txt" in output and "B4.txt" in output and "drug/B4" in output
    assert output.count("Error") == 1
    assert_untouched(out, before)


def test_unreadable_file_stops_the_build(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    out, before = built_output(tmp_path, data)
    (data / "cells/drug/C1.txt").write_bytes(b"\xff\xfe\x00binary\x00garbage")
    code, output = run_build(data, out)
    assert code != 0
    assert "C1.txt" in output and "Traceback" not in output
    assert_untouched(out, before)


def test_cell_outside_the_matrix(tmp_path: Path) -> None:
    data = data_copy(tmp_path)
    out, before = built_output(tmp_path, data)
    text = (data / "cells/drug/B4.txt").read_text(encoding="utf-8")
    (data / "cells/drug/F9.txt").write_text(
        text.replace("cell B4", "cell F9").replace("B4:", "F9:"), encoding="utf-8"
    )
    code, output = run_build(data, out)
    assert code != 0
    assert "F9" in output
    assert_untouched(out, before)


def test_library_raises_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        build(tmp_path / "missing", tmp_path / "out")


# --- stats --------------------------------------------------------------------------------------


def test_stats_counts(ds: Dataset) -> None:
    from evidence_graph.graph.reading.stats import compute, render

    stats = compute(ds)
    assert stats.classes["evg:Listing"] == 27
    assert stats.classes["evg:MatrixCell"] == 50
    assert stats.classes["evg:Section"] == 11
    assert stats.relations["evg:inCell"] == 27
    assert stats.relations["evg:refersTo"] >= 6
    assert "owl:Class" not in stats.classes  # the ontology graph is not data
    text = render(stats)
    assert "evg:Listing" in text and f"{stats.triples} triples" in text


def test_cli_stats_on_trig_and_turtle(seed_build: Path) -> None:
    runner = CliRunner()
    trig = runner.invoke(cli, ["stats", str(seed_build / "evidence.trig"), "--json"])
    assert trig.exit_code == 0, trig.output
    counts = json.loads(trig.output)
    assert counts["classes"]["evg:Listing"] == 27
    ttl = runner.invoke(cli, ["stats", str(seed_build / "evidence.ttl")])
    assert ttl.exit_code == 0, ttl.output
    assert "evg:Listing" in ttl.output
