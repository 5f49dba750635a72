"""The stores a build writes into, as sinks behind one small interface (as kgx's sinks are).

The pipeline (`pipeline.build`) makes the quads once and hands them to a sink, which adds them,
validates them (SHACL), counts them, writes the graph files and finalises the build directory.
Sinks are looked up by store name and imported only when used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import Protocol, cast

from rdflib import URIRef

from .. import STORES
from ..base.errors import UnknownFormat
from ..rdf.dataset import Quad
from ..rdf.describe import DatasetCounts
from ..rdf.make import TermQuad
from ..reading.stats import GraphStats


class Sink(Protocol):
    """A store receiving one build's quads and writing its files into the build directory."""

    uses_page_cache: bool
    """Whether the sink takes a page's quads as the page work made them (N-Quads text), so the
    pages are done in a process pool and kept in the page cache (`pipeline.pages`)."""
    rewritten: int | None
    """Named graphs rewritten in a copy of the previous build's store (None: stored afresh)."""
    revalidated: int | None
    """Focus nodes checked again after a change (None: the whole graph was validated)."""

    def add_page(
        self,
        graph: URIRef,
        quads: Callable[[], Iterable[Quad]],
        cached: bytes | None,
        digest: str | None = None,
    ) -> None:
        """Add one page's quads (in `graph`, and what they entail in the aligned graph): those
        `quads` gives, or, for a sink that `uses_page_cache`, the page work's N-Quads text
        `cached` when given (whose lines in `graph` have the SHA-256 `digest`, when given)."""

    def add(self, quads: Iterable[TermQuad]) -> None:
        """Add quads (in line form), each into its named graph."""

    def dataset_counts(self) -> DatasetCounts:
        """What VoID counts of the union of every graph added so far."""

    def validate(self) -> tuple[str, ...]:
        """SHACL-validate the union of the graphs: warnings; `ValidationFailed` on a violation."""

    def count(self) -> GraphStats:
        """Counts per class and relation (as `reading.stats.compute` makes them)."""

    def write(self) -> None:
        """Stage the graph files (TriG, Turtle, JSON-LD) in the build directory."""

    def finalise(self, summary: bytes) -> None:
        """Stage ``summary.json`` and move every staged file into place, all or nothing."""

    def discard(self) -> None:
        """Drop everything staged: the build directory keeps its previous files."""


def open_sink(store: str, out_dir: Path, *, persist: bool = True) -> Sink:
    """The sink of `store` (one of `STORES`) writing into `out_dir`."""
    if store not in STORES:
        raise UnknownFormat(store, STORES, what="store")
    module_name, _, class_name = STORES[store].partition(":")
    factory = getattr(import_module(module_name), class_name)
    return cast(Sink, factory(Path(out_dir), persist=persist))
