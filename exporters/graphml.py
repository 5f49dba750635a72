"""GraphML: the networkx projection for Gephi, yEd, Cytoscape desktop and igraph."""

from __future__ import annotations

import io
from typing import IO, Any

NAME = "graphml"
SUFFIX = ".graphml"
MEDIA_TYPE = "application/graphml+xml"
DESCRIPTION = (
    "the network projection (nodes, labelled relations, attributes) for Gephi, yEd, igraph"
)
IS_RDF = False


def export(dataset: Any, out: IO[bytes]) -> None:
    """Write the projection of `dataset` as GraphML (a directed multigraph)."""
    import networkx as nx

    from ..graph.explore.projection import project

    buffer = io.BytesIO()
    nx.write_graphml(project(dataset), buffer, encoding="utf-8", named_key_ids=True)
    out.write(buffer.getvalue())
