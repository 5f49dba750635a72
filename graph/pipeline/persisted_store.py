"""The persisted Oxigraph store of a build directory (``<out>/store``), for instant queries.

Kept apart from the Oxigraph sink so that opening it imports only pyoxigraph (`query` start-up).
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Store

from ..base.files import STAMP_FILE, STORE_DIR, TRIG_FILE

LAYOUT = "default-graph=union"
"""What the store holds besides the named graphs: its default graph is their union (a set).
Part of the stamp, so a store written before the default graph was filled is not used."""


def _stamp(trig: Path) -> str:
    info = trig.stat()
    return f"{info.st_size} {info.st_mtime_ns} {LAYOUT}\n"


def write_stamp(build_dir: Path) -> None:
    """Record that ``build_dir/store`` holds the graph of ``build_dir/evidence.trig``."""
    (build_dir / STAMP_FILE).write_text(_stamp(build_dir / TRIG_FILE), encoding="utf-8")


def open_persisted(build_dir: Path) -> Store | None:
    """The persisted store of a build directory, opened read-only; None when there is none.

    A store that does not match the build's ``evidence.trig`` (e.g. a later memory-store build
    replaced the files) is ignored.
    """
    location = build_dir / STORE_DIR
    stamp = build_dir / STAMP_FILE
    trig = build_dir / TRIG_FILE
    if not (location / "CURRENT").is_file() or not stamp.is_file() or not trig.is_file():
        return None
    if stamp.read_text(encoding="utf-8") != _stamp(trig):
        return None
    return Store.read_only(str(location))
