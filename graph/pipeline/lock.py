"""One build at a time per output directory: an exclusive POSIX record lock on a lock file in it.

The lock belongs to the build's process, so the kernel releases it when the build ends in any way
(return, exception, kill -9); a stale lock file left behind never blocks the next build. A record
lock (`lockf`) rather than `flock`: the per-page worker processes a build forks share its open
files, and would keep an `flock` held after the build itself was killed; record locks are never
inherited by a child.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..base.errors import BuildLocked
from ..base.files import LOCK_FILE, SWAP_LOCK_FILE


@contextmanager
def build_lock(
    out_dir: Path, *, wait: float = 0.0, on_wait: Callable[[int | None], None] | None = None
) -> Iterator[None]:
    """Hold the build lock of `out_dir` for the duration of the block.

    When another build holds it, call `on_wait` with that build's process id (once, if `wait`),
    wait up to `wait` seconds for it, then raise `BuildLocked` naming that process.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (BlockingIOError, PermissionError):
                if time.monotonic() >= deadline:
                    raise BuildLocked(out_dir, _holder(fd), waited=wait) from None
                if on_wait is not None:
                    on_wait(_holder(fd))
                    on_wait = None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> int | None:
    """The process id written by the build holding the lock (None if it has not written it yet)."""
    text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


@contextmanager
def swap_lock(build_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the store swap lock of `build_dir`: shared while a reader opens the persisted store,
    exclusive while a build swaps it, so an opening reader sees the old store or the new one.

    Held only for the moments of an open or a swap (an open store no longer needs its
    directory's name). A reader that cannot open the lock file (a read-only directory no build
    writes into) goes without.
    """
    path = build_dir / SWAP_LOCK_FILE
    try:
        if exclusive:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        else:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
            except PermissionError:
                fd = os.open(path, os.O_RDONLY)
    except OSError:
        if exclusive:
            raise
        yield
        return
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock
