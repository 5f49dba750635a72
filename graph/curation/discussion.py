"""Discussed-in links: which commentary section discusses each entry that points to one.

The pages lost the targets of "For discussion click and scroll down to highlighted heading", so
the linker infers them, cell by cell, from
- the words an entry and a section share, weighted by how rare each word (and word pair) is in the
  cell (a TF-IDF cosine);
- cues: each "… listed above" in a section points back at one listed document of a kind ("a study
  listed above of…", "this freely available review listed above", "(study listed above)"), as does
  "another (US) study"; a cue goes to one entry only;
- small extras: a free source when the section says "freely available", the entry's year, a
  "seminal study" for an S entry, an entry related ("Related study below") to one already linked.
Links are made best first until each entry has as many sections as it has pointers. Curated
overrides (`data/discussions.yaml`) replace the automatic links of the listings they name.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml

from ..base import yamltext
from ..base.errors import SourceError
from ..base.ids import listing_key, section_key, slugify
from ..base.records import Cell, Discussion, Entry, Section
from ..base.text import strip_quotes

MIN_SCORE = 0.025
"""Below this score a section is not linked automatically: the pointer stays unresolved."""

CUE_BONUS = 0.03
"""Score a free cue (or a related entry already linked to the section) adds to word similarity."""

CUE_WINDOW = 16
"""Words before "listed above" that may name the kind: "a review of … (listed above)"."""

STUDY_WORDS = ("study", "studies", "analysis", "trial", "evaluation", "investigation")
REVIEW_WORDS = ("review", "reviews", "synthesis", "meta-analysis")
GUIDANCE_WORDS = ("guidance", "guideline", "guidelines", "standards")
ANY_WORDS = ("article", "paper", "formulation", "work", "report", "account")

_LISTED_ABOVE = re.compile(r"\(?\b(?:listed|summary) above\b\)?", re.IGNORECASE)
_ANOTHER = re.compile(
    r"\banother\b(?:\s+[\w-]+){0,2}?\s+(study|review|trial|analysis)\b", re.IGNORECASE
)
_SENTENCE_START = re.compile(r"[.?!;:]\s")
_LOWER_WORD = re.compile(r"[a-z-]+")
_WORD = re.compile(r"[a-z][a-z0-9’'-]*[a-z0-9]")
_POINTER_TEXT = re.compile(
    r"for (?:related )?discussions? click.*?heading\.?", re.IGNORECASE | re.DOTALL
)

STOPWORDS = frozenset(
    """a about above after again against all also although among an and any are as at be because
    been before being below between both but by can could did do does doing down during each either
    even few for from further had has have having he her here hers him his how however i if in into
    is it its itself just least less like many may might more most much must my no nor not now of
    off often on once one only or other others our out over own per perhaps rather same see seem
    seems she should so some such than that the their them themselves then there these they this
    those though through to too under until up upon us very was we were what when where whether
    which while who whom why will with within without would you your yet s’ ’s 's
    listed study studies review reviews found find finds cell click scroll highlighted heading
    discussion discussions related free source time writing us uk""".split()
)


@dataclass(frozen=True)
class LinkResult:
    """The discussed-in links of a corpus and how the discussion pointers were resolved."""

    links: tuple[Discussion, ...]
    auto: int
    """Pointers resolved by the automatic linker."""
    curated: int
    """Pointers resolved by a curated override."""
    unresolved: int
    """Pointers left without a section."""
    unresolved_listings: tuple[str, ...] = ()

    @property
    def pointers(self) -> int:
        return self.auto + self.curated + self.unresolved


# --- text features -----------------------------------------------------------------------------


_WORD_CHARS = b"abcdefghijklmnopqrstuvwxyz0123456789-"
_SPACE_OUT = bytes(c if c in _WORD_CHARS else 32 for c in range(256))
"""Byte table keeping the characters a word is made of and making every other one a space."""
_LOWER_SPACE_OUT = bytes(c + 32 if 65 <= c <= 90 else _SPACE_OUT[c] for c in range(256))
"""`_SPACE_OUT` that also lowercases ASCII capitals."""
_LOWER_TO_ASCII = ("\u0130", "\u212a")
"""The only characters beyond ASCII whose lowercase holds an ASCII letter (İ, the Kelvin sign)."""

_KEPT: dict[bytes, str | None] = {}
"""Run of word characters → its word's stem, or None for no word, a stopword or a word too short
to tell (a page's words repeat, so each run is looked at once)."""


def _word_of(run: bytes) -> str | None:
    """The word in a run of ``[a-z0-9-]`` (`_WORD`: from its first letter to its last letter or
    digit), stemmed; None when it has none, is a stopword or is too short."""
    word = run.lstrip(b"0123456789-").rstrip(b"-").decode("ascii")
    if word in STOPWORDS or len(word) <= 2:
        return None
    return _stem(word)


def _words(text: str) -> list[str]:
    """The stems of the words of `text` that tell, in order: what `_WORD.findall` finds in the
    text lowercased, quote marks dropped, and dashes made spaces, minus stopwords and short words.

    Every character that is not ASCII (dashes, letters of other scripts) is a separator, as it is
    for `_WORD`, so the text is split as bytes through one translation table: many times faster
    than the pattern on long pages.
    """
    text = strip_quotes(text)
    if any(char in text for char in _LOWER_TO_ASCII):
        runs = text.lower().encode("ascii", "replace").translate(_SPACE_OUT).split()
    else:  # lowercase ASCII in the same pass: other letters are separators anyway
        runs = text.encode("ascii", "replace").translate(_LOWER_SPACE_OUT).split()
    kept = _KEPT
    if len(kept) > 1 << 17:
        kept.clear()
    for run in set(runs).difference(kept):
        kept[run] = _word_of(run)
    return [stem for stem in map(kept.__getitem__, runs) if stem is not None]


@lru_cache(maxsize=1 << 16)  # words repeat: a page's vocabulary is small
def _stem(word: str) -> str:
    """A crude stem, enough to match "counsellors" with "counsellor" and "relationships"."""
    for suffix in ("ings", "ing", "ies", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _terms(text: str) -> Counter[str]:
    """Words and adjacent word pairs of `text` (pairs catch phrases like "whole person")."""
    words = _words(text)
    terms = Counter(words)
    terms.update(map(" ".join, zip(words, words[1:], strict=False)))
    return terms


def _entry_text(entry: Entry) -> str:
    return f"{entry.title}. {_POINTER_TEXT.sub(' ', entry.annotation)}"


def _section_text(section: Section) -> str:
    return f"{section.heading}. {section.text}"


_KINDS = {
    **dict.fromkeys(ANY_WORDS, "any"),
    **dict.fromkeys(GUIDANCE_WORDS, "guidance"),
    **dict.fromkeys(REVIEW_WORDS, "review"),
    **dict.fromkeys(STUDY_WORDS, "study"),
}
"""Document word → the kind of document it names (the first list a word is in wins)."""


def _kind_of(word: str) -> str | None:
    return _KINDS.get(word.lower())


def _listed_above(text: str, low: str) -> Iterator[re.Match[str]]:
    """`_LISTED_ABOVE.finditer(text)`, the pattern tried only around each "above" of `low`."""
    if len(low) != len(text):  # lowercasing moved the offsets: search the whole text
        yield from _LISTED_ABOVE.finditer(text)
        return
    at = low.find("above")
    while at >= 0:
        # "(summary above)": the match starts at most 9 characters before "above" and ends at
        # most 1 after it; the window's end leaves the character after "above" visible to \b.
        match = _LISTED_ABOVE.search(text, max(0, at - 9), at + 6)
        if match:
            yield match
        at = low.find("above", at + 5)


def _another(text: str, low: str) -> Iterator[re.Match[str]]:
    """`_ANOTHER.finditer(text)`, the pattern tried only where `low` has "another"."""
    if len(low) != len(text):
        yield from _ANOTHER.finditer(text)
        return
    end = 0
    at = low.find("another")
    while at >= 0:
        if at >= end:  # matches do not overlap
            match = _ANOTHER.match(text, at)
            if match:
                yield match
                end = match.end()
        at = low.find("another", at + 1)


def _cues(section: Section) -> list[tuple[str, str]]:
    """Back-references to listed documents in a section: (kind, phrase), in text order.

    "… listed above" takes its kind from the nearest document word before it in the same sentence
    ("a review of research on … (listed above)" → review; "the version listed above" → any);
    "another (US) study" points at a second document of that kind.
    """
    text = section.text
    low = text.lower()
    cues: list[tuple[int, str, str]] = []
    if "above" not in low and "another" not in low:  # a cheap test first: most sections have none
        return []
    sentence_starts: list[int] | None = None
    for match in _listed_above(text, low) if "above" in low else ():
        if sentence_starts is None:
            sentence_starts = [m.end() for m in _SENTENCE_START.finditer(text)]
        last = bisect_right(sentence_starts, match.start()) - 1
        sentence = text[sentence_starts[last] if last >= 0 else 0 : match.start()]
        words = _LOWER_WORD.findall(sentence.lower())[-CUE_WINDOW:]
        kind = next((_KINDS[w] for w in reversed(words) if w in _KINDS), "any")
        phrase = " ".join((sentence[-60:] + match.group(0)).split())
        cues.append((match.start(), kind, phrase))
    for match in _another(text, low) if "another" in low else ():
        if any(0 <= start - match.start() < 60 for start, _, _ in cues):
            continue  # "Another study found (summary above)": one cue, already counted
        kind = _kind_of(match.group(1)) or "any"
        cues.append((match.start(), kind, " ".join(match.group(0).split())))
    return [(kind, phrase) for _, kind, phrase in sorted(cues)]


def _entry_kind(entry: Entry) -> str:
    """The kind of document a cue must name to point at `entry`: review, guidance or study."""
    if entry.kinds and entry.kinds[0] == "R":
        return "review"
    if entry.kinds and set(entry.kinds) == {"G"}:
        return "guidance"
    return "study"


# --- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Similarities:
    """TF-IDF cosines of a cell's entries (rows) and sections (columns), computed in one product."""

    scores: npt.NDArray[np.float64]
    entry_terms: list[Counter[str]]
    section_terms: list[Counter[str]]
    idf: dict[str, float]

    def shared(self, entry: int, section: int) -> list[str]:
        """The (at most four) most telling terms entry `entry` and section `section` share."""
        a, b, idf = self.entry_terms[entry], self.section_terms[section], self.idf
        return heapq.nsmallest(4, a.keys() & b.keys(), key=lambda t: (-idf.get(t, 0.0) * b[t], t))


def similarities(cell: Cell) -> Similarities:
    """TF-IDF cosine of every (entry, section) pair of a cell, by index, with its shared terms.

    Each page's term vectors are made once; the cosines are one matrix product of the
    idf-weighted entry and section vectors over the cell's vocabulary.
    """
    section_terms = [_terms(_section_text(s)) for s in cell.sections]
    entry_terms = [_terms(_entry_text(e)) for e in cell.entries]
    frequency: Counter[str] = Counter()
    for terms in section_terms + entry_terms:
        frequency.update(terms.keys())
    total = len(section_terms) + len(entry_terms)
    vocabulary = dict(zip(frequency, range(len(frequency)), strict=True))
    weights = np.log((1 + total) / (1 + np.fromiter(frequency.values(), float, len(frequency))))
    idf = dict(zip(frequency, weights.tolist(), strict=True))

    def weighted(vectors: list[Counter[str]]) -> npt.NDArray[np.float64]:
        matrix = np.zeros((len(vectors), len(vocabulary)))
        sizes = [len(terms) for terms in vectors]
        count = sum(sizes)
        rows = np.repeat(np.arange(len(vectors)), sizes)
        columns = np.fromiter(
            map(vocabulary.__getitem__, chain.from_iterable(vectors)), np.intp, count
        )
        values = np.fromiter(chain.from_iterable(t.values() for t in vectors), np.float64, count)
        matrix[rows, columns] = values
        return matrix * weights

    entries, sections = weighted(entry_terms), weighted(section_terms)
    dots = entries @ sections.T
    norms = np.outer(np.linalg.norm(entries, axis=1), np.linalg.norm(sections, axis=1))
    scores = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return Similarities(scores, entry_terms, section_terms, idf)


def _bonus(entry: Entry, section: Section, phrase: str, text: str) -> tuple[float, list[str]]:
    """Small extra evidence for a cue: the free source, the year, a "highlighted" study
    (`text`: the section's text lowercased)."""
    score = 0.0
    reasons: list[str] = []
    if entry.free_source and ("freely available" in text or "free source" in text):
        score += 0.02
        reasons.append("free source")
    if "highlighted" in phrase.lower() and slugify(section.heading) == "highlighted-study":
        score += 0.02
    if "seminal" in phrase.lower() and "S" in entry.kinds:
        score += 0.02
        reasons.append("seminal")
    if (
        entry.year is not None
        and str(entry.year) in section.text
        and re.search(rf"\b{entry.year}\b", section.text)
    ):
        score += 0.02
        reasons.append(f"year {entry.year}")
    return score, reasons


def _partners(cell: Cell) -> dict[int, set[int]]:
    """Entries related to each other ("Related study below/above"), both ways."""
    partners: dict[int, set[int]] = {}
    for entry in cell.entries:
        for ref in entry.refs:
            if ref.relation == "related":
                partners.setdefault(entry.position, set()).add(ref.target)
                partners.setdefault(ref.target, set()).add(entry.position)
    return partners


def auto_links(cell: Cell) -> list[Discussion]:
    """The automatic discussed-in links of one cell.

    Links are made one at a time, best first. A pair (entry, section) scores its word similarity,
    plus `CUE_BONUS` when the section still has an unclaimed cue of the entry's kind (each cue
    refers to one document, so the link claims it), plus `CUE_BONUS` when a related entry ("Related
    study below") is already linked there; without either, the similarity counts half.
    Each round scores the open pairs as plain numbers; only the winner's reasons are written out.
    """
    pointing = [i for i, e in enumerate(cell.entries) if e.discussion_pointers > 0]
    if not pointing or not cell.sections:
        return []
    sims = similarities(cell)
    scores = sims.scores.tolist()
    partners = _partners(cell)
    entries, sections = cell.entries, cell.sections
    slots = [
        (s, kind, phrase) for s, section in enumerate(sections) for kind, phrase in _cues(section)
    ]
    slots_of: list[list[int]] = [[] for _ in sections]
    for index, (s, _, _) in enumerate(slots):
        slots_of[s].append(index)
    kinds = {i: _entry_kind(entries[i]) for i in pointing}
    bonuses: dict[tuple[int, int], tuple[float, list[str]]] = {}
    low = [section.text.lower() for section in sections]
    used: set[int] = set()
    lines_of: dict[int, set[int]] = {}
    """Entry position → the lines of the sections it is linked to so far."""

    def bonus(entry: int, slot: int) -> tuple[float, list[str]]:
        found = bonuses.get((entry, slot))
        if found is None:
            s, _, phrase = slots[slot]
            found = bonuses[(entry, slot)] = _bonus(entries[entry], sections[s], phrase, low[s])
        return found

    def linked_partners(entry: int, line: int) -> list[int]:
        return sorted(
            p for p in partners.get(entries[entry].position, ()) if line in lines_of.get(p, ())
        )

    def best_for(entry: int, s: int) -> tuple[float, int | None]:
        """The pair's score and the cue slot it would claim (see `_explain` for the reasons)."""
        sim = scores[entry][s]
        partner_bonus = CUE_BONUS if linked_partners(entry, sections[s].line) else 0.0
        kind = kinds[entry]
        for index in slots_of[s]:
            if index in used or slots[index][1] not in (kind, "any"):
                continue
            return sim + CUE_BONUS + bonus(entry, index)[0] + partner_bonus, index
        if partner_bonus:
            return sim + partner_bonus, None
        return sim / 2, None

    def explain(entry: int, s: int, slot: int | None) -> str:
        """Why the pair scores as it does, as the link's evidence says it."""
        words = f"shared words: {', '.join(sims.shared(entry, s))}"
        linked = linked_partners(entry, sections[s].line)
        partner_why = [f"related entry {linked[0]} is discussed here"] if linked else []
        if slot is not None:
            phrase = slots[slot][2]
            return "; ".join([f"cue {phrase!r}", *bonus(entry, slot)[1], *partner_why, words])
        if partner_why:
            return "; ".join([*partner_why, words])
        return f"no cue; {words}"

    links: dict[int, list[Discussion]] = {i: [] for i in pointing}
    while True:
        best: tuple[float, int, int] | None = None
        best_key: tuple[float, int, int] | None = None
        best_slot: int | None = None
        for entry in pointing:
            if len(links[entry]) >= entries[entry].discussion_pointers:
                continue
            taken = lines_of.get(entries[entry].position, set())
            for s, section in enumerate(sections):
                if section.line in taken:
                    continue
                score, slot = best_for(entry, s)
                if score < MIN_SCORE:
                    continue
                key = (-score, entries[entry].position, section.line)
                if best_key is None or key < best_key:
                    best, best_key, best_slot = (score, entry, s), key, slot
        if best is None:
            break
        score, entry, s = best
        why = explain(entry, s, best_slot)
        links[entry].append(
            Discussion(
                listing=listing_key(cell.matrix, cell.cell, entries[entry].position),
                section=section_key(cell.matrix, cell.cell, sections[s].heading),
                method="auto",
                evidence=f"score {score:.3f}: {why}",
            )
        )
        lines_of.setdefault(entries[entry].position, set()).add(sections[s].line)
        if best_slot is not None:
            used.add(best_slot)
    return [link for entry in pointing for link in links[entry]]


# --- curated overrides -------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    """A curator's reading: the sections that discuss one listing, replacing the automatic ones."""

    listing: str
    sections: tuple[str, ...]
    note: str
    line: int


def load_overrides(path: Path | None, cells: Sequence[Cell]) -> tuple[Override, ...]:
    """Read `data/discussions.yaml`; every listing and heading must exist in the parsed cells."""
    if path is None or not path.exists():
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, None, f"cannot read: {exc}") from exc
    try:
        root = yamltext.compose(text)
        data = yamltext.data(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise yamltext.source_error(path, exc) from exc
    if root is None:
        return ()
    items = data.get("discussions") if isinstance(data, dict) else None
    nodes = _item_nodes(root)
    if not isinstance(items, list) or len(nodes) != len(items):
        raise SourceError(path, 1, "expected a mapping with a list under 'discussions'")
    by_cell = {f"{c.matrix}/{c.cell}": c for c in cells}
    overrides: list[Override] = []
    for item, node in zip(items, nodes, strict=True):
        line = int(node.start_mark.line) + 1
        if not isinstance(item, dict) or not {"listing", "sections"} <= set(item):
            raise SourceError(path, line, "an override needs 'listing' and 'sections'")
        unknown = set(item) - {"listing", "sections", "note"}
        if unknown:
            raise SourceError(path, line, f"unknown keys: {', '.join(sorted(unknown))}")
        listing = str(item["listing"]).removeprefix("listing/")
        matrix_cell, _, position = listing.rpartition("/")
        cell = by_cell.get(matrix_cell)
        if cell is None or not position.isdigit() or not (1 <= int(position) <= len(cell.entries)):
            raise SourceError(
                path, line, f"no listing {listing!r}", hint="write it as MATRIX/CELL/POSITION"
            )
        headings = item["sections"]
        if isinstance(headings, str):
            headings = [headings]
        keys: list[str] = []
        for heading in headings:
            match = [s for s in cell.sections if slugify(s.heading) == slugify(str(heading))]
            if not match:
                raise SourceError(
                    path,
                    line,
                    f"{matrix_cell} has no section {heading!r}",
                    hint="sections: " + "; ".join(s.heading for s in cell.sections),
                )
            keys.append(section_key(cell.matrix, cell.cell, match[0].heading))
        overrides.append(
            Override(
                listing=listing_key(cell.matrix, cell.cell, int(position)),
                sections=tuple(keys),
                note=str(item.get("note", "")),
                line=line,
            )
        )
    return tuple(overrides)


def _item_nodes(root: yaml.Node) -> list[yaml.Node]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if getattr(key, "value", None) == "discussions" and isinstance(
                value, yaml.SequenceNode
            ):
                return list(value.value)
    return []


# --- the linker --------------------------------------------------------------------------------


def link_discussions(
    cells: Sequence[Cell],
    overrides_path: Path | None,
    automatic_links: Sequence[Sequence[Discussion]] | None = None,
) -> LinkResult:
    """Link every entry with a discussion pointer to its section(s); overrides win where given.

    `automatic_links`: each cell's `auto_links`, in the order of `cells`, when already made
    (the build makes them page by page, in parallel).
    """
    overrides = {o.listing: o for o in load_overrides(overrides_path, cells)}
    links: list[Discussion] = []
    auto = curated = unresolved = 0
    unresolved_listings: list[str] = []
    for index, cell in enumerate(cells):
        automatic: dict[str, list[Discussion]] = {}
        made = auto_links(cell) if automatic_links is None else automatic_links[index]
        for link in made:
            automatic.setdefault(link.listing, []).append(link)
        for entry in cell.entries:
            listing = listing_key(cell.matrix, cell.cell, entry.position)
            override = overrides.get(listing)
            if override is not None:
                links += [
                    Discussion(listing, section, "curated", override.note or "curated")
                    for section in override.sections
                ]
                resolved = min(entry.discussion_pointers, len(override.sections))
                curated += resolved
            else:
                found = automatic.get(listing, [])
                links += found
                resolved = len(found)
                auto += resolved
            missing = max(0, entry.discussion_pointers - resolved)
            if missing:
                unresolved += missing
                unresolved_listings.append(listing)
    links.sort(key=lambda d: (d.listing, d.section))
    return LinkResult(
        links=tuple(links),
        auto=auto,
        curated=curated,
        unresolved=unresolved,
        unresolved_listings=tuple(unresolved_listings),
    )
