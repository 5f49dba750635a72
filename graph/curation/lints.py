"""Claim lints: checks every claim (curated or draft) should pass, reported as warnings by `build`
and as errors by `validate --strict`.

- ``title-quote``: a quote that is only the document's title says nothing the listing does not;
- ``reused-quote``: one quote used as evidence for more than three claims;
- ``short-quote``: a quote under five words is too short to rest a claim on;
- ``unlisted-document``: the document is neither listed in nor discussed by the cell the quote
  comes from;
- ``polarity-against``: where a claim states a polarity (every draft; a curated claim with an
  explicit `polarity:`), all its evidence points the other way: every quote whose direction can
  be read confidently reads opposite to the polarity (a supporting line) or with it (a
  challenging one). A curated claim stated in order to be refuted (all its evidence challenges
  it) is legitimate, and its effect shape alone is no stated polarity, so neither is flagged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..base.ids import commentary_key, doc_key, listing_key, section_key
from ..base.records import Cell, Claim, Discussion
from ..base.text import fold

MAX_CLAIMS_PER_QUOTE = 3
MIN_QUOTE_WORDS = 5


@dataclass(frozen=True)
class LintEvidence:
    """What the lints need of one evidence line."""

    document: str
    title: str
    direction: str
    quote: str
    cell: str
    """Key of the cell the quote comes from ("cell/drug/B4")."""
    cells: frozenset[str]
    """Keys of the cells listing the document or discussing it in their commentary."""


@dataclass(frozen=True)
class LintClaim:
    """What the lints need of one claim."""

    id: str
    status: str
    polarity: str | None
    evidence: tuple[LintEvidence, ...]


@dataclass(frozen=True)
class Lint:
    """One lint finding on a claim."""

    claim: str
    rule: str
    message: str

    def render(self) -> str:
        return f"claim {self.claim}: {self.rule}: {self.message}"


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", fold(text))


def _plain(text: str) -> str:
    return " ".join(_words(text)).lower()


def quote_polarity(text: str) -> str | None:
    """The direction a quote reads in (positive, negative, null), or None when it has none."""
    from .drafting.findings import read_sentence
    from .drafting.lexicon import default_lexicon
    from .drafting.nlp import quick_sentence

    reading = read_sentence(quick_sentence(text), default_lexicon(), full=True)
    if reading.shape == "null":
        return "null"
    if reading.shape in ("inverted-u", "u-shaped", "conditional", "inconsistent", "threshold"):
        return None
    if reading.balance >= 2:
        return "positive"
    if reading.balance <= -2:
        return "negative"
    return None


def _against(claim: str, line: str, direction: str) -> bool:
    if direction == "supports":
        return line != claim
    if direction == "challenges":
        return line == claim
    return False


def lint(claims: Sequence[LintClaim]) -> list[Lint]:
    """Every lint finding on `claims`, in claim order."""
    users: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        for line in claim.evidence:
            users[_plain(line.quote)].add(claim.id)
    found: list[Lint] = []
    for claim in claims:
        for line in claim.evidence:
            plain = _plain(line.quote)
            short = " ".join(line.quote.split())[:60]
            if plain and plain == _plain(line.title):
                found.append(
                    Lint(claim.id, "title-quote", f"the quote is the title of {line.document}")
                )
            if len(users[plain]) > MAX_CLAIMS_PER_QUOTE:
                found.append(
                    Lint(
                        claim.id,
                        "reused-quote",
                        f"the quote {short!r} is evidence for {len(users[plain])} claims",
                    )
                )
            if len(_words(line.quote)) < MIN_QUOTE_WORDS:
                found.append(
                    Lint(claim.id, "short-quote", f"the quote {short!r} has under five words")
                )
            if line.cell not in line.cells:
                found.append(
                    Lint(
                        claim.id,
                        "unlisted-document",
                        f"{line.document} is neither listed in nor discussed by {line.cell}, "
                        "where the quote comes from",
                    )
                )
        if claim.polarity in ("positive", "negative", "null") and claim.evidence:
            directed = [line for line in claim.evidence if line.direction != "inconclusive"]
            read = [(line, quote_polarity(line.quote)) for line in directed]
            known = [(line, p) for line, p in read if p is not None]
            against = bool(known) and all(
                _against(claim.polarity, p, line.direction) for line, p in known
            )
            if against:
                found.append(
                    Lint(
                        claim.id,
                        "polarity-against",
                        f"all its evidence points against the claim's {claim.polarity} polarity",
                    )
                )
    return found


def claim_polarity(claim: Claim) -> str | None:
    """The polarity the claim states (`polarity:`; every draft has one), else None: an effect
    shape alone states none for the lint (see ``polarity-against``)."""
    return claim.polarity


def from_records(
    claims: Iterable[Claim], cells: Sequence[Cell], discussions: Sequence[Discussion]
) -> list[LintClaim]:
    """The lint view of parsed claims, with the cells and discussed-in links of the build."""
    titles: dict[str, str] = {}
    cells_of: dict[str, set[str]] = defaultdict(set)
    section_cell: dict[str, str] = {}
    listing_doc: dict[str, str] = {}
    cell_of_block: dict[str, str] = {}
    for cell in cells:
        key = f"cell/{cell.matrix}/{cell.cell}"
        for entry in cell.entries:
            doc = doc_key(entry.title, entry.year)
            titles[doc] = entry.title
            cells_of[doc].add(key)
            listing = listing_key(cell.matrix, cell.cell, entry.position)
            listing_doc[listing] = doc
            cell_of_block[listing] = key
        cells_of[commentary_key(cell.matrix, cell.cell)].add(key)
        for section in cell.sections:
            block = section_key(cell.matrix, cell.cell, section.heading)
            section_cell[block] = key
            cell_of_block[block] = key
    for link in discussions:
        linked = listing_doc.get(link.listing)
        if linked is not None and link.section in section_cell:
            cells_of[linked].add(section_cell[link.section])
    result: list[LintClaim] = []
    for claim in claims:
        lines = tuple(
            LintEvidence(
                document=line.document,
                title=titles.get(line.document, ""),
                direction=line.direction,
                quote=line.quote.exact,
                cell=cell_of_block.get(line.quote.quoted_from, line.quote.quoted_from),
                cells=frozenset(cells_of.get(line.document, ())),
            )
            for line in claim.evidence
        )
        result.append(LintClaim(claim.id, claim.status, claim_polarity(claim), lines))
    return result
