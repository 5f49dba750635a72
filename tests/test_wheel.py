"""The wheel: built from a fresh copy of the repository without warnings, installed (not editable)
into a new virtual environment, it builds the corpus from another directory and installs exactly
one top-level package, `evidence_graph`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

_SKIP = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".mypy_cache",
         ".ruff_cache", ".import_linter_cache", "out"}  # fmt: skip


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from a fresh copy of the repository, and the build's output."""
    tmp = tmp_path_factory.mktemp("wheel")
    repo = tmp / "repo"
    shutil.copytree(ROOT, repo, ignore=lambda _d, names: [n for n in names if n in _SKIP])
    dist = tmp / "dist"
    built = _run(
        sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, repo, cwd=tmp
    )
    (path,) = dist.glob("evidence_graph-*.whl")
    return path, built.stdout + built.stderr


def test_wheel_builds_without_warnings(wheel: tuple[Path, str]) -> None:
    _, output = wheel
    # Byte-compiling is off in the build backend; any other warning (an undeclared package, a
    # missing data file, deprecated metadata) fails.
    warnings = [
        line
        for line in output.splitlines()
        if "warn" in line.lower() and "byte-compiling is disabled" not in line
    ]
    assert not warnings, "\n".join(warnings)


def test_wheel_holds_one_top_level_package_and_its_data(wheel: tuple[Path, str]) -> None:
    path, _ = wheel
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        (top_level,) = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        assert archive.read(top_level).decode().split() == ["evidence_graph"]
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"evidence_graph"}
    for needed in (
        "evidence_graph/graph/service/queries/cell-contents.rq",
        "evidence_graph/graph/explore/templates/",
        "evidence_graph/graph/base/matrices.yaml",
        "evidence_graph/ontology/evidence.ttl",
        "evidence_graph/ontology/shapes.ttl",
        "evidence_graph/ontology/context.jsonld",
        "evidence_graph/exporters/rdf.py",
    ):
        assert any(n.startswith(needed) for n in names), needed


def test_installed_wheel_builds_data_from_another_directory(
    wheel: tuple[Path, str], tmp_path: Path, seed_build: Path
) -> None:
    path, _ = wheel
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    # The dependencies come from this environment (no network); the package itself only from
    # the wheel: our own editable finder is not activated by a plain path entry.
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                     cwd=tmp_path).stdout.strip())  # fmt: skip
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         path, cwd=tmp_path)  # fmt: skip
    data = tmp_path / "elsewhere" / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "matrices.yaml").unlink()  # the definitions shipped in the package take over
    work = tmp_path / "work"
    work.mkdir()
    located = _run(python, "-c", "import evidence_graph.graph as g; print(g.__file__)", cwd=work)
    assert Path(located.stdout.strip()).is_relative_to(site), located.stdout
    _run(venv / "bin" / "evidence-graph", "build", "--data", data, "--out", "out", cwd=work)
    for name in ("evidence.trig", "evidence.ttl", "evidence.jsonld", "summary.json"):
        assert (work / "out" / name).read_bytes() == (seed_build / name).read_bytes(), name
    record = next(site.glob("evidence_graph-*.dist-info")) / "RECORD"
    tops = {line.split("/", 1)[0] for line in record.read_text().splitlines()}
    assert {t for t in tops if not t.endswith(".dist-info") and not t.startswith("..")} == {
        "evidence_graph"
    }
