"""Read the text of one Effectiveness Bank page about a matrix cell into a `Cell` record (no RDF).

A page is read in passes over its paragraphs (runs of non-blank lines, `lines`):

1. **Kind** (`kinds`): a full cell page, a catalogue record about a cell, or a teaser.
2. **Identity** (`identity`): matrix, cell, title and the level/type labels — from the text, else
   the path ``cells/<matrix>/<CELL>.txt``; labels the page omits come from ``matrices.yaml``.
3. **Entries** (`entries`, `dates`): the listed documents between the legend and the end of the
   list, each "<marker(s)> <title> (<date part>) <annotation>".
4. **References** (`positional`, `links`): positional references resolved to entries; discussion
   pointers, cross-cell references and mentioned documents.
5. **Commentary** (`commentary`): the Matrix Bite sections (a catalogue record's too).

`parse_text` never raises: whatever it cannot read is a `Problem` with its line number.
`parse_file` raises `SourceError` for files that are not a page's text (empty, binary, not UTF-8,
too large, a line too long) or that name no cell, neither in their text nor in their path. Time
and memory grow linearly with the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from ..base.errors import SourceError
from ..base.matrices import MatrixDef
from ..base.records import Cell, Entry, Problem
from ..base.text import ends_sentence
from . import commentary, entries, identity, links, positional
from .kinds import page_kind
from .lines import MAX_LINE_CHARS, MAX_PAGE_BYTES, Para, first_long_line, paragraphs, split_lines

TEASER_NOTE = (
    "not a full cell page: a short announcement of the cell (teaser); only its identity and "
    "summary are read"
)


def _summary(paras: Sequence[Para], labels_para: int | None, header_end: int) -> Para | None:
    """The summary: the first prose paragraph after the "<level>; <type>" line, else the last
    paragraph before the entries that reads as prose (eight words or more, ending a sentence)."""
    if labels_para is not None:
        for para in paras[labels_para + 1 : header_end]:
            if not entries.is_noise(para.text) and len(para.text.split()) >= 8:
                return para
    for para in reversed(paras[1:header_end]):
        text = para.text
        if not entries.is_noise(text) and len(text.split()) >= 8 and ends_sentence(text):
            return para
    return None


def parse_text(
    text: str, source: str = "<string>", matrices: Mapping[str, MatrixDef] | None = None
) -> Cell:
    """Parse the text of one page. Never raises: what it cannot read is in `Cell.problems`.

    When the text names no cell, `source` is tried as a path ``cells/<matrix>/<CELL>.txt``.
    `matrices` (default: `identity.matrices_for(source)`) supplies labels the page omits.
    """
    lines = split_lines(text)
    paras = paragraphs(lines)
    problems: list[Problem] = []

    # Where the entries begin: after the last legend paragraph, else at the first paragraph that
    # reads as an entry (marker + date part).
    legend = next((i for i, p in enumerate(paras) if entries.is_legend(p.text)), None)
    first = entries.first_entry(paras)
    if legend is not None and (first is None or legend < first):
        start = legend
    elif first is not None:
        start = first
    else:
        start = len(paras)
    kind = page_kind(paras, start < len(paras))
    if kind == "catalogue record":
        start = next(i for i, p in enumerate(paras) if entries.starts_with_heading(p.text))
    header_end = start

    ident = identity.find_identity(paras, header_end)
    from_path = identity.identity_from_path(source)
    if not ident.cell and from_path is None:
        ident = identity.find_identity(paras, header_end, bullets=True)
    if ident.cell and from_path is not None and from_path != (ident.matrix, ident.cell):
        problems.append(
            Problem(
                1,
                f"the text names {ident.matrix}/{ident.cell} but the path says "
                f"{from_path[0]}/{from_path[1]}; the text wins",
            )
        )
    if not ident.cell:
        if from_path is not None:
            ident.matrix, ident.cell = from_path
        else:
            problems.append(
                Problem(1, "no cell named: neither '<Name> Matrix cell <ID>' nor a path")
            )
    identity.apply_matrix_labels(
        ident, identity.matrices_for(source) if matrices is None else matrices, problems
    )

    summary_para = (
        None if kind == "catalogue record" else _summary(paras, ident.labels_para, header_end)
    )
    summary = summary_para.text if summary_para else ""

    # Entries and their references.
    end = start if kind != "cell page" else entries.entries_end(paras, start)
    drafts = entries.drafts(paras[start:end], problems)
    reached_end = end == len(paras)
    made: list[Entry] = []
    not_understood = 0
    for n, draft in enumerate(drafts, start=1):
        entry, unread = entries.make_entry(
            draft, n, ident.matrix, reached_end and n == len(drafts), problems
        )
        made.append(entry)
        not_understood += unread
    resolution = positional.resolve(made, [d.pointers for d in drafts], problems)
    found = [
        replace(
            e,
            refs=tuple(resolution.refs[e.position]),
            ambiguous_refs=tuple(resolution.ambiguous.get(e.position, ())),
        )
        for e in made
    ]
    counts = replace(resolution.counts, not_understood=not_understood)
    if not found and kind == "cell page":
        problems.append(Problem(paras[start].line if start < len(paras) else 1, "no entries found"))

    sections, section_refs = (
        commentary.sections(paras[end:], ident.matrix, problems) if kind != "teaser" else ([], [])
    )
    if not sections and paras and kind == "cell page":
        last = paras[-1].last_line
        problems.append(
            Problem(
                paras[end].line if end < len(paras) else last,
                "no Matrix Bite commentary found (is the page cut short?)",
            )
        )
    if kind == "teaser":
        problems.append(Problem(paras[0].line if paras else 1, TEASER_NOTE))

    summary_refs = links.cell_refs(summary, summary_para, 0, ident.matrix) if summary_para else []
    cell_refs = [*summary_refs, *(r for e in found for r in e.cell_refs), *section_refs]
    cell_refs.sort(key=lambda r: r.line)
    problems.sort(key=lambda p: p.line)

    return Cell(
        source=source,
        matrix=ident.matrix,
        cell=ident.cell,
        level=ident.cell[:1],
        type=ident.cell[1:],
        title=ident.title,
        level_label=ident.level_label,
        type_label=ident.type_label,
        summary=summary,
        summary_line=summary_para.line if summary_para else 0,
        entries=tuple(found),
        sections=tuple(sections),
        cell_refs=tuple(cell_refs),
        problems=tuple(problems),
        lines=tuple(lines),
        kind=kind,
        labels_from=ident.labels_from,
        positional_refs=counts,
    )


def parse_file(path: str | Path, matrices: Mapping[str, MatrixDef] | None = None) -> Cell:
    """Parse one page file; raises `SourceError` for files that are not a page's text."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise SourceError(
                path,
                None,
                f"too large for a cell page ({size:,} bytes; at most {MAX_PAGE_BYTES:,})",
                hint="split the file: one page per file",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SourceError(path, None, "empty file", hint="a cell page is a text file with content")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SourceError(path, line, "binary file (NUL byte), not a cell page text")
    long_line = first_long_line(data)
    if long_line is not None:
        number, length = long_line
        raise SourceError(
            path,
            number,
            f"line {number} is {length:,} bytes long; a page's line holds at most "
            f"{MAX_LINE_CHARS:,} (a paragraph is a few thousand)",
            hint="is this really a saved cell page? break the text into lines",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            path,
            line,
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            hint="save the page as UTF-8 text",
        ) from exc
    cell = parse_text(text, str(path), matrices)
    if not cell.cell:
        raise SourceError(
            path,
            1,
            "names no cell: no '<Name> Matrix cell <ID>' line and the path is not "
            "cells/<matrix>/<CELL>.txt",
        )
    return replace(cell, sha256=hashlib.sha256(data).hexdigest())
