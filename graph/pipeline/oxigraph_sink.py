"""The Oxigraph store as a build sink: the default, fast and incremental.

Quads become sorted N-Quads lines per graph (a page's lines are kept in the page cache). Their
union (sorted, de-duplicated N-Triples lines) is made once, from the lines, and so are the counts
(VoID and the summary). The persisted store (``<out>/store/``, RocksDB, so `query` opens it without
parsing) is loaded once, on a second thread, with the named graphs and their union as the default
graph; meanwhile the union is validated with the SHACL shapes compiled to SPARQL (in a store of
the union alone) and the graph files are written.

The graph files are streamed from the lines through Oxigraph's writers, in the order an in-memory
Oxigraph store holding the sorted lines dumps them (the reverse of insertion: graphs in descending
IRI order, each graph's lines descending), so they are byte-identical to what such a store writes
and to earlier builds, whichever pages came from the cache.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, Triple, parse
from pyoxigraph import Quad as OxQuad
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
from ..rdf.describe import DatasetCounts, Tally
from ..rdf.make import ONTOLOGY_GRAPH, TermQuad, line_quads
from ..rdf.nquads import page_chunk, split_page_chunk, term, term_lines
from ..reading.stats import GraphStats
from ..validation.shacl import Finding, Report, conforming
from .graph_facts import RDF_TYPE, FactsCache
from .persisted_store import (
    StoreRecord,
    copy_store,
    drop_store,
    mark_store,
    new_store_dir,
    note_store,
    remove_stamp,
    swap_store,
)
from .segments import Segment, SegmentedFiles, subject_runs

JSONLD_COMPACT_LIMIT = 50_000
"""Up to this many triples JSON-LD is compacted with the project's context (rdflib, as the memory
store writes it); beyond, Oxigraph's streaming writer (expanded form) keeps large builds fast."""

BLOCK_LINES = 20_000
"""Lines per block when the union is streamed (to the counter, the writers, the stores)."""

LOAD_LINES = 100_000
"""Lines per bulk load into the persisted store: Oxigraph's bulk loader holds a whole load in
memory (measured: +885 MB for 800,000 quads in one load, +200 MB in loads of 100,000)."""

VALIDATE_IN_MEMORY_LIMIT = 2_000_000
"""Up to this many union triples validation reads an in-memory store of the union (faster);
beyond, it reads the persisted store once loaded, so that memory stays bounded at scale."""

_ONTOLOGY = term(ONTOLOGY_GRAPH)
_RDF_TYPE_IRI = RDF_TYPE.decode()
_SUBCLASS = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


class OxigraphSink:
    """Quads as N-Quads chunks per graph; their union and counts made once from the text, the
    files written from it, one store loaded (persisted) to validate."""

    uses_page_cache = True

    def __init__(self, out_dir: Path, *, persist: bool = True) -> None:
        self.out_dir = Path(out_dir)
        self.persist = persist
        self.staged = Staged(self.out_dir)
        self.chunks: dict[str, bytes] = {}
        self._other_lines: list[bytes] = []
        self._others: list[bytes] | None = None
        """Sorted, distinct triple lines (``s p o .``) of every graph but the ontology's."""
        self._ontology_only: list[bytes] = []
        """Sorted triple lines found in the ontology graph alone."""
        self._all: list[bytes] | None = None
        self._repeats: list[bytes] | None = None
        """The lines of `_others` that more than one graph holds, once per extra graph (None:
        not known, so the counts are made from the union itself)."""
        self._facts = FactsCache(self.out_dir)
        self._namespaces: tuple[frozenset[str], frozenset[str]] | None = None
        """The namespaces looked for in the files' text, and those found (see `_prefixes`)."""
        self._stats: GraphStats | None = None
        self._worker: threading.Thread | None = None
        self._loaded: list[BaseException | Store] = []
        self._new_store: Path | None = None
        self._digests: dict[str, str] = {}
        self._page_digests: dict[str, str] = {}
        """The SHA-256 of page graphs' text, as the page work found it (not hashed again)."""
        self._files: SegmentedFiles | None = None
        self._previous: StoreRecord | None = None
        """What the previous build's store was made from, when the new one starts as its copy."""
        self._patch: StorePatch | None = None
        self._validated: tuple[str, tuple[Finding, ...]] | None = None
        """The validation key and findings of this build (kept in the store's record)."""
        self.rewritten: int | None = None
        self.revalidated: int | None = None

    # -- adding

    def add_page(
        self,
        graph: URIRef,
        quads: Callable[[], Iterable[Quad]],
        cached: bytes | None,
        digest: str | None = None,
    ) -> None:
        chunk = cached
        own = term(graph)
        if chunk is None:
            # the page's own graph first, then what it entails in the aligned graph
            chunk = page_chunk(term_lines(line_quads(quads())), own)
        mine, rest = split_page_chunk(chunk, own)
        if mine:
            self.chunks[own] = mine
            if digest is not None:
                self._page_digests[own] = digest
        if rest:
            self._other_lines.append(rest)
        self._forget_union()

    def _merge_other_lines(self, more: Mapping[str, list[str]] | None = None) -> None:
        """Merge the pages' lines outside their own graphs (the aligned graph), and `more` lines
        by graph, into `chunks`: each graph sorted once."""
        by_graph: dict[str, list[bytes]] = {}
        for part in self._other_lines:
            lines = part.splitlines(keepends=True)
            graph = _graph_of(lines[0])
            if part.count(f" {graph} .\n".encode()) == len(lines):  # one graph (the usual)
                by_graph.setdefault(graph, []).extend(lines)
                continue
            for line in lines:
                by_graph.setdefault(_graph_of(line), []).append(line)
        self._other_lines = []
        for graph, added in (more or {}).items():
            by_graph.setdefault(graph, []).extend(line.encode("utf-8") for line in added)
        for graph, lines in by_graph.items():
            self.chunks[graph] = _merged(self.chunks.get(graph), lines)
            self._page_digests.pop(graph, None)

    def add(self, quads: Iterable[TermQuad]) -> None:
        added = term_lines(quads)
        existing = self.chunks.keys() & added.keys()
        # discussion links and topics may land in a page's graph, entailments in the aligned one
        self._merge_other_lines(added)
        self._digests = {}
        if self._others is not None and added and _ONTOLOGY not in added:
            # after the union was made (the dataset's description): merge in the new triples
            others = self._others
            new = sorted(t for g in added for t in _triple_lines(self.chunks[g], g))
            fresh: list[bytes] = []
            repeats: list[bytes] = []
            for t in new:  # held by an earlier graph, or by two of the new ones: once more
                if _contains(others, t) or (fresh and fresh[-1] == t):
                    repeats.append(t)
                else:
                    fresh.append(t)
            self._others = sorted(others + fresh)  # two sorted runs: merged in linear time
            self._ontology_only = [t for t in self._ontology_only if not _contains(fresh, t)]
            if self._repeats is not None and not existing:
                self._repeats = sorted(self._repeats + repeats)
            else:
                self._repeats = None  # a graph grew: its earlier lines may now repeat
            self._all = None
            self._stats = None
        else:
            self._forget_union()

    def _forget_union(self) -> None:
        self._digests = {}
        self._others = None
        self._all = None
        self._repeats = None
        self._stats = None

    # -- the union, made once from the lines

    def _union_parts(self) -> tuple[list[bytes], list[bytes]]:
        """(triples of every graph but the ontology's, triples of the ontology graph alone)."""
        self._merge_other_lines()
        if self._others is None:
            self._others, self._repeats = _merged_union(self.chunks)
            ontology = _triple_lines(self.chunks.get(_ONTOLOGY, b""), _ONTOLOGY)
            self._ontology_only = [t for t in ontology if not _contains(self._others, t)]
        return self._others, self._ontology_only

    def _union(self) -> list[bytes]:
        """The union of every graph: sorted, distinct lines (``s p o .``)."""
        others, ontology_only = self._union_parts()
        if self._all is None:
            self._all = sorted(others + ontology_only) if ontology_only else others
        return self._all

    def dataset_counts(self) -> DatasetCounts:
        tally = Tally()
        for block in _blocks(self._union()):
            tally.add(block)
        return tally.counts()

    def count(self) -> GraphStats:
        """Counts of the union of every graph but the ontology's: the sum of each graph's counts
        (`graph_facts`, kept by digest between builds) less the lines several graphs hold."""
        if self._stats is None:
            others, _ = self._union_parts()
            predicates: Counter[str] = Counter()
            types: Counter[str] = Counter()
            if self._repeats is None:
                lines: Iterable[bytes] = others  # counted from the union itself
            else:
                digests = self._graph_digests()
                for graph, digest in digests.items():
                    if graph != _ONTOLOGY:
                        found = self._facts.facts(digest, self.chunks[graph], graph)
                        predicates.update(found.predicates)
                        types.update(found.types)
                lines = self._repeats
            sign = 1 if self._repeats is None else -1
            for line in lines:
                _, p, rest = line.split(b" ", 2)
                predicates[p.decode()] += sign
                if p == RDF_TYPE:
                    types[rest[:-3].decode()] += sign
            classes: Counter[str] = Counter()
            relations: Counter[str] = Counter()
            for name, n in predicates.items():
                if n and name != _RDF_TYPE_IRI:
                    relations[shorten(name[1:-1])] += n
            for name, n in types.items():
                if n:
                    classes[shorten(name[1:-1] if name[:1] == "<" else name)] += n
            graphs = sum(1 for chunk in self.chunks.values() if chunk)
            self._stats = GraphStats(
                len(others), graphs, dict(sorted(classes.items())), dict(sorted(relations.items()))
            )
        return self._stats

    # -- validated in memory, the store persisted meanwhile on a second thread, the files
    #    streamed from the lines

    def validate(self) -> tuple[str, ...]:
        """Validate the union: after a change to a validated build, only the nodes the changed
        triples can affect (in the patched store); otherwise all of it, loaded alone into memory
        while the persisted store loads.

        Measured at 1,000 cells: the shapes' queries take 2.4x as long on the persisted store
        (RocksDB) as on an in-memory store of the union, and could only start once its load
        (the largest single cost of a build) is done; so the union is loaded twice: here, in a
        store dropped after validation, and into the persisted store.
        """
        from ..validation.shacl_sparql import validate_store, validation_key

        union = self._union()
        self._start_persisting(union)
        key = validation_key()
        report = self._revalidate(key, len(union))
        if report is None:
            if self.persist and len(union) > VALIDATE_IN_MEMORY_LIMIT:
                store = self._persisted_store()
            else:
                store = load_parts(_blocks(union))
            report = validate_store(store, triples=len(union), union=False)
        self._validated = (key, report.findings)
        return tuple(f.render() for f in report.warnings)

    def _revalidate(self, key: str, triples: int) -> Report | None:
        """The findings after a change, checking again only the nodes it can affect; None when
        the previous findings cannot be built on (none kept, other shapes, too wide a change)."""
        from ..validation.shacl_sparql import affected_focus, recheck_store

        previous = self._previous
        if previous is None or previous.validation_key != key:
            return None
        store = self._persisted_store()
        patch = self._patch
        if patch is None or patch.subjects is None:
            return None
        focus = affected_focus(store, patch.subjects, union=False)
        if focus is None:
            return None
        kept = [Finding(*fields) for fields in previous.findings]
        report = conforming(recheck_store(store, kept, focus, triples, union=False))
        self.revalidated = len(focus)
        return report

    def write(self) -> None:
        """Write the graph files in segments (`segments`): a named graph in TriG and JSON-LD, a
        run of subjects in Turtle; what the previous build wrote the same is copied."""
        union = self._union()
        self._start_persisting(union)
        names = [g for g in sorted(self.chunks, reverse=True) if self.chunks[g]]
        prefixes = self._prefixes(union, " ".join(names).encode())
        files = self._files = SegmentedFiles(self.out_dir)
        digests = self._graph_digests()
        graphs = [Segment(digests[g], partial(_descending, self.chunks[g])) for g in names]
        files.write(
            self.staged.path(TRIG_FILE),
            TRIG_FILE,
            graphs,
            RdfFormat.N_QUADS,
            RdfFormat.TRIG,
            prefixes,
        )
        runs = subject_runs(union)
        turtle = self.staged.path(TURTLE_FILE)
        files.write(turtle, TURTLE_FILE, runs, RdfFormat.N_TRIPLES, RdfFormat.TURTLE, prefixes)
        if self.count().triples > JSONLD_COMPACT_LIMIT:
            jsonld = self.staged.path(JSONLD_FILE)
            files.write(jsonld, JSONLD_FILE, graphs, RdfFormat.N_QUADS, RdfFormat.JSON_LD, prefixes)
        else:
            self.staged.write(JSONLD_FILE, _compact_jsonld(self.chunks))

    def _prefixes(self, union: list[bytes], names: bytes) -> dict[str, str]:
        """The prefixes whose namespace the union or the graph `names` hold. A namespace the
        previous build looked for and did not find can only have come with a graph whose text
        is new: only those are searched for it (the union is searched for the others, and
        found at once where it holds them)."""
        before = self._facts.namespaces_before()
        digests = self._graph_digests()
        fresh = [self.chunks[g] for g, d in digests.items() if not self._facts.held_before(d)]
        found = used_prefixes(_Lazy(_blocks(union)), FILE_PREFIXES, names, before, fresh)
        self._namespaces = (frozenset(FILE_PREFIXES.values()), frozenset(found.values()))
        return found

    def _graph_digests(self) -> dict[str, str]:
        """The SHA-256 of each named graph's text (the key of its store and file segments)."""
        if not self._digests:
            known = self._page_digests
            self._digests = {
                g: known.get(g) or hashlib.sha256(chunk).hexdigest()
                for g, chunk in sorted(self.chunks.items())
                if chunk
            }
        return self._digests

    def _lines(self, graph: str) -> int:
        """How many lines the named graph `graph` has (its facts count them, when made)."""
        digest = self._graph_digests().get(graph)
        facts = self._facts.known(digest) if digest is not None else None
        return facts.lines if facts is not None else self.chunks[graph].count(b"\n")

    def _start_persisting(self, union: list[bytes]) -> None:
        """Load the persisted store on a second thread (Oxigraph lets go of the interpreter
        while it loads): the named graphs, and their union as the default graph."""
        if self._worker is not None or not self.persist:
            return
        target = self._new_store = new_store_dir(self.out_dir)
        named = sorted(self._graph_digests())
        parts = chain((self.chunks[g] for g in named), _blocks(union))  # read as loaded

        previous = copy_store(self.out_dir, target)
        before = previous.digests() if previous is not None else {}
        if previous is not None and not _worth_patching(before, self._digests):
            previous = None  # loaded afresh (over the copy): faster than rewriting most of it
        self._previous = previous

        def run() -> None:
            # A patched copy is not compacted: RocksDB compacts it as it needs, and a read-only
            # store opens every live file at once (a shut-in query worker needs no more).
            try:
                if previous is None:
                    store = load_parts(_pieces(parts, LOAD_LINES), target)
                else:
                    store = Store(str(target))
                    patch = patch_store(store, before, self._digests, self.chunks)
                    self._patch, self.rewritten = patch, patch.graphs
                self._loaded.append(store)
            except BaseException as exc:  # re-raised in the calling thread
                self._loaded.append(exc)

        self._worker = threading.Thread(target=run, name="persist-store", daemon=True)
        self._worker.start()

    def _persisted_store(self) -> Store:
        """The persisted store, once its thread is done (started here if need be)."""
        self._start_persisting(self._union())
        assert self._worker is not None
        self._worker.join()
        failed = [outcome for outcome in self._loaded if isinstance(outcome, BaseException)]
        if failed:
            raise failed[0]
        store = self._loaded[0]
        assert isinstance(store, Store)
        return store

    def finalise(self, summary: bytes) -> None:
        self.staged.write(SUMMARY_FILE, summary)
        persisted: tuple[str, int] | None = None
        if self.persist:
            self._persisted_store()
            self._loaded.clear()  # the last reference: the store is closed
            assert self._new_store is not None
            quads = sum(self._lines(g) for g in self.chunks) + len(self._union())
            key, findings = self._validated or (None, ())
            fields = tuple((f.severity, f.focus, f.path, f.message, f.value) for f in findings)
            graphs = tuple(sorted(self._graph_digests().items()))
            note_store(self._new_store, StoreRecord(graphs, key, fields))
            persisted = (mark_store(self._new_store), quads)
        # Killed from here on, the directory has either no stamp (the graph files, always whole,
        # are read) or a stamp naming the store beside it: the stamp goes first and comes last.
        remove_stamp(self.out_dir)
        self.staged.commit()
        if self._files is not None:
            self._files.save()
        if self._namespaces is not None:
            self._facts.save(self._graph_digests(), *self._namespaces)
        if persisted is not None and self._new_store is not None:
            swap_store(self.out_dir, self._new_store, *persisted)
            self._new_store = None
        else:
            drop_store(self.out_dir)

    def discard(self) -> None:
        self.staged.discard()
        if self._worker is not None:
            self._worker.join()
        self._loaded.clear()
        if self._new_store is not None:
            shutil.rmtree(self._new_store, ignore_errors=True)
            self._new_store = None


def _merged_union(chunks: Mapping[str, bytes]) -> tuple[list[bytes], list[bytes]]:
    """The distinct triple lines of every graph but the ontology's (sorted), and the lines more
    than one graph holds, once per extra graph (sorted)."""
    lines: list[bytes] = []
    for graph, chunk in chunks.items():
        if graph != _ONTOLOGY:
            lines += _triple_lines(chunk, graph)
    lines.sort()  # the chunks are sorted runs
    # sorted: a repeated line follows its first copy (faster than a dict or a set)
    others = lines[:1] + [b for a, b in _neighbours(lines) if a != b]
    if len(others) == len(lines):
        return others, []
    return others, [b for a, b in _neighbours(lines) if a == b]


def _neighbours(lines: list[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """Each line with the line after it."""
    return zip(lines, islice(lines, 1, None), strict=False)


def _graph_of(line: bytes) -> str:
    """The graph term of an N-Quads line (the last term before " .")."""
    return line[:-3].rsplit(b" ", 1)[1].decode("utf-8")


def _merged(chunk: bytes | None, lines: list[bytes]) -> bytes:
    """A graph's sorted lines `chunk` (if any) and more `lines`, de-duplicated and sorted (as
    `nquads.graph_chunk` sorts: UTF-8 bytes sort as the code points they encode)."""
    if chunk:
        lines = [*chunk.splitlines(keepends=True), *lines]
    return b"".join(sorted(set(lines)))


def _triple_lines(chunk: bytes, graph: str) -> list[bytes]:
    """A graph's N-Quads lines (each ending `` <graph> .``) as N-Triples lines. Each line cut
    and ended again: a third faster than replacing the graph term in the text and splitting."""
    cut = -len(f" {graph} .\n".encode())
    return [line[:cut] + b" .\n" for line in chunk.splitlines(keepends=True)]


def _contains(ordered: list[bytes], item: bytes) -> bool:
    at = bisect_left(ordered, item)
    return at < len(ordered) and ordered[at] == item


def _blocks(lines: list[bytes]) -> Iterator[bytes]:
    """`lines` joined a block at a time."""
    for start in range(0, len(lines), BLOCK_LINES):
        yield b"".join(lines[start : start + BLOCK_LINES])


def _pieces(parts: Iterable[bytes], lines: int) -> Iterator[bytes]:
    """`parts` (whole lines each) regrouped into pieces of about `lines` lines."""
    piece: list[bytes] = []
    count = 0
    for part in parts:
        piece.append(part)
        count += part.count(b"\n")
        if count >= lines:
            yield b"".join(piece)
            piece, count = [], 0
    if piece:
        yield b"".join(piece)


def _descending(chunk: bytes) -> bytes:
    """A graph's lines in descending order (as an Oxigraph store holding them dumps them)."""
    lines = chunk.splitlines(keepends=True)
    lines.reverse()
    return b"".join(lines)


def _compact_jsonld(chunks: dict[str, bytes]) -> bytes:
    from ..rdf.dataset import new_dataset
    from ..rdf.serialize import serialize

    ds = new_dataset()
    ds.parse(data=b"".join(chunks[g] for g in sorted(chunks)), format="nquads")
    return serialize(ds, "json-ld")


# -- Oxigraph loading


def load_parts(parts: Iterable[bytes], path: Path | None = None) -> Store:
    """A store holding the N-Quads (or N-Triples: the default graph) text `parts`, in memory or
    in RocksDB at `path` (made afresh; one bulk load per part)."""
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        store = Store(str(path))
        for part in parts:
            store.bulk_load(part, RdfFormat.N_QUADS)
        store.flush()
        return store
    store = Store()
    with io.BufferedReader(_Reader(parts), 1 << 20) as reader:
        store.bulk_load(reader, RdfFormat.N_QUADS)
    return store


PATCH_LIMIT = 0.25
"""A copy of the previous store is patched when at most this share of the named graphs changed."""


def _changed_graphs(previous: Mapping[str, str], digests: Mapping[str, str]) -> list[str]:
    """The named graphs whose text differs between two digest tables (or is in one only)."""
    return sorted(g for g in previous.keys() | digests.keys() if previous.get(g) != digests.get(g))


def _worth_patching(previous: Mapping[str, str], digests: Mapping[str, str]) -> bool:
    return len(_changed_graphs(previous, digests)) <= max(4, PATCH_LIMIT * len(digests))


@dataclass(frozen=True)
class StorePatch:
    """What `patch_store` changed: how many named graphs, and the subjects (``<IRI>``) of the
    triples that entered or left a graph; None when a change reaches every node (the ontology
    graph, a subclass, a blank node)."""

    graphs: int
    subjects: frozenset[str] | None


def patch_store(
    store: Store,
    previous: Mapping[str, str],
    digests: Mapping[str, str],
    chunks: Mapping[str, bytes],
) -> StorePatch:
    """Make `store`, a copy of the store whose named graphs had the digests `previous`, hold the
    named graphs `chunks` (with `digests`) and their union as the default graph, rewriting only
    the graphs whose text changed."""
    changed = _changed_graphs(previous, digests)
    dropped: set[Triple] = set()
    added: set[Triple] = set()
    for graph in changed:
        node = NamedNode(graph[1:-1])
        old = {q.triple for q in store.quads_for_pattern(None, None, None, node)}
        new = (
            {q.triple for q in parse(chunks[graph], RdfFormat.N_QUADS)}
            if graph in digests
            else set()
        )
        store.remove_graph(node)
        if new:
            store.load(chunks[graph], RdfFormat.N_QUADS)
        dropped |= old - new
        added |= new - old
    default = DefaultGraph()
    for t in dropped - added:  # left the union unless another named graph still holds it
        held = store.quads_for_pattern(t.subject, t.predicate, t.object, None)
        if not any(not isinstance(q.graph_name, DefaultGraph) for q in held):
            store.remove(OxQuad(t.subject, t.predicate, t.object, default))
    for t in added:
        store.add(OxQuad(t.subject, t.predicate, t.object, default))
    store.flush()
    touched = dropped | added
    named = {t.subject.value for t in touched if isinstance(t.subject, NamedNode)}
    whole = (
        _ONTOLOGY in changed
        or len(named) < len({t.subject for t in touched})
        or any(t.predicate == _SUBCLASS for t in touched)
    )
    return StorePatch(len(changed), None if whole else frozenset(f"<{iri}>" for iri in named))


class _Reader(io.RawIOBase):
    """The concatenation of byte chunks as a binary stream, without copying them into one."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._chunk = b""
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while self._offset >= len(self._chunk):
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._chunk, self._offset = chunk, 0
        n = min(len(view), len(self._chunk) - self._offset)
        view[:n] = self._chunk[self._offset : self._offset + n]
        self._offset += n
        return n


def used_prefixes(
    texts: Iterable[bytes],
    prefixes: Mapping[str, str],
    names: bytes = b"",
    before: tuple[frozenset[str], frozenset[str]] | None = None,
    fresh: Iterable[bytes] = (),
) -> dict[str, str]:
    """The prefixes whose namespace occurs in `texts` or `names` (Oxigraph prints every prefix
    given). `before`: the namespaces an earlier build looked for and those it found in its
    text; then a namespace it looked for and did not find is looked for only in `fresh`, the
    texts new since."""
    fresh = list(fresh)
    used: dict[str, str] = {}
    for prefix, namespace in sorted(prefixes.items()):
        needle = f"<{namespace}".encode()
        if before is not None and namespace in before[0] and namespace not in before[1]:
            places: Iterable[bytes] = fresh
        else:
            places = texts
        if needle in names or any(needle in text for text in places):
            used[prefix] = namespace
    return used


class _Lazy:
    """An iterable over what an iterator yields, made once, as it is first asked for."""

    def __init__(self, items: Iterator[bytes]) -> None:
        self._items = items
        self._made: list[bytes] = []

    def __iter__(self) -> Iterator[bytes]:
        yield from self._made
        for item in self._items:
            self._made.append(item)
            yield item
