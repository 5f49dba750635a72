"""Positional references between a cell's entries ("Related study below", "see the two reviews
listed below", "national programme (above)"): found in each annotation, then resolved to entries.

Reading (`read_pointers`) works on one annotation at a time. The fixed phrasings of the site are
matched first (`_FIXED`); every other "above"/"below" that is not a comparison ("below average",
"above 10%", "above all") is read from its clause:

- the **kind words** nearest before it (adjectives, "UK", "cognitive-behavioural"… may stand
  between): "study", "trial", "test", "evaluation" → S or K entries; "review", "meta-analysis",
  "synthesis" → R; "guidance", "guideline", "standards" → G; "document", "entry", "report",
  "programme"… → any entry. A list of them ("study, review and guidance below") points at the next
  entry of each kind;
- a **role** after it ("also listed below as guidance") names the kind instead;
- a **count**: a plural kind word takes as many entries as a number in the clause ("trials from
  three regions below") or a link list after it ("reviews (1 2 3) below") says; "(1; below)" is one
  link elsewhere and one entry below;
- without any kind word, a pointer word ("this", "see", "listed", "more", "related"…) makes it a
  reference to the nearest entry in that direction; with neither it is not understood (a problem).

Resolution (`resolve`) is linear in the number of entries: each kind's positions are listed once,
and every reference finds its targets by binary search in those lists (see `Resolver`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..base.records import AmbiguousRef, Entry, EntryRef, EntryRelation, Problem, RefCounts
from ..base.text import fold_words, sentence_around

Direction = Literal["below", "above"]

KIND_ENTRIES: dict[str, frozenset[str]] = {
    "study": frozenset("SK"),
    "review": frozenset("R"),
    "guidance": frozenset("G"),
    "entry": frozenset("SKRG"),
}
"""Which entry markers each kind word points at."""

_NOUNS: dict[str, str] = {}
for _kind, _words in {
    "study": "study studies trial trials test tests evaluation evaluations experiment experiments "
    "analysis analyses investigation investigations survey surveys paper papers",
    "review": "review reviews meta-analysis meta-analyses synthesis syntheses overview overviews",
    "guidance": "guidance guideline guidelines guide guides standards recommendations manual "
    "manuals handbook handbooks protocol protocols",
    "entry": "entry entries document documents item items report reports programme programmes "
    "program programs work works publication publications source sources listing listings one "
    "ones account accounts version versions",
}.items():
    for _word in _words.split():
        _NOUNS[_word] = _kind
_PLURALS = frozenset(
    "studies trials tests evaluations experiments analyses investigations surveys papers reviews "
    "meta-analyses syntheses overviews guidelines guides recommendations manuals handbooks "
    "protocols entries documents items reports programmes programs works publications sources "
    "listings ones accounts versions standards".split()
)
_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "pair": 2,
    "both": 2,
    "trio": 3,
}
_CONJUNCTIONS = frozenset(["and", "or", "&", "plus", ",", "as", "well"])
_STOPS = frozenset(
    """a an the this that these those his her its their our my your one of by in on from with for
    to at about into than is was were are be been being has have had which who whom whose see
    also more further listed featured described discussed mentioned below above""".split()
)
_CUES = frozenset(
    """this that these those it see listed featured described discussed mentioned related similar
    associated companion more further also same following preceding previous next""".split()
)
_COMPARED = frozenset(
    """average par all normal baseline threshold zero median expectations expected chance levels
    level cost costs target targets half those""".split()
)
_POSITION = re.compile(r"\b(?P<dir>[Bb]elow|[Aa]bove)\b")
_WORD = re.compile(r"[\w’'-]+|[,&]")

_KW = r"(?P<kind>stud(?:y|ies)|reviews?|guidance|entry|entries|documents?)"
_KW1 = r"(?P<kind>study|review|guidance|entry|document)"
_DIR = r"(?P<dir>below|above)"
_FIXED: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "part-of",
        re.compile(rf"\b[Oo]ne of (?:the )?[\w-]+ \w+ featured in (?:the )?{_KW} {_DIR}\.?"),
    ),
    ("includes", re.compile(rf"\b[Oo]ne of the [\w-]+ (?:was|is) the {_KW} {_DIR}\.?")),
    ("part-of", re.compile(rf"\b[Oo]ne of the \(see {_DIR}\)")),
    ("overall", re.compile(rf"\((?:their|its|the) overall (?:report|review) is listed {_DIR}\)")),
    ("related", re.compile(rf"\(?\b[Rr]elated {_KW1} {_DIR}\b\.?\)?")),
)
"""The site's fixed phrasings, read exactly as they always were (the seeds' golden output)."""


MAX_POINTERS = 50
""""above"/"below" words read per annotation (a real one has a few); the rest is one problem."""


@dataclass
class Pointer:
    """One positional reference as written in an annotation."""

    relation: str
    """"related", "includes", "part-of", "overall" (part of the root of the entry above) or
    "same" (the same document listed again, "also listed below as guidance")."""
    kinds: tuple[str, ...]
    """One kind per group of targets ("study and review below" → ("study", "review"))."""
    direction: Direction
    phrase: str
    start: int
    end: int
    count: int | None = 1
    """Targets per kind; None for a plural without a count."""
    pairs: bool = False
    """A "related <kind> below/above" that pairs with its reciprocal on the other entry."""


def _kind_of(word: str) -> str:
    """The kind ("study", "review", "guidance", "entry") a kind word or lexicon kind stands for."""
    return _NOUNS.get(word, word if word in KIND_ENTRIES else "entry")


def _comparative(annotation: str, end: int) -> bool:
    """Whether the word before `end` compares ("below average", "above 10%", "above all")."""
    after = annotation[end : end + 40]
    match = re.match(r"\s*(?P<w>[\w%$£€.]+)(?:\s+(?P<w2>\w+))?", after)
    if match is None:
        return False
    word = match["w"].lower().rstrip(".")
    if not word:
        return False
    if word[:1].isdigit() or word[:1] in "%$£€":
        return True
    if word == "and" and (match["w2"] or "").lower() == "beyond":
        return True
    if word in ("the", "a", "an"):
        nxt = (match["w2"] or "").lower()
        return nxt not in _NOUNS
    return word in _COMPARED


def read_pointers(annotation: str) -> tuple[list[Pointer], list[tuple[int, int]]]:
    """The positional references of one annotation, and the spans of "above"/"below" pointers it
    could not read."""
    found: list[Pointer] = []
    taken: list[tuple[int, int]] = []
    if not _POSITION.search(annotation):
        return found, []
    for relation, pattern in _FIXED:
        for match in pattern.finditer(annotation):
            if len(taken) >= MAX_POINTERS:
                break
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append((match.start(), match.end()))
            kind = _kind_of((match.groupdict().get("kind") or "entry").lower())
            phrase = match.group(0).strip()
            found.append(
                Pointer(
                    relation,
                    (kind,),
                    "below" if match["dir"].lower() == "below" else "above",
                    phrase,
                    match.start(),
                    match.end(),
                    pairs=relation == "related"
                    and phrase.lstrip("(").lower().startswith("related"),
                )
            )
    not_understood: list[tuple[int, int]] = []
    for seen, match in enumerate(_POSITION.finditer(annotation)):
        if seen >= MAX_POINTERS:
            not_understood.append((match.start(), match.end()))  # one problem for the rest
            break
        if any(start <= match.start() < end for start, end in taken):
            continue
        if _comparative(annotation, match.end()):
            continue
        pointer = _read_clause(annotation, match)
        if pointer is None:
            not_understood.append((match.start(), match.end()))
        else:
            found.append(pointer)
    found.sort(key=lambda p: p.start)
    return found, not_understood


def _blank_closed_parens(text: str) -> str:
    """`text` with every closed "(…)" group blanked out (same length), so that punctuation inside
    a date part or link list does not end a clause."""
    return re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), text)


def _open_paren(annotation: str, position: int) -> int | None:
    """Offset just after the "(" that `position` lies inside, if any (within 200 characters)."""
    window_start = max(0, position - 200)
    opening = annotation.rfind("(", window_start, position)
    if opening < 0 or ")" in annotation[opening:position]:
        return None
    return opening + 1


def _clause_start(annotation: str, position: int) -> int:
    """Where the clause holding `position` begins: after a sentence end, ";", ":", a dash or an
    unclosed "(" (closed parenthesised groups do not count)."""
    window_start = max(0, position - 200)
    window = _blank_closed_parens(annotation[window_start:position])
    best = window_start
    for match in re.finditer(r"[.!?;:](?=\s)|\(|—|–", window):
        best = window_start + match.end()
    return best


def _read_clause(annotation: str, match: re.Match[str]) -> Pointer | None:
    direction: Direction = "below" if match["dir"].lower() == "below" else "above"
    inside = _open_paren(annotation, match.start())
    in_paren = inside is not None
    start = inside if inside is not None else _clause_start(annotation, match.start())
    before_text = annotation[start : match.start()]
    after = re.match(r"[^.;:()!?]{0,60}", annotation[match.end() :])
    after_text = after.group(0) if after else ""
    words = [w.lower() for w in _WORD.findall(_blank_closed_parens(before_text))]
    count: int | None = 1
    link_list = False
    if in_paren:
        # "(1; below)", "(above)", "(see below)": the noun is just before the parenthesis.
        inner = [w for w in words if w not in (",", "see", "listed", "also", "and")]
        numbers = [w for w in inner if w.isdigit()]
        if len(numbers) == len(inner):
            link_list = bool(numbers)
            outer = _clause_start(annotation, start - 1)
            words = [
                w.lower()
                for w in _WORD.findall(_blank_closed_parens(annotation[outer : start - 1]))
            ]
            if not words:
                words = ["see"]
    # A role after the pointer: "also listed below as guidance".
    role = re.match(r"\s*as\s+(?:an?\s+|the\s+)?([\w-]+)", after_text)
    if role and role.group(1).lower() in _NOUNS:
        kind = _kind_of(_NOUNS[role.group(1).lower()])
        phrase = _phrase(annotation, start, match.end() + role.end())
        return Pointer("same", (kind,), direction, phrase, match.start(), match.end() + role.end())
    kinds, plural = _kind_group(words)
    phrase = _phrase(annotation, start, match.end())
    if not kinds:
        # The kind after the pointer: "Below is a related review", "the above study".
        ahead = re.match(r"(?:\s*(?:is|are|was|were|a|an|the|one|two|three|both|related|similar|"
                         r"further|listed|mentioned|described|[\w-]+(?=\s+(?:study|trial|review|"
                         r"guidance|guidelines?|studies|reviews|trials|report|document)\b)))*"
                         r"\s*([\w-]+)", after_text)  # fmt: skip
        noun = ahead.group(1).lower() if ahead else ""
        if ahead and (noun in _NOUNS and _NOUNS[noun] != "entry" or noun in ("report", "document")):
            words = [*words, *(w.lower() for w in _WORD.findall(ahead.group(0)))]
            kinds, plural = _kind_group(words)
            phrase = _phrase(annotation, start, match.end() + ahead.end())
    if not kinds:
        if not any(w in _CUES for w in words) and not in_paren:
            return None
        return Pointer("related", ("entry",), direction, phrase, match.start(), match.end())
    if plural:
        count = None
        numbers = re.findall(r"\(\s*(\d(?:[\s;,]+\d)*)\s*\)", annotation[start : match.start()])
        if numbers:
            count = len(re.findall(r"\d", numbers[-1]))
        else:
            spoken = [_NUMBERS[w] for w in words if w in _NUMBERS] or [
                int(w) for w in words if w.isdigit() and 1 < int(w) < 20
            ]
            if spoken:
                count = spoken[-1]
        if link_list:
            count = 1  # "(1; below)": one link elsewhere, one entry below
    relation = "related"
    said = " ".join(words)
    if re.search(r"\b(?:featured in|included in|part of)\b", said):
        relation = "part-of"  # "one of three studies featured in the review above"
    elif re.search(r"\b(?:includes|including|included|incorporates|covers)\b", said):
        relation = "includes"  # "a review which includes both trials above"
    return Pointer(relation, kinds, direction, phrase, match.start(), match.end(), count)


def _kind_group(words: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """The kind words nearest before the pointer, with the list they belong to ("UK study, review
    and guidance"), and whether the last is plural."""
    last = next((i for i in range(len(words) - 1, -1, -1) if words[i] in _NOUNS), None)
    if last is None:
        return (), False
    kinds = [_kind_of(_NOUNS[words[last]])]
    plural = words[last] in _PLURALS
    i = last - 1
    while i >= 0:
        word = words[i]
        if word in _NOUNS and _NOUNS[word] != "entry" or word in ("guidance",):
            kinds.insert(0, _kind_of(_NOUNS[word]))
        elif word in _CONJUNCTIONS:
            pass
        elif word in _STOPS or word in _CUES or word in _NUMBERS:
            break
        i -= 1
    specific = [k for k in kinds if k != "entry"]
    unique = tuple(dict.fromkeys(specific or kinds))
    return unique, plural


def _phrase(annotation: str, start: int, end: int) -> str:
    return annotation[start:end].strip(" ,(").strip()


# --- resolution ----------------------------------------------------------------------------------


@dataclass
class Resolution:
    """What `resolve` made of a page's pointers: refs per entry, counts, and the work it did."""

    refs: dict[int, list[EntryRef]] = field(default_factory=dict)
    ambiguous: dict[int, list[AmbiguousRef]] = field(default_factory=dict)
    counts: RefCounts = RefCounts()
    steps: int = 0
    """Entries examined while resolving: grows linearly with the page (a regression guard)."""


_MAX_CANDIDATES = 5
_RELATIONS: dict[str, EntryRelation] = {
    "includes": "includes",
    "part-of": "part-of",
    "overall": "part-of",
}
_PLURAL_ALL = 3
"""A plural without a count resolves to every entry of its kind in that direction when there are at
most this many; with more, it is ambiguous."""


class Resolver:
    """Targets of positional references among a page's entries, by binary search per kind."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = entries
        self.positions: dict[str, list[int]] = {kind: [] for kind in KIND_ENTRIES}
        for entry in entries:
            for kind, markers in KIND_ENTRIES.items():
                if markers & set(entry.kinds):
                    self.positions[kind].append(entry.position)
        self.steps = len(entries)
        self._titles: dict[int, list[str]] = {}

    def folded_title(self, position: int) -> list[str]:
        """The title of the entry at `position`, folded for comparison (computed once)."""
        if position not in self._titles:
            self._titles[position] = fold_words(self.entries[position - 1].title)
        return self._titles[position]

    def run(self, kind: str, source: int, direction: Direction, skip: int, limit: int) -> list[int]:
        """Up to `limit` positions of `kind` entries in `direction` from `source`, after `skip`."""
        positions = self.positions.get(kind, self.positions["entry"])
        if direction == "below":
            index = bisect_right(positions, source) + skip
            found = positions[index : index + limit]
        else:
            index = bisect_left(positions, source) - 1 - skip
            found = positions[max(index - limit + 1, 0) : index + 1][::-1] if index >= 0 else []
        self.steps += len(found) + 1
        return found

    def total(self, kind: str, source: int, direction: Direction) -> int:
        positions = self.positions.get(kind, self.positions["entry"])
        split = (
            bisect_right(positions, source)
            if direction == "below"
            else bisect_left(positions, source)
        )
        self.steps += 1
        return len(positions) - split if direction == "below" else split


def resolve(
    entries: Sequence[Entry], pointers: Sequence[Sequence[Pointer]], problems: list[Problem]
) -> Resolution:
    """Resolve every entry's pointers (`pointers[i]` belongs to `entries[i]`).

    - Reciprocal pointers pair up like brackets, in page order: a "Related <kind> below" opens, a
      later "Related <kind> above" (same kind word) closes the nearest open one, and the two
      entries are related both ways.
    - Otherwise "below" means the nearest entries of that kind below; the k-th unpaired pointer of
      one kind in one annotation means the k-th such entry. "above" means the nearest above.
    - "One of the three was the study below" → includes; "One of three studies featured in entry
      above", "One of the (see above)…" → part-of; "(their overall report is listed above)" →
      part-of the root of the entry above (the entry it is itself part of, if any).
    - "also listed below as guidance" → the entry of that kind with the same title, else the only
      one; several without a matching title → ambiguous.
    - A plural without a count → every such entry when at most three, else ambiguous.
    """
    resolver = Resolver(entries)
    result = Resolution(refs={e.position: [] for e in entries})
    targets: dict[int, list[int]] = {}
    open_related: dict[str, list[tuple[int, int]]] = {}
    flat: list[tuple[Entry, int, Pointer]] = []
    for entry, entry_pointers in zip(entries, pointers, strict=True):
        for pointer in entry_pointers:
            index = len(flat)
            flat.append((entry, index, pointer))
            if not pointer.pairs:
                continue
            kind = pointer.kinds[0]
            stack = open_related.setdefault(kind, [])
            if pointer.direction == "below":
                stack.append((entry.position, index))
                continue
            # Close the nearest open pointer of another entry (an entry never pairs with itself).
            for depth in range(len(stack) - 1, max(len(stack) - 3, -1), -1):
                source, opener = stack[depth]
                resolver.steps += 1
                if source < entry.position:
                    del stack[depth]
                    targets[opener] = [entry.position]
                    targets[index] = [source]
                    break

    part_of: dict[int, int] = {}
    used: dict[tuple[int, str, str], int] = {}
    resolved = ambiguous = unresolved = 0
    for entry, index, pointer in flat:
        source = entry.position
        relation = _RELATIONS.get(pointer.relation, "related")
        found: list[int] | None = targets.get(index)
        candidates: list[int] = []
        short = False
        if found is None and pointer.relation == "overall":
            above = resolver.run("entry", source, pointer.direction, 0, 1)
            target = above[0] if above else None
            seen: set[int] = set()
            while target is not None and target in part_of and target not in seen:
                seen.add(target)
                resolver.steps += 1
                target = part_of[target]
            found = [target] if target is not None else []
        elif found is None and pointer.relation == "same":
            kind = pointer.kinds[0]
            pool = resolver.run(kind, source, pointer.direction, 0, 50)
            title = resolver.folded_title(source)
            same = [p for p in pool if _same_title(resolver.folded_title(p), title)]
            if same:
                found = same[:1]
            elif len(pool) == 1:
                found = pool
            else:
                found, candidates = [], sorted(pool[:_MAX_CANDIDATES])
        elif found is None:
            found = []
            for kind in pointer.kinds:
                key = (source, kind, pointer.direction)
                skip = used.get(key, 0)
                if pointer.count is None:
                    available = resolver.total(kind, source, pointer.direction) - skip
                    if available > _PLURAL_ALL:
                        candidates += resolver.run(kind, source, pointer.direction, skip, 5)
                        continue
                    hits = resolver.run(kind, source, pointer.direction, skip, _PLURAL_ALL)
                else:
                    hits = resolver.run(kind, source, pointer.direction, skip, pointer.count)
                    if len(hits) < pointer.count and hits:
                        candidates += hits
                        short = True
                        continue
                used[key] = skip + len(hits)
                found += hits
            if candidates:
                candidates = sorted(set(candidates) | set(found))
                found = []
        line = entry.line
        if candidates:
            ambiguous += 1
            result.ambiguous.setdefault(source, []).append(
                AmbiguousRef(relation, pointer.phrase, tuple(candidates), line)
            )
            listed = ", ".join(map(str, candidates))
            if short:
                why = f"names more entries than the {len(candidates)} it finds ({listed})"
            else:
                why = f"may point at entries {listed}; which is unclear"
            problems.append(Problem(line, f"entry {source}: {pointer.phrase!r} {why}"))
            continue
        if not found:
            unresolved += 1
            problems.append(
                Problem(line, f"entry {source}: {pointer.phrase!r} points at no entry of this cell")
            )
            continue
        resolved += 1
        for target in sorted(found):
            if relation == "part-of":
                part_of.setdefault(source, target)
            result.refs[source].append(EntryRef(relation, target, pointer.phrase))
    result.counts = RefCounts(resolved, ambiguous, unresolved, 0)
    result.steps = resolver.steps
    return result


def _same_title(one: list[str], other: list[str]) -> bool:
    """Titles of the same document listed twice: equal, or one the start of the other (at least
    three words), ignoring case and punctuation."""
    a = [re.sub(r"\W+", "", w) for w in one]
    b = [re.sub(r"\W+", "", w) for w in other]
    a, b = [w for w in a if w], [w for w in b if w]
    shorter = min(len(a), len(b))
    return a == b or (shorter >= 3 and a[:shorter] == b[:shorter])


def not_understood_problem(annotation: str, span: tuple[int, int], position: int) -> str:
    """The message for a pointer the parser could not read."""
    sentence = sentence_around(annotation, span[0], span[1])
    return f"entry {position}: positional reference not understood: {sentence!r}"
