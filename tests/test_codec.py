"""The data-only record codec of the build cache: exact round trip, and anything else rejected."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from typing import Any

import pytest
from conftest import DATA

from evidence_graph.graph.base.codec import field_index, from_json, to_json
from evidence_graph.graph.base.records import Cell, Claim, Entry
from evidence_graph.graph.parsing.page import parse_file


@pytest.mark.parametrize("name", ["B3", "B4"])
def test_a_parsed_page_round_trips_exactly(name: str) -> None:
    cell = parse_file(DATA / "cells" / "drug" / f"{name}.txt")
    data = json.loads(json.dumps(to_json(cell), ensure_ascii=False))
    back = from_json(Cell, data)
    assert back == cell
    assert back.lines == cell.lines  # not part of equality, but the cache must keep it
    assert back.entries[0].kinds == cell.entries[0].kinds and isinstance(back.entries, tuple)


def _cell_data() -> list[Any]:
    data: list[Any] = to_json(parse_file(DATA / "cells" / "drug" / "B4.txt"))
    return data


def _cell(name: str) -> int:
    return field_index(Cell, name)


def _entry(name: str) -> int:
    return field_index(Entry, name)


def _first_entry(data: list[Any]) -> list[Any]:
    entry: list[Any] = data[_cell("entries")][0]
    return entry


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.pop(_cell("matrix")),  # a field too few
        lambda d: d.append(1),  # a field too many
        lambda d: d.__setitem__(_cell("summary_line"), "3"),
        lambda d: d.__setitem__(_cell("summary_line"), True),
        lambda d: _first_entry(d).__setitem__(_entry("kinds"), ["X"]),
        lambda d: _first_entry(d).__setitem__(_entry("year"), "2009"),
        lambda d: _first_entry(d).__setitem__(_entry("refs"), {"relation": "related"}),
        lambda d: d.__setitem__(_cell("lines"), [1, 2]),
        lambda d: d.__setitem__(_cell("entries"), None),
        lambda d: d[_cell("entries")].append("not an entry"),
        # two fields swapped: the matrix's name where the summary's line number stands
        lambda d: d.__setitem__(_cell("summary_line"), d[_cell("matrix")]),
        # a record as an object of named fields (not this codec's form)
        lambda d: d[_cell("entries")].__setitem__(
            0, dict(zip([f.name for f in fields(Entry)], _first_entry(d), strict=True))
        ),
    ],
)
def test_anything_that_is_not_a_record_is_rejected(spoil: Any) -> None:
    data = _cell_data()
    spoil(data)
    with pytest.raises(ValueError):
        from_json(Cell, data)


def test_not_an_object_at_all() -> None:
    for data in (None, [], "cell", 3, {"__class__": "os.system"}):
        with pytest.raises(ValueError):
            from_json(Cell, data)


def test_other_records_round_trip() -> None:
    from evidence_graph.graph.base.records import ClaimRelation

    claim = Claim(
        id="x",
        statement="s",
        exposure="e",
        outcome="o",
        effect_shape="linear",
        source="claims/x.yaml",
        line=3,
        population=None,
        relations=(ClaimRelation("related", "y"),),
    )
    assert from_json(Claim, json.loads(json.dumps(to_json(claim)))) == claim
    changed = replace(claim, id="z")
    assert from_json(Claim, to_json(changed)) != claim
