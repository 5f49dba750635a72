"""The `evidence-graph` command line: parses arguments, calls library functions, explains errors.

Library modules are imported inside each command so that a quick command (`query`) does not pay for
importing everything (`rdflib`, `pyvis`, …) at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.errors import EvidenceGraphError

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_OUT = Path("build")
DEFAULT_GRAPH = DEFAULT_OUT / "evidence.trig"


class _Group(click.Group):
    """A click group that turns the library's own exceptions into one clear message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EvidenceGraphError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="evidence-graph")
def cli() -> None:
    """Turn Effectiveness Bank evidence maps into a knowledge graph to query, explore and reuse.

    \b
    Quick start:
      evidence-graph build                 # data/ -> build/evidence.{trig,ttl,jsonld}
      evidence-graph query -n cell-contents -p cell=drug/B4
      evidence-graph viz -o build/evidence.html
    """


# Shared option bundles: one definition each, used by every command that takes the option.


def graph_option(func: F) -> F:
    """`-g/--graph PATH`: the built graph to read."""
    return click.option(
        "-g",
        "--graph",
        "graph_path",
        type=click.Path(path_type=Path, dir_okay=True),
        default=DEFAULT_GRAPH,
        show_default=True,
        help="Built graph to read (a .trig/.ttl/.nq file or a build directory).",
    )(func)


def output_option(func: F) -> F:
    """`-o/--output FILE`: where to write; stdout when absent."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False, writable=True),
        default=None,
        help="Write to FILE (atomically) instead of standard output.",
    )(func)
