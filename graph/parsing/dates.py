"""The date part of an entry — "(2009)", "(1957; free source…)", "([US] Some Agency, 2008)" —
and the organisations printed in it."""

from __future__ import annotations

import re
from dataclasses import dataclass

YEAR = r"(?:1[5-9]|20)\d\d"
"""A publication year as printed (1500–2099)."""

_DATE_PART = re.compile(
    rf"^\s*(?:\[(?P<jur>[^\]]{{1,40}})\]\s*)?(?:(?P<pub>[^;()]*?\S)\s*,\s*)?(?P<year>{YEAR})[a-z]?"
    rf"(?:\s+(?:and|&)\s+{YEAR}[a-z]?)*\s*(?:[;,]\s*(?P<note>.*?))?\s*$",
    re.S,
)
_YEARS = re.compile(rf"{YEAR}[a-z]?(?:\s*(?:,|and|&)\s*{YEAR}[a-z]?)*")
"""Years alone where a date part's publisher stands: "(2002, 2007)", "(1985 and 1988)"."""
PAREN = re.compile(r"\(([^()]*)\)")
FREE = re.compile(r"(?<!\bno )\bfree\s+source\b", re.IGNORECASE)
FREE_AFTER = re.compile(
    r"^\s*\(?\s*(?:a\s+)?free\s+source\s+(?:(?:is\s+)?available\s+)?at\s+(?:the\s+)?time\s+of\s+writing",
    re.IGNORECASE,
)


@dataclass
class DatePart:
    """Where the date part lies in an entry's text and what it says."""

    start: int
    end: int
    year: int
    publisher: str | None
    jurisdiction: str | None
    free_source: bool


def date_part(text: str) -> DatePart | None:
    """The first parenthesised group of `text` that reads as a date part."""
    for paren in PAREN.finditer(text):
        inner = paren.group(1)
        if len(inner) > 400:  # a date part is short; do not run the pattern over a long aside
            continue
        match = _DATE_PART.match(inner)
        if match is None:
            continue
        publisher = " ".join(match["pub"].split()) if match["pub"] else None
        year = int(match["year"])
        if publisher is not None and _YEARS.fullmatch(publisher):
            # "(2002, 2007)": two papers' years, the first the entry's own; no publisher
            year, publisher = int(publisher[:4]), None
        jurisdiction = " ".join(match["jur"].split()) if match["jur"] else None
        free = bool(match["note"] and FREE.search(match["note"]))
        return DatePart(paren.start(), paren.end(), year, publisher, jurisdiction, free)
    return None


def split_publishers(publisher: str | None) -> tuple[str, ...]:
    """Single organisations of a printed publisher list.

    Split at commas; then at " and " only where both sides have at least three words, so that
    "Royal College of Psychiatrists and Royal College of General Practitioners" splits but
    "Substance Abuse and Mental Health Services Administration" stays one organisation.
    """
    if not publisher:
        return ()
    result: list[str] = []
    for part in (p.strip() for p in publisher.split(",")):
        if not part:
            continue
        pieces = [part]
        while True:
            last = pieces[-1]
            for match in re.finditer(r"\s+and\s+", last):
                left, right = last[: match.start()], last[match.end() :]
                if len(left.split()) >= 3 and len(right.split()) >= 3 and right[:1].isupper():
                    pieces[-1:] = [left, right]
                    break
            else:
                break
        result.extend(pieces)
    return tuple(result)
