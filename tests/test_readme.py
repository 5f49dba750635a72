"""The README's quick start cannot rot: its main-job command runs on a fresh copy of the repo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, require_program

README = ROOT / "README.md"


def quick_start_commands() -> list[str]:
    """The commands of the README's first ``sh`` block under "Quick start", comments removed."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README quick start has no ```sh block"
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def test_quick_start_has_exactly_the_two_commands() -> None:
    assert quick_start_commands() == ["make run", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = quick_start_commands()[1]
    assert re.search(rf"^\s*{re.escape(test_command)}\s*$", ci, re.M), ci


def fresh_copy(dest: Path) -> Path:
    """Copy what a clone would have: files git tracks plus untracked files it does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


@pytest.mark.slow
def test_main_job_runs_on_a_fresh_copy(tmp_path: Path) -> None:
    require_program("make", "install make (Debian package `make`)")
    require_program("git", "install git")
    repo = fresh_copy(tmp_path / "repo")
    assert not (repo / ".venv").exists() and not (repo / "build").exists()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    result = subprocess.run(
        quick_start_commands()[0].split(),
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    build = repo / "build"
    for name in (
        "evidence.trig",
        "evidence.ttl",
        "evidence.jsonld",
        "evidence.html",
        "matrix.html",
    ):
        assert (build / name).stat().st_size > 1000, name
    turtle = (build / "evidence.ttl").read_text(encoding="utf-8")
    assert "https://w3id.org/evidence-graph/id/cell/drug/B4" in turtle
    assert "Can therapists be too accommodating?" in turtle
    html = (build / "evidence.html").read_text(encoding="utf-8")
    assert "Can therapists be too accommodating?" in html
