"""Discussed-in links: the automatic linker measured against a careful reading of the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import DATA, TEST_DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_graph.graph.base.errors import SourceError
from evidence_graph.graph.base.ids import section_key
from evidence_graph.graph.base.records import Cell
from evidence_graph.graph.curation.discussion import STOPWORDS, link_discussions
from evidence_graph.graph.parsing import parse_file, parse_text

GOLD = TEST_DATA / "discussions_gold.yaml"


@pytest.fixture(scope="module")
def cells() -> list[Cell]:
    return [parse_file(DATA / "cells" / "drug" / f"{c}.txt") for c in ("B3", "B4")]


def _gold(cells: list[Cell]) -> set[tuple[str, str]]:
    by_cell = {f"{c.matrix}/{c.cell}": c for c in cells}
    pairs: set[tuple[str, str]] = set()
    for listing, headings in yaml.safe_load(GOLD.read_text(encoding="utf-8")).items():
        matrix_cell = listing.rsplit("/", 1)[0]
        cell = by_cell[matrix_cell]
        for heading in headings:
            assert any(s.heading == heading for s in cell.sections), heading
            pairs.add((f"listing/{listing}", section_key(cell.matrix, cell.cell, heading)))
    return pairs


def test_gold_covers_every_pointer(cells: list[Cell]) -> None:
    gold = _gold(cells)
    pointers = sum(e.discussion_pointers for c in cells for e in c.entries)
    assert len(gold) == pointers == 13


def test_automatic_linker_agrees_with_careful_reading(cells: list[Cell]) -> None:
    result = link_discussions(cells, None)
    found = {(d.listing, d.section) for d in result.links}
    gold = _gold(cells)
    right = found & gold
    precision = len(right) / len(found)
    recall = len(right) / len(gold)
    print(f"automatic discussed-in linker: precision {precision:.2f}, recall {recall:.2f}")
    assert precision >= 0.8, sorted(found - gold)
    assert recall >= 0.8, sorted(gold - found)
    assert result.curated == 0
    assert result.auto == len(found)
    assert all(d.method == "auto" and d.evidence for d in result.links)


def test_with_overrides_everything_resolves(cells: list[Cell]) -> None:
    result = link_discussions(cells, DATA / "discussions.yaml")
    assert result.unresolved == 0
    assert result.curated >= 1
    assert result.auto + result.curated == 13
    assert {(d.listing, d.section) for d in result.links} == _gold(cells)
    curated = [d for d in result.links if d.method == "curated"]
    assert curated and all(d.evidence for d in curated)


def test_override_naming_an_unknown_heading_is_an_error(cells: list[Cell], tmp_path: Path) -> None:
    path = tmp_path / "discussions.yaml"
    path.write_text(
        "discussions:\n  - listing: drug/B3/1\n    sections: [Highlighted study]\n"
        "  - listing: drug/B3/6\n    sections: [No such heading]\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"discussions\.yaml:4: drug/B3 has no section"):
        link_discussions(cells, path)


POINTER = "For discussion click and scroll down to highlighted heading."
PAGE = "\n\n".join(
    [
        "Drug Treatment Matrix cell B2: Practitioners; Generic and cross-cutting issues",
        f"S Keyworkers who listen keep clients (2001). A study of keyworker listening and drop-out."
        f" {POINTER}",
        f"R Warmth in the clinic (2010). A review of warmth and retention in services. {POINTER}",
        "Matrix Bite Open Matrix Bite guide to this cell",
        "What is this cell about? About practitioners in general.",
        "Where should I start? With this freely available review listed above of warmth and"
        " retention across many services.",
        "Highlighted study Our highlighted study listed above found that keyworkers who listen"
        " keep their clients: drop-out fell.",
    ]
)


def test_cues_pick_the_section_of_the_right_kind() -> None:
    cell = parse_text(PAGE, "cells/drug/B2.txt")
    assert [e.discussion_pointers for e in cell.entries] == [1, 1]
    links = {(d.listing, d.section) for d in link_discussions([cell], None).links}
    assert links == {
        ("listing/drug/B2/1", "cell/drug/B2/section/highlighted-study"),
        ("listing/drug/B2/2", "cell/drug/B2/section/where-should-i-start"),
    }


def test_cosines_in_one_product_equal_the_pairwise_formula(cells: list[Cell]) -> None:
    import math
    from collections import Counter

    from evidence_graph.graph.curation.discussion import _entry_text, _section_text, _terms
    from evidence_graph.graph.curation.discussion import similarities as cosines

    for cell in cells:
        sims = cosines(cell)
        vectors = [_terms(_entry_text(e)) for e in cell.entries]
        sections = [_terms(_section_text(s)) for s in cell.sections]
        frequency: Counter[str] = Counter(t for v in vectors + sections for t in set(v))
        total = len(vectors) + len(sections)
        idf = {t: math.log((1 + total) / (1 + n)) for t, n in frequency.items()}

        def norm(v: Counter[str], idf: dict[str, float] = idf) -> float:
            return math.sqrt(sum((n * idf[t]) ** 2 for t, n in v.items()))

        for i, a in enumerate(vectors):
            for j, b in enumerate(sections):
                dot = sum(a[t] * b[t] * idf[t] ** 2 for t in set(a) & set(b))
                expected = dot / (norm(a) * norm(b)) if norm(a) and norm(b) else 0.0
                assert math.isclose(sims.scores[i, j], expected, rel_tol=1e-12, abs_tol=1e-15)
        assert sims.scores.max() > 0.1


def _reference_words(text: str) -> list[str]:
    """The word list as the pattern defines it (the fast split must give exactly this)."""
    from evidence_graph.graph.base.text import strip_quotes
    from evidence_graph.graph.curation.discussion import _WORD, _stem

    text = strip_quotes(text.lower().replace("–", " ").replace("—", " "))
    return [_stem(w) for w in _WORD.findall(text) if w not in STOPWORDS and len(w) > 2]


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("abcXYZ019 -–—’'‘“”\"`´.,;:()İKſéлß\t\n\u00a0\u212a")),
        max_size=60,
    )
)
def test_fast_word_split_equals_the_pattern(text: str) -> None:
    from evidence_graph.graph.curation.discussion import _words

    assert _words(text) == _reference_words(text)


def test_fast_word_split_on_real_text() -> None:
    from evidence_graph.graph.curation.discussion import _words

    for path in sorted((DATA / "cells" / "drug").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert _words(text) == _reference_words(text)
        for line in text.splitlines():
            assert _words(line) == _reference_words(line)
