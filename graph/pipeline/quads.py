"""Every quad of a build, made from the parsed cells and their curation: the ontology, the matrices,
one named graph per cell page, claims file and concept scheme, with their provenance."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from rdflib import URIRef

from ...ontology import ONTOLOGY_FILE
from ..base import ids
from ..base.errors import SourceError
from ..base.matrices import MatrixDef, default_matrix
from ..base.records import Claim, Curation
from ..rdf import make as rdf
from ..rdf.dataset import Quad
from ..rdf.describe import DatasetCounts
from ..rdf.make import TermQuad
from .sources import SourceCell, matrices, relpath, sha256


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


DATASET_FILE = "dataset.yaml"
IDENTIFIERS_FILE = "identifiers.yaml"


def source_quads(sc: SourceCell, epoch: int | None = None) -> Iterator[Quad]:
    """The quads made from one cell page alone (its provenance and content) in its graph, and
    the standard-vocabulary triples they entail in the aligned graph."""
    g = rdf.nt(rdf.graph_iri(sc.relpath))
    page = rdf.aligned_terms(rdf.provenance_terms(g, sc.relpath, sc.sha256, "cell", epoch))
    yield from rdf.rdflib_quads(page)
    yield from rdf.rdflib_quads(rdf.aligned_terms(rdf.cell_terms(sc.cell, g)))
    yield from rdf.rdflib_quads(rdf.aligned_terms(rdf.page_identifier_terms(sc.cell, g)))


def dataset_terms(
    data_dir: Path, sources: list[SourceCell], curation: Curation, epoch: int | None = None
) -> Iterator[TermQuad]:
    """Every quad of the build but the pages' own (`source_quads`, added page by page), in line
    form: ontology, matrices, claims files, concept scheme, discussion links and topics, each
    followed by what it entails in the standard vocabularies (`rdf.aligned_terms`, the graph
    ``id/graph/aligned``)."""
    return rdf.aligned_terms(_curated_terms(data_dir, sources, curation, epoch))


def _curated_terms(
    data_dir: Path, sources: list[SourceCell], curation: Curation, epoch: int | None
) -> Iterator[TermQuad]:
    """The quads of everything but the cell pages themselves (see `dataset_terms`)."""
    known, matrices_path = matrices(data_dir)
    yield from rdf.line_quads(rdf.file_quads(ONTOLOGY_FILE, rdf.ONTOLOGY_GRAPH))

    matrices_rel = relpath(data_dir, matrices_path)
    g = rdf.graph_iri(matrices_rel)
    yield from rdf.provenance_terms(
        rdf.nt(g), matrices_rel, sha256(matrices_path), "vocabularies", epoch
    )
    for matrix in sorted(_matrix_defs(known, sources).values(), key=lambda m: m.key):
        yield from rdf.matrix_terms(matrix, rdf.nt(g))

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
        rel = relpath(data_dir, path)
        concepts_graph = rdf.graph_iri(rel)
        yield from rdf.provenance_terms(
            rdf.nt(concepts_graph), rel, sha256(path), "concepts", epoch
        )
        yield from rdf.line_quads(rdf.file_quads(path, concepts_graph))

    claims_rel: dict[str, str] = {}  # a claims file's path, once per file (not per claim)
    for source in {*curation.claim_files, *(c.source for c in curation.claims)}:
        claims_rel[str(source)] = relpath(data_dir, source)
    claim_files = sorted(claims_rel, key=claims_rel.__getitem__)
    for claims_file in claim_files:
        rel = claims_rel[claims_file]
        g = rdf.graph_iri(rel)
        path = Path(claims_file) if Path(claims_file).is_absolute() else data_dir / rel
        sha = sha256(path) if path.is_file() else hashlib.sha256(b"").hexdigest()
        yield from rdf.provenance_terms(rdf.nt(g), rel, sha, "claims", epoch)
    page_paths = {sc.cell.source: sc.relpath for sc in sources}
    for claim in curation.claims:
        rel = claims_rel[str(claim.source)]
        g = rdf.graph_iri(rel)
        node_graph[ids.claim_key(claim.id)] = g
        yield from rdf.claim_terms(claim, rdf.nt(g), rel)
        yield from rdf.position_selector_terms(claim, rdf.nt(g), page_paths)
    yield from _draft_terms(data_dir, sources, curation, node_graph, page_paths, epoch)
    yield from _identifier_terms(data_dir, set(listing_doc.values()), epoch)

    for discussion in curation.discussions:
        document = listing_doc.get(discussion.listing)
        if document is None:
            raise SourceError(
                discussion.listing, None, "discussion link names a listing no page has"
            )
        graph = rdf.nt(node_graph[discussion.listing])
        yield from rdf.discussion_terms(discussion, document, graph)
    fallback = rdf.nt(concepts_graph or rdf.graph_iri(matrices_rel))
    graphs = {node: rdf.nt(g) for node, g in node_graph.items()}
    for subject in curation.subjects:
        yield from rdf.subject_terms(subject, graphs.get(subject.node, fallback))


def _draft_terms(
    data_dir: Path,
    sources: list[SourceCell],
    curation: Curation,
    node_graph: dict[str, URIRef],
    page_paths: dict[str, str],
    epoch: int | None,
) -> Iterator[TermQuad]:
    """Drafted claims (`build --drafts`): one named graph per page, ``graph/drafts/<path>``."""
    if not curation.drafts:
        return
    from ..curation.drafting import tool_label

    by_page: dict[str, list[Claim]] = {}
    for claim in curation.drafts:
        by_page.setdefault(relpath(data_dir, claim.source), []).append(claim)
    sha = {sc.relpath: sc.sha256 for sc in sources}
    for rel in sorted(by_page):
        g = rdf.drafts_graph_iri(rel)
        provenance = rdf.drafts_provenance_quads(g, rel, sha.get(rel, ""), tool_label(), epoch)
        yield from rdf.line_quads(provenance)
        for claim in by_page[rel]:
            node_graph[ids.claim_key(claim.id)] = g
            yield from rdf.claim_terms(claim, rdf.nt(g))
            yield from rdf.position_selector_terms(claim, rdf.nt(g), page_paths)


def _identifier_terms(data_dir: Path, documents: set[str], epoch: int | None) -> Iterator[TermQuad]:
    """The verified external identifiers of ``identifiers.yaml`` (when present), in its graph."""
    from ..curation.dataset import load_identifiers

    path = data_dir / IDENTIFIERS_FILE
    if not path.is_file():
        return
    g = rdf.nt(rdf.graph_iri(IDENTIFIERS_FILE))
    yield from rdf.provenance_terms(g, IDENTIFIERS_FILE, sha256(path), "identifiers", epoch)
    for entry in load_identifiers(path, documents):
        yield from rdf.identifier_terms(entry.document, entry.as_dict(), g)


def description_quads(
    data_dir: Path, counts: Callable[[], DatasetCounts], epoch: int | None
) -> list[Quad]:
    """VoID + DCAT from ``dataset.yaml`` with the `counts` of the union of every other graph
    (none without the file; then nothing is counted)."""
    from ..base.files import GRAPH_OUTPUTS
    from ..curation.dataset import load_dataset_description
    from ..rdf import describe

    path = data_dir / DATASET_FILE
    if not path.is_file():
        return []
    description = load_dataset_description(path)
    files = {name: describe.MEDIA_TYPES[syntax] for name, syntax in GRAPH_OUTPUTS.items()}
    g = describe.DATASET_GRAPH
    quads = list(rdf.provenance_quads(g, DATASET_FILE, sha256(path), "dataset description", epoch))
    quads += describe.description_quads(description, counts(), files, epoch)
    return quads
