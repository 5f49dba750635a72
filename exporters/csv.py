"""CSV: the projection's nodes and edges in ONE table, told apart by the ``kind`` column.

One stream, so ``export -f csv`` can write to stdout and a spreadsheet opens it directly: node rows
(``kind=node``) fill ``id``, ``class``, ``label`` and the attributes; edge rows (``kind=edge``)
fill ``source``, ``relation``, ``target``, ``source_label``, ``target_label`` and the edge's
attributes. Filter on ``kind`` to get the two tables Gephi's spreadsheet import wants.
"""

from __future__ import annotations

import csv as _csv
import io
from typing import IO, Any

NAME = "csv"
SUFFIX = ".csv"
MEDIA_TYPE = "text/csv"
DESCRIPTION = "nodes and edges with labels and relation names in one table (column `kind`)"
IS_RDF = False

_LEAD = [
    "kind",
    "id",
    "class",
    "label",
    "source",
    "relation",
    "target",
    "source_label",
    "target_label",
]


def export(dataset: Any, out: IO[bytes]) -> None:
    """Write the projection of `dataset` as one CSV table of nodes, then edges."""
    from ..graph.explore.projection import project

    g = project(dataset)
    extra: set[str] = set()
    for _, data in g.nodes(data=True):
        extra.update(data)
    for _, _, data in g.edges(data=True):
        extra.update(data)
    columns = _LEAD + sorted(extra - set(_LEAD))
    text = io.StringIO(newline="")
    writer = _csv.DictWriter(text, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for key, data in g.nodes(data=True):
        writer.writerow({**data, "kind": "node", "id": key})
    for n, (s, t, data) in enumerate(g.edges(data=True)):
        row = {**data, "kind": "edge", "id": f"e{n}", "source": s, "target": t}
        row["source_label"] = g.nodes[s]["label"]
        row["target_label"] = g.nodes[t]["label"]
        row["label"] = data["relation"]
        writer.writerow(row)
    out.write(text.getvalue().encode("utf-8"))
