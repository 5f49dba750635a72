"""Per-page cache of a build directory (``<out>/.cache``): what each cell page yielded (its parsed
record, automatic discussion links, topics and named graph as N-Quads; `pipeline.pages`), keyed by
the page's SHA-256, the concept scheme's digest and a digest of the code that makes them, so an
unchanged page is neither parsed, tagged, linked nor turned into RDF again."""

from __future__ import annotations

import hashlib
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...ontology import ONTOLOGY_FILE
from ...ontology import namespace as _namespace
from ..base.files import CACHE_DIR
from .pages import Context, PageError, PageJob, PageWork, run_pages
from .sources import CELLS_DIR

_GRAPH = Path(__file__).resolve().parent.parent


def _code_files() -> list[Path]:
    """The modules that turn a page into its record and quads (every module of parsing/)."""
    return [
        *sorted((_GRAPH / "parsing").glob("*.py")),
        _GRAPH / "curation" / "tagger.py",
        _GRAPH / "curation" / "discussion.py",
        _GRAPH / "pipeline" / "pages.py",
        _GRAPH / "rdf" / "make.py",
        _GRAPH / "rdf" / "nquads.py",
        _GRAPH / "base" / "records.py",
        _GRAPH / "base" / "ids.py",
        _GRAPH / "base" / "text.py",
        _GRAPH / "base" / "matrices.py",
        _GRAPH / "pipeline" / "quads.py",
        _GRAPH / "pipeline" / "page_cache.py",
        Path(str(_namespace.__file__)),
        ONTOLOGY_FILE,  # its exact alignments make each page's aligned triples
    ]


def code_version() -> str:
    """Digest of the code that turns a page into its records and quads (part of every cache key)."""
    digest = hashlib.sha256(sys.version.encode())
    for path in _code_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:16]


@dataclass
class Entry:
    """One page: its cache key and what the page yielded."""

    key: str
    work: PageWork


class PageCache:
    """Cached records and quads per page; off (`enabled=False`) it only parses."""

    def __init__(self, out_dir: Path, epoch: int | None, enabled: bool, scheme: str = "-") -> None:
        self.dir = out_dir / CACHE_DIR
        self.enabled = enabled
        self.salt = f"{code_version()}:{epoch}:{scheme}"
        self.reused = 0
        self.parsed = 0

    def _file(self, relpath: str) -> Path:
        return self.dir / (hashlib.sha256(relpath.encode()).hexdigest()[:24] + ".pickle")

    def get(self, relpath: str, sha: str) -> Entry | None:
        if not self.enabled:
            return None
        try:
            with self._file(relpath).open("rb") as handle:
                entry = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return None
        if isinstance(entry, Entry) and entry.key == f"{sha}:{self.salt}":
            return entry
        return None

    def put(self, relpath: str, entry: Entry) -> None:
        if not self.enabled:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self._file(relpath)
        tmp = target.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(target)

    def works(
        self,
        data_dir: Path,
        context: Context,
        workers: int,
        tick: Callable[[int, int], None] | None = None,
    ) -> dict[str, PageWork | PageError]:
        """Every page's `PageWork`: from the cache when unchanged, else made on `workers` cores.

        A page that cannot even be read is left out: `read_cells` reports it in its turn.
        """
        # Pages without labels take them from the data's matrices.yaml: part of the cache key.
        matrices = data_dir / "matrices.yaml"
        if matrices.is_file():
            self.salt += ":" + hashlib.sha256(matrices.read_bytes()).hexdigest()[:16]
        paths = sorted((data_dir / CELLS_DIR).glob("**/*.txt")) if data_dir.is_dir() else []
        done: dict[str, PageWork | PageError] = {}
        todo: list[PageJob] = []

        def step() -> None:
            if tick is not None:
                tick(len(done), len(paths))

        for path in paths:
            relpath = path.relative_to(data_dir).as_posix()
            try:
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
            entry = self.get(relpath, sha)
            if entry is None:
                todo.append(PageJob(relpath, sha))
            else:
                done[relpath] = entry.work
                self.reused += 1
                step()
        for result in run_pages(context, todo, workers):
            done[result.relpath] = result
            step()
            if isinstance(result, PageWork):
                self.parsed += 1
                self.put(result.relpath, Entry(f"{result.sha256}:{self.salt}", result))
        return done
