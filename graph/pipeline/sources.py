"""The pipeline's inputs: every cell page of a data directory parsed (with where it came from),
and the curation of those cells (claims with verified quotes, discussion links, topic tags)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.errors import SourceError
from ..base.matrices import CELL_ID, DEFAULT_MATRICES_FILE, MatrixDef, load_matrices
from ..base.records import Cell, Claim, Concept, Curation, Discussion, Subject

if TYPE_CHECKING:
    from ..curation.claims import ClaimsMemo

MATRICES_FILE = "matrices.yaml"
CONCEPTS_FILE = "concepts.ttl"
CELLS_DIR = "cells"
CLAIMS_DIR = "claims"
DISCUSSIONS_FILE = "discussions.yaml"


@dataclass(frozen=True)
class SourceCell:
    """A parsed cell with where it came from."""

    cell: Cell
    relpath: str
    """Path relative to the data directory, forward slashes."""
    sha256: str


def relpath(data_dir: Path, path: str | Path) -> str:
    """`path` relative to `data_dir` (as POSIX); a path outside it keeps only its name."""
    p = Path(path)
    candidates = [p] if p.is_absolute() else [p, data_dir / p]
    candidates.sort(key=lambda c: not c.exists())
    for candidate in candidates:
        try:
            return candidate.resolve().relative_to(data_dir.resolve()).as_posix()
        except ValueError:
            continue
    return p.name


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def matrices(data_dir: Path) -> tuple[dict[str, MatrixDef], Path]:
    path = data_dir / MATRICES_FILE
    if not path.is_file():
        path = DEFAULT_MATRICES_FILE
    if not path.is_file():
        raise SourceError(
            data_dir / MATRICES_FILE, None, "matrix definitions not found",
            hint="copy data/matrices.yaml into the data directory",
        )  # fmt: skip
    return load_matrices(path), path


def check_data_dir(data_dir: Path) -> None:
    """`SourceError` unless `data_dir` is a directory."""
    if not data_dir.is_dir():
        raise SourceError(
            data_dir, None, "data directory does not exist",
            hint="pass --data DIR, a directory holding cells/<matrix>/<CELL>.txt",
        )  # fmt: skip


def read_cells(
    data_dir: Path,
    parse: Callable[[Path], tuple[str, Cell]] | None = None,
    tick: Callable[[int, int], None] | None = None,
) -> list[SourceCell]:
    """Parse every ``cells/**/*.txt`` page; check ids and duplicates; stop at a bad file.

    `parse(path)`, the SHA-256 of the page's bytes and the cell parsed from them, replaces
    hashing the page and `parse_file` (the page cache has done both); `tick()` after each page.
    """
    from ..parsing import parse_file

    check_data_dir(data_dir)
    paths = sorted((data_dir / CELLS_DIR).glob("**/*.txt"))
    if not paths:
        raise SourceError(
            data_dir / CELLS_DIR, None, "no cell pages (*.txt) found",
            hint="cell pages live in cells/<matrix>/<CELL>.txt under the data directory",
        )  # fmt: skip
    result: list[SourceCell] = []
    claimed: dict[tuple[str, str], str] = {}
    for path in paths:
        relpath = path.relative_to(data_dir).as_posix()
        try:
            sha, cell = (sha256(path), parse_file(path)) if parse is None else parse(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(path, None, f"cannot read: {exc}") from exc
        if not CELL_ID.match(cell.cell):
            raise SourceError(
                path, None, f"cell id {cell.cell!r} is outside the matrix (A1-E5)",
                hint="a cell id is a level letter A-E and a type number 1-5",
            )  # fmt: skip
        where = (cell.matrix, cell.cell)
        if where in claimed:
            raise SourceError(
                path, None,
                f"claims cell {cell.matrix}/{cell.cell}, which {claimed[where]} already claims",
                hint="each matrix cell must come from exactly one page; remove one of the two",
            )  # fmt: skip
        claimed[where] = str(path)
        result.append(SourceCell(cell, relpath, sha))
        if tick is not None:
            tick(len(result), len(paths))
    return result


def load_concept_scheme(data_dir: Path) -> tuple[Concept, ...]:
    """The concepts of ``concepts.ttl`` in the data directory (none when it has no such file)."""
    from ..curation.concepts import load_concepts

    concepts_path = data_dir / CONCEPTS_FILE
    return load_concepts(concepts_path) if concepts_path.is_file() else ()


def curate(
    data_dir: Path,
    cells: list[Cell],
    drafts: bool = False,
    concepts: tuple[Concept, ...] | None = None,
    pages: Sequence[tuple[Sequence[Discussion], Sequence[Subject]]] | None = None,
    claims_memo: ClaimsMemo | None = None,
) -> Curation:
    """Claims (quotes verified), discussed-in links, topic tags and claim lints for the parsed
    `cells`; with `drafts`, machine-drafted claims for every page too (findings no curated claim
    quotes), linted like the rest.

    `pages`: each cell's automatic links and topics (in the order of `cells`) when the per-page
    work already made them (`pipeline.pages`); only the cross-page steps are done here then.
    `claims_memo`: what earlier builds found in the claims files (`load_claims`).
    """
    from ..curation.claims import load_claims
    from ..curation.discussion import link_discussions
    from ..curation.lints import from_records, lint
    from ..curation.tagger import tag

    concepts_path = data_dir / CONCEPTS_FILE
    if concepts is None:
        concepts = load_concept_scheme(data_dir)
    slugs = {c.key.removeprefix("concept/") for c in concepts} if concepts else None
    claims_dir = data_dir / CLAIMS_DIR
    claim_set = load_claims(claims_dir, cells, topics=slugs, memo=claims_memo)
    if pages is None:
        links = link_discussions(cells, data_dir / DISCUSSIONS_FILE)
        subjects = tag(cells, claim_set.claims, concepts)
    else:
        links = link_discussions(cells, data_dir / DISCUSSIONS_FILE, [p[0] for p in pages])
        found_subjects = [*(s for p in pages for s in p[1]), *tag((), claim_set.claims, concepts)]
        subjects = tuple(sorted(found_subjects, key=lambda s: (s.node, s.concept)))
    drafted: tuple[Claim, ...] = ()
    if drafts:
        from ..curation.drafting import draft

        drafted = draft(
            cells, curated=claim_set.claims, concepts=concepts, discussions=links.links
        ).claims
    found = lint(from_records((*claim_set.claims, *drafted), cells, links.links))
    return Curation(
        claims=claim_set.claims,
        discussions=links.links,
        subjects=subjects,
        concepts=concepts,
        concepts_file=str(concepts_path) if concepts_path.is_file() else None,
        claim_files=tuple(str(p) for p in sorted(claims_dir.glob("*.yaml"))),
        quotes_checked=claim_set.quotes_checked,
        discussions_auto=links.auto,
        discussions_curated=links.curated,
        discussions_unresolved=links.unresolved,
        lints=tuple(f.render() for f in found),
        drafts=drafted,
    )
