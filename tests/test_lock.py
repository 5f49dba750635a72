"""The build lock: a second holder is refused with the first one's pid; a killed holder frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evidence_graph.graph.base.errors import BuildLocked
from evidence_graph.graph.pipeline.lock import LOCK_FILE, build_lock

HOLD = """
import sys, time
from pathlib import Path
from evidence_graph.graph.pipeline.lock import build_lock
with build_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def _holder(out: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_build_is_refused_naming_the_first(tmp_path: Path) -> None:
    holder = _holder(tmp_path)
    try:
        with pytest.raises(BuildLocked) as caught, build_lock(tmp_path):
            pytest.fail("the lock was taken twice")
        assert caught.value.pid == holder.pid
        assert f"process {holder.pid}" in str(caught.value)
        started = time.monotonic()
        with pytest.raises(BuildLocked), build_lock(tmp_path, wait=0.5):
            pass
        assert time.monotonic() - started >= 0.5
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        assert holder.stdout is not None
        holder.stdout.close()
    # Killed without any clean-up: the kernel released the lock; the stale file does not matter.
    assert (tmp_path / LOCK_FILE).is_file()
    with build_lock(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())


def test_the_lock_is_released_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), build_lock(tmp_path):
        raise RuntimeError("build failed")
    with build_lock(tmp_path):
        pass
