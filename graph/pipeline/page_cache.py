"""Per-page cache of a build directory (``<out>/.cache``): each cell page's parsed record and its
quads in a store's own form, keyed by the page's SHA-256 and a digest of the code that makes them,
so an unchanged page is neither parsed nor turned into RDF again.

Entries are data, never code: one line of JSON (format, key, the record through `base.codec`, the
SHA-256 of the quads) followed by the quads as N-Quads text. Reading checks everything — the
format, the key, the page's SHA-256 inside the record, the digest of the quads, and the record
field by field — so a corrupt, stale or planted file is ignored and the page is parsed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...ontology import namespace as _namespace
from ..base.codec import from_json, to_json
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
        _GRAPH / "base" / "codec.py",
        _GRAPH / "base" / "ids.py",
        _GRAPH / "base" / "text.py",
        _GRAPH / "base" / "matrices.py",
        _GRAPH / "pipeline" / "quads.py",
        _GRAPH / "pipeline" / "page_cache.py",
        Path(str(_namespace.__file__)),
    ]


FORMAT = "evidence-graph page cache 2"
"""The first field of every cache file; a file without it is not an entry."""


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
        return self.dir / (hashlib.sha256(relpath.encode()).hexdigest()[:24] + ".json")

    def get(self, relpath: str, sha: str) -> Entry | None:
        """The entry of the page at `relpath` with content `sha`; None unless it checks out."""
        if not self.enabled:
            return None
        try:
            head, _, chunk = self._file(relpath).read_bytes().partition(b"\n")
            data = json.loads(head)
        except (OSError, ValueError, RecursionError):
            return None
        return _entry(data, chunk, f"{sha}:{self.salt}", sha)

    def put(self, relpath: str, entry: Entry) -> None:
        if not self.enabled:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self._file(relpath)
        data = {
            "format": FORMAT,
            "key": entry.key,
            "chunk_sha256": hashlib.sha256(entry.chunk).hexdigest() if entry.chunk else None,
            "cell": to_json(entry.cell),
        }
        # JSON escapes every line break inside strings: the header is exactly one line.
        head = json.dumps(data, ensure_ascii=False).encode("utf-8")
        tmp = target.with_name(f"{target.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_bytes(head + b"\n" + (entry.chunk or b""))
        os.replace(tmp, target)

    def parser(self, data_dir: Path) -> Callable[[Path, str], Cell]:
        """A `read_cells` parse function that reuses cached records of unchanged pages."""
        from ..parsing import parse_file

        # Pages without labels take them from the data's matrices.yaml: part of the cache key.
        matrices = data_dir / "matrices.yaml"
        if matrices.is_file():
            self.salt += ":" + hashlib.sha256(matrices.read_bytes()).hexdigest()[:16]

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


def _entry(data: object, body: bytes, key: str, sha: str) -> Entry | None:
    """The entry of header `data` and quads `body` if it is a sound entry of exactly `key`."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return None
    digest = data.get("chunk_sha256")
    chunk: bytes | None = None
    if digest is None:
        if body:
            return None
    elif hashlib.sha256(body).hexdigest() == digest:
        chunk = body
    else:
        return None
    try:
        cell = from_json(Cell, data.get("cell"))
    except ValueError:
        return None
    if cell.sha256 != sha:
        return None
    return Entry(key, cell, chunk)
