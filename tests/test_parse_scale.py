"""The parser stays linear in the size of a page, and refuses inputs no page has, with a message."""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from evidence_graph.graph.base.errors import SourceError
from evidence_graph.graph.parsing import parse_file, parse_text
from evidence_graph.graph.parsing.lines import MAX_LINE_CHARS, MAX_PAGE_BYTES
from evidence_graph.graph.parsing.positional import read_pointers, resolve

HEAD = (
    "Drug Treatment Matrix cell B4: Practitioners; Psychosocial therapies\n\n"
    "S Seminal studiesK Key studiesR ReviewsG Guidance\n\n"
)
POINTERS = (
    "Related study below.",
    "Related study above.",
    "Similar trials from two other regions below.",
    "The related review and guidance below take this further.",
    "See the document listed above.",
    "Also listed below as guidance.",
    "(their overall report is listed above)",
)


def page(entries: int, separator: str = "\n\n") -> str:
    body = separator.join(
        f"{'SKKRG'[n % 5]} Listing {n} ({1950 + n % 70}). Note {n}. {POINTERS[n % len(POINTERS)]}"
        for n in range(entries)
    )
    return HEAD + body + "\n\nSearch for all relevant Effectiveness Bank analyses.\n"


def line_events(text: str) -> int:
    """Python lines executed while parsing `text`: an operation count, independent of the clock."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        parse_text(text, "cells/drug/B4.txt")
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("separator", ["\n\n", "\n"], ids=["blank-lines", "no-blank-lines"])
def test_parsing_work_grows_linearly_with_the_page(separator: str) -> None:
    parse_text(page(10, separator), "cells/drug/B4.txt")  # warm caches (patterns, matrices)
    e1, e2, e3 = (line_events(page(n, separator)) for n in (300, 600, 1200))
    # The work each doubling adds doubles too when the parser is linear; a quadratic step would
    # make it four times as large.
    growth = (e3 - e2) / (e2 - e1)
    assert 1.8 < growth < 2.3, (e1, e2, e3)


def test_resolution_examines_a_bounded_number_of_entries_per_reference() -> None:
    for size in (1_000, 8_000):
        cell = parse_text(page(size))
        pointers = [read_pointers(e.annotation)[0] for e in cell.entries]
        result = resolve(cell.entries, pointers, [])
        references = sum(len(p) for p in pointers)
        assert result.steps <= size + 12 * references, (size, result.steps)


def test_a_huge_line_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "cells" / "drug" / "B4.txt"
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        out.write(b"Drug Treatment Matrix cell B4\n\n")
        out.write(b"x" * (20 * 1024 * 1024))
        out.write(b"\n")
    with pytest.raises(SourceError) as info:
        parse_file(path)
    assert info.value.line == 3
    assert str(path) in str(info.value) and f"at most {MAX_LINE_CHARS:,}" in str(info.value)


def test_a_file_larger_than_any_page_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as out:
        out.truncate(MAX_PAGE_BYTES + 1)  # sparse: nothing is written or read
    with pytest.raises(SourceError, match="too large for a cell page"):
        parse_file(path)


def test_cli_reports_a_huge_line_without_a_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from evidence_graph.graph.cli import cli

    path = tmp_path / "B4.txt"
    path.write_bytes(b"Drug Treatment Matrix cell B4\n" + b"y" * (MAX_LINE_CHARS + 1))
    result = CliRunner().invoke(cli, ["parse", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path}:2: line 2 is {MAX_LINE_CHARS + 1:,} bytes long" in result.stderr
    assert "Traceback" not in result.output and "MemoryError" not in result.output


def test_an_annotation_full_of_pointers_is_read_up_to_a_bound() -> None:
    annotation = "Related study below. Related study above. " * 2_000
    text = HEAD + f"K A (1990). {annotation}\n\nK B (1991). Note.\n"
    cell = parse_text(text)
    refs = cell.positional_refs
    assert refs.resolved + refs.unresolved + refs.ambiguous == 50  # MAX_POINTERS
    assert refs.not_understood == 1 and len(cell.problems) <= 52
