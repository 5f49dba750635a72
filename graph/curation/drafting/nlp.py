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
    """The spaCy pipeline (about 0.7 s to load, once)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@lru_cache(maxsize=1)
def _table() -> Any:
    """The lookup lemma table (to lemmatise capitalised words, which the table lists lowercased)."""
    return _pipeline().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


def _lemma(lemma: str, lower: str) -> str:
    """`lemma` lowercased; for a word the table missed because of its capitals, its lower form's."""
    lemma = (lemma or lower).lower()
    if lemma == lower:
        found = _table().get(lower)
        if isinstance(found, str):
            return found.lower()
    return lemma


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


def sentences(passages: Iterable[str]) -> Iterator[list[Sentence]]:
    """The sentences of each passage, in order (one list per passage)."""
    nlp = _pipeline()
    for doc in nlp.pipe(passages, batch_size=64):
        text = doc.text
        spans = [(s.start_char, s.end_char) for s in doc.sents]
        tokens = [
            Token(
                t.text,
                t.lower_.replace("’", "'"),
                _lemma(t.lemma_, t.lower_).replace("’", "'"),
                t.idx,
                not t.is_punct,
            )
            for t in doc
            if not t.is_space
        ]
        result: list[Sentence] = []
        index = 0
        for start, end in _merge(spans, text):
            own: list[Token] = []
            while index < len(tokens) and tokens[index].start < end:
                if tokens[index].start >= start:
                    own.append(tokens[index])
                index += 1
            raw = text[start:end]
            stripped = raw.strip()
            if not stripped:
                continue
            offset = start + (len(raw) - len(raw.lstrip()))
            result.append(Sentence(stripped, offset, offset + len(stripped), tuple(own)))
        yield result


_QUICK = re.compile(r"[\w][\w’'-]*|[^\w\s]")
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""))


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
