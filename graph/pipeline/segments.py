"""Graph files written as segments, so that a rebuild copies what did not change.

Oxigraph's writers put a TriG or JSON-LD file together one named graph after another, and a
Turtle file one subject after another, each closed before the next starts. So a file is a head
(the prefixes; ``[`` for JSON-LD), the serialisations of its segments (a named graph; a run of
subjects in Turtle) joined by a separator (``,`` in JSON-LD) and a tail; byte for byte what
serialising the whole stream at once writes. Each segment is keyed by the digest of its lines;
``.cache/segments.json`` records where each key's bytes lie in the files the last build wrote,
and a rebuild copies those bytes instead of serialising the segment again. The record is used
only while the files are the ones it describes (size and modification time), for the same
prefixes and writer.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, parse, serialize

from ..base.files import CACHE_DIR, atomic_write

SEGMENTS_FILE = "segments.json"
"""In the cache directory: where each segment of the last build's graph files lies."""

SUBJECTS_PER_RUN = 64
"""About this many subjects make one Turtle segment. Runs end after a subject whose digest says
so (not after a count), so a change moves no boundary but its own run's."""

_PROBE = "urn:evidence-graph:segment-probe"


@dataclass(frozen=True)
class Segment:
    """A piece of a file: the key of its bytes, and its lines (N-Quads or N-Triples, in the
    order they are written), made only when the bytes cannot be copied."""

    key: str
    lines: Callable[[], bytes]


def segment(lines: bytes) -> Segment:
    """A segment keyed by the digest of its lines."""
    return Segment(hashlib.sha256(lines).hexdigest(), lambda: lines)


def subject_runs(union: list[bytes]) -> Iterator[Segment]:
    """Sorted, distinct N-Triples lines `union` cut into runs of subjects, in the order a store
    holding them writes them (descending: subjects, and each subject's lines, last first), a run
    ending after a subject whose CRC-32 is a multiple of `SUBJECTS_PER_RUN`."""
    # A subject's lines are adjacent ("<s> " starts each): found by bisection, not line by line.
    starts: list[int] = []
    subjects: list[bytes] = []
    at = 0
    while at < len(union):
        subject = union[at][: union[at].index(b" ")]
        starts.append(at)
        subjects.append(subject)
        at = bisect_left(union, subject + b"!", at + 1)  # "!" follows " "
    end = len(union)
    for i in range(len(starts) - 1, -1, -1):
        if i == 0 or zlib.crc32(subjects[i]) % SUBJECTS_PER_RUN == 0:
            yield segment(b"".join(union[starts[i] : end][::-1]))
            end = starts[i]


@dataclass(frozen=True)
class _Layout:
    head: bytes
    separator: bytes
    tail: bytes


def _layout(rdf_format: RdfFormat, prefixes: Mapping[str, str]) -> _Layout:
    """How `rdf_format`'s writer frames its segments (the head learnt from a probe statement)."""
    if rdf_format == RdfFormat.JSON_LD:
        return _Layout(b"[", b",", b"]")
    node = NamedNode(_PROBE)
    probe: Any = (
        Quad(node, node, node, node) if rdf_format.supports_datasets else Triple(node, node, node)
    )
    data = serialize([probe], format=rdf_format, prefixes=dict(prefixes)) or b""
    return _Layout(data[: data.index(f"<{_PROBE}>".encode())], b"", b"")


def _body(data: bytes, layout: _Layout) -> bytes:
    """The bytes of one segment in a whole file: its own serialisation, unframed."""
    if not data.startswith(layout.head) or not data.endswith(layout.tail):
        raise RuntimeError("a segment was not framed as expected")
    return data[len(layout.head) : len(data) - len(layout.tail)]


class SegmentedFiles:
    """Graph files written from segments, reusing the bytes of the previous build's files."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self._previous = _read_record(self.out_dir)
        self._written: dict[str, dict[str, Any]] = {}

    def write(
        self,
        target: Path,
        name: str,
        segments: Iterable[Segment],
        syntax: RdfFormat,
        rdf_format: RdfFormat,
        prefixes: Mapping[str, str],
    ) -> None:
        """Write the file `name` (at the temporary path `target`) from `segments` (lines in
        `syntax`), copying each segment the previous ``name`` holds, for the same framing."""
        layout = _layout(rdf_format, prefixes)
        version = _version(rdf_format, prefixes)
        old = self._previous.get(name, {})
        reusable: dict[str, list[int]] = (
            old.get("segments", {}) if old.get("version") == version else {}
        )
        placed: dict[str, list[int]] = {}
        source: IO[bytes] | None = None
        try:
            if reusable:
                source = open(self.out_dir / name, "rb")  # noqa: SIM115 (closed below)
            with open(target, "wb") as out:
                at = 0
                for piece in segments:
                    found = reusable.get(piece.key) if source is not None else None
                    body = _read(source, found) if source is not None else None
                    if body is None:
                        lines = piece.lines()
                        data = serialize(
                            parse(lines, syntax), format=rdf_format, prefixes=dict(prefixes)
                        )
                        body = _body(data or b"", layout)
                    if not body:
                        continue
                    framing = layout.head if at == 0 else layout.separator
                    out.write(framing)
                    at += len(framing)
                    placed.setdefault(piece.key, [at, len(body)])
                    out.write(body)
                    at += len(body)
                if at:
                    out.write(layout.tail)
                else:  # nothing at all: what the writer writes for nothing
                    out.write(serialize([], format=rdf_format, prefixes=dict(prefixes)) or b"")
        finally:
            if source is not None:
                source.close()
        self._written[name] = {"version": version, "segments": placed}

    def save(self) -> None:
        """Record where the segments lie in the files just moved into place (call after that)."""
        record: dict[str, Any] = {}
        for name, entry in sorted(self._written.items()):
            info = (self.out_dir / name).stat()
            record[name] = {**entry, "signature": [info.st_size, info.st_mtime_ns]}
        path = self.out_dir / CACHE_DIR / SEGMENTS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as out:
            out.write(json.dumps(record, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def _read(source: IO[bytes], found: object) -> bytes | None:
    """The bytes at `found` ([offset, length], from the record) in `source`, if it holds them."""
    if not (
        isinstance(found, list)
        and len(found) == 2
        and all(isinstance(n, int) and n >= 0 for n in found)
    ):
        return None
    source.seek(found[0])
    data = source.read(found[1])
    return data if len(data) == found[1] and data else None


def _version(rdf_format: RdfFormat, prefixes: Mapping[str, str]) -> str:
    """What a file's segments depend on besides their lines: the writer and the prefixes."""
    text = json.dumps([pyoxigraph.__version__, rdf_format.file_extension, sorted(prefixes.items())])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_record(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The previous build's record, for the files that are still the ones it describes."""
    try:
        data = json.loads((out_dir / CACHE_DIR / SEGMENTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    usable: dict[str, dict[str, Any]] = {}
    for name, entry in data.items():
        try:
            info = os.stat(out_dir / name)
            if entry["signature"] == [info.st_size, info.st_mtime_ns] and isinstance(
                entry["segments"], dict
            ):
                usable[name] = entry
        except (OSError, KeyError, TypeError):
            continue
    return usable
