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


HOLD_FOR = """
import sys, time
from pathlib import Path
from evidence_graph.graph.pipeline.lock import build_lock
with build_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_build_wait_waits_for_the_holder_then_builds(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from evidence_graph.graph.cli import cli

    data = Path(__file__).resolve().parent.parent / "data"
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR, str(out), "60"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    try:
        refused = CliRunner().invoke(
            cli, ["build", "--data", str(data), "--out", str(out), "--wait", "0.3"]
        )
        assert refused.exit_code == 1, refused.output
        assert "waiting up to 0.3 s" in refused.output
        assert f"process {holder.pid}" in refused.output
        assert "still after waiting 0.3 s" in refused.output and "Traceback" not in refused.output
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        holder.stdout.close()
    short = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR, str(out), "1.5"], stdout=subprocess.PIPE, text=True
    )
    assert short.stdout is not None and short.stdout.readline().strip() == "held"
    try:
        started = time.monotonic()
        waited = CliRunner().invoke(
            cli, ["build", "--data", str(data), "--out", str(out), "--wait", "60"]
        )
        assert waited.exit_code == 0, waited.output
        assert time.monotonic() - started >= 1.0
        assert f"process {short.pid}) is writing here; waiting up to 60 s" in waited.output
        assert (out / "evidence.trig").is_file()
    finally:
        short.wait(30)
        short.stdout.close()
