"""The listed documents of a cell: the legend, the entry markers and each entry's parts.

Entries run after the legend ("S Seminal studiesK Key studies…", run together or one term per
line) up to "more Search…" / "Search for all relevant…" / "Matrix Bite" / a standard commentary
heading. Each entry is a paragraph "<marker(s)> <title> (<date part>)[.] <annotation>"; a marker
alone on its line (newer layout) is joined to the text that follows it. Paragraphs without a
marker are picture captions and are skipped, unless they look like an entry that lost its marker,
which goes into `problems`. A marker paragraph without a readable date part is still an entry (year
unknown) and a problem; the last entry of a page that stops mid-sentence is marked incomplete.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from ..base.records import Entry, MarkerKind, Problem
from ..base.text import ends_sentence
from . import links
from .dates import FREE_AFTER, YEAR, date_part, split_publishers
from .identity import CELL_ID
from .lines import Para
from .positional import Pointer, not_understood_problem, read_pointers

STANDARD_HEADING = re.compile(
    rf"(?:What\s+is\s+(?:this\s+|the\s+)?cell(?:\s+{CELL_ID})?\s+about\?"
    r"|Where\s+should\s+I\s+start\?|Highlighted\s+study)(?=\s|$)"
)
"""Headings every Matrix Bite of the site format has ("What is this cell about?", as a library
record prints it "What is cell A1 about?"; "Where should I start?"; "Highlighted study"); the
free-form ones are found, not listed."""

_MARKER = re.compile(
    r"^(?P<kinds>[SKRG](?:[ \t]*[/,&+]?[ \t]*[SKRG])*)(?:[ \t]+(?P<rest>\S.*))?$", re.S
)
_MARKER_LINE = re.compile(r"^[SKRG](?:[ \t]*[/,&+]?[ \t]*[SKRG])*(?:$|[ \t]+[“‘\"'(\[]?[A-Z0-9])")
_LEGEND_TERM = re.compile(
    r"[SKRG]\s*(?:Seminal\s+stud(?:y|ies)|Key\s+stud(?:y|ies)|Reviews?|Guidance)"
    r"|more\s+Search\s+for\s+more\s+studies|Search\s+for\s+more\s+studies",
    re.IGNORECASE,
)
END_OF_ENTRIES = re.compile(
    r"^(?:more\s+)?Search\s+for\s+all\b|^Matrix\s+Bite\b|^Close\s+Matrix\s+Bite\b", re.IGNORECASE
)
NOISE = re.compile(
    r"^(?:Links to other documents\.|Matrix Bite\b|Close Matrix Bite\b|(?:more\s+)?Search for\b"
    r"|Effectiveness bank home page\b|.*\bMatrix cell logo$)",
    re.IGNORECASE,
)
_NOISE_START = re.compile(
    r"(?:Links to other documents\.|Matrix Bite\b|Close Matrix Bite\b|(?:more\s+)?Search for\b"
    r"|Effectiveness bank home page\b)",
    re.IGNORECASE,
)


def is_noise(text: str) -> bool:
    """`NOISE.match(text)`, without scanning the whole paragraph for "… Matrix cell logo" unless
    it ends with "logo"."""
    if _NOISE_START.match(text):
        return True
    end = text[:-1] if text.endswith("\n") else text
    return end[-4:].lower() == "logo" and NOISE.match(text) is not None


_LOST_MARKER = re.compile(rf"^[A-Z][^()]{{2,300}}\((?:[^()]*,\s*)?{YEAR}\)\.?\s")


def is_legend(text: str) -> bool:
    """Whether a paragraph is the legend (or one of its terms)."""
    if not re.match(r"^[SKRG]\s*(?:Seminal|Key|Reviews?\b|Guidance)", text, re.IGNORECASE):
        return bool(re.fullmatch(r"(?:more\s+)?Search\s+for\s+more\s+studies", text, re.I))
    return not _LEGEND_TERM.sub("", text).strip(" .;,|")


def standard_heading(text: str) -> str | None:
    """The standard heading `text` starts with (as printed), if any."""
    match = STANDARD_HEADING.match(text)
    return match.group(0) if match else None


def starts_with_heading(text: str) -> bool:
    return standard_heading(text) is not None


def marker(text: str) -> tuple[tuple[MarkerKind, ...], str] | None:
    """(marker kinds, the text after them) of a paragraph that starts with an entry marker."""
    match = _MARKER.match(text)
    if match is None:
        return None
    kinds = tuple(cast(MarkerKind, k) for k in re.findall(r"[SKRG]", match["kinds"]))
    return kinds, match["rest"] or ""


def first_entry(paras: Sequence[Para]) -> int | None:
    """Index of the first paragraph that reads as an entry: a marker with a date part (or a marker
    alone before one); failing that, the first marker paragraph after the title."""
    for i, para in enumerate(paras):
        marked = marker(para.text)
        if marked is None:
            continue
        rest = marked[1] or (paras[i + 1].text if i + 1 < len(paras) else "")
        if date_part(rest) is not None:
            return i
    return next((i for i, p in enumerate(paras) if i and marker(p.text)), None)


def entries_end(paras: Sequence[Para], start: int) -> int:
    """Index of the first paragraph after the entries (the end of the list or the commentary)."""
    for i in range(start, len(paras)):
        text = paras[i].text
        if END_OF_ENTRIES.match(text) and not is_legend(text):
            return i
        if starts_with_heading(text):
            return i
    return len(paras)


def split_at_markers(para: Para) -> list[Para]:
    """`para` cut before every line that starts an entry, for pages that put no blank line
    between entries: a marker followed by a capitalised word, or a marker alone on its line."""
    pieces: list[Para] = []
    for line_no, _, text in para.parts:
        if not pieces or _MARKER_LINE.match(text):
            pieces.append(Para(line_no, para.blanks_before if not pieces else 0))
        pieces[-1].add(line_no, text)
    return pieces


@dataclass
class EntryDraft:
    """An entry's paragraph and marker, before its parts are read."""

    para: Para
    kinds: tuple[MarkerKind, ...]
    body: str
    text: str
    pointers: list[Pointer] = field(default_factory=list)


def drafts(paras: Sequence[Para], problems: list[Problem]) -> list[EntryDraft]:
    """The entry paragraphs of the entry region `paras`, markers read, captions skipped."""
    found: list[EntryDraft] = []
    region = [piece for para in paras for piece in split_at_markers(para)]
    i = 0
    while i < len(region):
        para = region[i]
        i += 1
        if is_legend(para.text) or is_noise(para.text):
            continue
        marked = marker(para.text)
        if marked is None:
            if _LOST_MARKER.match(para.text):
                problems.append(
                    Problem(para.line, "looks like an entry but has no S/K/R/G marker; skipped")
                )
            continue
        kinds, rest = marked
        if not rest and i < len(region):  # newer layout: the marker alone, the entry below it
            para = para.joined(region[i])
            i += 1
            marked = marker(para.text)
            assert marked is not None
            kinds, rest = marked
        found.append(EntryDraft(para, kinds, rest, para.text))
    return found


def make_entry(
    draft: EntryDraft, position: int, own_matrix: str, last: bool, problems: list[Problem]
) -> tuple[Entry, int]:
    """The entry of `draft` and how many of its positional pointers were not understood."""
    para, body = draft.para, draft.body
    line = para.line
    if not body.strip():
        problems.append(Problem(line, f"entry {position} is a marker with no text"))
        empty = Entry(position, line, draft.kinds, "", None, None, (), None, False, "", draft.text)
        return empty, 0
    offset = len(draft.text) - len(body)
    date = date_part(body)
    complete = True
    if last and not ends_sentence(draft.text):
        complete = False
        problems.append(Problem(line, f"entry {position} is cut off: the page ends inside it"))
    if date is None:
        head = re.split(r"(?<=[.?!])\s", body, maxsplit=1)
        title = head[0].strip() if head else ""
        if len(title) > 1 and title.endswith("."):  # the sentence's stop, as a date part's
            title = title[:-1].rstrip()
        annotation = head[1].strip() if len(head) > 1 else ""
        problems.append(
            Problem(
                line, f"entry {position}: no date part '(… year)' after the title; year unknown"
            )
        )
        year, publisher, jurisdiction, free = None, None, None, False
    else:
        title = body[: date.start].strip()
        annotation = re.sub(r"^\s*\.", "", body[date.end :]).strip()
        year, publisher, jurisdiction = date.year, date.publisher, date.jurisdiction
        free = date.free_source or bool(FREE_AFTER.match(annotation))
        if not title:
            problems.append(Problem(line, f"entry {position}: no title before the date part"))
    ann_start = body.find(annotation, date.end if date else 0) if annotation else len(body)
    ann_offset = offset + max(ann_start, 0)
    draft.pointers, not_read = read_pointers(annotation)
    for span in not_read:
        problems.append(
            Problem(
                para.line_at(ann_offset + span[0]),
                not_understood_problem(annotation, span, position),
            )
        )
    entry = Entry(
        position=position,
        line=line,
        kinds=draft.kinds,
        title=title,
        year=year,
        publisher=publisher,
        publishers=split_publishers(publisher),
        jurisdiction=jurisdiction,
        free_source=free,
        annotation=annotation,
        text=draft.text,
        discussion_pointers=links.discussion_pointers(annotation),
        cell_refs=tuple(links.cell_refs(annotation, para, ann_offset, own_matrix)),
        mentions=links.mentions(annotation, para, ann_offset),
        complete=complete,
    )
    return entry, len(not_read)
