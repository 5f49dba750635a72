"""`build` takes what each page kind gives: a catalogue record's sections land on its cell, a
teaser's summary too, and the summary says how many pages of each kind it read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import DATA, TEST_DATA
from rdflib import Dataset, Literal, URIRef

from evidence_graph.graph.pipeline.build import build

ID = "https://w3id.org/evidence-graph/id/"
EVG = "https://w3id.org/evidence-graph/ontology#"


def test_build_reads_every_page_kind(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    pages = TEST_DATA / "pages"
    shutil.copy(pages / "catalogue_record_A1.txt", data / "cells" / "drug" / "A1.txt")
    (data / "cells" / "alcohol").mkdir()
    shutil.copy(pages / "teaser_E3.txt", data / "cells" / "alcohol" / "E3.txt")
    shutil.copy(pages / "cells" / "alcohol" / "B5.txt", data / "cells" / "alcohol" / "B5.txt")
    out = tmp_path / "build"
    result = build(data, out)
    expected = {"cell page": 3, "catalogue record": 1, "teaser": 1}
    assert result.pages == expected
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["pages"] == expected
    assert "pages read: 3 cell pages, 1 catalogue record, 1 teaser" in result.render()
    assert any(
        p.startswith("cells/alcohol/E3.txt:1: not a full cell page") for p in result.problems
    )
    assert not any(p.startswith("cells/drug/A1.txt") for p in result.problems)

    ds = Dataset()
    ds.parse(out / "evidence.trig", format="trig")
    a1 = URIRef(f"{ID}cell/drug/A1")
    rows = ds.query(
        "SELECT ?h WHERE { GRAPH ?g { ?s a evg:Section ; evg:heading ?h ; dcterms:isPartOf ?c } }",
        initNs={"evg": EVG, "dcterms": "http://purl.org/dc/terms/"},
        initBindings={"c": a1},
    )
    headings = sorted(str(row[0]) for row in rows)  # type: ignore[index]
    assert headings == [
        "Highlighted study",
        "What is this cell about?",
        "Where should I start?",
        "Why meet people where they are?",
    ]
    e3 = URIRef(f"{ID}cell/alcohol/E3")
    (summary,) = [o for _, _, o, _ in ds.quads((e3, URIRef(f"{EVG}summary"), None, None))]
    assert isinstance(summary, Literal) and str(summary).startswith("A made-up teaser paragraph")


def test_seed_build_reads_two_cell_pages(seed_build: Path) -> None:
    summary = json.loads((seed_build / "summary.json").read_text(encoding="utf-8"))
    assert summary["pages"] == {"cell page": 2, "catalogue record": 0, "teaser": 0}


def test_cached_pages_follow_a_changed_matrices_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "cells" / "alcohol").mkdir()
    page = TEST_DATA / "pages" / "labels_disagree_C1.txt"
    shutil.copy(page, data / "cells" / "alcohol" / "C1.txt")
    out = tmp_path / "build"
    first = build(data, out)
    assert any("calls level C 'Management and supervision'" in p for p in first.problems)
    matrices = data / "matrices.yaml"
    matrices.write_text(
        matrices.read_text(encoding="utf-8").replace(
            "Management/supervision", "Management and supervision"
        ),
        encoding="utf-8",
    )
    # The page is unchanged, but whether its labels agree depends on the definitions.
    second = build(data, out)
    assert not any("calls level C" in p for p in second.problems)
