"""Drafting claims for pages: read the data directory's curation (claims, discussed-in overrides,
concepts), then run the claim drafter on the pages (`evidence-graph draft`, `build --drafts`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import SourceError
from ..base.records import Cell, Claim, Concept, Discussion
from ..curation.drafting import DraftResult, draft


@dataclass(frozen=True)
class Curated:
    """What the drafter takes from a data directory."""

    cells: tuple[Cell, ...]
    claims: tuple[Claim, ...]
    concepts: tuple[Concept, ...]
    discussions: tuple[Discussion, ...]


def read_curation(data_dir: Path | None, pages: Sequence[Cell]) -> Curated:
    """The curated claims, concepts and discussed-in links of `data_dir` for drafting `pages`.

    The pages take the place of the data directory's page of the same cell; without a data
    directory only the pages' own discussed-in links are used.
    """
    from ..curation.claims import load_claims
    from ..curation.concepts import load_concepts
    from ..curation.discussion import link_discussions
    from .sources import CLAIMS_DIR, CONCEPTS_FILE, DISCUSSIONS_FILE, read_cells

    cells: list[Cell] = list(pages)
    concepts: tuple[Concept, ...] = ()
    claims: tuple[Claim, ...] = ()
    overrides: Path | None = None
    if data_dir is not None and data_dir.is_dir():
        own = {(c.matrix, c.cell) for c in pages}
        if (data_dir / "cells").is_dir():
            cells += [
                sc.cell for sc in read_cells(data_dir) if (sc.cell.matrix, sc.cell.cell) not in own
            ]
        concepts_path = data_dir / CONCEPTS_FILE
        concepts = load_concepts(concepts_path) if concepts_path.is_file() else ()
        slugs = {c.key.removeprefix("concept/") for c in concepts} if concepts else None
        claims = load_claims(data_dir / CLAIMS_DIR, cells, topics=slugs).claims
        overrides = data_dir / DISCUSSIONS_FILE
    try:
        links = link_discussions(cells, overrides).links
    except SourceError:
        links = link_discussions(cells, None).links
    return Curated(tuple(cells), claims, concepts, links)


def draft_pages(pages: Sequence[Cell], data_dir: Path | None) -> DraftResult:
    """Draft claims from `pages`, skipping findings the data directory's claims already quote."""
    curated = read_curation(data_dir, pages)
    return draft(
        pages,
        curated=curated.claims,
        concepts=curated.concepts,
        discussions=curated.discussions,
    )
