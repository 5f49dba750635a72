"""Topic tagging: link listings, sections and claims to thesaurus concepts (`dcterms:subject`).

Precision first. A concept tags a node when one of its labels (`skos:prefLabel`, `skos:altLabel`)
occurs in the node's text as whole words: not inside a longer word or a hyphenated compound
("prescribed" does not match "non-prescribed"). Labels written in capitals ("MI", "GPs") match only
in capitals; other labels match in any case. Labels too short or too generic to mean the concept on
their own are never used. Typographic quotes, apostrophes and dashes are folded before matching.

Speed: every label is found in one pass over a text by an Aho–Corasick automaton (one for the
capitalised labels over the text as it is, one for the others over its lowercase); only the labels
it finds are then checked against their whole-word pattern, so the cost grows with the text, not
with the number of labels times the number of texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ahocorasick_rs import AhoCorasick, MatchKind

from ..base.ids import concept_key, listing_key, section_key
from ..base.records import Cell, Claim, Concept, Subject
from ..base.text import fold

MIN_LABEL_CHARS = 4
"""Shorter labels are used only when they are acronyms (all capitals)."""

GENERIC_LABELS = frozenset(
    {
        "alcohol",
        "compliance",
        "experience",
        "genuine",
        "identity",
        "recovery",
        "supervision",
        "training",
        "treatment",
        "rules",
        "therapy",
        "relationship",
        "relationships",
        "dose",
        "doses",
    }
)
"""Labels that, alone, say too little about the concept to tag a node with it."""


@dataclass(frozen=True)
class _Matcher:
    concept: str
    label: str
    pattern: re.Pattern[str]
    key: str
    """The folded label (lowercased unless an acronym): the pattern cannot match without it."""
    acronym: bool


class _Automaton:
    """One multi-pattern searcher: where its keys occur in a text, by matcher index."""

    def __init__(self, keys: dict[str, list[int]]) -> None:
        self._keys = list(keys)
        self._owners = [keys[k] for k in self._keys]
        self._ac = AhoCorasick(self._keys, matchkind=MatchKind.Standard) if self._keys else None

    def find(self, text: str, into: dict[int, list[int]]) -> None:
        """Add the start of every occurrence of every key to `into` (ascending per matcher)."""
        if self._ac is None:
            return
        for index, start, _ in self._ac.find_matches_as_indexes(text, overlapping=True):
            for owner in self._owners[index]:
                into.setdefault(owner, []).append(start)


class Matchers:
    """The usable labels of a concept scheme, in matching order, with their two automata."""

    def __init__(self, items: list[_Matcher]) -> None:
        self.items = items
        exact: dict[str, list[int]] = {}
        folded: dict[str, list[int]] = {}
        for index, matcher in enumerate(items):
            (exact if matcher.acronym else folded).setdefault(matcher.key, []).append(index)
        self._exact = _Automaton(exact)
        self._folded = _Automaton(folded)

    def __len__(self) -> int:
        return len(self.items)

    def candidates(self, text: str) -> list[tuple[_Matcher, list[int] | None]]:
        """The matchers whose key occurs in folded `text`, in matching order, each with the
        offsets where its key starts (None when lowercasing moved offsets: search instead)."""
        hits: dict[int, list[int]] = {}
        self._exact.find(text, hits)
        low = text.lower()
        exact = set(hits)
        self._folded.find(low, hits)
        aligned = len(low) == len(text)
        return [(self.items[i], hits[i] if aligned or i in exact else None) for i in sorted(hits)]


def _is_acronym(label: str) -> bool:
    letters = [c for c in label if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1)


def usable(label: str) -> bool:
    """Whether `label` is specific enough to tag with."""
    folded = fold(label, dashes=True)
    if _is_acronym(folded):
        return True
    return len(folded) >= MIN_LABEL_CHARS and folded.lower() not in GENERIC_LABELS


def matchers(concepts: Iterable[Concept]) -> Matchers:
    """One whole-word pattern per usable label, longest labels first (made once per scheme in a
    process: a build asks for them where pages are tagged and again for the claims)."""
    return _matchers(tuple(concepts))


@lru_cache(maxsize=4)
def _matchers(concepts: tuple[Concept, ...]) -> Matchers:
    result: list[_Matcher] = []
    for concept in concepts:
        for label in dict.fromkeys((concept.label, *concept.alt_labels)):
            if not usable(label):
                continue
            folded = fold(label, dashes=True)
            body = r"\s+".join(re.escape(word) for word in folded.split())
            acronym = _is_acronym(folded)
            pattern = re.compile(
                rf"(?<![\w-]){body}(?![\w-]|'s\w)", 0 if acronym else re.IGNORECASE
            )
            key = folded if acronym else folded.lower()
            result.append(_Matcher(concept.key, label, pattern, key, acronym))
    result.sort(key=lambda m: (-len(m.label), m.concept, m.label))
    return Matchers(result)


def tag_text(text: str, compiled: Matchers) -> dict[str, str]:
    """Concept key → the first label that matched in `text`."""
    folded = fold(text, dashes=True)
    found: dict[str, str] = {}
    for matcher, starts in compiled.candidates(folded):
        if matcher.concept in found:
            continue
        if starts is None:
            match = matcher.pattern.search(folded)
        else:  # the leftmost whole-word match starts where the key does
            match = next(filter(None, (matcher.pattern.match(folded, i) for i in starts)), None)
        if match:
            found[matcher.concept] = match.group(0)
    return found


def node_texts(cells: Sequence[Cell], claims: Sequence[Claim]) -> list[tuple[str, str]]:
    """(node key, text to tag) for every listing, section and claim."""
    texts: list[tuple[str, str]] = []
    for cell in cells:
        for entry in cell.entries:
            key = listing_key(cell.matrix, cell.cell, entry.position)
            texts.append((key, f"{entry.title}. {entry.annotation}"))
        for section in cell.sections:
            key = section_key(cell.matrix, cell.cell, section.heading)
            texts.append((key, f"{section.heading}. {section.text}"))
    for claim in claims:
        parts = [claim.statement, claim.exposure, claim.outcome, *claim.moderators]
        if claim.population:
            parts.append(claim.population)
        texts.append((f"claim/{claim.id}", ". ".join(parts)))
    return texts


def tag(
    cells: Sequence[Cell],
    claims: Sequence[Claim],
    concepts: Sequence[Concept],
    compiled: Matchers | None = None,
) -> tuple[Subject, ...]:
    """Subjects of every listing, section and claim, sorted; a claim's curated topics excluded
    (the claim already carries them). `compiled`: `matchers(concepts)`, when already made."""
    if compiled is None:
        compiled = matchers(concepts)
    curated = {f"claim/{c.id}": {concept_key(t) for t in c.topics} for c in claims}
    subjects: list[Subject] = []
    for node, text in node_texts(cells, claims):
        skip = curated.get(node, set())
        for concept, matched in tag_text(text, compiled).items():
            if concept not in skip:
                subjects.append(Subject(node=node, concept=concept, matched=matched))
    return tuple(sorted(subjects, key=lambda s: (s.node, s.concept)))
