"""The build, one pipeline for every store: data dir → parsed cells → curation → quads → a store
sink (validate, count, write) → files, all or nothing.

`build(data_dir, out_dir)` writes ``evidence.trig`` (named graphs), ``evidence.ttl`` (their union),
``evidence.jsonld`` and ``summary.json`` into `out_dir` atomically and returns a `BuildResult`.
The output is byte-identical across runs and stores for the same data (no timestamps unless
SOURCE_DATE_EPOCH is set). User errors raise the library's exceptions and leave the previous
output in place. Progress goes to an optional callback; nothing here prints.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from .. import DEFAULT_STORE
from ..rdf.make import graph_iri
from .lock import build_lock
from .page_cache import PageCache
from .persisted_store import clean_leftovers
from .quads import dataset_quads, source_quads
from .result import BuildResult, Timings, build_result
from .sinks import open_sink
from .sources import check_data_dir, curate, epoch, read_cells

Progress = Callable[[str, int, int], None]
"""Called as work advances: (stage, items done, items in all), e.g. ("parsing", 12, 400)."""


class _Clock:
    """Seconds and peak memory per stage, into a `Timings`."""

    def __init__(self, timings: Timings) -> None:
        self.timings = timings
        self.start = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        stages = self.timings.stages
        stages[name] = stages.get(name, 0.0) + now - self.start
        self.timings.peak_mb[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.start = now


def build(
    data_dir: Path,
    out_dir: Path,
    *,
    validate: bool = True,
    store: str = DEFAULT_STORE,
    cache: bool = True,
    persist: bool = True,
    progress: Progress | None = None,
    drafts: bool = False,
) -> BuildResult:
    """Parse, curate, make quads, hand them to the `store` sink (validate, count, write).

    `cache` reuses unchanged pages' records and quads from ``<out>/.cache`` (stores that keep
    quads as text only); `persist` keeps the Oxigraph store in ``<out>/store``; `drafts` adds
    machine-drafted claims for every page, one named graph per page (nothing written to data).
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    check_data_dir(data_dir)  # before the lock creates `out_dir`
    with build_lock(out_dir):
        clean_leftovers(out_dir)
        return _build(data_dir, out_dir, validate, store, cache, persist, progress, drafts)


def _build(
    data_dir: Path,
    out_dir: Path,
    validate: bool,
    store: str,
    cache: bool,
    persist: bool,
    progress: Progress | None,
    drafts: bool,
) -> BuildResult:
    """`build`, once the build directory is locked."""
    timings = Timings()
    clock = _Clock(timings)
    sink = open_sink(store, out_dir, persist=persist)
    when = epoch()
    pages = PageCache(out_dir, when, cache and sink.uses_page_cache)

    def tick(stage: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        report = progress
        return lambda done, total: report(stage, done, total)

    try:
        sources = read_cells(data_dir, parse=pages.parser(data_dir), tick=tick("parsing"))
        timings.parsed, timings.reused = pages.parsed, pages.reused
        clock.lap("parse")
        curation = curate(data_dir, [sc.cell for sc in sources], drafts)
        clock.lap("curate")

        making = tick("making RDF")
        for done, sc in enumerate(sources, 1):
            entry = pages.entries[sc.relpath]
            chunk = sink.add_page(
                graph_iri(sc.relpath), partial(source_quads, sc, when), entry.chunk
            )
            if chunk is not None and entry.chunk is None:
                entry.chunk = chunk
                pages.put(sc.relpath, entry)
            if making is not None:
                making(done, len(sources))
        sink.add(dataset_quads(data_dir, sources, curation, when, per_source=False))
        clock.lap("rdf")
        warnings = sink.validate() if validate else ()
        clock.lap("validate")
        stats = sink.count()
        clock.lap("count")
        sink.write()
        clock.lap("write")
        result = build_result(
            data_dir, out_dir, sources, curation, stats=stats, warnings=warnings, timings=timings
        )
        sink.finalise(result.summary_bytes())
        clock.lap("finalise")
    except BaseException:
        sink.discard()
        raise
    return result
