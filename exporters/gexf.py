"""GEXF: the networkx projection for Gephi, with colours and positions of the graph page."""

from __future__ import annotations

import datetime
import io
import os
import re
from typing import IO, Any

NAME = "gexf"
SUFFIX = ".gexf"
MEDIA_TYPE = "application/gexf+xml"
DESCRIPTION = "the network projection for Gephi, with the graph page's colours and layout"
IS_RDF = False

_DATE = re.compile(rb' lastmodifieddate="[0-9-]*"')


def _hex(colour: str) -> dict[str, int]:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


def export(dataset: Any, out: IO[bytes]) -> None:
    """Write the projection of `dataset` as GEXF 1.2 (no date unless SOURCE_DATE_EPOCH is set)."""
    import networkx as nx

    from ..graph.explore.pages import CLASS_STYLE, layout
    from ..graph.explore.projection import project

    g = project(dataset)
    positions = layout(g)
    for key, data in g.nodes(data=True):
        x, y = positions[key]
        data["viz"] = {
            "color": _hex(CLASS_STYLE[data["class"]][0]),
            "position": {"x": x, "y": -y, "z": 0.0},
        }
    for _s, _t, data in g.edges(data=True):
        data["label"] = data["relation"]
    buffer = io.BytesIO()
    nx.write_gexf(g, buffer, encoding="utf-8")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    date = b""
    if epoch and epoch.isdigit():
        day = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date().isoformat()
        date = b' lastmodifieddate="' + day.encode() + b'"'
    out.write(_DATE.sub(date, buffer.getvalue(), count=1))
