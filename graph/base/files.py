"""File handling shared by every command: the build directory's file names, the one atomic writer,
the graph files a command can read, and where a built graph lives."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import GraphNotFound

# --- the build directory: every file name in one place ------------------------------------------

TRIG_FILE = "evidence.trig"
"""The named graphs as TriG: the file `-g/--graph DIR` and `load_dataset(DIR)` mean."""
TURTLE_FILE = "evidence.ttl"
"""The union of the named graphs as Turtle."""
JSONLD_FILE = "evidence.jsonld"
"""The named graphs as JSON-LD, compacted with the project's context."""
SUMMARY_FILE = "summary.json"
"""What the build made: counts, problems, warnings."""
STORE_DIR = "store"
"""The persisted (RocksDB) Oxigraph store."""
STAMP_FILE = "store.stamp"
"""Written beside the persisted store: which ``evidence.trig`` the store matches."""
CACHE_DIR = ".cache"
"""Per-page records and quads reused by the next build."""
LOCK_FILE = ".build.lock"
"""Locked (``lockf``) by the build writing the directory; holds that build's process id."""
SWAP_LOCK_FILE = ".store.lock"
"""Locked shared by readers opening the persisted store, exclusively by a build swapping it."""
STORE_ID_FILE = "evidence-graph.id"
"""Inside the persisted store: its random id, which the stamp names, so a store that is not the
one the stamp describes (replaced, wiped, half-written) is recognised."""
STORE_RECORD_FILE = "evidence-graph.record.json"
"""Inside the persisted store: a digest of each named graph's text and the validation findings,
so the next build can start from a copy of the store, rewrite only the graphs that changed and
check again only the nodes they touch."""
NEW_STORE_PREFIX = ".store.new-"
"""A persisted store being written; swapped in as ``store`` when the build succeeds."""
OLD_STORE_PREFIX = ".store.old-"
"""The previous persisted store, moved aside by the swap and then removed."""

BUILD_GRAPH_FILE = TRIG_FILE
GRAPH_OUTPUTS: dict[str, str] = {TRIG_FILE: "trig", TURTLE_FILE: "turtle", JSONLD_FILE: "json-ld"}
"""Graph file of a build → its syntax (`rdf.serialize`); ``summary.json`` is written beside them."""

GRAPH_SUFFIXES: dict[str, str] = {
    ".trig": "trig",
    ".nq": "nquads",
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
}
"""The one table of graph files a command reads: suffix → rdflib parser name (Oxigraph reads the
same suffixes)."""


# --- the one atomic writer -------------------------------------------------------------------


class Staged:
    """Files written to temporary names in one directory, renamed into place all at once.

    `commit` renames every file only after all were written; `discard` (or an error before
    `commit`) leaves the directory's previous files untouched.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.files: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        """A fresh temporary file that `commit` will move to ``directory/name``."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.directory)
        os.close(fd)
        previous = self.files.get(name)
        if previous is not None:
            previous.unlink(missing_ok=True)
        self.files[name] = Path(tmp)
        return Path(tmp)

    def write(self, name: str, data: bytes) -> None:
        """Stage ``directory/name`` with `data`."""
        self.path(name).write_bytes(data)

    def commit(self) -> None:
        """Rename every staged file into place (in name order)."""
        for name, tmp in sorted(self.files.items()):
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.directory / name)
        self.files.clear()

    def discard(self) -> None:
        """Remove every staged file; the targets keep their previous content."""
        for tmp in self.files.values():
            tmp.unlink(missing_ok=True)
        self.files.clear()


@contextmanager
def atomic_write(path: str | Path) -> Iterator[IO[bytes]]:
    """Open a temporary file next to `path` for binary writing; replace `path` only on success."""
    target = Path(path)
    staged = Staged(target.parent)
    try:
        with staged.path(target.name).open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        staged.commit()
    except BaseException:
        staged.discard()
        raise


def resolve_graph_path(path: str | Path) -> Path:
    """The RDF file behind `path`: the file itself, or `evidence.trig` in a build directory."""
    target = Path(path)
    if target.is_dir():
        target = target / BUILD_GRAPH_FILE
    if not target.is_file():
        raise GraphNotFound(target)
    return target


def write_directory_atomically(directory: str | Path, files: Mapping[str, bytes]) -> None:
    """Make `directory` hold exactly `files` (relative POSIX path → bytes), all or nothing.

    The files are written into a temporary directory beside it, which then replaces it; a failure
    leaves the previous directory as it was. A relative path may not leave the directory.
    """
    import shutil

    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    old: Path | None = None
    try:
        for name, content in sorted(files.items()):
            relative = Path(name)
            if relative.is_absolute() or ".." in relative.parts:
                raise ValueError(f"{name!r} is not a path inside the output directory")
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        os.chmod(staging, 0o755)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not target.exists():
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
