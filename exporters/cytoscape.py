"""Cytoscape.js JSON: ``{"elements": {"nodes": [...], "edges": [...]}}`` with positions."""

from __future__ import annotations

import json
from typing import IO, Any

NAME = "cytoscape"
SUFFIX = ".cyjs"
MEDIA_TYPE = "application/json"
DESCRIPTION = "Cytoscape.js elements JSON (also opens in Cytoscape desktop), with positions"
IS_RDF = False


def export(dataset: Any, out: IO[bytes]) -> None:
    """Write the projection of `dataset` as Cytoscape.js JSON."""
    from ..graph.explore.pages import layout
    from ..graph.explore.projection import project

    g = project(dataset)
    positions = layout(g)
    nodes = []
    for key, data in g.nodes(data=True):
        x, y = positions[key]
        nodes.append({"data": {"id": key, **data}, "position": {"x": x, "y": y}})
    edges = []
    for n, (s, t, data) in enumerate(g.edges(data=True)):
        edges.append({"data": {"id": f"e{n}", "source": s, "target": t, **data}})
    document = {
        "format_version": "1.0",
        "generated_by": "evidence-graph",
        "data": {"name": "evidence-graph", "directed": True},
        "elements": {"nodes": nodes, "edges": edges},
    }
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    out.write((text + "\n").encode("utf-8"))
