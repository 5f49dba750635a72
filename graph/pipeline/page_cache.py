"""Per-page cache of a build directory (``<out>/.cache``): what each cell page yielded (its parsed
record, automatic discussion links, topics and named graph as N-Quads; `pipeline.pages`), keyed by
the page's SHA-256, the concept scheme's digest and a digest of the code that makes them, so an
unchanged page is neither parsed, tagged, linked nor turned into RDF again. Beside them,
``claims.json`` keeps what each claims file yielded (`curation.claims.ClaimsMemo`).

Entries are data, never code: one line of JSON (format, key, the records through `base.codec`, the
SHA-256 of the page's named graph's lines and of the rest) followed by the quads as N-Quads text.
The record leaves the page's lines out (an empty list in their place; they were a quarter of
it): they are split again from the page's bytes, read anyway to hash them. Reading checks
everything — the format, the key, the page's SHA-256 inside the record, the digests of the
quads, and the records field by field — so a corrupt, stale or planted file is ignored and the
page is made again. The named graph's digest, checked, is then the graph's key in the build (not
hashed again).
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
from typing import Any

from ...ontology import ONTOLOGY_FILE
from ...ontology import namespace as _namespace
from ..base.codec import field_index, from_json, to_json
from ..base.files import CACHE_DIR, atomic_write
from ..base.records import Cell, Discussion, Subject
from ..curation.claims import ClaimsMemo
from ..parsing.lines import split_lines
from ..rdf.nquads import split_page_chunk
from .pages import Context, PageError, PageJob, PageWork, page_graph_term, run_pages
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
        _GRAPH / "base" / "codec.py",
        _GRAPH / "base" / "ids.py",
        _GRAPH / "base" / "text.py",
        _GRAPH / "base" / "matrices.py",
        _GRAPH / "pipeline" / "quads.py",
        _GRAPH / "pipeline" / "page_cache.py",
        Path(str(_namespace.__file__)),
        ONTOLOGY_FILE,  # its exact alignments make each page's aligned triples
    ]


FORMAT = "evidence-graph page cache 6"
"""The first field of every cache file; a file without it is not an entry."""

_LINES = field_index(Cell, "lines")
"""Where a page's lines stand in its cell's record: left empty in the cache."""
_SOURCE = field_index(Cell, "source")
"""Where the page's path stands in its cell's record: the path it has now, when read."""

CLAIMS_MEMO_FILE = "claims.json"
"""What each claims file yielded (`curation.claims.ClaimsMemo`), beside the pages' entries."""
CLAIMS_FORMAT = "evidence-graph claims memo 2"


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
        self.code = code_version()
        self.salt = f"{self.code}:{epoch}:{scheme}"
        self.reused = 0
        self.parsed = 0

    def _file(self, relpath: str) -> Path:
        return self.dir / (hashlib.sha256(relpath.encode()).hexdigest()[:24] + ".json")

    def get(self, path: Path, relpath: str, sha: str, page: bytes) -> Entry | None:
        """The entry of the page at `relpath` (found at `path`) whose bytes `page` have the
        SHA-256 `sha`; None unless it checks out."""
        if not self.enabled:
            return None
        try:
            with self._file(relpath).open("rb") as handle:  # two reads: the body is not copied
                head = handle.readline()
                chunk = handle.read()
            data = json.loads(head)
        except (OSError, ValueError, RecursionError):
            return None
        return _entry(data, chunk, f"{sha}:{self.salt}", path, relpath, sha, page)

    def put(self, relpath: str, entry: Entry) -> None:
        if not self.enabled:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self._file(relpath)
        work = entry.work
        cell = to_json(work.cell)
        cell[_LINES] = []  # split again from the page when read
        data = {
            "format": FORMAT,
            "key": entry.key,
            "graph_sha256": work.graph_sha256,
            "rest_sha256": hashlib.sha256(
                split_page_chunk(work.chunk, page_graph_term(relpath))[1]
            ).hexdigest(),
            "cell": cell,
            "links": to_json(work.links),
            "subjects": to_json(work.subjects),
        }
        # JSON escapes every line break inside strings: the header is exactly one line.
        head = json.dumps(data, ensure_ascii=False).encode("utf-8")
        tmp = target.with_name(f"{target.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_bytes(head + b"\n" + work.chunk)
        os.replace(tmp, target)

    def claims_memo(self) -> ClaimsMemo | None:
        """What the last build's claims loading found (``claims.json``; empty when there is none
        or it is not sound); None when the cache is off."""
        if not self.enabled:
            return None
        checker = hashlib.sha256((_GRAPH / "curation" / "claims.py").read_bytes()).hexdigest()
        memo = ClaimsMemo(f"{self.code}:{checker[:16]}")
        try:
            data = json.loads((self.dir / CLAIMS_MEMO_FILE).read_bytes())
        except (OSError, ValueError, RecursionError):
            return memo
        if isinstance(data, dict) and data.get("format") == CLAIMS_FORMAT:
            files = data.get("files")
            if isinstance(files, dict):
                memo.previous = files
        return memo

    def save_claims_memo(self, memo: ClaimsMemo | None) -> None:
        """Keep what this build's claims loading found, for the next build (when it changed)."""
        if memo is None or memo.current == memo.previous:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        data = {"format": CLAIMS_FORMAT, "files": memo.current}
        with atomic_write(self.dir / CLAIMS_MEMO_FILE) as out:
            out.write(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))

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
                page = path.read_bytes()
            except OSError:
                continue
            sha = hashlib.sha256(page).hexdigest()
            entry = self.get(path, relpath, sha, page)
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


def _entry(
    data: Any, body: bytes, key: str, path: Path, relpath: str, sha: str, page: bytes
) -> Entry | None:
    """The entry of header `data` and quads `body` if it is a sound entry of exactly `key`, for
    the page whose bytes are `page`, now at `path` (the record's source: the data directory may
    have moved, or be named another way, since the entry was made)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return None
    own, rest = split_page_chunk(body, page_graph_term(relpath))
    digest = hashlib.sha256(own).hexdigest()
    if digest != data.get("graph_sha256"):
        return None
    if hashlib.sha256(rest).hexdigest() != data.get("rest_sha256"):
        return None
    links_type: Any = tuple[Discussion, ...]
    subjects_type: Any = tuple[Subject, ...]
    cell_data = data.get("cell")
    if not isinstance(cell_data, list) or len(cell_data) <= _LINES or cell_data[_LINES] != []:
        return None
    try:
        cell_data[_LINES] = split_lines(page.decode("utf-8"))  # as the parser split them
        cell_data[_SOURCE] = str(path)  # as the parser names it
        cell = from_json(Cell, cell_data)
        links = from_json(links_type, data.get("links"))
        subjects = from_json(subjects_type, data.get("subjects"))
    except ValueError:  # UnicodeDecodeError too
        return None
    if cell.sha256 != sha:
        return None
    return Entry(key, PageWork(relpath, sha, cell, links, subjects, body, digest))
