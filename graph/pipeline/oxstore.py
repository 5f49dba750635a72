"""The Oxigraph fast path: quads as N-Quads text, one bulk load, Rust writers, a persisted store.

rdflib's memory store costs ~1.4 kB and tens of microseconds per triple, and its serializers take
about a minute per million triples (ECOSYSTEM.md). Here quads are turned into N-Quads lines once
(cached per source file by `graph.incremental`), loaded into a `pyoxigraph.Store` in one call, and
written by Oxigraph's own TriG/Turtle/JSON-LD writers.

Determinism: an in-memory Oxigraph store dumps quads in insertion order, so the lines are loaded
sorted (graph by graph in IRI order, each graph's lines sorted); the same input therefore gives
byte-identical files, whichever sources came from the cache.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, QuerySolutions, RdfFormat, Store
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .persist import STAMP_FILE, STORE_DIR, open_persisted, write_stamp

__all__ = ["STAMP_FILE", "STORE_DIR", "open_persisted", "write_stamp"]

_XSD_STRING = str(XSD.string)


def _escape(value: str) -> str:
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if '"' in value:
        value = value.replace('"', '\\"')
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def term(node: Node) -> str:
    """`node` in N-Quads syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = f'"{_escape(str(node))}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{text}^^<{node.datatype}>"
        return text
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"cannot write {node!r} as N-Quads")


class LineWriter:
    """Turns rdflib quads into N-Quads lines, remembering the text of IRIs it has seen."""

    def __init__(self) -> None:
        self._iris: dict[Node, str] = {}

    def _t(self, node: Node) -> str:
        text = self._iris.get(node)
        if text is None:
            text = term(node)
            if isinstance(node, URIRef):
                self._iris[node] = text
        return text

    def lines(self, quads: Iterable[tuple[Node, Node, Node, Node]]) -> dict[str, list[str]]:
        """Graph IRI → its N-Quads lines (unsorted, may repeat)."""
        out: dict[str, list[str]] = {}
        t = self._t
        for s, p, o, g in quads:
            gt = t(g)
            bucket = out.get(gt)
            if bucket is None:
                bucket = out[gt] = []
            bucket.append(f"{t(s)} {t(p)} {t(o)} {gt} .\n")
        return out


def graph_chunk(lines: Iterable[str]) -> bytes:
    """One graph's lines, de-duplicated and sorted, as UTF-8 N-Quads."""
    return "".join(sorted(set(lines))).encode("utf-8")


def union_ntriples(chunks: Mapping[str, bytes]) -> bytes:
    """The union of every graph's triples (graph term dropped), de-duplicated and sorted."""
    triples: set[bytes] = set()
    for graph, chunk in chunks.items():
        cut = len(graph.encode("utf-8")) + 4  # drop " <g> .\n"
        triples.update(line[:-cut] for line in chunk.splitlines(keepends=True) if line)
    return b" .\n".join(sorted(triples)) + b" .\n" if triples else b""


def select(store: Store, query: str, union: bool = True) -> QuerySolutions:
    """Run a SELECT over the union of the named graphs (or over the default graph)."""
    result = store.query(query, use_default_graph_as_union=union)
    assert isinstance(result, QuerySolutions)
    return result


def load(chunks: Mapping[str, bytes], path: Path | None = None, default: bytes = b"") -> Store:
    """A store holding every chunk, loaded in graph-IRI order (in memory, or RocksDB at `path`).

    `default` (N-Triples, e.g. `union_ntriples(chunks)`) fills the default graph: the persisted
    store's default graph is the union of the named graphs as a set (see `graph.sparql.open_store`).
    """
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(str(path)) if path is not None else Store()
    parts = [chunks[g] for g in sorted(chunks)] + ([default] if default else [])
    if parts:
        reader = io.BufferedReader(_Reader(parts), 1 << 20)
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


class Staged:
    """Output files written straight to temporary files, renamed into place all at once."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files: dict[str, Path] = {}
        out_dir.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.out_dir)
        os.close(fd)
        self.files[name] = Path(tmp)
        return Path(tmp)

    def write(self, name: str, data: bytes) -> None:
        self.path(name).write_bytes(data)

    def commit(self) -> None:
        for name, tmp in sorted(self.files.items()):
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.out_dir / name)
        self.files.clear()

    def discard(self) -> None:
        for tmp in self.files.values():
            tmp.unlink(missing_ok=True)
        self.files.clear()
