"""HTML: the interactive graph page, self-contained and offline (see `graph.explore.pages`)."""

from __future__ import annotations

from typing import IO, Any

NAME = "html"
SUFFIX = ".html"
MEDIA_TYPE = "text/html"
DESCRIPTION = "the interactive graph page (vis-network inlined; works offline)"
IS_RDF = False


def export(dataset: Any, out: IO[bytes]) -> None:
    """Write the graph page of `dataset`."""
    from ..graph.explore.pages import graph_page
    from ..graph.explore.projection import project

    out.write(graph_page(project(dataset)).encode("utf-8"))
