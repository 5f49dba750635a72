"""The build on every core: the same bytes whatever the number of processes, and as before."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

from evidence_graph.graph.base.files import GRAPH_OUTPUTS, SUMMARY_FILE
from evidence_graph.graph.pipeline.build import build
from tests.conftest import DATA, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

FILES = (*GRAPH_OUTPUTS, SUMMARY_FILE)

SYNTHETIC_200 = {
    "evidence.trig": "cce1d36e864f321f2cfa438bce2bc52c53fad2ea8d8a2d7ee89455958e0018c6",
    "evidence.ttl": "bff7daac7936e2f3c1de5025b22973d543d0c7dde71a04eb3a1d0cdfda1a3afd",
    "evidence.jsonld": "8d31a611bc5f3c132f74b96af51443d0a630f19ad07e946abf80460c9060a909",
    "summary.json": "b80100aef51a2d69d22e7e5b8da332e578b19f3cebca97ddae29180721a6a517",
}
"""SHA-256 of the build of `generate(…, 200)` made by the sequential build (before the per-page
work moved to a process pool), with the aligned graph of standard vocabularies that the Linked
Data work added, the ontology's `evg:Commentary` class, and SEPIO's evidence direction stated
for every evidence line in the aligned graph (200 `obo:SEPIO_0000183` triples, plus the ontology's
`evg:direction` comment and closeMatch) — each checked to change only those triples; the pool's
build must give the same bytes. A change that alters the graph on
purpose updates these, saying why."""


def _digests(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in FILES}


def test_synthetic_200_cells_build_as_before(tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate(data, 200)
    result = build(data, tmp_path / "out", jobs=2)
    assert result.timings.jobs == 2
    assert _digests(tmp_path / "out") == SYNTHETIC_200


def test_output_does_not_depend_on_jobs_with_curated_overrides(tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate(data, 30)
    from evidence_graph.graph.parsing.page import parse_file

    page = sorted((data / "cells").glob("*/*.txt"))[7]
    cell = parse_file(page)
    entry = next(e for e in cell.entries if e.discussion_pointers)
    heading = cell.sections[-1].heading
    listing = f"{cell.matrix}/{cell.cell}/{entry.position}"
    (data / "discussions.yaml").write_text(
        f"discussions:\n  - listing: {listing}\n    sections: [{heading!r}]\n", encoding="utf-8"
    )
    one, two = tmp_path / "one", tmp_path / "two"
    build(data, one, jobs=1)
    build(data, two, jobs=2, store="oxigraph")
    assert _digests(one) == _digests(two)
    summary = (two / "summary.json").read_text(encoding="utf-8")
    assert '"curated": 1' in summary or f'"curated": {entry.discussion_pointers}' in summary
    memory = tmp_path / "memory"
    build(data, memory, store="memory")
    assert (memory / "summary.json").read_bytes() == (two / "summary.json").read_bytes()


def test_changing_one_page_redoes_that_page_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate(data, 30)
    out = tmp_path / "out"
    build(data, out, jobs=2)
    page = sorted((data / "cells").glob("*/*.txt"))[12]
    page.write_text(page.read_text(encoding="utf-8").replace(" the ", " a ", 3), "utf-8")
    result = build(data, out, jobs=2)
    assert (result.timings.parsed, result.timings.reused) == (1, 29)
    clean = tmp_path / "clean"
    build(data, clean, jobs=1, store="oxigraph")
    assert _digests(out) == _digests(clean)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_broken_page_is_reported_in_page_order(tmp_path: Path, jobs: int) -> None:
    from evidence_graph.graph.base.errors import SourceError

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    generate(tmp_path / "more", 12)
    shutil.copytree(tmp_path / "more" / "cells", data / "cells", dirs_exist_ok=True)
    shutil.copyfile(tmp_path / "more" / "matrices.yaml", data / "matrices.yaml")
    pages = sorted((data / "cells").glob("*/*.txt"))
    pages[3].write_bytes(b"\x00binary")
    pages[9].write_bytes(b"")
    with pytest.raises(SourceError, match="NUL byte") as caught:
        build(data, tmp_path / "out", jobs=jobs)
    assert caught.value.path.endswith(pages[3].relative_to(data).as_posix())
