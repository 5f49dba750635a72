"""Text folding (the project's one table of typographic characters), sentence helpers, and the
external identifiers (DOI, PubMed ID, web address) a text prints."""

from __future__ import annotations

import re

SINGLE_QUOTES = "‘’‚‛′`´"
"""Typographic single quotes, primes and accents the site types for an apostrophe."""
DOUBLE_QUOTES = "“”„‟″"
DASHES = "–—"
QUOTE_CHARS = "“”„‟\"‘’‚‛'`´"
"""Straight and typographic quote marks (and the apostrophe, which the site types as ’)."""

_PLAIN = (*((c, "'") for c in SINGLE_QUOTES), *((c, '"') for c in DOUBLE_QUOTES))
_PLAIN_DASHES = (*_PLAIN, *((c, "-") for c in DASHES))
_NO_QUOTES = tuple((c, "") for c in QUOTE_CHARS)


def _replace(text: str, table: tuple[tuple[str, str], ...]) -> str:
    """`text` with each character of `table` replaced: str.replace of the few characters present
    is many times faster than str.translate on long non-ASCII text."""
    for char, plain in table:
        if char in text:
            text = text.replace(char, plain)
    return text


def fold(
    text: str,
    *,
    dashes: bool = False,
    lower: bool = False,
    spaces: bool = True,
    drop_quotes: bool = False,
) -> str:
    """`text` folded for comparison: typographic quotes made straight (or, with `drop_quotes`,
    every quote mark removed), en and em dashes made hyphens with `dashes`, lowercased with `lower`,
    each whitespace run one space with `spaces` (without it, character offsets are kept)."""
    text = _replace(text, _NO_QUOTES if drop_quotes else _PLAIN_DASHES if dashes else _PLAIN)
    if lower:
        text = text.lower()
    return " ".join(text.split()) if spaces else text


def strip_quotes(text: str) -> str:
    """`text` without quote marks or apostrophes: to compare a heading with its quotation."""
    return fold(text, drop_quotes=True, spaces=False)


def fold_words(text: str) -> list[str]:
    """Lowercased words of `text` with quote marks removed and empty words dropped."""
    return fold(text, drop_quotes=True, lower=True).split()


_SENTENCE_BREAK = re.compile(r"[.?!…][”’\"')\]]*(\s+)(?=[“‘\"'(\[]*[A-Z0-9])")
"""Whitespace after a sentence's end (full stop, ?, !, … and closing quotes or brackets) that is
followed by the capitalised start of the next sentence."""

_STOPS = ".?!…:;"
_CLOSERS = "”’\"')]"


def ends_sentence(text: str) -> bool:
    """Whether `text` ends like a sentence (full stop, ?, !, …, possibly before closing quotes)."""
    tail = text.rstrip().rstrip(_CLOSERS)
    return bool(tail) and tail[-1] in _STOPS


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


_DOI = re.compile(
    r"(?:\bdoi:\s*|\bhttps?://(?:dx\.)?doi\.org/)?\b(10\.\d{4,9}/[-._;()/:A-Za-z0-9\[\]]+)",
    re.IGNORECASE,
)
_PMID = re.compile(
    r"\bPMID:?\s*(\d{1,9})\b|\bhttps?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|"
    r"ncbi\.nlm\.nih\.gov/pubmed)/(\d{1,9})\b",
    re.IGNORECASE,
)
_URL = re.compile(r"\bhttps?://[^\s<>\"'“”‘’]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"”’"


def _trim(value: str) -> str:
    """`value` without the sentence punctuation after it (a closing bracket only if unbalanced)."""
    while value:
        if value[-1] in _TRAILING:
            value = value[:-1]
        elif value[-1] in ")]" and value.count(value[-1]) > value.count(
            "(["[")]".index(value[-1])]
        ):
            value = value[:-1]
        else:
            break
    return value


def external_identifiers(text: str) -> tuple[tuple[str, str], ...]:
    """The external identifiers printed in `text`: ("doi", "10.…"), ("pmid", "…"), ("url", "…").

    A DOI is taken bare or as ``doi:…`` / a doi.org link; a PubMed ID as ``PMID …`` or a PubMed
    link; any other web address as a "url". In order of appearance, each once.
    """
    found: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []
    for match in _DOI.finditer(text):
        found.append(("doi", _trim(match.group(1))))
        taken.append(match.span())
    for match in _PMID.finditer(text):
        found.append(("pmid", match.group(1) or match.group(2)))
        taken.append(match.span())
    for match in _URL.finditer(text):
        if not any(start <= match.start() < end for start, end in taken):
            found.append(("url", _trim(match.group(0))))
    spans = {value: text.find(value) for _, value in found}
    ordered = sorted(dict.fromkeys(found), key=lambda item: (spans[item[1]], item[0]))
    return tuple(ordered)
