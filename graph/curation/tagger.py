"""Topic tagging: link listings, sections and claims to thesaurus concepts (`dcterms:subject`).

Precision first. A concept tags a node when one of its labels (`skos:prefLabel`, `skos:altLabel`)
occurs in the node's text as whole words: not inside a longer word or a hyphenated compound
("prescribed" does not match "non-prescribed"). Labels written in capitals ("MI", "GPs") match only
in capitals; other labels match in any case. Labels too short or too generic to mean the concept on
their own are never used. Typographic quotes, apostrophes and dashes are folded before matching.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
    first: str = ""
    """The label's first word, lowercased: if it is not in the text, the pattern cannot match."""


def _is_acronym(label: str) -> bool:
    letters = [c for c in label if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1)


def usable(label: str) -> bool:
    """Whether `label` is specific enough to tag with."""
    folded = fold(label, dashes=True)
    if _is_acronym(folded):
        return True
    return len(folded) >= MIN_LABEL_CHARS and folded.lower() not in GENERIC_LABELS


def matchers(concepts: Iterable[Concept]) -> list[_Matcher]:
    """One whole-word pattern per usable label, longest labels first."""
    result: list[_Matcher] = []
    for concept in concepts:
        for label in dict.fromkeys((concept.label, *concept.alt_labels)):
            if not usable(label):
                continue
            folded = fold(label, dashes=True)
            body = r"\s+".join(re.escape(word) for word in folded.split())
            flags = 0 if _is_acronym(folded) else re.IGNORECASE
            pattern = re.compile(rf"(?<![\w-]){body}(?![\w-]|'s\w)", flags)
            result.append(_Matcher(concept.key, label, pattern, folded.split()[0].lower()))
    result.sort(key=lambda m: (-len(m.label), m.concept, m.label))
    return result


def tag_text(text: str, compiled: Sequence[_Matcher]) -> dict[str, str]:
    """Concept key → the first label that matched in `text`."""
    folded = fold(text, dashes=True)
    low = folded.lower()  # a cheap substring test first: 10x faster on large corpora (F)
    found: dict[str, str] = {}
    for matcher in compiled:
        if matcher.concept in found or matcher.first not in low:
            continue
        match = matcher.pattern.search(folded)
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
    cells: Sequence[Cell], claims: Sequence[Claim], concepts: Sequence[Concept]
) -> tuple[Subject, ...]:
    """Subjects of every listing, section and claim, sorted; a claim's curated topics excluded
    (the claim already carries them)."""
    compiled = matchers(concepts)
    curated = {f"claim/{c.id}": {concept_key(t) for t in c.topics} for c in claims}
    subjects: list[Subject] = []
    for node, text in node_texts(cells, claims):
        skip = curated.get(node, set())
        for concept, matched in tag_text(text, compiled).items():
            if concept not in skip:
                subjects.append(Subject(node=node, concept=concept, matched=matched))
    return tuple(sorted(subjects, key=lambda s: (s.node, s.concept)))
