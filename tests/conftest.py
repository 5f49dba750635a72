"""Shared fixtures: repository paths, one seed build per session, and real-program requirements."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files in tests/data/ from the current output instead of comparing.",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def require(what: str, available: bool, how: str) -> None:
    """Skip (laptop) or fail (CI=true) when a real component a test drives is missing."""
    if available:
        return
    message = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(f"{message} (CI must install it; see .ci/run)")
    pytest.skip(message)


def require_program(name: str, how: str) -> str:
    """The path of program `name`; skip or fail (under CI) when it is not on PATH."""
    path = shutil.which(name)
    require(f"program {name!r}", path is not None, how)
    assert path is not None
    return path


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build directory of the real corpus in data/ on the default store (Oxigraph), built once
    per session."""
    from evidence_graph.graph.pipeline.build import build

    out = tmp_path_factory.mktemp("seed-build")
    build(DATA, out, store="oxigraph")
    return out


@pytest.fixture(scope="session")
def memory_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same corpus built on rdflib's memory store: the reference Oxigraph is checked against."""
    from evidence_graph.graph.pipeline.build import build

    out = tmp_path_factory.mktemp("memory-build")
    build(DATA, out, store="memory")
    return out


@pytest.fixture(scope="session")
def seed_graph(seed_build: Path) -> Path:
    """The TriG file of the seed build."""
    return seed_build / "evidence.trig"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""Flags for headless Chromium as root on a machine with no network."""


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    chromium = require_program("chromium", "apt-get install chromium (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("Playwright", False, "pip install playwright (the dev extra installs it)")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
