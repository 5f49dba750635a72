"""The data-only record codec of the build cache: exact round trip, and anything else rejected."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from conftest import DATA

from evidence_graph.graph.base.codec import from_json, to_json
from evidence_graph.graph.base.records import Cell, Claim
from evidence_graph.graph.parsing.page import parse_file


@pytest.mark.parametrize("name", ["B3", "B4"])
def test_a_parsed_page_round_trips_exactly(name: str) -> None:
    cell = parse_file(DATA / "cells" / "drug" / f"{name}.txt")
    data = json.loads(json.dumps(to_json(cell), ensure_ascii=False))
    back = from_json(Cell, data)
    assert back == cell
    assert back.lines == cell.lines  # not part of equality, but the cache must keep it
    assert back.entries[0].kinds == cell.entries[0].kinds and isinstance(back.entries, tuple)


def _cell_data() -> dict[str, Any]:
    data: dict[str, Any] = to_json(parse_file(DATA / "cells" / "drug" / "B4.txt"))
    return data


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.pop("matrix"),
        lambda d: d.update(extra=1),
        lambda d: d.update(summary_line="3"),
        lambda d: d.update(summary_line=True),
        lambda d: d["entries"][0].update(kinds=["X"]),
        lambda d: d["entries"][0].update(year="2009"),
        lambda d: d["entries"][0].update(refs={"relation": "related"}),
        lambda d: d.update(lines=[1, 2]),
        lambda d: d.update(entries=None),
        lambda d: d["entries"].append("not an entry"),
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
