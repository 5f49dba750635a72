"""The build: data dir → parsed cells → curation → RDF dataset → SHACL → files, all or nothing.

`build(data_dir, out_dir)` writes ``evidence.trig`` (named graphs), ``evidence.ttl`` (their union),
``evidence.jsonld`` and ``summary.json`` into `out_dir` atomically and returns a `BuildResult`.
The output is byte-identical across runs of the same data (no timestamps unless SOURCE_DATE_EPOCH
is set). User errors raise `graph.errors` exceptions and leave the previous output in place.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, URIRef

from ...ontology import ONTOLOGY_FILE
from .. import DEFAULT_STORE, STORES
from ..base import ids
from ..base.errors import SourceError
from ..base.files import write_all_atomically
from ..base.matrices import CELL_ID, MatrixDef, default_matrix, load_matrices
from ..base.records import Cell, Curation
from ..rdf import make as rdf
from ..rdf.store import Quad, add_quads, new_dataset
from ..reading.stats import compute

MATRICES_FILE = "matrices.yaml"
DATASET_FILE = "dataset.yaml"
IDENTIFIERS_FILE = "identifiers.yaml"
CONCEPTS_FILE = "concepts.ttl"
CELLS_DIR = "cells"
_FALLBACK_MATRICES = Path(__file__).resolve().parent.parent / "data" / MATRICES_FILE

OUTPUTS: dict[str, str] = {
    "evidence.trig": "trig",
    "evidence.ttl": "turtle",
    "evidence.jsonld": "jsonld",
}
"""Output file → exporter name (`exporters.FORMATS`); ``summary.json`` is written beside them."""


@dataclass(frozen=True)
class BuildResult:
    """What a build made: counts per class and relation, problems with file:line, files written."""

    out_dir: str
    files: tuple[str, ...]
    cells: tuple[str, ...]
    """Cells built from pages, as "drug/B4"."""
    triples: int
    graphs: int
    classes: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    """Problems the parser and curation reported, as "cells/drug/B4.txt:12: message"."""
    warnings: tuple[str, ...] = ()
    """SHACL warnings (violations fail the build instead)."""
    quotes_checked: int = 0
    discussions: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The summary written to ``summary.json`` (no absolute paths, so it is reproducible)."""
        return {
            "files": list(self.files),
            "cells": list(self.cells),
            "triples": self.triples,
            "graphs": self.graphs,
            "classes": self.classes,
            "relations": self.relations,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "quotes_checked": self.quotes_checked,
            "discussions": self.discussions,
        }

    def summary_bytes(self) -> bytes:
        """``summary.json``: `as_dict` as sorted, indented UTF-8 JSON."""
        text = json.dumps(self.as_dict(), indent=2, sort_keys=True, ensure_ascii=False)
        return (text + "\n").encode("utf-8")

    def render(self) -> str:
        """The summary the CLI prints."""
        lines = [
            f"Built {len(self.cells)} cells into {self.out_dir}: "
            f"{self.triples} triples in {self.graphs} named graphs",
            f"  files: {', '.join(self.files)}",
            f"  {self.quotes_checked} quotes checked, 0 failed; discussion pointers: "
            f"{self.discussions.get('auto', 0)} resolved automatically, "
            f"{self.discussions.get('curated', 0)} by curation, "
            f"{self.discussions.get('unresolved', 0)} unresolved",
            "Classes:",
            *(f"  {k:<24} {v:>6}" for k, v in self.classes.items()),
            "Relations:",
            *(f"  {k:<24} {v:>6}" for k, v in self.relations.items()),
        ]
        if self.problems:
            lines += [f"Problems ({len(self.problems)}):", *(f"  {p}" for p in self.problems)]
        if self.warnings:
            lines += [f"Warnings ({len(self.warnings)}):", *(f"  {w}" for w in self.warnings)]
        return "\n".join(lines)


@dataclass(frozen=True)
class SourceCell:
    """A parsed cell with where it came from."""

    cell: Cell
    relpath: str
    """Path relative to the data directory, forward slashes."""
    sha256: str


def _relpath(data_dir: Path, path: str | Path) -> str:
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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def _matrices(data_dir: Path) -> tuple[dict[str, MatrixDef], Path]:
    path = data_dir / MATRICES_FILE
    if not path.is_file():
        path = _FALLBACK_MATRICES
    if not path.is_file():
        raise SourceError(
            data_dir / MATRICES_FILE, None, "matrix definitions not found",
            hint="copy data/matrices.yaml into the data directory",
        )  # fmt: skip
    return load_matrices(path), path


def read_cells(
    data_dir: Path, parse: Callable[[Path, str], Cell] | None = None
) -> list[SourceCell]:
    """Parse every ``cells/**/*.txt`` page; check ids and duplicates; stop at a bad file.

    `parse(path, sha256)` replaces `graph.parse.parse_file` (the fast path's cache uses it).
    """
    from ..parsing.page import parse_file

    if not data_dir.is_dir():
        raise SourceError(
            data_dir, None, "data directory does not exist",
            hint="pass --data DIR, a directory holding cells/<matrix>/<CELL>.txt",
        )  # fmt: skip
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
            sha = _sha256(path)
            cell = parse_file(path) if parse is None else parse(path, sha)
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
    return result


def _curate(data_dir: Path, cells: list[Cell]) -> Curation:
    """Claims (quotes verified), discussed-in links and topic tags for the parsed `cells`."""
    from ..curation.claims import load_claims
    from ..curation.concepts import load_concepts
    from ..curation.discussion import link_discussions
    from ..curation.tagger import tag

    concepts_path = data_dir / CONCEPTS_FILE
    concepts = load_concepts(concepts_path) if concepts_path.is_file() else ()
    slugs = {c.key.removeprefix("concept/") for c in concepts} if concepts else None
    claims_dir = data_dir / "claims"
    claim_set = load_claims(claims_dir, cells, topics=slugs)
    links = link_discussions(cells, data_dir / "discussions.yaml")
    return Curation(
        claims=claim_set.claims,
        discussions=links.links,
        subjects=tag(cells, claim_set.claims, concepts),
        concepts=concepts,
        concepts_file=str(concepts_path) if concepts_path.is_file() else None,
        claim_files=tuple(str(p) for p in sorted(claims_dir.glob("*.yaml"))),
        quotes_checked=claim_set.quotes_checked,
        discussions_auto=links.auto,
        discussions_curated=links.curated,
        discussions_unresolved=links.unresolved,
    )


def _matrix_defs(known: dict[str, MatrixDef], sources: list[SourceCell]) -> dict[str, MatrixDef]:
    """The known matrices plus any matrix a page belongs to or refers to."""
    levels = next(iter(known.values())).levels if known else {}
    result = dict(known)
    for sc in sources:
        cell = sc.cell
        keys = [cell.matrix, *(r.matrix for r in cell.cell_refs)]
        for key in keys:
            if key not in result:
                title = None
                if key == cell.matrix and " cell " in cell.title:
                    title = cell.title.split(" cell ", 1)[0].strip()
                result[key] = default_matrix(key, title, levels)
        matrix = result[cell.matrix]
        if cell.type_label and cell.type not in matrix.types:
            matrix.types[cell.type] = cell.type_label
        if cell.level_label and cell.level not in matrix.levels:
            matrix.levels[cell.level] = cell.level_label
    return result


def source_quads(sc: SourceCell, epoch: int | None = None) -> Iterator[Quad]:
    """The quads made from one cell page alone (its provenance and content) in its graph, and
    the standard-vocabulary triples they entail in the aligned graph."""
    g = rdf.graph_iri(sc.relpath)
    yield from rdf.with_aligned(rdf.provenance_quads(g, sc.relpath, sc.sha256, "cell", epoch))
    yield from rdf.with_aligned(rdf.cell_quads(sc.cell, g))


def dataset_quads(
    data_dir: Path,
    sources: list[SourceCell],
    curation: Curation,
    epoch: int | None = None,
    *,
    per_source: bool = True,
) -> Iterator[Quad]:
    """Every quad of the build: ontology, matrices, one graph per cell page and claims file.

    With ``per_source=False`` the `source_quads` of each page are left out (the fast path caches
    them per page and adds them itself). Every quad is followed by what it entails in the standard
    vocabularies (`rdf.with_aligned`, the graph ``id/graph/aligned``).
    """
    if per_source:
        for sc in sources:
            yield from source_quads(sc, epoch)
    yield from rdf.with_aligned(_curated_quads(data_dir, sources, curation, epoch))


def _curated_quads(
    data_dir: Path, sources: list[SourceCell], curation: Curation, epoch: int | None
) -> Iterator[Quad]:
    """The quads of everything but the cell pages themselves (see `dataset_quads`)."""
    known, matrices_path = _matrices(data_dir)
    yield from rdf.file_quads(ONTOLOGY_FILE, rdf.ONTOLOGY_GRAPH)

    matrices_rel = _relpath(data_dir, matrices_path)
    g = rdf.graph_iri(matrices_rel)
    yield from rdf.provenance_quads(g, matrices_rel, _sha256(matrices_path), "vocabularies", epoch)
    for matrix in sorted(_matrix_defs(known, sources).values(), key=lambda m: m.key):
        yield from rdf.matrix_quads(matrix, g)

    node_graph: dict[str, URIRef] = {}
    listing_doc: dict[str, str] = {}
    for sc in sources:
        g = rdf.graph_iri(sc.relpath)
        docs = rdf.listing_documents(sc.cell)
        listing_doc.update(docs)
        node_graph.update(dict.fromkeys(docs, g))
        node_graph.update(dict.fromkeys(rdf.section_keys(sc.cell), g))

    concepts_graph: URIRef | None = None
    if curation.concepts_file:
        path = Path(curation.concepts_file)
        rel = _relpath(data_dir, path)
        concepts_graph = rdf.graph_iri(rel)
        yield from rdf.provenance_quads(concepts_graph, rel, _sha256(path), "concepts", epoch)
        yield from rdf.file_quads(path, concepts_graph)

    claim_files = sorted(
        {*curation.claim_files, *(c.source for c in curation.claims)},
        key=lambda p: _relpath(data_dir, p),
    )
    for claims_file in claim_files:
        rel = _relpath(data_dir, claims_file)
        g = rdf.graph_iri(rel)
        path = Path(claims_file) if Path(claims_file).is_absolute() else data_dir / rel
        sha = _sha256(path) if path.is_file() else hashlib.sha256(b"").hexdigest()
        yield from rdf.provenance_quads(g, rel, sha, "claims", epoch)
    page_paths = {sc.cell.source: sc.relpath for sc in sources}
    for claim in curation.claims:
        g = rdf.graph_iri(_relpath(data_dir, claim.source))
        node_graph[ids.claim_key(claim.id)] = g
        yield from rdf.claim_quads(claim, g)
        yield from rdf.position_selector_quads(claim, g, page_paths)
    yield from _identifier_quads(data_dir, set(listing_doc.values()), epoch)

    for discussion in curation.discussions:
        document = listing_doc.get(discussion.listing)
        if document is None:
            raise SourceError(
                discussion.listing, None, "discussion link names a listing no page has"
            )
        yield from rdf.discussion_quads(discussion, document, node_graph[discussion.listing])
    fallback = concepts_graph or rdf.graph_iri(matrices_rel)
    for subject in curation.subjects:
        yield from rdf.subject_quads(subject, node_graph.get(subject.node, fallback))


def _identifier_quads(data_dir: Path, documents: set[str], epoch: int | None) -> Iterator[Quad]:
    """The verified external identifiers of ``identifiers.yaml`` (when present), in its graph."""
    from ..curation.dataset import load_identifiers

    path = data_dir / IDENTIFIERS_FILE
    if not path.is_file():
        return
    g = rdf.graph_iri(IDENTIFIERS_FILE)
    yield from rdf.provenance_quads(g, IDENTIFIERS_FILE, _sha256(path), "identifiers", epoch)
    for entry in load_identifiers(path, documents):
        yield from rdf.identifier_quads(entry.document, entry.as_dict(), g)


def description_quads(data_dir: Path, union_ntriples: bytes, epoch: int | None) -> list[Quad]:
    """VoID + DCAT from ``dataset.yaml`` with counts of `union_ntriples` (none without the file).

    `union_ntriples`: the sorted, de-duplicated union of every other graph, as N-Triples.
    """
    from ...exporters import get
    from ..curation.dataset import load_dataset_description
    from ..rdf import describe

    path = data_dir / DATASET_FILE
    if not path.is_file():
        return []
    description = load_dataset_description(path)
    counts = describe.count_ntriples(union_ntriples)
    files = {name: get(fmt).MEDIA_TYPE for name, fmt in OUTPUTS.items()}
    g = describe.DATASET_GRAPH
    quads = list(rdf.provenance_quads(g, DATASET_FILE, _sha256(path), "dataset description", epoch))
    quads += describe.description_quads(description, counts, files, epoch)
    return quads


def make_dataset(
    data_dir: Path, sources: list[SourceCell], curation: Curation, epoch: int | None = None
) -> Dataset:
    from ..rdf.store import serialize

    ds = new_dataset()
    add_quads(ds, dataset_quads(data_dir, sources, curation, epoch))
    add_quads(ds, description_quads(data_dir, serialize(ds, "nt"), epoch))
    return ds


def serialize_outputs(ds: Dataset) -> dict[str, bytes]:
    """Output file name → bytes, through the exporter registry."""
    from ...exporters import get

    files: dict[str, bytes] = {}
    for name, fmt in OUTPUTS.items():
        buffer = io.BytesIO()
        get(fmt).export(ds, buffer)
        files[name] = buffer.getvalue()
    return files


def build_result(
    data_dir: Path,
    out_dir: Path,
    sources: list[SourceCell],
    curation: Curation,
    *,
    triples: int,
    graphs: int,
    classes: dict[str, int],
    relations: dict[str, int],
    warnings: tuple[str, ...],
) -> BuildResult:
    """The result of a build on either store, from what it read and the counts of what it made."""
    problems = [
        f"{sc.relpath}:{p.line}: {p.message}" for sc in sources for p in sc.cell.problems
    ] + [f"{_relpath(data_dir, path)}:{p.line}: {p.message}" for path, p in curation.problems]
    return BuildResult(
        out_dir=str(out_dir),
        files=(*OUTPUTS, "summary.json"),
        cells=tuple(f"{sc.cell.matrix}/{sc.cell.cell}" for sc in sources),
        triples=triples,
        graphs=graphs,
        classes=classes,
        relations=relations,
        problems=tuple(problems),
        warnings=warnings,
        quotes_checked=curation.quotes_checked,
        discussions={
            "auto": curation.discussions_auto,
            "curated": curation.discussions_curated,
            "unresolved": curation.discussions_unresolved,
        },
    )


def build(
    data_dir: Path,
    out_dir: Path,
    *,
    validate: bool = True,
    store: str = DEFAULT_STORE,
    progress: bool = False,
) -> BuildResult:
    """Parse, curate, make RDF, validate (SHACL) and write the graph files; see the module doc.

    ``store="oxigraph"`` takes the fast, incremental path (`graph.fastbuild`); "memory" is rdflib.
    """
    if store == "oxigraph":
        from .fastbuild import build_fast

        return build_fast(data_dir, out_dir, validate=validate, progress=progress)
    if store != "memory":
        from ..base.errors import UnknownFormat

        raise UnknownFormat(store, STORES, what="store")
    from ..validation.shacl import validate as shacl

    data_dir = Path(data_dir)
    out_dir = Path(out_dir)
    sources = read_cells(data_dir)
    curation = _curate(data_dir, [sc.cell for sc in sources])
    ds = make_dataset(data_dir, sources, curation, _epoch())
    warnings: tuple[str, ...] = ()
    if validate:
        report = shacl(ds)
        warnings = tuple(f.render() for f in report.warnings)

    stats = compute(ds)
    result = build_result(
        data_dir,
        out_dir,
        sources,
        curation,
        triples=stats.triples,
        graphs=stats.graphs,
        classes=stats.classes,
        relations=stats.relations,
        warnings=warnings,
    )
    files = serialize_outputs(ds)
    files["summary.json"] = result.summary_bytes()
    write_all_atomically({out_dir / name: content for name, content in files.items()})
    return result
