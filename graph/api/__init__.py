"""evidence-graph: Effectiveness Bank evidence maps as a knowledge graph.

The public API, imported lazily (``import evidence_graph`` loads no RDF library)::

    import evidence_graph as eg

    cell = eg.parse_page("data/cells/drug/B4.txt")        # a cell page → a `Cell` record
    result = eg.build("data", "build")                     # → `BuildResult` (counts, problems)
    ds = eg.open_graph("build")                            # the built graph, an rdflib Dataset
    answer = eg.run_query("build", "cell-contents", {"cell": "drug/B4"}, result_format="csv")
    g = eg.to_networkx(ds)                                 # the networkx projection

This folder is installed as the root package ``evidence_graph``; the repository's folders are its
subpackages (``evidence_graph.graph`` is ``graph/``, ``evidence_graph.ontology`` is ``ontology/``,
``evidence_graph.exporters`` is ``exporters/``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API: dict[str, tuple[str, str]] = {
    "parse_page": ("evidence_graph.graph.parsing.page", "parse_file"),
    "build": ("evidence_graph.graph.pipeline.build", "build"),
    "open_graph": ("evidence_graph.graph.reading.load", "load_dataset"),
    "run_query": ("evidence_graph.graph.service.sparql", "run_named"),
    "to_networkx": ("evidence_graph.graph.explore.projection", "project"),
    "BuildResult": ("evidence_graph.graph.pipeline.result", "BuildResult"),
    "Cell": ("evidence_graph.graph.base.records", "Cell"),
    "EvidenceGraphError": ("evidence_graph.graph.base.errors", "EvidenceGraphError"),
}
"""Public name → (module, attribute), imported on first use."""

__all__ = [
    "BuildResult",
    "Cell",
    "EvidenceGraphError",
    "build",
    "open_graph",
    "parse_page",
    "run_query",
    "to_networkx",
]

if TYPE_CHECKING:  # absolute: this file is also seen as `evidence_graph.graph.api`
    from evidence_graph.graph.base.errors import EvidenceGraphError
    from evidence_graph.graph.base.records import Cell
    from evidence_graph.graph.explore.projection import project as to_networkx
    from evidence_graph.graph.parsing.page import parse_file as parse_page
    from evidence_graph.graph.pipeline.build import build
    from evidence_graph.graph.pipeline.result import BuildResult
    from evidence_graph.graph.reading.load import load_dataset as open_graph
    from evidence_graph.graph.service.sparql import run_named as run_query


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    if name not in _API:
        raise AttributeError(f"module 'evidence_graph' has no attribute {name!r}")
    module, attribute = _API[name]
    return getattr(import_module(module), attribute)


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
