"""Links an annotation or commentary makes outside its own cell's entries: other cells ("see cell
A4", "cell B3 of the Alcohol Treatment Matrix"), discussion pointers ("For discussion click…") and
mentioned documents ("an earlier version (2011)", "commentaries (1 2)")."""

from __future__ import annotations

import re

from ..base.records import CellRef, Mention
from ..base.text import sentence_around
from .dates import FREE, PAREN, YEAR
from .identity import CELL_ID, MATRIX_NAME, matrix_key_from_name
from .lines import Para

_DISCUSSION = re.compile(
    r"\bFor\s+(?:(?:related|more|further)\s+)?discussions?\s+click\b(?P<targets>(?:\s+(?:here|and))*)",
    re.IGNORECASE,
)
_CELL_REF = re.compile(
    rf"(?:(?P<pre>{MATRIX_NAME})\s+)?\b[Cc]ells?\s+(?P<ids>{CELL_ID}(?:\s*(?:,|and|or|&)\s*{CELL_ID})*)\b"
    rf"(?:’s|'s)?(?:\s+of\s+the\s+(?P<post>{MATRIX_NAME}))?"
)
_ID_IN_LIST = re.compile(CELL_ID)
_CELL_HINT = re.compile(rf"\b[Cc]ells?\s+{CELL_ID}\b")

_DETERMINERS = frozenset("a an the this that these those their his her its our another".split())
_PLACE_PREPOSITIONS = frozenset(["in", "from", "at", "of", "by"])
_MENTION_STOP = frozenset(
    "see also to from by with in on at for which who and or but is was were are as".split()
)


def discussion_pointers(annotation: str) -> int:
    """How many discussion links an annotation has: "here and here" counts two."""
    count = 0
    for match in _DISCUSSION.finditer(annotation):
        count += max(1, len(re.findall(r"\bhere\b", match["targets"], re.IGNORECASE)))
    return count


def mentions(annotation: str, para: Para, base: int) -> tuple[Mention, ...]:
    """Documents an annotation names without listing them: "<noun phrase> (<year>…)" or "(1 2)".

    The noun phrase is read backwards from the parenthesis to the nearest determiner ("a national
    US study", "an earlier version", "this study") or, for numbered link lists, up to a stop word
    ("See also commentaries (1 2)" → "commentaries"); at most eight words.
    """
    found: list[Mention] = []
    for paren in PAREN.finditer(annotation):
        inner = paren.group(1).strip()
        if len(inner) > 200:
            continue
        dated = re.fullmatch(rf"({YEAR})[a-z]?(?:\s*;\s*(.*))?", inner, re.S)
        numbered = re.fullmatch(r"\d(?:\s+\d){1,9}", inner)
        if not dated and not numbered:
            continue
        if numbered and re.match(r"\s*(?:listed\s+)?(?:below|above)\b", annotation[paren.end() :]):
            continue  # "reviews (1 2) below": links to entries of this cell, not other documents
        before = annotation[max(0, paren.start() - 400) : paren.start()].split()
        if paren.start() > 400 and before:
            before = before[1:]  # the window may cut its first word
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
        free = bool(dated and dated.group(2) and FREE.search(dated.group(2)))
        line = para.line_at(base + paren.start())
        found.append(Mention(" ".join(phrase), year, line, free))
    return tuple(found)


def cell_refs(text: str, para: Para, base: int, own_matrix: str) -> list[CellRef]:
    """References to matrix cells in `text` (which starts at offset `base` of `para`)."""
    refs: list[CellRef] = []
    if ("cell" not in text and "Cell" not in text) or not _CELL_HINT.search(text):
        return refs
    for match in _CELL_REF.finditer(text):
        name = match["post"] or match["pre"]
        matrix = matrix_key_from_name(name) if name else own_matrix
        passage = sentence_around(text, match.start(), match.end())
        for cell in _ID_IN_LIST.findall(match["ids"]):
            refs.append(CellRef(matrix, cell.upper(), para.line_at(base + match.start()), passage))
    return refs
