"""Draft claims → a claims file in the schema of ``data/claims/*.yaml`` (or JSON)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from ...base.ids import doc_key, is_commentary_key, section_key
from ...base.records import Cell, Claim
from .drafter import DraftResult, tool_label

HEADER = """\
# Draft claims proposed by {tool} from: {pages}
# Machine drafts (status: draft): each claim's quotes are verbatim and verified, but its statement,
# exposure, outcome, shape and document are the drafter's reading. To accept a claim, check it
# against the page, reword and fix it, set `status: curated`, and move it into data/claims/.
# Summary: {sentences} sentences read, {findings} finding sentences, {covered} already quoted by
# curated claims, {unattributed} without a document (evidence from the cell's commentary, low
# confidence: `document: commentary`); {claims} draft claims.
"""


class _Literal(str):
    """A long string written as a folded block (`>-`)."""


def _text(value: str) -> str:
    return _Literal(value) if len(value) > 60 else value


_PLAIN = re.compile(r"^[A-Za-z0-9‘’“”][^:#\n]*$")
_SPECIAL = frozenset({"null", "true", "false", "yes", "no", "on", "off", "~", ""})


def _scalar(value: object) -> str:
    """A YAML scalar: plain where unambiguous, else JSON's double quotes (valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _SPECIAL and not text[-1:].isspace():
        if not re.fullmatch(r"[-+0-9.eE]+", text):
            return text
    return json.dumps(text, ensure_ascii=False)


def _folded(text: str, indent: int) -> list[str]:
    """A folded block scalar (`>-`) of `text`, wrapped at 100 columns."""
    pad = " " * indent
    lines = textwrap.wrap(
        text, width=max(40, 100 - indent), break_long_words=False, break_on_hyphens=False
    )
    return [pad + line for line in lines]


def _emit(value: object, indent: int, out: list[str], key_prefix: str = "") -> None:
    """`value` as block YAML lines (mappings and lists of the claims schema)."""
    pad = " " * indent
    if isinstance(value, dict):
        first = True
        for key, item in value.items():
            lead = key_prefix if first and key_prefix else pad
            first = False
            if isinstance(item, dict | list) and item:
                out.append(f"{lead}{key}:")
                _emit(item, indent + 2, out)
            elif isinstance(item, _Literal):
                out.append(f"{lead}{key}: >-")
                out.extend(_folded(str(item), indent + 2))
            else:
                out.append(f"{lead}{key}: {_scalar(item) if item != [] else '[]'}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                _emit(item, indent + 2, out, key_prefix=f"{pad}- ")
            elif isinstance(item, _Literal):
                out.append(f"{pad}- >-")
                out.extend(_folded(str(item), indent + 2))
            else:
                out.append(f"{pad}- {_scalar(item)}")


def dump(data: dict[str, Any]) -> str:
    """Block YAML of the claims schema (a fast, deterministic writer; `yaml.safe_load` reads it
    back to the same data)."""
    out: list[str] = []
    _emit(data, 0, out)
    return "\n".join(out) + "\n"


def _documents(cells: Sequence[Cell]) -> dict[str, dict[str, Any]]:
    """Document key → how a claims file names it ({title, year})."""
    found: dict[str, dict[str, Any]] = {}
    for cell in cells:
        for entry in cell.entries:
            key = doc_key(entry.title, entry.year)
            if key not in found:
                found[key] = {"title": entry.title}
                if entry.year is not None:
                    found[key]["year"] = entry.year
    return found


def claim_dict(
    claim: Claim, cells: Sequence[Cell], documents: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One claim as the claims file writes it (keys in the curated files' order)."""
    documents = documents if documents is not None else _documents(cells)
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
        named: Any = (
            "commentary"
            if is_commentary_key(line.document)
            else dict(documents.get(line.document, {"title": line.document}))
        )
        entry: dict[str, Any] = {
            "document": named,
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
    documents = _documents(cells)
    claims = [claim_dict(c, cells, documents) for c in result.claims]
    body = dump({"claims": claims}) if claims else "claims: []\n"
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
            "claims": [claim_dict(c, cells, _documents(cells)) for c in result.claims],
        },
        ensure_ascii=False,
        indent=2,
    )
