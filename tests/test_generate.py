"""The synthetic corpus generator (benchmarks/generate.py) writes real-format pages that build."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from evidence_graph.graph.base.text import fold
from evidence_graph.graph.parsing import parse_file
from evidence_graph.graph.pipeline.build import build

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

CELLS = 60


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("corpus")
    generate(data, CELLS)
    return data


def test_pages_parse_without_problems(corpus: Path) -> None:
    pages = sorted((corpus / "cells").glob("*/*.txt"))
    assert len(pages) == CELLS
    assert {p.parent.name for p in pages} == {"synthetic1", "synthetic2", "synthetic3"}
    kinds: Counter[str] = Counter()
    refs = positional = discussed = sections = mentions = 0
    for page in pages:
        cell = parse_file(page)
        assert cell.problems == (), (page, cell.problems)
        assert cell.matrix == page.parent.name and cell.cell == page.stem
        assert 10 <= len(cell.entries) <= 16
        assert cell.level_label and cell.type_label
        assert cell.title.startswith(f"Synthetic{page.parent.name[9:]} Treatment Matrix cell ")
        kinds.update("".join(e.kinds) for e in cell.entries)
        refs += len(cell.cell_refs)
        positional += sum(len(e.refs) for e in cell.entries)
        discussed += sum(e.discussion_pointers for e in cell.entries)
        mentions += sum(len(e.mentions) for e in cell.entries)
        headings = [s.heading for s in cell.sections]
        assert headings[:3] == [
            "What is this cell about?",
            "Where should I start?",
            "Highlighted study",
        ]
        sections += len(headings) - 3
    assert set(kinds) >= {"S", "K", "R", "G", "SG"}
    assert min(refs, positional, discussed, sections, mentions) > CELLS


def test_documents_are_distinct_but_some_are_listed_twice(corpus: Path) -> None:
    listed: Counter[tuple[str, int | None]] = Counter()
    for page in sorted((corpus / "cells").glob("*/*.txt")):
        for entry in parse_file(page).entries:
            listed[(entry.title, entry.year)] += 1
    assert len(listed) > 10 * CELLS * 0.9
    assert 0 < sum(1 for n in listed.values() if n > 1) < len(listed) / 5
    assert len({title for title, _ in listed}) == len(listed)


def test_deterministic(tmp_path: Path, corpus: Path) -> None:
    generate(tmp_path, CELLS)
    for path in sorted(corpus.rglob("*.*")):
        assert (tmp_path / path.relative_to(corpus)).read_bytes() == path.read_bytes(), path


def test_quotes_occur_verbatim(corpus: Path) -> None:
    checked = 0
    for claims_file in sorted((corpus / "claims").glob("*.yaml")):
        for claim in yaml.safe_load(claims_file.read_text(encoding="utf-8"))["claims"]:
            for line in claim["evidence"]:
                page = corpus / "cells" / f"{line['cell']}.txt"
                assert fold(line["quote"]) in fold(page.read_text(encoding="utf-8"))
                checked += 1
    assert checked == CELLS


def test_builds_end_to_end(corpus: Path, tmp_path: Path) -> None:
    result = build(corpus, tmp_path, store="oxigraph")
    assert len(result.cells) == CELLS
    assert result.problems == ()
    assert result.quotes_checked == CELLS
    assert result.triples > 200 * CELLS
    assert result.classes["evg:Claim"] == CELLS
    assert result.relations["evg:relatedTo"] > 0 and result.relations["evg:refersTo"] > 0
