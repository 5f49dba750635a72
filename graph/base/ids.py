"""Identifier keys: deterministic, derived from content, not run order.

A key is the part of a resource IRI after ``ontology.ID``; `rdf/make.py` turns keys into IRIs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

from .text import fold

_APOSTROPHES = re.compile(r"[’‘'`´]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def slugify(text: str) -> str:
    """Lowercase words joined by hyphens, keeping the letters and digits of every script.

    "Can therapists be too accommodating?" → "can-therapists-be-too-accommodating";
    "Café" → "cafe" (a character with an ASCII decomposition gives its ASCII letters, as slugs
    always did, so ASCII slugs never change); "Лечение алкоголизма" → "лечение-алкоголизма";
    other non-ASCII punctuation and symbols are dropped. Punctuation-only text gives "".
    """
    text = unicodedata.normalize("NFKC", _APOSTROPHES.sub("", text))
    if text.isascii():
        return _NON_ALNUM.sub("-", text.lower()).strip("-")
    out: list[str] = []
    gap = kept = False
    for char in text:
        ascii_part = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        if ascii_part:
            pieces = [c if c in _ASCII_ALNUM else "" for c in ascii_part.lower()]
            kept = False
        elif unicodedata.category(char)[0] in "LN" or (
            unicodedata.category(char)[0] == "M" and kept
        ):
            pieces = [char.casefold()]
            kept = True
        else:
            kept = False
            continue
        for piece in pieces:
            if not piece:
                gap = True
                continue
            if gap and out:
                out.append("-")
            gap = False
            out.append(piece)
    return "".join(out)


def key_slug(text: str) -> str:
    """`slugify(text)`, or for text without a letter or digit a stable digest ("_3f2a9c0d1b7e").

    The underscore cannot occur in a slug, so a digest never equals the slug of another text.
    """
    slug = slugify(text)
    if slug:
        return slug
    return "_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def iri_path(key: str) -> str:
    """`key` as it stands in its IRI: letters of other scripts and unsafe characters
    percent-encoded ("doc/2001-лечение" → "doc/2001-%D0%BB%D0%B5…")."""
    return quote(key, safe="/-._~")


def normalise_title(title: str) -> str:
    """The form of a title two listings of one document share: whitespace and quotes folded."""
    return fold(title).strip(" .")


def matrix_key(matrix: str) -> str:
    return f"matrix/{matrix}"


def cell_key(matrix: str, cell: str) -> str:
    return f"cell/{matrix}/{cell}"


def section_key(matrix: str, cell: str, heading: str) -> str:
    return f"cell/{matrix}/{cell}/section/{slugify(heading)}"


def commentary_key(matrix: str, cell: str) -> str:
    """The commentary of a cell as one document: evidence no listed document can be told for."""
    return f"cell/{matrix}/{cell}/commentary"


def is_commentary_key(key: str) -> bool:
    """Whether `key` is a cell's commentary (`commentary_key`) rather than a listed document."""
    return key.startswith("cell/") and key.endswith("/commentary")


def listing_key(matrix: str, cell: str, position: int) -> str:
    return f"listing/{matrix}/{cell}/{position}"


@lru_cache(maxsize=1 << 16)  # a build asks for every listed document's key more than once
def doc_key(title: str, year: int | None) -> str:
    """The same document listed in two cells gets the same key."""
    return f"doc/{year if year is not None else 'nd'}-{key_slug(normalise_title(title))}"


def claim_key(claim_id: str) -> str:
    return f"claim/{slugify(claim_id)}"


def org_key(name: str) -> str:
    return f"org/{key_slug(' '.join(name.split()))}"


def concept_key(slug: str) -> str:
    return f"concept/{slugify(slug)}"
