"""The code stays clean: ruff check, ruff format, mypy --strict, and the import-linter contracts
of pyproject.toml (lower stages never import higher ones)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

BIN = Path(sys.executable).parent


def _import_root(tmp: Path) -> Path:
    """A folder holding `evidence_graph/` as installed, made of links into the repository.

    mypy and import-linter find modules by path and cannot follow the `package-dir` mapping of an
    editable install, so they check the package through this mirror.
    """
    root = tmp / "evidence_graph"
    root.mkdir()
    (root / "__init__.py").symlink_to(ROOT / "graph" / "api" / "__init__.py")
    for folder in ("graph", "ontology", "exporters"):
        (root / folder).symlink_to(ROOT / folder, target_is_directory=True)
    return tmp


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "--config-file", str(ROOT / "pyproject.toml"), "-p", "evidence_graph"],
        ["lint-imports", "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict", "import-layers"],
)
def test_lint(command: list[str], tmp_path: Path) -> None:
    tool = BIN / command[0]
    assert tool.exists(), f"{tool} missing: install the dev extra (make test does)"
    mirrored = command[0] in ("mypy", "lint-imports")
    cwd = _import_root(tmp_path) if mirrored else ROOT
    env = {**os.environ, "PYTHONPATH": str(cwd)} if mirrored else None
    result = subprocess.run(
        [str(tool), *command[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
