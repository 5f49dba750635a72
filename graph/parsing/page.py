"""Read the text of one Effectiveness Bank matrix cell page into a `Cell` record (no RDF here).

A cell page is read in four passes over its paragraphs (runs of non-blank lines):

1. **Identity** — the title line "<Name> Matrix cell <ID>[: <level label>; <type label>]" (or any
   line above the entries naming "<Name> Matrix cell <ID>"); the matrix key is the lowercased
   first word of the matrix name without "Effectiveness Bank" ("Drug Treatment Matrix" → drug,
   "Alcohol Matrix" → alcohol, "Synthetic7 Treatment Matrix" → synthetic7). Where the text names
   no cell, the path ``cells/<matrix>/<CELL>.txt`` does. The level letter and type number come from
   the cell id; their labels from the title or from a "<level>; <type>" (or ":") line, and the
   summary is the first prose paragraph after that line (else the last one before the entries).
2. **Entries** — after the legend ("S Seminal studiesK Key studies…", run together or one term per
   line) up to "more Search…" / "Search for all relevant…" / "Matrix Bite" / a standard commentary
   heading. Each entry is a paragraph "<marker(s)> <title> (<date part>)[.] <annotation>"; a marker
   alone on its line (newer layout) is joined to the text that follows it. Paragraphs without a
   marker are picture captions and are skipped, unless they look like an entry that lost its
   marker, which goes into `problems`. A marker paragraph without a readable date part is still
   an entry (year unknown) and a problem; the last entry of a page that stops mid-sentence is
   marked incomplete and reported.
3. **Annotations** — positional references (see `_resolve_refs` for the rules), discussion
   pointers, cross-cell references and mentioned documents (see `_mentions`).
4. **Commentary** — see `_sections` for how headings are found without knowing them in advance.

`parse_text` never raises: whatever it cannot read is a `Problem` with its line number.
`parse_file` raises `SourceError` only for files that are not text at all (empty, binary, not UTF-8)
or that name no cell, neither in their text nor in their path.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any, cast

from ..base.errors import SourceError
from ..base.records import (
    Cell,
    CellRef,
    Entry,
    EntryRef,
    EntryRelation,
    MarkerKind,
    Mention,
    Problem,
    Section,
)
from ..base.text import ends_sentence, fold_words, sentence_around, strip_quotes

__all__ = ["cell_to_json", "describe_cell", "matrix_key_from_name", "parse_file", "parse_text"]

STANDARD_HEADINGS = ("What is this cell about?", "Where should I start?", "Highlighted study")
"""Headings every Matrix Bite of the site format has (the free-form ones are found, not listed)."""

DIVIDERS = ("Issues to consider and discuss",)
"""Site-format dividers inside a commentary: kept as an aside of the section, never a heading."""

# --- patterns ---------------------------------------------------------------------------------

_CELL_ID = r"[A-Z]\d{1,2}"
_MATRIX_NAME = r"(?:Effectiveness\s+Bank\s+)?[A-Z][\w-]*(?:\s+Treatment)?\s+Matrix"
_IDENTITY = re.compile(
    rf"(?P<name>{_MATRIX_NAME})\s+(?i:cell)\s+(?P<cell>{_CELL_ID})\b(?P<rest>.*)$"
)
_LABELS = re.compile(
    r"^\s*(?P<level>[A-Z][^.;:]{1,60}?)\s*[;:]\s*(?P<type>[A-Z0-9][^.;:]{1,60}?)\s*$"
)
_PATH_IDENTITY = re.compile(rf"^(?P<cell>{_CELL_ID})$")

_MARKER = re.compile(
    r"^(?P<kinds>[SKRG](?:[ \t]*[/,&+]?[ \t]*[SKRG])*)(?:[ \t]+(?P<rest>\S.*))?$", re.S
)
_LEGEND_TERM = re.compile(
    r"[SKRG]\s*(?:Seminal\s+stud(?:y|ies)|Key\s+stud(?:y|ies)|Reviews?|Guidance)"
    r"|more\s+Search\s+for\s+more\s+studies|Search\s+for\s+more\s+studies",
    re.IGNORECASE,
)
_END_OF_ENTRIES = re.compile(
    r"^(?:more\s+)?Search\s+for\s+all\b|^Matrix\s+Bite\b|^Close\s+Matrix\s+Bite\b", re.IGNORECASE
)
_NOISE = re.compile(
    r"^(?:Links to other documents\.|Matrix Bite\b|Close Matrix Bite\b|(?:more\s+)?Search for\b"
    r"|Effectiveness bank home page\b|.*\bMatrix cell logo$)",
    re.IGNORECASE,
)
_YEAR = r"(?:1[5-9]|20)\d\d"
_DATE_PART = re.compile(
    rf"^\s*(?:\[(?P<jur>[^\]]{{1,40}})\]\s*)?(?:(?P<pub>[^;()]*?\S)\s*,\s*)?(?P<year>{_YEAR})[a-z]?"
    r"\s*(?:[;,]\s*(?P<note>.*?))?\s*$",
    re.S,
)
_PAREN = re.compile(r"\(([^()]*)\)")
_FREE = re.compile(r"(?<!\bno )\bfree\s+source\b", re.IGNORECASE)
_FREE_AFTER = re.compile(
    r"^\s*\(?\s*(?:a\s+)?free\s+source\s+(?:(?:is\s+)?available\s+)?at\s+(?:the\s+)?time\s+of\s+writing",
    re.IGNORECASE,
)
_DISCUSSION = re.compile(
    r"\bFor\s+(?:(?:related|more|further)\s+)?discussions?\s+click\b(?P<targets>(?:\s+(?:here|and))*)",
    re.IGNORECASE,
)
_CELL_REF = re.compile(
    rf"(?:(?P<pre>{_MATRIX_NAME})\s+)?\b[Cc]ells?\s+(?P<ids>{_CELL_ID}(?:\s*(?:,|and|or|&)\s*{_CELL_ID})*)\b"
    rf"(?:’s|'s)?(?:\s+of\s+the\s+(?P<post>{_MATRIX_NAME}))?"
)
_ID_IN_LIST = re.compile(_CELL_ID)
_CELL_HINT = re.compile(rf"\b[Cc]ells?\s+{_CELL_ID}\b")

_KIND_WORDS: dict[str, frozenset[str]] = {
    "study": frozenset("SK"),
    "review": frozenset("R"),
    "guidance": frozenset("G"),
    "entry": frozenset("SKRG"),
    "document": frozenset("SKRG"),
}
_KW = r"(?P<kind>stud(?:y|ies)|reviews?|guidance|entry|entries|documents?)"
_DIR = r"(?P<dir>below|above)"
_REF_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "part-of",
        re.compile(rf"\b[Oo]ne of (?:the )?[\w-]+ \w+ featured in (?:the )?{_KW} {_DIR}\.?"),
    ),
    ("includes", re.compile(rf"\b[Oo]ne of the [\w-]+ (?:was|is) the {_KW} {_DIR}\.?")),
    ("part-of", re.compile(rf"\b[Oo]ne of the \(see {_DIR}\)")),
    ("overall", re.compile(rf"\((?:their|its|the) overall (?:report|review) is listed {_DIR}\)")),
    ("related", re.compile(rf"\(?\b[Rr]elated {_KW} {_DIR}\b\.?\)?")),
    ("related", re.compile(rf"\(see {_DIR}\)")),
)

_DETERMINERS = frozenset("a an the this that these those their his her its our another".split())
_PLACE_PREPOSITIONS = frozenset(["in", "from", "at", "of", "by"])
_MENTION_STOP = frozenset(
    "see also to from by with in on at for which who and or but is was were are as".split()
)


# --- paragraphs -------------------------------------------------------------------------------


@dataclass
class _Para:
    """A run of non-blank lines, joined by single spaces, with where each line starts in `text`."""

    line: int
    blanks_before: int
    parts: list[tuple[int, int, str]] = field(default_factory=list)
    """(line number, offset in `text`, stripped line)."""
    text: str = ""

    @property
    def single_line(self) -> bool:
        return len(self.parts) == 1

    def add(self, line_no: int, line: str) -> None:
        offset = len(self.text) + 1 if self.parts else 0
        self.parts.append((line_no, offset, line))
        self.text = f"{self.text} {line}" if offset else line

    def line_at(self, offset: int) -> int:
        """The line number of character `offset` of `text`."""
        line = self.line
        for line_no, start, _ in self.parts:
            if start <= offset:
                line = line_no
        return line

    def joined(self, other: _Para) -> _Para:
        merged = _Para(self.line, self.blanks_before)
        for line_no, _, text in [*self.parts, *other.parts]:
            merged.add(line_no, text)
        return merged


def split_lines(text: str) -> list[str]:
    """Lines of `text`: BOM dropped; CRLF, CR and LF each end a line (numbered from 1)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _paragraphs(lines: Sequence[str]) -> list[_Para]:
    paras: list[_Para] = []
    current: _Para | None = None
    blanks = 0
    for number, raw in enumerate(lines, start=1):
        line = " ".join(raw.split())
        if not line:
            current = None
            blanks += 1
            continue
        if current is None:
            current = _Para(number, blanks)
            paras.append(current)
        current.add(number, line)
        blanks = 0
    return paras


# --- identity ---------------------------------------------------------------------------------


def matrix_key_from_name(name: str) -> str:
    """Matrix key of a matrix name: its first word, lowercased ("Drug Treatment Matrix" → drug)."""
    words = name.split()
    if len(words) >= 2 and words[0].lower() == "effectiveness" and words[1].lower() == "bank":
        words = words[2:]
    return words[0].lower() if words else ""


def identity_from_path(source: str | PurePath) -> tuple[str, str] | None:
    """(matrix, cell) from a path ``…/cells/<matrix>/<CELL>.txt``, or None."""
    path = PurePath(str(source))
    if len(path.parts) < 3 or path.parts[-3] != "cells":
        return None
    match = _PATH_IDENTITY.match(path.stem)
    matrix = path.parts[-2].lower()
    if match is None or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", matrix):
        return None
    return matrix, match["cell"]


@dataclass
class _Identity:
    matrix: str = ""
    cell: str = ""
    level_label: str | None = None
    type_label: str | None = None
    labels_para: int | None = None
    title: str = ""


def _split_labels(rest: str) -> tuple[str, str] | None:
    rest = re.sub(r"^\s*[:\-–—]\s*", "", rest)
    rest = re.sub(r"\s*Matrix cell logo\s*$", "", rest, flags=re.IGNORECASE)
    match = _LABELS.match(rest)
    if match is None:
        return None
    return match["level"].strip(), match["type"].strip()


def _identity(paras: Sequence[_Para], header_end: int) -> _Identity:
    ident = _Identity(title=paras[0].parts[0][2] if paras else "")
    for number, para in enumerate(paras[:header_end]):
        for _, _, line in para.parts:
            match = _IDENTITY.search(line)
            if match is None:
                continue
            if not ident.cell and number:
                # No title line (pages that open with navigation): the cell line stands in.
                ident.title = re.sub(r"\s*Matrix cell logo\s*$", "", line, flags=re.IGNORECASE)
            if not ident.cell:
                ident.matrix = matrix_key_from_name(match["name"])
                ident.cell = match["cell"].upper()
            labels = _split_labels(match["rest"])
            if labels and ident.level_label is None:
                ident.level_label, ident.type_label = labels
        if ident.cell and ident.level_label is not None:
            break
    # A "<level>; <type>" line near the top: the labels, when the title lacked them, and the anchor
    # of the summary paragraph.
    for index, para in enumerate(paras[:header_end]):
        if not para.single_line or _IDENTITY.search(para.text):
            continue
        labels = _split_labels(para.text)
        if labels is None:
            continue
        if ident.level_label is None or fold_words(" ".join(labels)) == fold_words(
            f"{ident.level_label} {ident.type_label}"
        ):
            ident.level_label, ident.type_label = labels
            ident.labels_para = index
            break
    return ident


# --- entries ----------------------------------------------------------------------------------


def _is_legend(text: str) -> bool:
    if not re.match(r"^[SKRG]\s*(?:Seminal|Key|Reviews?\b|Guidance)", text, re.IGNORECASE):
        return bool(re.fullmatch(r"(?:more\s+)?Search\s+for\s+more\s+studies", text, re.I))
    return not _LEGEND_TERM.sub("", text).strip(" .;,|")


def _first_entry(paras: Sequence[_Para]) -> int | None:
    """Index of the first paragraph that reads as an entry: a marker with a date part (or a marker
    alone before one); failing that, the first marker paragraph after the title."""
    for i, para in enumerate(paras):
        marked = _marker(para.text)
        if marked is None:
            continue
        rest = marked[1] or (paras[i + 1].text if i + 1 < len(paras) else "")
        if _date_part(rest) is not None:
            return i
    return next((i for i, p in enumerate(paras) if i and _marker(p.text)), None)


_MARKER_LINE = re.compile(r"^[SKRG](?:[ \t]*[/,&+]?[ \t]*[SKRG])*(?:$|[ \t]+[“‘\"'(\[]?[A-Z0-9])")


def _split_at_markers(para: _Para) -> list[_Para]:
    """`para` cut before every line that starts an entry, for pages that put no blank line
    between entries: a marker followed by a capitalised word, or a marker alone on its line."""
    pieces: list[_Para] = []
    for line_no, _, text in para.parts:
        if not pieces or _MARKER_LINE.match(text):
            pieces.append(_Para(line_no, para.blanks_before if not pieces else 0))
        pieces[-1].add(line_no, text)
    return pieces


def _marker(text: str) -> tuple[tuple[MarkerKind, ...], str] | None:
    match = _MARKER.match(text)
    if match is None:
        return None
    kinds = tuple(cast(MarkerKind, k) for k in re.findall(r"[SKRG]", match["kinds"]))
    return kinds, match["rest"] or ""


@dataclass
class _DatePart:
    start: int
    end: int
    year: int
    publisher: str | None
    jurisdiction: str | None
    free_source: bool


def _date_part(text: str) -> _DatePart | None:
    """The first parenthesised group of `text` that reads as a date part."""
    for paren in _PAREN.finditer(text):
        match = _DATE_PART.match(paren.group(1))
        if match is None:
            continue
        publisher = " ".join(match["pub"].split()) if match["pub"] else None
        jurisdiction = " ".join(match["jur"].split()) if match["jur"] else None
        free = bool(match["note"] and _FREE.search(match["note"]))
        return _DatePart(
            paren.start(), paren.end(), int(match["year"]), publisher, jurisdiction, free
        )
    return None


def split_publishers(publisher: str | None) -> tuple[str, ...]:
    """Single organisations of a printed publisher list.

    Split at commas; then at " and " only where both sides have at least three words, so that
    "Royal College of Psychiatrists and Royal College of General Practitioners" splits but
    "Substance Abuse and Mental Health Services Administration" stays one organisation.
    """
    if not publisher:
        return ()
    result: list[str] = []
    for part in (p.strip() for p in publisher.split(",")):
        if not part:
            continue
        pieces = [part]
        while True:
            last = pieces[-1]
            for match in re.finditer(r"\s+and\s+", last):
                left, right = last[: match.start()], last[match.end() :]
                if len(left.split()) >= 3 and len(right.split()) >= 3 and right[:1].isupper():
                    pieces[-1:] = [left, right]
                    break
            else:
                break
        result.extend(pieces)
    return tuple(result)


@dataclass
class _RawRef:
    relation: str
    kind: str
    direction: str
    phrase: str
    start: int


def _raw_refs(annotation: str) -> list[_RawRef]:
    found: list[_RawRef] = []
    taken: list[tuple[int, int]] = []
    for relation, pattern in _REF_PATTERNS:
        for match in pattern.finditer(annotation):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append((match.start(), match.end()))
            groups = match.groupdict()
            kind = (groups.get("kind") or "entry").lower()
            kind = {"studies": "study", "reviews": "review", "entries": "entry"}.get(kind, kind)
            kind = "document" if kind == "documents" else kind
            found.append(
                _RawRef(relation, kind, match["dir"].lower(), match.group(0).strip(), match.start())
            )
    found.sort(key=lambda ref: ref.start)
    return found


def _discussion_pointers(annotation: str) -> int:
    count = 0
    for match in _DISCUSSION.finditer(annotation):
        count += max(1, len(re.findall(r"\bhere\b", match["targets"], re.IGNORECASE)))
    return count


def _mentions(annotation: str, para: _Para, base: int) -> tuple[Mention, ...]:
    """Documents an annotation names without listing them: "<noun phrase> (<year>…)" or "(1 2)".

    The noun phrase is read backwards from the parenthesis to the nearest determiner ("a national
    US study", "an earlier version", "this study") or, for numbered link lists, up to a stop word
    ("See also commentaries (1 2)" → "commentaries"); at most eight words.
    """
    mentions: list[Mention] = []
    for paren in _PAREN.finditer(annotation):
        inner = paren.group(1).strip()
        dated = re.fullmatch(rf"({_YEAR})[a-z]?(?:\s*;\s*(.*))?", inner, re.S)
        numbered = re.fullmatch(r"\d(?:\s+\d){1,9}", inner)
        if not dated and not numbered:
            continue
        before = annotation[: paren.start()].split()
        phrase: list[str] = []
        for index in range(len(before) - 1, max(len(before) - 9, -1), -1):
            word = before[index]
            bare = word.strip("“”‘’\"',;:").lower()
            if not bare or word[-1:] in ".;:!?" or bare in _MENTION_STOP:
                # "study in London (1977)": a proper name after a preposition names a place or
                # body, not the document; take the noun before the preposition too.
                if (
                    phrase
                    and bare in _PLACE_PREPOSITIONS
                    and index > 0
                    and all(w[:1].isupper() for w in phrase)
                ):
                    phrase[:0] = [before[index - 1], word]
                break
            phrase.insert(0, word)
            if bare in _DETERMINERS:
                break
        if not phrase:
            continue
        year = int(dated.group(1)) if dated else None
        free = bool(dated and dated.group(2) and _FREE.search(dated.group(2)))
        line = para.line_at(base + paren.start())
        mentions.append(Mention(" ".join(phrase), year, line, free))
    return tuple(mentions)


def _cell_refs(text: str, para: _Para, base: int, own_matrix: str) -> list[CellRef]:
    refs: list[CellRef] = []
    if not _CELL_HINT.search(text):
        return refs
    for match in _CELL_REF.finditer(text):
        name = match["post"] or match["pre"]
        matrix = matrix_key_from_name(name) if name else own_matrix
        passage = sentence_around(text, match.start(), match.end())
        for cell in _ID_IN_LIST.findall(match["ids"]):
            refs.append(CellRef(matrix, cell.upper(), para.line_at(base + match.start()), passage))
    return refs


@dataclass
class _EntryDraft:
    para: _Para
    kinds: tuple[MarkerKind, ...]
    body: str
    text: str
    refs: list[_RawRef] = field(default_factory=list)


def _entry(
    draft: _EntryDraft, position: int, own_matrix: str, last: bool, problems: list[Problem]
) -> Entry:
    para, body = draft.para, draft.body
    line = para.line
    if not body.strip():
        problems.append(Problem(line, f"entry {position} is a marker with no text"))
        return Entry(position, line, draft.kinds, "", None, None, (), None, False, "", draft.text)
    offset = len(draft.text) - len(body)
    date = _date_part(body)
    complete = True
    if last and not ends_sentence(draft.text):
        complete = False
        problems.append(Problem(line, f"entry {position} is cut off: the page ends inside it"))
    if date is None:
        head = re.split(r"(?<=[.?!])\s", body, maxsplit=1)
        title = head[0].strip() if head else ""
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
        free = date.free_source or bool(_FREE_AFTER.match(annotation))
        if not title:
            problems.append(Problem(line, f"entry {position}: no title before the date part"))
    ann_start = body.find(annotation, date.end if date else 0) if annotation else len(body)
    ann_offset = offset + max(ann_start, 0)
    draft.refs = _raw_refs(annotation)
    for word in re.finditer(r"\b(?:above|below)\b", annotation, re.IGNORECASE):
        if not any(r.start <= word.start() < r.start + len(r.phrase) for r in draft.refs):
            sentence = sentence_around(annotation, word.start(), word.end())
            problems.append(
                Problem(
                    para.line_at(ann_offset + word.start()),
                    f"entry {position}: positional reference not understood: {sentence!r}",
                )
            )
    return Entry(
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
        discussion_pointers=_discussion_pointers(annotation),
        cell_refs=tuple(_cell_refs(annotation, para, ann_offset, own_matrix)),
        mentions=_mentions(annotation, para, ann_offset),
        complete=complete,
    )


def _resolve_refs(
    entries: list[Entry], drafts: list[_EntryDraft], problems: list[Problem]
) -> list[Entry]:
    """Resolve each annotation's positional references to entry positions.

    Rules, in this order:

    - Reciprocal pointers pair up like brackets, in page order: a "Related <kind> below" opens,
      a later "Related <kind> above" (same kind word) closes the nearest open one, and the two
      entries are related both ways (B3: the 1988 study's "Related study below" and the 1999
      quasi-random allocation study's "Related study above").
    - An unpaired "below" pointer means the nearest entry of that kind below; the k-th unpaired
      one in one annotation means the k-th such entry ("(related review below)" twice → the first
      and second review below). An unpaired "above" means the nearest entry of that kind above.
    - Kind words: "study" = S or K entries, "review" = R, "guidance" = G, "entry" = any.
    - "One of the three was the study below" → includes the nearest study below;
      "One of three studies featured in entry above" → part-of the entry above;
      "One of the (see above) …" → part-of the nearest entry above; a bare "(see above)" →
      related to it.
    - "(their overall report is listed above)" → part-of the root of the nearest entry above:
      if that entry is itself part of another (the review series of B4), the entry it is part of.
    """

    @dataclass
    class Item:
        source: int
        raw: _RawRef
        target: int | None = None

    items: list[Item] = []
    open_below: list[Item] = []
    for entry, draft in zip(entries, drafts, strict=True):
        for raw in draft.refs:
            item = Item(entry.position, raw)
            items.append(item)
            if raw.relation != "related" or not raw.phrase.lstrip("(").lower().startswith(
                "related"
            ):
                continue
            if raw.direction == "below":
                open_below.append(item)
                continue
            for index in range(len(open_below) - 1, -1, -1):
                opener = open_below[index]
                if opener.raw.kind == raw.kind and opener.source < entry.position:
                    del open_below[index]
                    opener.target, item.target = entry.position, opener.source
                    break

    def nearest(source: int, kind: str, direction: str, k: int = 1) -> int | None:
        allowed = _KIND_WORDS.get(kind, _KIND_WORDS["entry"])
        order: Iterable[Entry] = (
            entries[source:] if direction == "below" else reversed(entries[: source - 1])
        )
        matching = [other.position for other in order if allowed & set(other.kinds)]
        return matching[k - 1] if len(matching) >= k else None

    part_of: dict[int, int] = {}
    below_counts: dict[tuple[int, str], int] = {}
    refs: dict[int, list[EntryRef]] = {e.position: [] for e in entries}
    for item in items:
        raw = item.raw
        relation: EntryRelation = "part-of" if raw.relation == "overall" else "related"
        if raw.relation in ("includes", "part-of"):
            relation = cast(EntryRelation, raw.relation)
        if item.target is None and raw.relation == "overall":
            target = nearest(item.source, "entry", raw.direction)
            seen: set[int] = set()
            while target is not None and target in part_of and target not in seen:
                seen.add(target)
                target = part_of[target]
            item.target = target
        elif item.target is None:
            k = 1
            if raw.relation == "related" and raw.direction == "below":
                k = below_counts.get((item.source, raw.kind), 0) + 1
                below_counts[(item.source, raw.kind)] = k
            item.target = nearest(item.source, raw.kind, raw.direction, k)
        if item.target is None:
            problems.append(
                Problem(
                    entries[item.source - 1].line,
                    f"entry {item.source}: {raw.phrase!r} points at no entry of this cell",
                )
            )
            continue
        if relation == "part-of":
            part_of.setdefault(item.source, item.target)
        refs[item.source].append(EntryRef(relation, item.target, raw.phrase))
    return [replace(entry, refs=tuple(refs[entry.position])) for entry in entries]


# --- commentary -------------------------------------------------------------------------------


def _quoted_headings(paras: Sequence[_Para]) -> list[list[str]]:
    """Folded word lists of every quotation in the commentary that could be one of its headings."""
    found: list[list[str]] = []
    for para in paras:
        for match in re.finditer(r"“([^“”]{3,120})”|\"([^\"]{3,120})\"", para.text):
            quoted = (match.group(1) or match.group(2)).strip().rstrip(",.;:")
            words = fold_words(quoted)
            if 2 <= len(words) <= 15:
                found.append(words)
    found.sort(key=len, reverse=True)
    return found


_SENTENCE_STARTERS = frozenset(
    """a about across after although among an and as at because before being both but by
    consider decades despite do does during each even every few for from given here how however if
    imagine in instead is it its let like many more most much no not of on once one only our over
    perhaps rather since so some such take that the their there these they think this those though
    to two under unlike what when where whether which while who why with within yet you your
    """.split()
)


def _split_heading(text: str, quoted: Sequence[list[str]]) -> tuple[str, str] | None:
    """(heading, rest) of a paragraph that starts a section, or None when no heading is found.

    Evidence, strongest first: a standard heading of the site format; a quotation of the heading
    elsewhere in the commentary ("under the heading, “Being genuine…”"); a leading question of at
    most 20 words ("Isn’t it just a matter of being nice? Not, it seems…"); a short title-like run
    of at most 12 words without punctuation followed by a capitalised sentence start ("Not just an
    addiction In this section…") — preferring a common sentence-starting word over a proper noun,
    which may only end a run of at most 8 words.
    """
    for heading in (*STANDARD_HEADINGS, *DIVIDERS):
        if text == heading or text.startswith(heading + " "):
            return heading, text[len(heading) :].strip()
    words = text.split()
    folded = [strip_quotes(w).lower() for w in words]
    for candidate in quoted:
        kept = [i for i, w in enumerate(folded) if w]
        if len(kept) >= len(candidate) and [folded[i] for i in kept[: len(candidate)]] == candidate:
            end = kept[len(candidate) - 1] + 1
            if end == len(words) or words[end][:1].isupper() or words[end][:1] in "“‘\"'":
                return " ".join(words[:end]), " ".join(words[end:])
    question = re.match(r"^([^.?!]{3,200}\?)(?:\s+(?=[“‘\"'(]*[A-Z0-9])|$)", text)
    if question and len(question.group(1).split()) <= 20:
        return question.group(1), text[question.end() :].strip()
    if len(words) <= 15 and not ends_sentence(text):
        return text, ""
    limit = min(len(words) - 1, 12)
    fallback: int | None = None
    for i in range(2, limit + 1):
        if re.search(r"[.,;:!?()]$", words[i - 1]):
            break
        nxt = words[i]
        if not nxt[:1].isupper() or (nxt.isupper() and len(nxt) > 1):
            continue
        if strip_quotes(nxt).lower().rstrip(",") in _SENTENCE_STARTERS:
            return " ".join(words[:i]), " ".join(words[i:])
        if fallback is None:
            fallback = i
    if fallback is not None and fallback <= 8:
        return " ".join(words[:fallback]), " ".join(words[fallback:])
    return None


def _is_caption(para: _Para) -> bool:
    """A picture caption or pull quote: one short line with no sentence-ending stop."""
    return para.single_line and len(para.text.split()) <= 40 and not ends_sentence(para.text)


@dataclass
class _SectionDraft:
    heading: str
    line: int
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    asides: list[tuple[int, str]] = field(default_factory=list)
    region: list[_Para] = field(default_factory=list)
    heading_offset: int = 0


def _sections(
    paras: Sequence[_Para], own_matrix: str, problems: list[Problem]
) -> tuple[list[Section], list[CellRef]]:
    """Split the commentary into sections.

    A paragraph starts a section when it is the first of the commentary, when it begins with a
    standard heading, or — on pages that separate sections by two blank lines — when two blank
    lines precede it; on pages without that signal, when it begins with a heading the commentary
    quotes, or is a short title-like line alone before prose. The heading is then split off the
    paragraph by `_split_heading`; where it finds none, the paragraph continues the section.

    A short one-line paragraph with no final stop is a picture caption, pull quote or divider
    ("Issues to consider and discuss"); a paragraph that occurs more than once is a repeated pull
    quote; a paragraph that shares its first four words with an adjacent caption is the picture's
    own text. None of these is a section or part of its `text`: they are kept, marked, in the
    section's `asides`. "Close Matrix Bite…" navigation is noise.
    """
    body = [p for p in paras if not _NOISE.match(p.text)]
    if not body:
        return [], []
    quoted = _quoted_headings(body)
    two_blank_mode = any(p.blanks_before >= 2 for p in body[1:])
    counts: dict[str, int] = {}
    for para in body:
        counts[para.text] = counts.get(para.text, 0) + 1

    def prefix(para: _Para) -> list[str]:
        return fold_words(" ".join(para.text.split(maxsplit=8)[:8]))[:4]

    captions = {i for i, p in enumerate(body) if _is_caption(p) or counts[p.text] > 1}
    for i in sorted(captions):
        for j in (i - 1, i + 1):
            if 0 <= j < len(body) and j not in captions and len(prefix(body[i])) == 4:
                if prefix(body[j]) == prefix(body[i]):
                    captions.add(j)

    def starts_section(i: int, para: _Para) -> bool:
        if i == 0:
            return True
        text = para.text
        if any(text == h or text.startswith(h + " ") for h in STANDARD_HEADINGS):
            return True
        if two_blank_mode:
            return para.blanks_before >= 2
        if i in captions:
            nxt = body[i + 1] if i + 1 < len(body) else None
            return (
                nxt is not None
                and para.text not in DIVIDERS
                and len(para.text.split()) <= 15
                and ends_sentence(nxt.text)
                and counts[para.text] == 1
            )
        folded = fold_words(text)
        return any(len(q) >= 3 and folded[: len(q)] == q and len(folded) > len(q) for q in quoted)

    drafts: list[_SectionDraft] = []
    for i, para in enumerate(body):
        split = _split_heading(para.text, quoted) if starts_section(i, para) else None
        if i == 0 and split is None:
            problems.append(Problem(para.line, "the commentary starts without a heading"))
            split = ("", para.text)
        # A paragraph after two blank lines without anything like a heading continues the section.
        if split is not None:
            heading, rest = split
            draft = _SectionDraft(heading, para.line, region=[para])
            if rest:
                draft.paragraphs.append((para.line_at(len(para.text) - len(rest)), rest))
            draft.heading_offset = len(para.text) - len(rest)
            drafts.append(draft)
            continue
        draft = drafts[-1]
        draft.region.append(para)
        if i in captions:
            draft.asides.append((para.line, para.text))
        else:
            draft.paragraphs.append((para.line, para.text))

    sections: list[Section] = []
    all_refs: list[CellRef] = []
    for draft in drafts:
        refs: list[CellRef] = []
        for n, para in enumerate(draft.region):
            base = draft.heading_offset if n == 0 else 0
            refs.extend(_cell_refs(para.text[base:], para, base, own_matrix))
        all_refs.extend(refs)
        sections.append(
            Section(
                heading=draft.heading,
                text="\n\n".join(text for _, text in draft.paragraphs),
                line=draft.line,
                cell_refs=tuple(refs),
                paragraph_lines=tuple(line for line, _ in draft.paragraphs),
                asides=tuple(text for _, text in draft.asides),
                aside_lines=tuple(line for line, _ in draft.asides),
                end_line=draft.region[-1].parts[-1][0],
            )
        )
    return sections, all_refs


# --- the whole page ---------------------------------------------------------------------------


def _summary(paras: Sequence[_Para], labels_para: int | None, header_end: int) -> _Para | None:
    """The summary: the first prose paragraph after the "<level>; <type>" line, else the last
    paragraph before the entries that reads as prose (eight words or more, ending a sentence)."""
    if labels_para is not None:
        for para in paras[labels_para + 1 : header_end]:
            if not _NOISE.match(para.text) and len(para.text.split()) >= 8:
                return para
    for para in reversed(paras[1:header_end]):
        if not _NOISE.match(para.text) and len(para.text.split()) >= 8 and ends_sentence(para.text):
            return para
    return None


def parse_text(text: str, source: str = "<string>") -> Cell:
    """Parse the text of one cell page. Never raises: what it cannot read is in `Cell.problems`.

    When the text names no cell, `source` is tried as a path ``cells/<matrix>/<CELL>.txt``.
    """
    lines = split_lines(text)
    paras = _paragraphs(lines)
    problems: list[Problem] = []

    # Where the entries begin: after the last legend paragraph, else at the first paragraph that
    # reads as an entry (marker + date part).
    legend = [i for i, p in enumerate(paras) if _is_legend(p.text)]
    first_entry = _first_entry(paras)
    if legend and (first_entry is None or legend[0] < first_entry):
        start = legend[0]
    elif first_entry is not None:
        start = first_entry
    else:
        start = len(paras)
    header_end = start

    ident = _identity(paras, header_end)
    from_path = identity_from_path(source)
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

    summary_para = _summary(paras, ident.labels_para, header_end)
    summary = summary_para.text if summary_para else ""

    # Entries.
    end = len(paras)
    for i in range(start, len(paras)):
        text_i = paras[i].text
        if _END_OF_ENTRIES.match(text_i) and not _is_legend(text_i):
            end = i
            break
        if any(text_i == h or text_i.startswith(h + " ") for h in STANDARD_HEADINGS):
            end = i
            break
    drafts: list[_EntryDraft] = []
    region = [piece for para in paras[start:end] for piece in _split_at_markers(para)]
    i = 0
    while i < len(region):
        para = region[i]
        i += 1
        if _is_legend(para.text) or _NOISE.match(para.text):
            continue
        marked = _marker(para.text)
        if marked is None:
            if re.match(rf"^[A-Z][^()]{{2,300}}\((?:[^()]*,\s*)?{_YEAR}\)\.?\s", para.text):
                problems.append(
                    Problem(para.line, "looks like an entry but has no S/K/R/G marker; skipped")
                )
            continue
        kinds, rest = marked
        if not rest and i < len(region):  # newer layout: the marker alone, the entry below it
            para = para.joined(region[i])
            i += 1
            marked = _marker(para.text)
            assert marked is not None
            kinds, rest = marked
        drafts.append(_EntryDraft(para, kinds, rest, para.text))
    reached_end = end == len(paras)
    entries = [
        _entry(d, n, ident.matrix, reached_end and n == len(drafts), problems)
        for n, d in enumerate(drafts, start=1)
    ]
    entries = _resolve_refs(entries, drafts, problems)
    if not entries:
        problems.append(Problem(paras[start].line if start < len(paras) else 1, "no entries found"))

    sections, section_refs = _sections(paras[end:], ident.matrix, problems)
    if not sections and paras:
        last = paras[-1].parts[-1][0]
        problems.append(
            Problem(
                paras[end].line if end < len(paras) else last,
                "no Matrix Bite commentary found (is the page cut short?)",
            )
        )

    summary_refs = _cell_refs(summary, summary_para, 0, ident.matrix) if summary_para else []
    cell_refs = [*summary_refs, *(r for e in entries for r in e.cell_refs), *section_refs]
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
        entries=tuple(entries),
        sections=tuple(sections),
        cell_refs=tuple(cell_refs),
        problems=tuple(problems),
        lines=tuple(lines),
    )


def parse_file(path: str | Path) -> Cell:
    """Parse one cell page file; raises `SourceError` for empty, binary or non-UTF-8 files."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SourceError(path, None, "empty file", hint="a cell page is a text file with content")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SourceError(path, line, "binary file (NUL byte), not a cell page text")
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
    cell = parse_text(text, str(path))
    if not cell.cell:
        raise SourceError(
            path,
            1,
            "names no cell: no '<Name> Matrix cell <ID>' line and the path is not "
            "cells/<matrix>/<CELL>.txt",
        )
    return replace(cell, sha256=hashlib.sha256(data).hexdigest())


# --- JSON -------------------------------------------------------------------------------------


def _ref_json(ref: CellRef) -> dict[str, Any]:
    return {"matrix": ref.matrix, "cell": ref.cell, "line": ref.line, "passage": ref.passage}


def cell_to_json(cell: Cell) -> dict[str, Any]:
    """The JSON object of one parsed cell (`parse --json`): fields, positions, lines, sources."""
    return {
        "source": cell.source,
        "sha256": cell.sha256,
        "matrix": cell.matrix,
        "cell": cell.cell,
        "level": cell.level,
        "level_label": cell.level_label,
        "type": cell.type,
        "type_label": cell.type_label,
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
            }
            for s in cell.sections
        ],
        "cell_refs": [_ref_json(r) for r in cell.cell_refs],
        "problems": [{"line": p.line, "message": p.message} for p in cell.problems],
    }


def describe_cell(cell: Cell) -> str:
    """A readable summary of a parsed cell, for `evidence-graph parse` without --json."""
    counts = {k: sum(k in e.kinds for e in cell.entries) for k in "SKRG"}
    kinds = ", ".join(f"{k} {n}" for k, n in counts.items() if n)
    level = f"{cell.level} {cell.level_label or ''}".strip()
    type_ = f"{cell.type} {cell.type_label or ''}".strip()
    out = [
        f"{cell.source}: {cell.matrix} {cell.cell} — {level} / {type_}",
        f"  {len(cell.entries)} entries ({kinds or 'none'}), {len(cell.sections)} sections, "
        f"{len(cell.cell_refs)} cell references, {len(cell.problems)} problems",
    ]
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
