"""Identifier keys: deterministic, derived from content, not run order.

A key is the part of a resource IRI after ``ontology.ID``; `rdf/make.py` turns keys into IRIs.
"""

from __future__ import annotations

import re
import unicodedata

from .text import fold

_APOSTROPHES = re.compile(r"[’‘'`´]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens.

    "Can therapists be too accommodating?" → "can-therapists-be-too-accommodating".
    """
    text = _APOSTROPHES.sub("", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("-", text.lower()).strip("-")


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


def doc_key(title: str, year: int | None) -> str:
    """The same document listed in two cells gets the same key."""
    return f"doc/{year if year is not None else 'nd'}-{slugify(normalise_title(title))}"


def claim_key(claim_id: str) -> str:
    return f"claim/{slugify(claim_id)}"


def org_key(name: str) -> str:
    return f"org/{slugify(name)}"


def concept_key(slug: str) -> str:
    return f"concept/{slugify(slug)}"
