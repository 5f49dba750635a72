"""Per-page work of the build, on every core: read, parse, tag, link and turn one page into quads.

Everything a page yields depends on that page alone (and on the concept scheme for its topics): its
`Cell` record, the automatic discussed-in links of its entries, the topics of its listings and
sections, and its named graph as sorted N-Quads with those links and topics in it. `run_pages`
does this for many pages in a process pool and returns the results in the order of the pages
given, so the build merges them in a fixed order and its output does not depend on `jobs`.
Cross-page steps (claims and their quotes, curated overrides, the small shared graphs) stay in the
calling process.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from ..base.errors import SourceError
from ..base.processes import end_with_parent
from ..base.records import Cell, Concept, Discussion, Subject
from ..curation.tagger import Matchers, matchers, tag
from ..rdf import make as rdf
from ..rdf.nquads import page_chunk, split_page_chunk, term_lines


@dataclass(frozen=True)
class PageWork:
    """What one page yields: its record, its automatic links and topics, and its named graph."""

    relpath: str
    sha256: str
    cell: Cell
    links: tuple[Discussion, ...]
    """Automatic discussed-in links of the page's entries (curated overrides not applied)."""
    subjects: tuple[Subject, ...]
    """Topics of the page's listings and sections."""
    chunk: bytes
    """The page's named graph as sorted N-Quads (its own quads, its links' and topics'), then
    what they entail in the aligned graph."""
    graph_sha256: str
    """The SHA-256 of the page's named graph's lines (the first part of `chunk`)."""


@dataclass(frozen=True)
class PageError:
    """A page that could not be read, to be raised where the sequential build would raise it."""

    relpath: str
    path: str
    line: int | None
    message: str
    hint: str
    os_error: OSError | UnicodeDecodeError | None = None

    def exception(self) -> Exception:
        if self.os_error is not None:
            return self.os_error
        return SourceError(self.path, self.line, self.message, hint=self.hint)


@dataclass(frozen=True)
class PageJob:
    """One page to do: where it is and its content hash (already computed by the caller)."""

    relpath: str
    sha256: str


@dataclass(frozen=True)
class Context:
    """What every worker needs: the data directory, the concept scheme and the build's epoch."""

    data_dir: str
    concepts: tuple[Concept, ...]
    epoch: int | None


def page_graph_term(relpath: str) -> rdf.Term:
    """The named graph of the page at `relpath`, in line form."""
    return rdf.nt(rdf.graph_iri(relpath))


def page_terms(
    relpath: str,
    sha256: str,
    cell: Cell,
    links: Sequence[Discussion],
    subjects: Sequence[Subject],
    epoch: int | None,
) -> Iterator[rdf.TermQuad]:
    """Every quad of one page's named graph (its provenance and content, links and topics), each
    followed by what it entails in the aligned graph; in line form."""
    g = page_graph_term(relpath)
    documents = rdf.listing_documents(cell)
    own = chain(
        rdf.provenance_terms(g, relpath, sha256, "cell", epoch),
        rdf.cell_terms(cell, g),
        rdf.page_identifier_terms(cell, g),
        *(rdf.discussion_terms(link, documents[link.listing], g) for link in links),
        *(rdf.subject_terms(subject, g) for subject in subjects),
    )
    return rdf.aligned_terms(own)


def page_graph_chunk(
    relpath: str,
    sha256: str,
    cell: Cell,
    links: Sequence[Discussion],
    subjects: Sequence[Subject],
    epoch: int | None,
) -> bytes:
    """One page's quads as sorted N-Quads: its own graph first, then the aligned graph."""
    by_graph = term_lines(page_terms(relpath, sha256, cell, links, subjects, epoch))
    return page_chunk(by_graph, page_graph_term(relpath))


def do_page(context: Context, compiled: Matchers, job: PageJob) -> PageWork | PageError:
    """Parse, tag, link and make the quads of one page (in a worker or in the calling process)."""
    from ..curation.discussion import auto_links
    from ..parsing.page import parse_file

    path = Path(context.data_dir) / job.relpath
    try:
        cell = parse_file(path)
    except SourceError as exc:
        return PageError(job.relpath, exc.path, exc.line, exc.message, exc.hint)
    except (OSError, UnicodeDecodeError) as exc:
        return PageError(job.relpath, str(path), None, str(exc), "", exc)
    subjects = tag([cell], (), context.concepts, compiled=compiled) if context.concepts else ()
    links = tuple(auto_links(cell))
    chunk = page_graph_chunk(job.relpath, job.sha256, cell, links, subjects, context.epoch)
    own, _ = split_page_chunk(chunk, page_graph_term(job.relpath))
    digest = hashlib.sha256(own).hexdigest()
    return PageWork(job.relpath, job.sha256, cell, links, subjects, chunk, digest)


_WORKER: list[tuple[Context, Matchers]] = []
"""The context of this worker process and its compiled concept labels (made once per worker)."""


def _init(context: Context, parent: int) -> None:
    end_with_parent(parent)  # a killed build leaves no worker behind
    _WORKER[:] = [(context, matchers(context.concepts))]


def _work(job: PageJob) -> PageWork | PageError:
    context, compiled = _WORKER[0]
    return do_page(context, compiled, job)


def default_jobs() -> int:
    """All the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_pages(
    context: Context, jobs: Sequence[PageJob], workers: int
) -> Iterator[PageWork | PageError]:
    """`do_page` for every job, on `workers` processes; results in the order of `jobs`."""
    if workers <= 1 or len(jobs) < 2 * workers:
        compiled = matchers(context.concepts)
        for job in jobs:
            yield do_page(context, compiled, job)
        return
    methods = multiprocessing.get_all_start_methods()
    start = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunksize = max(1, min(16, len(jobs) // (workers * 4)))
    with ProcessPoolExecutor(
        workers, mp_context=start, initializer=_init, initargs=(context, os.getpid())
    ) as pool:
        yield from pool.map(_work, jobs, chunksize=chunksize)
