"""Small text helpers shared by the parser: quote folding, sentence boundaries, sentence ends."""

from __future__ import annotations

import re

QUOTE_CHARS = "“”„‟\"‘’‚‛'`´"
"""Straight and typographic quote marks (and the apostrophe, which the site types as ’)."""


_SENTENCE_BREAK = re.compile(r"[.?!…][”’\"')\]]*(\s+)(?=[“‘\"'(\[]*[A-Z0-9])")
"""Whitespace after a sentence's end (full stop, ?, !, … and closing quotes or brackets) that is
followed by the capitalised start of the next sentence."""

_FINAL_STOP = re.compile(r"[.?!…:;][”’\"')\]]*$")


def strip_quotes(text: str) -> str:
    """`text` without quote marks or apostrophes: to compare a heading with its quotation."""
    for quote in QUOTE_CHARS:  # str.replace: many times faster than str.translate on long text
        if quote in text:
            text = text.replace(quote, "")
    return text


def fold_words(text: str) -> list[str]:
    """Lowercased words of `text` with quote marks removed and empty words dropped."""
    return [w for w in (strip_quotes(word).lower() for word in text.split()) if w]


def ends_sentence(text: str) -> bool:
    """Whether `text` ends like a sentence (full stop, ?, !, …, possibly before closing quotes)."""
    return bool(_FINAL_STOP.search(text.rstrip()))


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` that contains the span [start, end), stripped."""
    begin = 0
    finish = len(text)
    for match in _SENTENCE_BREAK.finditer(text):
        if match.end(1) <= start:
            begin = match.end(1)
        elif match.start(1) >= end:
            finish = match.start(1)
            break
    return text[begin:finish].strip()
