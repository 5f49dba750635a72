"""The drafter's cue lexicons: `cues.yaml` (shipped with the package) read into word sets and
phrase tables, and matched on a sentence's words and lemmas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ...base import yamltext
from ...base.errors import SourceError

LEXICON_FILE = "cues.yaml"

WORD_LISTS = (
    "report_verbs",
    "effect_words",
    "result_words",
    "comparatives",
    "research_words",
    "outcome_words",
    "description_words",
    "positive_words",
    "negative_words",
    "middle_words",
    "extreme_words",
    "negations",
    "hedges",
    "method_verbs",
    "argument_verbs",
    "increase_words",
    "decrease_words",
    "adverse_outcomes",
    "uptake_words",
)
PHRASE_LISTS = (
    "imperative_starts",
    "hypotheticals",
    "null_phrases",
    "both_extremes_phrases",
    "nonlinear_phrases",
    "conditional_phrases",
    "inconsistent_phrases",
    "threshold_phrases",
    "linear_phrases",
    "moderator_openers",
    "population_openers",
)

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Word sets (matched on a word or its lemma) and phrases (word sequences) by list name."""

    words: dict[str, frozenset[str]]
    phrases: dict[str, dict[str, tuple[Phrase, ...]]]
    """List name → first word → the phrases starting with it, longest first."""
    version: int
    index: dict[str, frozenset[str]]
    """Word → the names of the word lists holding it (one lookup per token)."""
    starts: frozenset[str]
    """The imperative starts, joined by spaces."""
    phrase_index: dict[str, tuple[tuple[str, Phrase], ...]]
    """First word → (list name, phrase) of every phrase list, longest first."""


def _split(item: object) -> Phrase:
    return tuple(str(item).lower().replace("’", "'").split())


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read the cue lexicons from `path`, or the packaged `cues.yaml`."""
    where = path if path is not None else Path(str(resources.files(__package__) / LEXICON_FILE))
    try:
        data = yamltext.load(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(where, None, f"cannot read the cue lexicons: {exc}") from exc
    except yaml.YAMLError as exc:
        raise yamltext.source_error(where, exc) from exc
    if not isinstance(data, dict):
        raise SourceError(where, None, "the cue lexicons must be a mapping of list names to lists")
    missing = [k for k in (*WORD_LISTS, *PHRASE_LISTS) if not isinstance(data.get(k), list)]
    if missing:
        raise SourceError(where, None, f"cue lists missing or not lists: {', '.join(missing)}")
    words = {k: frozenset(" ".join(_split(x)) for x in data[k]) for k in WORD_LISTS}
    phrases: dict[str, dict[str, tuple[Phrase, ...]]] = {}
    for k in PHRASE_LISTS:
        by_first: dict[str, list[Phrase]] = {}
        for phrase in sorted({_split(x) for x in data[k]}, key=lambda p: (-len(p), p)):
            if phrase:
                by_first.setdefault(phrase[0], []).append(phrase)
        phrases[k] = {first: tuple(group) for first, group in by_first.items()}
    index: dict[str, set[str]] = {}
    for name, members in words.items():
        for word in members:
            index.setdefault(word, set()).add(name)
    starts = frozenset(" ".join(_split(x)) for x in data["imperative_starts"])
    every: dict[str, list[tuple[str, Phrase]]] = {}
    for name, table in phrases.items():
        for first, group in table.items():
            every.setdefault(first, []).extend((name, phrase) for phrase in group)
    return Lexicon(
        words=words,
        phrases=phrases,
        version=int(data.get("version", 1)),
        index={k: frozenset(v) for k, v in index.items()},
        starts=starts,
        phrase_index={k: tuple(sorted(v, key=lambda x: (-len(x[1]), x))) for k, v in every.items()},
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The packaged lexicons, read once."""
    return load_lexicon()


def find_phrases(
    lowers: Sequence[str], lemmas: Sequence[str], index: dict[str, tuple[Phrase, ...]]
) -> list[tuple[int, Phrase]]:
    """(start index, phrase) of every phrase occurring in the words (each word or its lemma)."""
    found: list[tuple[int, Phrase]] = []
    n = len(lowers)
    for i in range(n):
        candidates = index.get(lowers[i], ())
        if lemmas[i] != lowers[i]:
            candidates += index.get(lemmas[i], ())
        for phrase in candidates:
            size = len(phrase)
            if i + size <= n and all(
                lowers[i + j] == w or lemmas[i + j] == w for j, w in enumerate(phrase)
            ):
                found.append((i, phrase))
    return found


def find_all_phrases(
    lowers: Sequence[str], lemmas: Sequence[str], lex: Lexicon
) -> dict[str, list[tuple[int, Phrase]]]:
    """List name → (start index, phrase) of every phrase of every list, in one pass."""
    found: dict[str, list[tuple[int, Phrase]]] = {}
    n = len(lowers)
    index = lex.phrase_index
    for i in range(n):
        candidates = index.get(lowers[i], ())
        if lemmas[i] != lowers[i]:
            candidates += index.get(lemmas[i], ())
        for name, phrase in candidates:
            size = len(phrase)
            if size == 1 or (
                i + size <= n
                and all(lowers[i + j] == w or lemmas[i + j] == w for j, w in enumerate(phrase))
            ):
                found.setdefault(name, []).append((i, phrase))
    return found
