"""The persisted Oxigraph store of a build directory (``<out>/store``), for instant queries.

Crash safety: a build writes the new store into a fresh directory beside the old one; when every
file is in place it removes the stamp, moves the files in, swaps the store directories and writes
the stamp last (`swap_store`). So whenever a build is killed, the directory holds either a stamp
describing the store beside it, or no stamp (then `open_store` reads ``evidence.trig``, which is
always whole). The stamp names the store's random id (kept inside the store), how many quads it
holds and which ``evidence.trig`` it matches; `open_persisted` refuses a store that is not the one
its stamp describes instead of answering from it. The next build removes what a killed one left.

Kept apart from the Oxigraph sink so that opening it imports only pyoxigraph (`query` start-up).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Store

from ..base.codec import from_json, to_json
from ..base.errors import StoreMismatch
from ..base.files import (
    CACHE_DIR,
    NEW_STORE_PREFIX,
    OLD_STORE_PREFIX,
    STAMP_FILE,
    STORE_DIR,
    STORE_ID_FILE,
    STORE_RECORD_FILE,
    TRIG_FILE,
)
from .lock import swap_lock

LAYOUT = "default-graph=union"
"""What the store holds besides the named graphs: its default graph is their union (a set).
Part of the stamp, so a store written before the default graph was filled is not used."""


@dataclass(frozen=True)
class Stamp:
    """What ``store.stamp`` says: the ``evidence.trig`` it matches, and the store's id and size."""

    trig: str
    """Size and modification time (ns) of ``evidence.trig``, and `LAYOUT`."""
    store_id: str
    quads: int

    def text(self) -> str:
        return f"{self.trig} id={self.store_id} quads={self.quads}\n"

    @classmethod
    def parse(cls, text: str) -> Stamp | None:
        """The stamp in `text`; None for a stamp of an older layout (or not a stamp at all)."""
        trig, _, rest = text.strip().partition(" id=")
        store_id, _, quads = rest.partition(" quads=")
        if not store_id or not quads.isdigit():
            return None
        return cls(trig, store_id, int(quads))


def _trig_signature(trig: Path) -> str:
    info = trig.stat()
    return f"{info.st_size} {info.st_mtime_ns} {LAYOUT}"


def new_store_dir(build_dir: Path) -> Path:
    """A fresh directory name for the store a build writes (swapped in by `swap_store`)."""
    return build_dir / f"{NEW_STORE_PREFIX}{secrets.token_hex(8)}"


def mark_store(location: Path) -> str:
    """Give the (closed) store at `location` a random id, which the stamp will name."""
    store_id = secrets.token_hex(16)
    (location / STORE_ID_FILE).write_text(store_id + "\n", encoding="utf-8")
    return store_id


@dataclass(frozen=True)
class StoreRecord:
    """What a store was made from: a digest of each named graph's text (graph term, SHA-256),
    and the validation findings over them (with the key of the shapes and code that found them;
    None: none ran), each as its fields (severity, focus, path, message, value)."""

    graphs: tuple[tuple[str, str], ...]
    validation_key: str | None = None
    findings: tuple[tuple[str, str, str, str, str], ...] = ()

    def digests(self) -> dict[str, str]:
        """Graph term → the SHA-256 of its text."""
        return dict(self.graphs)

    def to_json(self) -> str:
        data = {"format": STORE_RECORD_FORMAT, "record": to_json(self)}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> StoreRecord | None:
        """The record in `text`; None if it is not one of this format (it is then not used)."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != STORE_RECORD_FORMAT:
                return None
            return from_json(cls, data.get("record"))
        except (ValueError, RecursionError):
            return None


STORE_RECORD_FORMAT = "evidence-graph store record 2"
"""Names the layout of `StoreRecord`'s JSON (its fields in order: see `base.codec`)."""


def note_store(location: Path, record: StoreRecord) -> None:
    """Keep `record` inside the (closed) store at `location`."""
    (location / STORE_RECORD_FILE).write_text(record.to_json(), encoding="utf-8")


def copy_store(build_dir: Path, target: Path) -> StoreRecord | None:
    """Copy the build directory's store to `target` (hard links: instant) and return its record;
    None when there is no store its stamp vouches for, or no record of what it holds."""
    try:
        store = open_persisted(build_dir)
        if store is None:
            return None
        text = (build_dir / STORE_DIR / STORE_RECORD_FILE).read_text(encoding="utf-8")
    except (StoreMismatch, OSError, UnicodeDecodeError):
        return None
    record = StoreRecord.from_json(text)
    if record is None:
        return None
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        store.backup(str(target))
    except (OSError, RuntimeError):
        shutil.rmtree(target, ignore_errors=True)
        return None
    for name in (STORE_ID_FILE, STORE_RECORD_FILE):  # the copy becomes another store
        (target / name).unlink(missing_ok=True)
    return record


def remove_stamp(build_dir: Path) -> None:
    """Forget which store matches the graph files (before they change)."""
    (build_dir / STAMP_FILE).unlink(missing_ok=True)


def swap_store(build_dir: Path, new: Path, store_id: str, quads: int) -> None:
    """Make the store written at `new` the build's store; the stamp, written last, names it.

    Called once the graph files are in place (and the stamp removed before they moved).
    """
    target = build_dir / STORE_DIR
    old = build_dir / f"{OLD_STORE_PREFIX}{secrets.token_hex(8)}"
    stamp = Stamp(_trig_signature(build_dir / TRIG_FILE), store_id, quads)
    tmp = build_dir / f".{STAMP_FILE}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(stamp.text(), encoding="utf-8")
    with swap_lock(build_dir, exclusive=True):  # no reader is opening the store meanwhile
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        os.replace(tmp, build_dir / STAMP_FILE)
    shutil.rmtree(old, ignore_errors=True)  # readers that opened it keep its files open


def drop_store(build_dir: Path) -> None:
    """Remove the persisted store and its stamp (a build that keeps no store made them stale)."""
    with swap_lock(build_dir, exclusive=True):
        remove_stamp(build_dir)
        shutil.rmtree(build_dir / STORE_DIR, ignore_errors=True)


def clean_leftovers(build_dir: Path) -> list[Path]:
    """Remove what killed builds left in `build_dir`: half-written stores and temporary files.

    Only safe while holding the build lock (another build's files would look the same).
    """
    removed: list[Path] = []
    if not build_dir.is_dir():
        return removed
    candidates = [*build_dir.iterdir()]
    if (build_dir / CACHE_DIR).is_dir():
        candidates += (build_dir / CACHE_DIR).iterdir()
    for path in sorted(candidates):
        name = path.name
        if path.is_dir() and name.startswith((NEW_STORE_PREFIX, OLD_STORE_PREFIX)):
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and name.startswith(".") and name.endswith(".tmp"):
            path.unlink(missing_ok=True)
        elif path.is_file() and path.parent.name == CACHE_DIR and name.endswith(".tmp"):
            path.unlink(missing_ok=True)
        else:
            continue
        removed.append(path)
    return removed


def open_persisted(build_dir: Path) -> Store | None:
    """The persisted store of a build directory, opened read-only; None when there is none.

    None also when the stamp describes another ``evidence.trig`` (a later memory-store build
    replaced the files) or is of an older layout: the caller then reads ``evidence.trig``. A store
    that is not the one a matching stamp describes (another id, none, empty, unreadable) raises
    `StoreMismatch`: answering from it would silently give wrong (or no) answers.
    """
    if not (build_dir / STAMP_FILE).is_file():  # no store (the graph files are always whole)
        return None
    with swap_lock(build_dir, exclusive=False):  # a build's swap waits for this open
        return _open_persisted(build_dir)


def _open_persisted(build_dir: Path) -> Store | None:
    location = build_dir / STORE_DIR
    stamp_file = build_dir / STAMP_FILE
    trig = build_dir / TRIG_FILE
    if not stamp_file.is_file() or not trig.is_file():
        return None
    stamp = Stamp.parse(stamp_file.read_text(encoding="utf-8", errors="replace"))
    if stamp is None or stamp.trig != _trig_signature(trig):
        return None
    id_file = location / STORE_ID_FILE
    found = id_file.read_text(encoding="utf-8").strip() if id_file.is_file() else None
    if found != stamp.store_id:
        why = "has no id" if found is None else "is another store"
        raise StoreMismatch(location, stamp_file, why)
    try:
        store = Store.read_only(str(location))
    except (OSError, RuntimeError) as exc:
        raise StoreMismatch(location, stamp_file, f"cannot be read ({exc})") from None
    if stamp.quads and next(iter(store.quads_for_pattern(None, None, None, None)), None) is None:
        raise StoreMismatch(location, stamp_file, f"is empty (the stamp says {stamp.quads} quads)")
    return store
