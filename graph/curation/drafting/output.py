"""Draft claims → a claims file in the schema of ``data/claims/*.yaml`` (or JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

from ...base.ids import doc_key, section_key
from ...base.records import Cell, Claim
from .drafter import DraftResult, tool_label

HEADER = """\
# Draft claims proposed by {tool} from: {pages}
# Machine drafts (status: draft): each claim's quotes are verbatim and verified, but its statement,
# exposure, outcome, shape and document are the drafter's reading. To accept a claim, check it
# against the page, reword and fix it, set `status: curated`, and move it into data/claims/.
# Summary: {sentences} sentences read, {findings} finding sentences, {covered} already quoted by
# curated claims, {unattributed} without a document; {claims} draft claims.
"""


class _Literal(str):
    """A long string written as a folded block (`>-`)."""


def _represent(dumper: yaml.SafeDumper, data: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=">")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _represent)


def _text(value: str) -> str:
    return _Literal(value) if len(value) > 60 else value


def _document(key: str, cells: Sequence[Cell]) -> dict[str, Any]:
    for cell in cells:
        for entry in cell.entries:
            if doc_key(entry.title, entry.year) == key:
                found: dict[str, Any] = {"title": entry.title}
                if entry.year is not None:
                    found["year"] = entry.year
                return found
    return {"title": key}


def claim_dict(claim: Claim, cells: Sequence[Cell]) -> dict[str, Any]:
    """One claim as the claims file writes it (keys in the curated files' order)."""
    item: dict[str, Any] = {
        "id": claim.id,
        "status": claim.status,
        "drafted_by": claim.drafted_by or tool_label(),
        "confidence": claim.confidence,
        "statement": _text(claim.statement),
        "exposure": _text(claim.exposure),
        "outcome": _text(claim.outcome),
        "effect_shape": claim.effect_shape,
        "polarity": claim.polarity,
    }
    if claim.moderators:
        item["moderators"] = [_text(m) for m in claim.moderators]
    if claim.population:
        item["population"] = _text(claim.population)
    if claim.topics:
        item["topics"] = list(claim.topics)
    if claim.relations:
        item["relations"] = [{"kind": r.kind, "claim": r.target} for r in claim.relations]
    item["cues"] = list(claim.cues)
    evidence = []
    by_source = {c.source: c for c in cells}
    for line in claim.evidence:
        cell = by_source.get(line.quote.source)
        entry: dict[str, Any] = {
            "document": _document(line.document, cells),
            "direction": line.direction,
        }
        if cell is not None:
            entry["cell"] = f"{cell.matrix}/{cell.cell}"
            section = next(
                (
                    s.heading
                    for s in cell.sections
                    if line.quote.quoted_from == section_key(cell.matrix, cell.cell, s.heading)
                ),
                None,
            )
            if section is not None:
                entry["section"] = section
        entry["quote"] = _text(" ".join(line.quote.exact.split()))
        if line.note:
            entry["note"] = line.note
        evidence.append(entry)
    item["evidence"] = evidence
    return {k: v for k, v in item.items() if v is not None}


def to_yaml(result: DraftResult, cells: Sequence[Cell]) -> str:
    """The claims file text: a header saying what it is, then `claims:`."""
    header = HEADER.format(
        tool=tool_label(),
        pages=", ".join(result.pages),
        sentences=result.sentences,
        findings=len(result.findings),
        covered=result.covered,
        unattributed=result.unattributed,
        claims=len(result.claims),
    )
    body = yaml.dump(
        {"claims": [claim_dict(c, cells) for c in result.claims]},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return header + body


def to_json(result: DraftResult, cells: Sequence[Cell]) -> str:
    """The drafted claims and the drafter's counts as one JSON object."""
    return json.dumps(
        {
            "tool": tool_label(),
            "pages": list(result.pages),
            "sentences": result.sentences,
            "findings": len(result.findings),
            "covered": result.covered,
            "unattributed": result.unattributed,
            "claims": [claim_dict(c, cells) for c in result.claims],
        },
        ensure_ascii=False,
        indent=2,
    )
