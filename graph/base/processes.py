"""Helper processes that end with the process that started them."""

from __future__ import annotations

import os
import threading
import time


def _watch(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)


def end_with_parent(parent: int) -> None:
    """End this process (within half a second) once `parent`, the process that started it (its
    PID, as that process gave it), is gone: a parent killed with SIGKILL cannot stop its helpers,
    and the pipes they wait on may never close (a forked helper holds copies of both ends). Gone
    already (killed while this one was starting): ended at once, rather than watching whatever
    process adopted it."""
    if os.getppid() != parent:
        os._exit(3)
    threading.Thread(target=_watch, args=(parent,), name="watch-parent", daemon=True).start()
