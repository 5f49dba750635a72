"""The Oxigraph store as a build sink: the default, fast and incremental.

Quads become sorted N-Quads lines per graph (a page's lines are kept in the page cache), are loaded
into an in-memory `pyoxigraph.Store` in one bulk load, validated with the SHACL shapes compiled to
SPARQL, counted with SPARQL, and written by Oxigraph's own writers; the store is also persisted to
``<out>/store/`` (RocksDB) so `query` opens it without parsing.

Determinism: an in-memory Oxigraph store dumps quads in insertion order, so the lines are loaded
sorted (graph by graph in IRI order, each graph's lines sorted); the same input therefore gives
byte-identical files, whichever pages came from the cache.
"""

from __future__ import annotations

import io
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, RdfFormat, Store
from rdflib import URIRef

from ...ontology.prefixes import FILE_PREFIXES, shorten
from ..base.files import (
    JSONLD_FILE,
    SUMMARY_FILE,
    TRIG_FILE,
    TURTLE_FILE,
    Staged,
)
from ..rdf.dataset import Quad
from ..rdf.nquads import LineWriter, graph_chunk, page_chunk, term, union_ntriples
from ..reading.stats import GraphStats
from ..validation.shacl_sparql import select
from .persisted_store import (
    drop_store,
    mark_store,
    new_store_dir,
    remove_stamp,
    swap_store,
)

JSONLD_COMPACT_LIMIT = 50_000
"""Up to this many triples JSON-LD is compacted with the project's context (rdflib, as the memory
store writes it); beyond, Oxigraph's streaming writer (expanded form) keeps large builds fast."""


class OxigraphSink:
    """Quads as N-Quads chunks per graph, loaded into Oxigraph to validate, count and write."""

    uses_page_cache = True

    def __init__(self, out_dir: Path, *, persist: bool = True) -> None:
        self.out_dir = Path(out_dir)
        self.persist = persist
        self.staged = Staged(self.out_dir)
        self.writer = LineWriter()
        self.chunks: dict[str, bytes] = {}
        self._store: Store | None = None
        self._union_nt: bytes | None = None
        self._worker: threading.Thread | None = None
        self._new_store: Path | None = None
        self._persisted: list[BaseException | tuple[str, int]] = []
        self._triples = 0
        self._other_lines: list[bytes] = []

    # -- adding

    def add_page(
        self, graph: URIRef, quads: Callable[[], Iterable[Quad]], cached: bytes | None
    ) -> bytes | None:
        chunk = cached
        own = term(graph)
        if chunk is None:
            # the page's own graph first, then what it entails in the aligned graph
            chunk = page_chunk(self.writer.lines(quads()), own)
        suffix = f" {own} .\n".encode()
        cut = chunk.find(b"\n", chunk.rfind(suffix)) + 1 if suffix in chunk else 0
        self.chunks[own] = chunk[:cut]
        if cut < len(chunk):
            self._other_lines.append(chunk[cut:])
        return chunk

    def _merge_other_lines(self) -> None:
        """Merge the pages' lines outside their own graphs (the aligned graph) into `chunks`."""
        if not self._other_lines:
            return
        by_graph: dict[str, list[str]] = {}
        for part in self._other_lines:
            for line in part.decode("utf-8").splitlines(keepends=True):
                graph = line[: -len(" .\n")].rsplit(" ", 1)[1]
                by_graph.setdefault(graph, []).append(line)
        self._other_lines = []
        for graph, lines in by_graph.items():
            if graph in self.chunks:
                lines = [*self.chunks[graph].decode("utf-8").splitlines(keepends=True), *lines]
            self.chunks[graph] = graph_chunk(lines)

    def union_ntriples(self) -> bytes:
        self._merge_other_lines()
        return union_ntriples(self.chunks)

    def add(self, quads: Iterable[Quad]) -> None:
        self._merge_other_lines()
        self._union_nt = None
        for graph, lines in self.writer.lines(quads).items():
            if graph in self.chunks:  # discussion links and topics land in a page's graph
                lines = [*self.chunks[graph].decode("utf-8").splitlines(keepends=True), *lines]
            self.chunks[graph] = graph_chunk(lines)

    # -- the union (validated, written as Turtle, dropped) before the named graphs: the two
    #    stores are never in memory together

    def _prefixes(self) -> dict[str, str]:
        return used_prefixes(self.chunks.values(), FILE_PREFIXES)

    def _union(self) -> bytes:
        self._merge_other_lines()
        if self._union_nt is None:
            self._union_nt = union_ntriples(self.chunks)  # also the persisted default graph
        return self._union_nt

    def validate(self) -> tuple[str, ...]:
        from ..validation.shacl_sparql import validate_store

        union = load_union(self._union())
        report = validate_store(union, triples=len(union), union=False)
        self._write_turtle(union)
        return tuple(f.render() for f in report.warnings)

    def _write_turtle(self, union: Store | None = None) -> None:
        if TURTLE_FILE in self.staged.files:
            return
        if union is None:
            union = load_union(self._union())
        write_turtle(union, self._prefixes(), self.staged.path(TURTLE_FILE))

    def _named(self) -> Store:
        if self._store is None:
            self._write_turtle()
            self._store = load(self.chunks)
            if self.persist:
                self._new_store = new_store_dir(self.out_dir)
                self._worker = threading.Thread(
                    target=self._persist, name="persist-store", daemon=True
                )
                self._worker.start()
        return self._store

    def _persist(self) -> None:
        """Write the store into a new directory (swapped in by `finalise`), closed and marked."""
        assert self._new_store is not None
        try:
            default = self._union()
            load(self.chunks, self._new_store, default=default).flush()  # dropped: closed
            quads = sum(chunk.count(b"\n") for chunk in self.chunks.values())
            quads += default.count(b"\n")
            self._persisted.append((mark_store(self._new_store), quads))
        except BaseException as exc:  # re-raised in the calling thread
            self._persisted.append(exc)

    def count(self) -> GraphStats:
        stats = _stats(self._named())
        self._triples = stats.triples
        return stats

    def write(self) -> None:
        store = self._named()
        prefixes = self._prefixes()
        write_trig(store, prefixes, self.staged.path(TRIG_FILE))
        if self._triples > JSONLD_COMPACT_LIMIT:
            write_jsonld(store, prefixes, self.staged.path(JSONLD_FILE))
        else:
            self.staged.write(JSONLD_FILE, _compact_jsonld(self.chunks))
        self._store = None

    def finalise(self, summary: bytes) -> None:
        self.staged.write(SUMMARY_FILE, summary)
        persisted: tuple[str, int] | None = None
        if self._worker is not None:
            self._worker.join()
            outcome = self._persisted[0] if self._persisted else None
            if isinstance(outcome, BaseException):
                raise outcome
            persisted = outcome
        # Killed from here on, the directory has either no stamp (the graph files, always whole,
        # are read) or a stamp naming the store beside it: the stamp goes first and comes last.
        remove_stamp(self.out_dir)
        self.staged.commit()
        if persisted is not None and self._new_store is not None:
            swap_store(self.out_dir, self._new_store, *persisted)
            self._new_store = None
        else:
            drop_store(self.out_dir)

    def discard(self) -> None:
        self.staged.discard()
        self._store = None
        if self._worker is not None:
            self._worker.join()
        if self._new_store is not None:
            shutil.rmtree(self._new_store, ignore_errors=True)
            self._new_store = None


def _stats(store: Store) -> GraphStats:
    """Triples, graphs, classes and relations exactly as `reading.stats.compute` counts them."""
    from ..rdf.make import ONTOLOGY_GRAPH

    ont = f"<{ONTOLOGY_GRAPH}>"
    data = f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {ont}) }}"
    triples = 0
    for row in select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {data} }}"):
        triples = int(row["n"].value)
    graphs = sum(1 for _ in store.named_graphs())
    classes: dict[str, int] = {}
    query = (
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        f"FILTER(?g != {ont}) }} GROUP BY ?c"
    )
    for row in select(store, query):
        name = shorten(row["c"].value)
        classes[name] = classes.get(name, 0) + int(row["n"].value)
    relations: dict[str, int] = {}
    query = (
        "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g != {ont} && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>) }} }}"
        " GROUP BY ?p"
    )
    for row in select(store, query):
        name = shorten(row["p"].value)
        relations[name] = relations.get(name, 0) + int(row["n"].value)
    return GraphStats(
        triples, graphs, dict(sorted(classes.items())), dict(sorted(relations.items()))
    )


def _compact_jsonld(chunks: dict[str, bytes]) -> bytes:
    from ..rdf.dataset import new_dataset
    from ..rdf.serialize import serialize

    ds = new_dataset()
    ds.parse(data=b"".join(chunks[g] for g in sorted(chunks)), format="nquads")
    return serialize(ds, "json-ld")


# -- Oxigraph loading and writing


def load(chunks: Mapping[str, bytes], path: Path | None = None, default: bytes = b"") -> Store:
    """A store holding every chunk, loaded in graph-IRI order (in memory, or RocksDB at `path`).

    `default` (N-Triples, e.g. `union_ntriples(chunks)`) fills the default graph: the persisted
    store's default graph is the union of the named graphs as a set (see `open_store`).
    """
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(str(path)) if path is not None else Store()
    parts = [chunks[g] for g in sorted(chunks)] + ([default] if default else [])
    if parts:
        with io.BufferedReader(_Reader(parts), 1 << 20) as reader:
            store.bulk_load(reader, RdfFormat.N_QUADS)
    if path is not None:
        store.flush()
    return store


class _Reader(io.RawIOBase):
    """The concatenation of byte chunks as a binary stream, without copying them into one."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks
        self._index = 0
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while self._index < len(self._chunks):
            chunk = self._chunks[self._index]
            if self._offset < len(chunk):
                n = min(len(view), len(chunk) - self._offset)
                view[:n] = chunk[self._offset : self._offset + n]
                self._offset += n
                return n
            self._index += 1
            self._offset = 0
        return 0


def used_prefixes(chunks: Iterable[bytes], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes whose namespace occurs in `chunks` (Oxigraph prints every prefix given)."""
    data = list(chunks)
    return {
        p: ns
        for p, ns in sorted(prefixes.items())
        if any(f"<{ns}".encode() in chunk for chunk in data)
    }


def write_trig(store: Store, prefixes: Mapping[str, str], output: Path) -> None:
    store.dump(str(output), format=RdfFormat.TRIG, prefixes=dict(prefixes))


def load_union(union: bytes) -> Store:
    """A store whose default graph holds the union triples (sorted N-Triples), in that order."""
    store = Store()
    if union:
        store.bulk_load(union, RdfFormat.N_TRIPLES)
    return store


def write_turtle(store: Store, prefixes: Mapping[str, str], output: Path) -> None:
    """Turtle of the default graph of a `load_union` store."""
    dump = dict(prefixes)
    store.dump(str(output), format=RdfFormat.TURTLE, from_graph=DefaultGraph(), prefixes=dump)


def write_jsonld(store: Store, context: Mapping[str, str], output: Path) -> None:
    """JSON-LD of the named graphs, from Oxigraph's streaming writer (prefixes as the context)."""
    store.dump(str(output), format=RdfFormat.JSON_LD, prefixes=dict(context))
