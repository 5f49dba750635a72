"""Sentences and lemmas: spaCy's blank English pipeline with the rule-based sentencizer and the
lookup lemmatizer (tables from `spacy-lookups-data`), loaded once per process, no model download.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_ABBREVIATIONS = re.compile(r"\b(?:eg|ie|e\.g|i\.e|vs|cf|al|etc|Dr|Mr|Mrs|Ms|Prof|St|No)\.$")


@dataclass(frozen=True)
class Token:
    """One word of a sentence: its text, lowercased text and lookup lemma."""

    text: str
    lower: str
    lemma: str
    start: int
    """Offset in the passage."""
    word: bool = True
    """False for punctuation."""


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage, with its offsets in the passage and its tokens."""

    text: str
    start: int
    end: int
    tokens: tuple[Token, ...]


@lru_cache(maxsize=1)
def _pipeline() -> Any:
    """spaCy's blank English pipeline with the rule-based sentencizer (loaded once, ~0.7 s)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def _table() -> Any:
    """The English lookup lemma table of `spacy-lookups-data`, through spaCy's lemmatizer."""
    import spacy

    lemmatizer: Any = spacy.blank("en").add_pipe("lemmatizer", config={"mode": "lookup"})
    lemmatizer.initialize()
    return lemmatizer.lookups.get_table("lemma_lookup")


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The lookup lemma of a lowercased word ("found" → "find"); the word itself when unlisted."""
    found = _table().get(word)
    return found.lower() if isinstance(found, str) else word


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join sentences the sentencizer split after an abbreviation ("eg." "et al.")."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            previous = text[merged[-1][0] : merged[-1][1]].rstrip()
            following = text[start:end].lstrip()
            if _ABBREVIATIONS.search(previous) or (following[:1].islower()):
                merged[-1] = (merged[-1][0], end)
                continue
        merged.append((start, end))
    return merged


_TOKEN = re.compile(r"[\w][\w’'-]*[\w]|[\w]|[^\w\s]")


def tokens_of(text: str, offset: int = 0) -> tuple[Token, ...]:
    """The words and punctuation of `text` with their lookup lemmas."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        lower = word.lower().replace("’", "'")
        is_word = word[0].isalnum() or word[0] == "_"
        found.append(
            Token(word, lower, lemma(lower) if is_word else lower, offset + match.start(), is_word)
        )
    return tuple(found)


def sentences(passages: Iterable[str]) -> Iterator[list[Sentence]]:
    """The sentences of each passage, in order (one list per passage): spaCy's sentencizer
    finds the boundaries; words are then read with their lookup lemmas."""
    nlp = _pipeline()
    for doc in nlp.pipe(passages, batch_size=64):
        text = doc.text
        spans = [(s.start_char, s.end_char) for s in doc.sents]
        result: list[Sentence] = []
        for start, end in _merge(spans, text):
            raw = text[start:end]
            stripped = raw.strip()
            if not stripped:
                continue
            offset = start + (len(raw) - len(raw.lstrip()))
            result.append(
                Sentence(stripped, offset, offset + len(stripped), tokens_of(stripped, offset))
            )
        yield result


_QUICK = re.compile(r"[\w][\w’'-]*|[^\w\s]")
_SUFFIXES = (
    ("ies", "y"),
    ("ied", "y"),
    ("ing", ""),
    ("ed", ""),
    ("ed", "e"),
    ("es", ""),
    ("s", ""),
)


def quick_sentence(text: str, known: frozenset[str] | None = None) -> Sentence:
    """One sentence tokenised without spaCy (a regular expression, suffix-stripped lemmas), for
    reading single quotes cheaply (the claim lints)."""
    from .lexicon import default_lexicon

    index = known if known is not None else frozenset(default_lexicon().index)
    tokens: list[Token] = []
    for match in _QUICK.finditer(text):
        word = match.group(0)
        lower = word.lower().replace("’", "'")
        lemma = lower
        if lower not in index:
            for suffix, replacement in _SUFFIXES:
                if lower.endswith(suffix) and lower[: -len(suffix)] + replacement in index:
                    lemma = lower[: -len(suffix)] + replacement
                    break
        tokens.append(Token(word, lower, lemma, match.start(), word[0].isalnum() or word[0] == "_"))
    return Sentence(text, 0, len(text), tuple(tokens))
