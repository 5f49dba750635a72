"""Per-page cache of a build directory (``<out>/.cache``): each cell page's parsed record and its
quads in a store's own form, keyed by the page's SHA-256 and a digest of the code that makes them,
so an unchanged page is neither parsed nor turned into RDF again."""

from __future__ import annotations

import hashlib
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...ontology import namespace as _namespace
from ..base.files import CACHE_DIR
from ..base.records import Cell

_GRAPH = Path(__file__).resolve().parent.parent


def _code_files() -> list[Path]:
    """The modules that turn a page into its record and quads (every module of parsing/)."""
    return [
        *sorted((_GRAPH / "parsing").glob("*.py")),
        _GRAPH / "rdf" / "make.py",
        _GRAPH / "rdf" / "nquads.py",
        _GRAPH / "base" / "records.py",
        _GRAPH / "base" / "ids.py",
        _GRAPH / "base" / "text.py",
        _GRAPH / "base" / "matrices.py",
        _GRAPH / "pipeline" / "quads.py",
        _GRAPH / "pipeline" / "page_cache.py",
        Path(str(_namespace.__file__)),
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
    """One page: its cache key, parsed record, and its quads as the sink keeps them (or None)."""

    key: str
    cell: Cell
    chunk: bytes | None = None


class PageCache:
    """Cached records and quads per page; off (`enabled=False`) it only parses."""

    def __init__(self, out_dir: Path, epoch: int | None, enabled: bool) -> None:
        self.dir = out_dir / CACHE_DIR
        self.enabled = enabled
        self.salt = f"{code_version()}:{epoch}"
        self.entries: dict[str, Entry] = {}
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

    def parser(self, data_dir: Path) -> Callable[[Path, str], Cell]:
        """A `read_cells` parse function that reuses cached records of unchanged pages."""
        from ..parsing.page import parse_file

        def parse(path: Path, sha: str) -> Cell:
            relpath = path.relative_to(data_dir).as_posix()
            entry = self.get(relpath, sha)
            if entry is None:
                entry = Entry(f"{sha}:{self.salt}", parse_file(path))
                self.parsed += 1
            else:
                self.reused += 1
            self.entries[relpath] = entry
            return entry.cell

        return parse
