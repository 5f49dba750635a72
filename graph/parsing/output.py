"""What a parsed page looks like to users: the JSON object of `parse --json` and the readable
summary of `parse`."""

from __future__ import annotations

from typing import Any

from ..base.records import Cell, CellRef


def _ref_json(ref: CellRef) -> dict[str, Any]:
    return {"matrix": ref.matrix, "cell": ref.cell, "line": ref.line, "passage": ref.passage}


def cell_to_json(cell: Cell) -> dict[str, Any]:
    """The JSON object of `parse --json` for one parsed page (plus positions, lines and sources)."""
    return {
        "source": cell.source,
        "sha256": cell.sha256,
        "kind": cell.kind,
        "matrix": cell.matrix,
        "cell": cell.cell,
        "level": cell.level,
        "level_label": cell.level_label,
        "type": cell.type,
        "type_label": cell.type_label,
        "labels_from": cell.labels_from,
        "title": cell.title,
        "summary": cell.summary,
        "summary_line": cell.summary_line,
        "entries": [
            {
                "position": e.position,
                "line": e.line,
                "kinds": list(e.kinds),
                "title": e.title,
                "year": e.year,
                "publisher": e.publisher,
                "publishers": list(e.publishers),
                "jurisdiction": e.jurisdiction,
                "free_source": e.free_source,
                "annotation": e.annotation,
                "text": e.text,
                "refs": [
                    {"relation": r.relation, "target": r.target, "phrase": r.phrase} for r in e.refs
                ],
                "discussion_pointers": e.discussion_pointers,
                "cell_refs": [_ref_json(r) for r in e.cell_refs],
                "mentions": [
                    {
                        "description": m.description,
                        "year": m.year,
                        "line": m.line,
                        "free_source": m.free_source,
                    }
                    for m in e.mentions
                ],
                "complete": e.complete,
                "ambiguous_refs": [
                    {
                        "relation": a.relation,
                        "phrase": a.phrase,
                        "candidates": list(a.candidates),
                        "line": a.line,
                    }
                    for a in e.ambiguous_refs
                ],
            }
            for e in cell.entries
        ],
        "sections": [
            {
                "heading": s.heading,
                "line": s.line,
                "end_line": s.end_line,
                "text": s.text,
                "paragraph_lines": list(s.paragraph_lines),
                "asides": list(s.asides),
                "aside_lines": list(s.aside_lines),
                "cell_refs": [_ref_json(r) for r in s.cell_refs],
                "complete": s.complete,
            }
            for s in cell.sections
        ],
        "cell_refs": [_ref_json(r) for r in cell.cell_refs],
        "positional_refs": {
            "resolved": cell.positional_refs.resolved,
            "ambiguous": cell.positional_refs.ambiguous,
            "unresolved": cell.positional_refs.unresolved,
            "not_understood": cell.positional_refs.not_understood,
        },
        "problems": [{"line": p.line, "message": p.message} for p in cell.problems],
    }


def describe_cell(cell: Cell) -> str:
    """A readable summary of a parsed cell, for `evidence-graph parse` without --json."""
    counts = {k: sum(k in e.kinds for e in cell.entries) for k in "SKRG"}
    kinds = ", ".join(f"{k} {n}" for k, n in counts.items() if n)
    level = f"{cell.level} {cell.level_label or ''}".strip()
    type_ = f"{cell.type} {cell.type_label or ''}".strip()
    pos = cell.positional_refs
    kind = "" if cell.kind == "cell page" else f" [{cell.kind}]"
    out = [
        f"{cell.source}: {cell.matrix} {cell.cell} — {level} / {type_}{kind}",
        f"  {len(cell.entries)} entries ({kinds or 'none'}), {len(cell.sections)} sections, "
        f"{len(cell.cell_refs)} cell references, {len(cell.problems)} problems",
    ]
    if any((pos.resolved, pos.ambiguous, pos.unresolved, pos.not_understood)):
        out.append(
            f"  positional references: {pos.resolved} resolved, {pos.ambiguous} ambiguous, "
            f"{pos.unresolved} pointing at no entry, {pos.not_understood} not understood"
        )
    for e in cell.entries:
        marker = " ".join(e.kinds)
        year = e.year if e.year is not None else "????"
        notes = []
        if e.publisher:
            notes.append(f"[{e.jurisdiction}] {e.publisher}" if e.jurisdiction else e.publisher)
        if e.free_source:
            notes.append("free source")
        if not e.complete:
            notes.append("CUT OFF")
        out.append(
            f"  {e.position:>3} {marker:<4} {year}  {e.title}" + "".join(f" · {n}" for n in notes)
        )
        links = [f"{r.relation} {r.target}" for r in e.refs]
        links += [f"{a.relation} one of {a.candidates}?" for a in e.ambiguous_refs]
        links += [f"discussed ×{e.discussion_pointers}"] if e.discussion_pointers else []
        links += [f"mentions {m.description} ({m.year or '…'})" for m in e.mentions]
        links += [f"cell {r.matrix}/{r.cell}" for r in e.cell_refs]
        if links:
            out.append("               → " + "; ".join(links))
    for s in cell.sections:
        refs = "".join(f" → {r.matrix}/{r.cell}" for r in s.cell_refs)
        out.append(f"  § line {s.line:>4}  {s.heading} ({len(s.paragraph_lines)} ¶){refs}")
    for p in cell.problems:
        out.append(f"  ! line {p.line:>4}  {p.message}")
    return "\n".join(out)
