"""The rdflib memory store as a build sink: the reference the Oxigraph sink is checked against."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import URIRef

from ..base.files import GRAPH_OUTPUTS, SUMMARY_FILE, Staged
from ..rdf.dataset import Quad, add_quads, new_dataset
from ..rdf.describe import DatasetCounts, count_ntriples
from ..rdf.make import TermQuad, rdflib_quads
from ..rdf.serialize import serialize
from ..reading.stats import GraphStats, compute
from .persisted_store import drop_store, remove_stamp


class MemorySink:
    """Quads in an rdflib `Dataset`, validated by pyshacl, written by the exporter registry."""

    uses_page_cache = False
    rewritten: int | None = None
    revalidated: int | None = None

    def __init__(self, out_dir: Path, *, persist: bool = True) -> None:
        del persist  # nothing to persist: the files are the graph
        self.ds = new_dataset()
        self.staged = Staged(out_dir)

    def add_page(
        self,
        graph: URIRef,
        quads: Callable[[], Iterable[Quad]],
        cached: bytes | None,
        digest: str | None = None,
    ) -> None:
        del cached, digest  # the memory store makes its quads afresh
        add_quads(self.ds, quads())

    def add(self, quads: Iterable[TermQuad]) -> None:
        add_quads(self.ds, rdflib_quads(quads))

    def dataset_counts(self) -> DatasetCounts:
        return count_ntriples(serialize(self.ds, "nt"))

    def validate(self) -> tuple[str, ...]:
        from ..validation.shacl import validate

        return tuple(f.render() for f in validate(self.ds).warnings)

    def count(self) -> GraphStats:
        return compute(self.ds)

    def write(self) -> None:
        for name, syntax in GRAPH_OUTPUTS.items():
            self.staged.write(name, serialize(self.ds, syntax))

    def finalise(self, summary: bytes) -> None:
        self.staged.write(SUMMARY_FILE, summary)
        remove_stamp(self.staged.directory)  # a store persisted earlier no longer matches
        self.staged.commit()
        drop_store(self.staged.directory)

    def discard(self) -> None:
        self.staged.discard()
