"""File handling shared by every command: atomic output, and where a built graph lives."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import GraphNotFound

BUILD_GRAPH_FILE = "evidence.trig"
"""The file in a build directory that `-g/--graph DIR` and `load_dataset(DIR)` mean."""


@contextmanager
def atomic_write(path: str | Path) -> Iterator[IO[bytes]]:
    """Open a temporary file next to `path` for binary writing; replace `path` only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all_atomically(files: Mapping[Path, bytes]) -> None:
    """Write several files so that either all are replaced or none is.

    Every temporary file is written first; only then are they renamed into place.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target, content in sorted(files.items()):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


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
