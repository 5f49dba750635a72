"""The build on the Oxigraph fast path, incremental per source file (`build --store oxigraph`).

Same pipeline and same graph as `graph.build.build` (parse → curate → RDF → validate → write), with
three differences:

- each cell page's parsed record and its named graph (as sorted N-Quads) are cached in
  ``<out>/.cache/`` under the page's SHA-256 and a digest of the code that makes them, so an
  unchanged page is neither re-parsed nor turned into RDF again;
- the quads are loaded into an in-memory `pyoxigraph.Store` in one bulk load, validated with the
  SHACL shapes compiled to SPARQL (`graph.shacl_sparql`), counted with SPARQL, and written by
  Oxigraph's writers;
- the store is also persisted to ``<out>/store/`` (RocksDB) so `query`/`serve` open it instantly.
"""

from __future__ import annotations

import hashlib
import pickle
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click
from pyoxigraph import Store
from rdflib import URIRef

from ...ontology import ONTOLOGY_FILE
from ...ontology.namespace import __file__ as ONTOLOGY_NAMESPACE_FILE
from ..base.records import Cell
from ..rdf.make import ALIGNED_GRAPH
from ..rdf.store import PREFIXES
from . import oxstore
from .build import (
    BuildResult,
    SourceCell,
    _curate,
    _epoch,
    build_result,
    dataset_quads,
    description_quads,
    read_cells,
    source_quads,
)

CACHE_DIR = ".cache"
_GRAPH = Path(__file__).resolve().parent.parent
_CODE_FILES = (
    _GRAPH / "parsing" / "page.py",
    _GRAPH / "rdf" / "make.py",
    _GRAPH / "base" / "records.py",
    _GRAPH / "base" / "ids.py",
    _GRAPH / "base" / "text.py",
    _GRAPH / "base" / "matrices.py",
    _GRAPH / "pipeline" / "oxstore.py",
    _GRAPH / "pipeline" / "fastbuild.py",
    Path(ONTOLOGY_NAMESPACE_FILE),
    ONTOLOGY_FILE,  # its exact alignments make each page's aligned triples
)


def code_version() -> str:
    """Digest of the code that turns a page into its records and quads (part of every cache key)."""
    digest = hashlib.sha256(sys.version.encode())
    for path in _CODE_FILES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:16]


@dataclass
class _Cached:
    key: str
    cell: Cell
    chunk: bytes | None = None
    aligned: bytes = b""
    """The page's standard-vocabulary triples (N-Quads lines of the aligned graph)."""


@dataclass
class Timings:
    """Seconds per stage of the last fast build, and how many pages came from the cache."""

    stages: dict[str, float]
    reused: int
    parsed: int
    peak_mb: dict[str, float] = field(default_factory=dict)
    """Peak resident memory (MB) of the process at the end of each stage."""


LAST_TIMINGS = Timings({}, 0, 0)


class _Cache:
    """Per-page records and N-Quads chunks in ``<out>/.cache``, keyed by content and code."""

    def __init__(self, out_dir: Path, epoch: int | None, enabled: bool) -> None:
        self.dir = out_dir / CACHE_DIR
        self.enabled = enabled
        self.salt = f"{code_version()}:{epoch}"
        self.entries: dict[str, _Cached] = {}
        self.reused = 0
        self.parsed = 0

    def _file(self, relpath: str) -> Path:
        return self.dir / (hashlib.sha256(relpath.encode()).hexdigest()[:24] + ".pickle")

    def get(self, relpath: str, sha: str) -> _Cached | None:
        if not self.enabled:
            return None
        try:
            with self._file(relpath).open("rb") as handle:
                entry = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return None
        if isinstance(entry, _Cached) and entry.key == f"{sha}:{self.salt}":
            return entry
        return None

    def put(self, relpath: str, entry: _Cached) -> None:
        if not self.enabled:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self._file(relpath)
        tmp = target.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(target)

    def parser(self, data_dir: Path, tick: Callable[[], None]) -> Callable[[Path, str], Cell]:
        """A `read_cells` parse function that reuses cached records of unchanged pages."""
        from ..parsing.page import parse_file

        def parse(path: Path, sha: str) -> Cell:
            relpath = path.relative_to(data_dir).as_posix()
            entry = self.get(relpath, sha)
            if entry is None:
                entry = _Cached(f"{sha}:{self.salt}", parse_file(path))
                self.parsed += 1
            else:
                self.reused += 1
            self.entries[relpath] = entry
            tick()
            return entry.cell

        return parse


@contextmanager
def _progress(total: int, label: str, show: bool) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when it is a terminal (and `show`); a no-op callable otherwise."""
    if not show or not sys.stderr.isatty() or total < 20:
        yield lambda: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _stats(store: Store) -> tuple[int, int, dict[str, int], dict[str, int]]:
    """Triples, graphs, classes and relations exactly as `graph.stats.compute` counts them."""
    from ..rdf.make import ONTOLOGY_GRAPH
    from ..reading.stats import curie

    ont = f"<{ONTOLOGY_GRAPH}>"
    data = f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {ont}) }}"
    triples = 0
    for row in oxstore.select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {data} }}"):
        triples = int(row["n"].value)
    graphs = sum(1 for _ in store.named_graphs())
    classes: dict[str, int] = {}
    query = (
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        f"FILTER(?g != {ont}) }} GROUP BY ?c"
    )
    for row in oxstore.select(store, query):
        name = curie(row["c"].value)
        classes[name] = classes.get(name, 0) + int(row["n"].value)
    relations: dict[str, int] = {}
    query = (
        "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g != {ont} && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>) }} }}"
        " GROUP BY ?p"
    )
    for row in oxstore.select(store, query):
        name = curie(row["p"].value)
        relations[name] = relations.get(name, 0) + int(row["n"].value)
    return triples, graphs, dict(sorted(classes.items())), dict(sorted(relations.items()))


def build_fast(
    data_dir: Path,
    out_dir: Path,
    *,
    validate: bool = True,
    cache: bool = True,
    persist: bool = True,
    progress: bool = False,
) -> BuildResult:
    """Build on the Oxigraph fast path; see the module doc. Same result and files as `build`."""
    from ..validation.shacl_sparql import validate_store

    data_dir, out_dir = Path(data_dir), Path(out_dir)
    clock = time.perf_counter()
    stages: dict[str, float] = {}
    peaks: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - clock
        peaks[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        clock = now

    epoch = _epoch()
    store_cache = _Cache(out_dir, epoch, cache)
    total = len(list((data_dir / "cells").glob("**/*.txt"))) if data_dir.is_dir() else 0
    with _progress(total, "parsing", progress) as tick:
        sources = read_cells(data_dir, parse=store_cache.parser(data_dir, tick))
    lap("parse")

    curation = _curate(data_dir, [sc.cell for sc in sources])
    lap("curate")

    writer = oxstore.LineWriter()
    chunks: dict[str, bytes] = {}
    aligned = oxstore.term(ALIGNED_GRAPH)
    aligned_parts: list[bytes] = []
    with _progress(len(sources), "making RDF", progress) as tick:
        for sc in sources:
            entry = store_cache.entries[sc.relpath]
            own = oxstore.term(_graph_of(sc))
            if entry.chunk is None:
                by_graph = writer.lines(source_quads(sc, epoch))
                entry.chunk = oxstore.graph_chunk(by_graph.pop(own, []))
                entry.aligned = oxstore.graph_chunk(by_graph.pop(aligned, []))
                assert not by_graph, "a page's quads live in its own graph and the aligned graph"
                store_cache.put(sc.relpath, entry)
            chunks[own] = entry.chunk
            aligned_parts.append(entry.aligned)
            tick()
    rest_lines = writer.lines(dataset_quads(data_dir, sources, curation, epoch, per_source=False))
    rest_lines.setdefault(aligned, [])
    for graph, lines in rest_lines.items():
        if graph == aligned:
            parts = [part.decode("utf-8") for part in aligned_parts]
            lines = [*(x for part in parts for x in part.splitlines(keepends=True)), *lines]
        if graph in chunks:  # discussion links and topics land in a page's graph
            lines = [*chunks[graph].decode("utf-8").splitlines(keepends=True), *lines]
        chunks[graph] = oxstore.graph_chunk(lines)
    if not chunks[aligned]:
        del chunks[aligned]
    described = description_quads(data_dir, oxstore.union_ntriples(chunks), epoch)
    for graph, lines in writer.lines(described).items():
        chunks[graph] = oxstore.graph_chunk(lines)
    lap("rdf")

    # The union first (validated, written as Turtle, dropped), then the named graphs: the two
    # stores are never in memory together.
    prefixes = oxstore.used_prefixes(chunks.values(), PREFIXES)
    staged = oxstore.Staged(out_dir)
    try:
        union_nt = oxstore.union_ntriples(chunks)  # also the persisted store's default graph
        union = oxstore.load_union(union_nt)
        lap("load")
        warnings: tuple[str, ...] = ()
        if validate:
            report = validate_store(union, triples=len(union), union=False)
            warnings = tuple(f.render() for f in report.warnings)
        lap("validate")
        oxstore.write_turtle(union, prefixes, staged.path("evidence.ttl"))
        del union
        lap("write")
    except BaseException:
        staged.discard()
        raise

    persisted: list[BaseException | None] = []

    def persist_store() -> None:
        try:
            oxstore.load(chunks, out_dir / oxstore.STORE_DIR, default=union_nt)
            persisted.append(None)
        except BaseException as exc:  # re-raised in the calling thread
            persisted.append(exc)

    worker = threading.Thread(target=persist_store, name="persist-store", daemon=True)
    try:
        store = oxstore.load(chunks)
        lap("load")
        if persist:
            worker.start()
        triples, graphs, classes, relations = _stats(store)
        lap("stats")
        oxstore.write_trig(store, prefixes, staged.path("evidence.trig"))
        if triples > JSONLD_COMPACT_LIMIT:
            oxstore.write_jsonld(store, prefixes, staged.path("evidence.jsonld"))
        else:
            staged.write("evidence.jsonld", _compact_jsonld(chunks))
        del store
    except BaseException:
        staged.discard()
        raise
    lap("write")

    result = build_result(
        data_dir,
        out_dir,
        sources,
        curation,
        triples=triples,
        graphs=graphs,
        classes=classes,
        relations=relations,
        warnings=warnings,
    )
    try:
        staged.write("summary.json", result.summary_bytes())
        if persist:
            worker.join()
            if persisted and persisted[0] is not None:
                raise persisted[0]
            lap("persist (overlapped)")
    except BaseException:
        staged.discard()
        raise
    staged.commit()
    if persist:
        oxstore.write_stamp(out_dir)
    else:
        (out_dir / oxstore.STAMP_FILE).unlink(missing_ok=True)
    lap("write")
    LAST_TIMINGS.stages = stages
    LAST_TIMINGS.peak_mb = peaks
    LAST_TIMINGS.reused = store_cache.reused
    LAST_TIMINGS.parsed = store_cache.parsed
    return result


JSONLD_COMPACT_LIMIT = 50_000
"""Up to this many triples JSON-LD is compacted with ontology/context.jsonld (rdflib, as the memory
store writes it); beyond, Oxigraph's streaming writer (expanded form) keeps large builds fast."""


def _compact_jsonld(chunks: dict[str, bytes]) -> bytes:
    from ..rdf.store import new_dataset, serialize

    ds = new_dataset()
    ds.parse(data=b"".join(chunks[g] for g in sorted(chunks)), format="nquads")
    return serialize(ds, "json-ld")


def _graph_of(sc: SourceCell) -> URIRef:
    from ..rdf.make import graph_iri

    return graph_iri(sc.relpath)
